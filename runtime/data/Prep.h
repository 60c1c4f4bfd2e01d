//===- Prep.h - Token files from text ---------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom prep tokens`: turns text into the token
// files language models train on, one token per byte (0..255) or the tokens
// of a BPE tokenizer (Bpe.h), stored as little-endian u16 or u32.
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
  uint64_t bytes = 0;               ///< of text read
  uint64_t tokens = 0;
};

class BpeTokenizer;

/// The most text prepTokens reads, all its inputs together: it holds the
/// text and the token file (2 or 4 bytes a byte) in memory, 5 GiB at most
/// with u32 tokens (a BPE tokenizer's ids take 4 bytes more a token while
/// it encodes); a byte-level corpus this size trains for weeks on a CPU.
constexpr uint64_t kMaxPrepBytes = uint64_t(1) << 30;

/// The text of `inputs`, concatenated: a directory contributes its regular
/// files (not symbolic links, which would repeat a file) in name order,
/// skipping binary ones; a file named directly must be text. Fills
/// `report`'s files, skipped and bytes.
StatusOr<std::string> readTextInputs(const std::vector<std::string> &inputs,
                                     PrepReport &report);

/// Writes the tokens of the text of `inputs` (readTextInputs) to token file
/// `output` (written atomically; only a regular file or nothing is
/// replaced): its bytes, or with `bpe` its BPE tokens. `dtype` is "u16" or
/// "u32".
StatusOr<PrepReport> prepTokens(const std::vector<std::string> &inputs,
                                const std::string &output,
                                const std::string &dtype,
                                const BpeTokenizer *bpe = nullptr);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_PREP_H
