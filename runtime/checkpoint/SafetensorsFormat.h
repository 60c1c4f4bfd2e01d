//===- SafetensorsFormat.h - Shared by the checkpoint code ------*- C++ -*-===//
//
// Part of Loom. What the safetensors writer, the loader and the checkpoint
// directories share (private to runtime/checkpoint/): UTF-8 validation,
// names quoted for messages, shapes as text and the overflow-checked byte
// size of a shape. runtime/File.h has the atomic file write;
// docs/checkpoint.md is the specification.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CHECKPOINT_SAFETENSORSFORMAT_H
#define LOOM_RUNTIME_CHECKPOINT_SAFETENSORSFORMAT_H

#include "runtime/File.h"
#include "runtime/checkpoint/Checkpoint.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loom {
namespace safetensors {

/// Whether [p, p + n) is well-formed UTF-8 (no overlong forms, surrogates
/// or code points past U+10FFFF); if not, `bad` is the offset of the first
/// byte of the first ill-formed sequence.
bool validUtf8(const uint8_t *p, size_t n, size_t &bad);
inline bool validUtf8(const std::string &s) {
  size_t bad;
  return validUtf8(reinterpret_cast<const uint8_t *>(s.data()), s.size(), bad);
}

/// `s` in single quotes for a message: control bytes and bytes that are no
/// UTF-8 as \xNN, quotes and backslashes escaped, cut after 200 bytes.
std::string quote(const std::string &s);

/// "[2, 3]"; "[]" for a scalar.
std::string shapeString(const std::vector<int64_t> &shape);

/// The bytes of a tensor of `shape` and element size `elementSize`: false
/// when the product of its nonzero dimensions times the element size is
/// more than INT64_MAX (a shape no file can hold), whatever the other
/// dimensions.
bool shapeBytes(const std::vector<int64_t> &shape, uint64_t elementSize,
                uint64_t &bytes);

} // namespace safetensors
} // namespace loom

#endif // LOOM_RUNTIME_CHECKPOINT_SAFETENSORSFORMAT_H
