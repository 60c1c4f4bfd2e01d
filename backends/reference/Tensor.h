//===- Tensor.h - Host tensors of the reference backend ---------*- C++ -*-===//
//
// Part of Loom. The reference backend's value: a shape, an element type and
// the elements in row-major order, each held as a double. Doubles hold every
// f32, bf16, f16, i32 and i1 value exactly and i64 values up to 2^53, so one
// representation serves all element types; after every op the interpreter
// rounds results to their element type (roundToType), which makes an f32
// computation here round like an f32 backend's stores.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_REFERENCE_TENSOR_H
#define LOOM_BACKENDS_REFERENCE_TENSOR_H

#include "runtime/DType.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::loom::reference {

/// The element types are the runtime's (runtime/DType.h).
using ::loom::DType;
using ::loom::dtypeName;
using ::loom::isFloat;

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(DType dtype, std::vector<int64_t> shape);
  Tensor(DType dtype, std::vector<int64_t> shape, std::vector<double> data);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numElements() const;
  /// Row-major strides, in elements.
  std::vector<int64_t> strides() const;
  /// The element at a multi-index.
  double at(const std::vector<int64_t> &index) const;
  double &at(const std::vector<int64_t> &index);
  /// "f32[2, 3]".
  std::string typeString() const;
};

/// Rounds `v` to what an element of type `t` can hold: f32/bf16/f16 round to
/// nearest even, integers truncate toward zero (and wrap like two's
/// complement), i1 is v != 0.
double roundToType(double v, DType t);
/// Rounds every element of `t` in place.
void roundToType(Tensor &t);

/// Advances a row-major multi-index over `shape`; false after the last one.
bool nextIndex(std::vector<int64_t> &index, const std::vector<int64_t> &shape);

} // namespace mlir::loom::reference

#endif // LOOM_BACKENDS_REFERENCE_TENSOR_H
