//===- Text.h - Small text helpers of the runtime's messages ----*- C++ -*-===//
//
// Part of Loom. Plain C++17, header only: the shape of a tensor as messages
// print it, and the UTF-8 check every loader of untrusted names runs.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TEXT_H
#define LOOM_RUNTIME_TEXT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// "[8, 256, 384]".
inline std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The byte index of the first invalid UTF-8 sequence in [p, p + n), or
/// npos. Overlong forms, surrogates and code points past U+10FFFF are
/// invalid.
inline size_t invalidUtf8At(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (n - i < len)
      return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80)
        return i;
      cp = cp << 6 | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return i;
    i += len;
  }
  return std::string::npos;
}

} // namespace loom

#endif // LOOM_RUNTIME_TEXT_H
