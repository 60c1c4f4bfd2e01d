//===- Prep.h - Token files from text ---------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom prep tokens`: the byte-level tokenizer
// that turns text into the token files language models train on (one token
// per byte, 0..255, stored as little-endian u16 or u32).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_PREP_H
#define LOOM_RUNTIME_DATA_PREP_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom::data {

/// What prepTokens read and wrote.
struct PrepReport {
  std::vector<std::string> files;   ///< the text files, in order
  std::vector<std::string> skipped; ///< binary files (they hold a NUL byte)
  uint64_t tokens = 0;
};

/// The most text prepTokens reads, all its inputs together: it holds the
/// text and the token file (2 or 4 bytes a byte) in memory, 5 GiB at most
/// with u32 tokens; a byte-level corpus this size trains for weeks on a CPU.
constexpr uint64_t kMaxPrepBytes = uint64_t(1) << 30;

/// Concatenates the bytes of `inputs` into token file `output` (written
/// atomically; only a regular file or nothing is replaced). A directory
/// contributes its regular files (not symbolic links, which would repeat a
/// file) in name order, skipping binary ones; a file named directly must be
/// text. `dtype` is "u16" or "u32".
StatusOr<PrepReport> prepTokens(const std::vector<std::string> &inputs,
                                const std::string &output,
                                const std::string &dtype);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_PREP_H
