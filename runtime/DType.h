//===- DType.h - Element types shared by compiler and runtime ---*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The element types
// of Loom's tensors, with their stable on-disk codes (artifact and
// checkpoint records), as every part of Loom names them: the runtime, the
// reference backend, and the compiler, whose one conversion from MLIR types
// is mlir::loom::toDType (ir/ElementType.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DTYPE_H
#define LOOM_RUNTIME_DTYPE_H

#include <cstdint>

namespace loom {

/// Element types, with their stable on-disk codes.
enum class DType : uint8_t {
  F32 = 1,
  F64 = 2,
  F16 = 3,
  BF16 = 4,
  I32 = 5,
  I64 = 6,
  I1 = 7, ///< one byte per element
};

/// Bytes per element; 0 for a code that is no DType.
inline uint64_t dtypeSize(DType t) {
  switch (t) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I1:
    return 1;
  }
  return 0;
}

/// "f32", "bf16", ...; "?" for a code that is no DType.
inline const char *dtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::I1:
    return "i1";
  }
  return "?";
}

/// Whether `t` is a floating-point type.
inline bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::BF16 ||
         t == DType::F16;
}

} // namespace loom

#endif // LOOM_RUNTIME_DTYPE_H
