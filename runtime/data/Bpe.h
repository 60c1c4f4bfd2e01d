//===- Bpe.h - Byte-level BPE tokenizer -------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom prep bpe` trains a byte-level byte-pair
// encoding: tokens 0..255 are the bytes, and each merge i makes token 256+i
// out of two earlier tokens. Text is first cut into pieces (a word with the
// space before it, a run of digits, of punctuation or of white space; see
// pieces()), and merges never cross a piece's ends, so any byte string,
// UTF-8 or not, encodes and decodes back to itself exactly.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_BPE_H
#define LOOM_RUNTIME_DATA_BPE_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace loom::data {

/// The largest vocabulary a tokenizer may have: token files hold u16 ids.
constexpr int64_t kMaxBpeVocab = 65536;
/// Pieces longer than this are cut into pieces of this many bytes (a line
/// of 10^6 '=' would otherwise be one piece, quadratic to encode).
constexpr size_t kMaxBpePiece = 64;

/// Cuts `text` into the pieces BPE merges within, in order; their
/// concatenation is `text`. Bytes are letters (ASCII letters and every byte
/// of 0x80 and above, so UTF-8 words stay whole), digits, white space or
/// other. A piece is an optional space then a run of letters, of digits or
/// of other bytes; or a run of white space, less its last space when a
/// non-space follows (that space starts the next piece, as in GPT-2).
std::vector<std::string_view> bpePieces(std::string_view text);

class BpeTokenizer {
public:
  /// Trains merges on `text` until the vocabulary has `vocab` tokens
  /// (257..kMaxBpeVocab); the most frequent adjacent pair is merged first,
  /// ties going to the smaller pair of ids. An error if the text runs out
  /// of pairs that occur twice before that.
  static StatusOr<BpeTokenizer> train(std::string_view text, int64_t vocab);
  /// Reads a tokenizer written by toJson(); `source` names it in errors.
  static StatusOr<BpeTokenizer> fromJson(const std::string &json,
                                         const std::string &source);
  /// The tokenizer file: its format, version, vocabulary size and merges,
  /// and each token's bytes for people reading it.
  std::string toJson() const;

  int64_t vocabSize() const { return 256 + int64_t(merges.size()); }
  /// The bytes token `id` stands for (0 <= id < vocabSize()).
  const std::string &bytesOf(int32_t id) const { return vocab[size_t(id)]; }
  const std::vector<std::pair<int32_t, int32_t>> &mergeList() const {
    return merges;
  }

  /// Appends the tokens of `text` to `out`.
  void encode(std::string_view text, std::vector<int32_t> &out) const;
  std::vector<int32_t> encode(std::string_view text) const {
    std::vector<int32_t> out;
    encode(text, out);
    return out;
  }
  /// The bytes of `ids`, each below vocabSize().
  std::string decode(const std::vector<int32_t> &ids) const;

private:
  BpeTokenizer() = default;
  /// Fills vocab and rank from merges.
  void index();
  void encodePiece(std::string_view piece, std::vector<int32_t> &out) const;

  std::vector<std::pair<int32_t, int32_t>> merges;
  std::vector<std::string> vocab;
  std::unordered_map<uint64_t, int32_t> rank; ///< pair -> merge index
  /// Pieces already encoded (most text repeats its words).
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache;
};

/// Reads a tokenizer file (at most 64 MiB).
StatusOr<BpeTokenizer> readBpeTokenizer(const std::string &path);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_BPE_H
