//===- Bpe.cpp - Byte-level BPE tokenizer ---------------------------------===//
//
// Part of Loom. See Bpe.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Bpe.h"
#include "runtime/File.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <queue>
#include <tuple>

using namespace loom;
using namespace loom::data;

namespace {

enum class ByteClass { Letter, Digit, Space, Other };

ByteClass classOf(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
    return ByteClass::Letter;
  if (c >= '0' && c <= '9')
    return ByteClass::Digit;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
    return ByteClass::Space;
  return ByteClass::Other;
}

uint64_t pairKey(int32_t a, int32_t b) {
  return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
}

/// The most pieces encode() remembers.
constexpr size_t kMaxCachedPieces = size_t(1) << 18;

} // namespace

std::vector<std::string_view> loom::data::bpePieces(std::string_view text) {
  std::vector<std::string_view> out;
  auto emit = [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; b += kMaxBpePiece)
      out.push_back(text.substr(b, std::min(kMaxBpePiece, end - b)));
  };
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t start = i;
    ByteClass c = classOf(static_cast<unsigned char>(text[i]));
    if (c == ByteClass::Space) {
      size_t end = i;
      while (end < n &&
             classOf(static_cast<unsigned char>(text[end])) == ByteClass::Space)
        ++end;
      // Leave a last space to the word that follows it.
      if (end < n && end - i > 1 && text[end - 1] == ' ')
        --end;
      else if (end < n && end - i == 1 && text[i] == ' ') {
        // A single space starts the next piece.
        ++i;
        ByteClass next = classOf(static_cast<unsigned char>(text[i]));
        while (i < n && classOf(static_cast<unsigned char>(text[i])) == next)
          ++i;
        emit(start, i);
        continue;
      }
      emit(start, end);
      i = end;
      continue;
    }
    while (i < n && classOf(static_cast<unsigned char>(text[i])) == c)
      ++i;
    emit(start, i);
  }
  return out;
}

void BpeTokenizer::index() {
  vocab.assign(256, std::string());
  for (int b = 0; b < 256; ++b)
    vocab[size_t(b)] = std::string(1, static_cast<char>(b));
  rank.clear();
  for (size_t m = 0; m < merges.size(); ++m) {
    vocab.push_back(vocab[size_t(merges[m].first)] +
                    vocab[size_t(merges[m].second)]);
    rank.emplace(pairKey(merges[m].first, merges[m].second), int32_t(m));
  }
  cache.clear();
}

StatusOr<BpeTokenizer> BpeTokenizer::train(std::string_view text,
                                           int64_t vocabSize) {
  if (vocabSize < 257 || vocabSize > kMaxBpeVocab)
    return Status::error("the vocabulary size must be from 257 to " +
                         std::to_string(kMaxBpeVocab) + ", not " +
                         std::to_string(vocabSize));
  // Each distinct piece once, with how often it occurs.
  std::unordered_map<std::string_view, int64_t> counts;
  for (std::string_view p : bpePieces(text))
    ++counts[p];
  struct Word {
    std::vector<int32_t> ids;
    int64_t count;
  };
  std::vector<Word> words;
  words.reserve(counts.size());
  for (const auto &[piece, count] : counts) {
    Word w{{}, count};
    for (char c : piece)
      w.ids.push_back(static_cast<unsigned char>(c));
    words.push_back(std::move(w));
  }
  // The words in a fixed order, so training does not depend on the hash.
  std::sort(words.begin(), words.end(),
            [](const Word &a, const Word &b) { return a.ids < b.ids; });

  std::unordered_map<uint64_t, int64_t> pairCount;
  std::unordered_map<uint64_t, std::vector<int32_t>> wordsWith;
  // Adds (or takes away) word w's pairs, noting the pairs it changes.
  std::vector<uint64_t> changed;
  auto addPairs = [&](int32_t w, int64_t sign) {
    const std::vector<int32_t> &ids = words[size_t(w)].ids;
    for (size_t i = 0; i + 1 < ids.size(); ++i) {
      uint64_t k = pairKey(ids[i], ids[i + 1]);
      pairCount[k] += sign * words[size_t(w)].count;
      if (sign > 0)
        wordsWith[k].push_back(w);
      changed.push_back(k);
    }
  };
  for (size_t w = 0; w < words.size(); ++w)
    addPairs(int32_t(w), 1);
  // The most frequent pair first, then the smaller key; stale entries (the
  // count changed since) are skipped when they come up.
  using Entry = std::pair<int64_t, uint64_t>;
  auto worse = [](const Entry &a, const Entry &b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
  for (const auto &[k, c] : pairCount)
    heap.push({c, k});
  changed.clear();

  BpeTokenizer tok;
  std::vector<uint32_t> seen(words.size(), 0);
  while (int64_t(256 + tok.merges.size()) < vocabSize) {
    while (!heap.empty()) {
      auto it = pairCount.find(heap.top().second);
      if (it != pairCount.end() && it->second == heap.top().first)
        break;
      heap.pop();
    }
    if (heap.empty() || heap.top().first < 2)
      return Status::error(
          "the text has no pair of tokens left that occurs twice after " +
          std::to_string(tok.merges.size()) + " merges: at most " +
          std::to_string(256 + tok.merges.size()) +
          " tokens can be learned from it, not " + std::to_string(vocabSize));
    uint64_t best = heap.top().second;
    heap.pop();
    int32_t a = int32_t(best >> 32), b = int32_t(best & 0xffffffffu);
    int32_t made = int32_t(256 + tok.merges.size());
    tok.merges.emplace_back(a, b);
    uint32_t stamp = uint32_t(tok.merges.size());
    std::vector<int32_t> touched = std::move(wordsWith[best]);
    wordsWith.erase(best);
    for (int32_t w : touched) {
      if (seen[size_t(w)] == stamp)
        continue;
      seen[size_t(w)] = stamp;
      std::vector<int32_t> &ids = words[size_t(w)].ids;
      bool has = false;
      for (size_t i = 0; i + 1 < ids.size() && !has; ++i)
        has = ids[i] == a && ids[i + 1] == b;
      if (!has)
        continue; // an earlier merge took the pair from this word
      addPairs(w, -1);
      std::vector<int32_t> merged;
      merged.reserve(ids.size());
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i + 1 < ids.size() && ids[i] == a && ids[i + 1] == b) {
          merged.push_back(made);
          ++i;
        } else {
          merged.push_back(ids[i]);
        }
      }
      ids = std::move(merged);
      addPairs(w, 1);
    }
    pairCount.erase(best);
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (uint64_t k : changed)
      if (auto it = pairCount.find(k); it != pairCount.end() && it->second > 0)
        heap.push({it->second, k});
    changed.clear();
  }
  tok.index();
  return tok;
}

void BpeTokenizer::encodePiece(std::string_view piece,
                               std::vector<int32_t> &out) const {
  std::string key(piece);
  if (auto hit = cache.find(key); hit != cache.end()) {
    out.insert(out.end(), hit->second.begin(), hit->second.end());
    return;
  }
  std::vector<int32_t> ids;
  ids.reserve(piece.size());
  for (char c : piece)
    ids.push_back(static_cast<unsigned char>(c));
  // Merges in the order training learned them: the adjacent pair of the
  // lowest rank, every occurrence left to right, until none is a merge.
  while (ids.size() > 1) {
    int32_t bestRank = -1;
    for (size_t i = 0; i + 1 < ids.size(); ++i) {
      auto r = rank.find(pairKey(ids[i], ids[i + 1]));
      if (r != rank.end() && (bestRank < 0 || r->second < bestRank))
        bestRank = r->second;
    }
    if (bestRank < 0)
      break;
    auto [a, b] = merges[size_t(bestRank)];
    size_t o = 0;
    for (size_t i = 0; i < ids.size(); ++i, ++o) {
      if (i + 1 < ids.size() && ids[i] == a && ids[i + 1] == b) {
        ids[o] = 256 + bestRank;
        ++i;
      } else {
        ids[o] = ids[i];
      }
    }
    ids.resize(o);
  }
  out.insert(out.end(), ids.begin(), ids.end());
  if (cache.size() < kMaxCachedPieces)
    cache.emplace(std::move(key), std::move(ids));
}

void BpeTokenizer::encode(std::string_view text,
                          std::vector<int32_t> &out) const {
  for (std::string_view p : bpePieces(text))
    encodePiece(p, out);
}

std::string BpeTokenizer::decode(const std::vector<int32_t> &ids) const {
  std::string out;
  for (int32_t id : ids)
    out += vocab[size_t(id)];
  return out;
}

std::string BpeTokenizer::toJson() const {
  // By hand, a merge a line, so that the file reads (and diffs) well.
  std::string out = "{\n  \"format\": \"loom-bpe\",\n  \"version\": 1,\n"
                    "  \"pieces\": \"loom-bytes-v1\",\n  \"vocab_size\": " +
                    std::to_string(vocabSize()) + ",\n  \"merges\": [";
  for (size_t m = 0; m < merges.size(); ++m)
    out += std::string(m ? "," : "") + "\n    [" +
           std::to_string(merges[m].first) + ", " +
           std::to_string(merges[m].second) + "]";
  // Each learned token's bytes as text, for a reader (invalid UTF-8 shows
  // as U+FFFD); the merges alone define the tokenizer.
  out += "\n  ],\n  \"tokens\": [";
  for (size_t id = 256; id < vocab.size(); ++id)
    out += std::string(id > 256 ? "," : "") + "\n    " +
           nlohmann::json(vocab[id]).dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out + "\n  ]\n}\n";
}

StatusOr<BpeTokenizer> BpeTokenizer::fromJson(const std::string &json,
                                              const std::string &source) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  auto bad = [&](const std::string &why) {
    return Status::error(source + ": not a Loom BPE tokenizer: " + why);
  };
  if (j.is_discarded())
    return bad("the file is not JSON");
  auto text = [&](const char *key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                 : std::string();
  };
  if (!j.is_object() || text("format") != "loom-bpe")
    return bad("it has no \"format\": \"loom-bpe\"");
  if (!j.contains("version") || j["version"] != 1)
    return bad("version " + (j.contains("version") ? j["version"].dump() : "") +
               " is not 1, the version this loom reads");
  if (text("pieces") != "loom-bytes-v1")
    return bad("\"pieces\" must be \"loom-bytes-v1\"");
  const nlohmann::json &m =
      j.contains("merges") ? j["merges"] : nlohmann::json();
  if (!m.is_array())
    return bad("\"merges\" is not a list");
  if (int64_t(m.size()) + 256 > kMaxBpeVocab)
    return bad(std::to_string(m.size()) + " merges make more than " +
               std::to_string(kMaxBpeVocab) + " tokens");
  BpeTokenizer tok;
  std::unordered_map<uint64_t, size_t> first;
  // Each token's length in bytes: a merge may not make a token longer than
  // a piece (index() would spell out every token, and a chain of merges that
  // doubles a token would ask for 2^N bytes).
  std::vector<size_t> length(256, 1);
  for (size_t i = 0; i < m.size(); ++i) {
    const nlohmann::json &p = m[i];
    std::string at = "merge " + std::to_string(i) + " ";
    if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() ||
        !p[1].is_number_integer())
      return bad(at + "is not a pair of token ids");
    int64_t defined = 256 + int64_t(i);
    for (const nlohmann::json &id : p)
      if ((id.is_number_unsigned() &&
           id.get<uint64_t>() >= uint64_t(defined)) ||
          (!id.is_number_unsigned() &&
           (id.get<int64_t>() < 0 || id.get<int64_t>() >= defined)))
        return bad(at + "joins token " + id.dump() +
                   ", which is not defined before it (tokens 0.." +
                   std::to_string(defined - 1) + ")");
    int32_t a = int32_t(p[0].get<int64_t>()), b = int32_t(p[1].get<int64_t>());
    if (auto [it, fresh] = first.emplace(pairKey(a, b), i); !fresh)
      return bad(at + "repeats merge " + std::to_string(it->second));
    size_t bytes = length[size_t(a)] + length[size_t(b)];
    if (bytes > kMaxBpePiece)
      return bad(at + "makes a token of " + std::to_string(bytes) +
                 " bytes, longer than the " + std::to_string(kMaxBpePiece) +
                 " bytes of the longest piece of text a token can stand for");
    length.push_back(bytes);
    tok.merges.emplace_back(a, b);
  }
  if (!j.contains("vocab_size") || j["vocab_size"] != tok.vocabSize())
    return bad("\"vocab_size\" is not 256 plus the " +
               std::to_string(m.size()) + " merges");
  tok.index();
  return tok;
}

StatusOr<BpeTokenizer> loom::data::readBpeTokenizer(const std::string &path) {
  StatusOr<std::string> text =
      readInputFile(path, "tokenizer file", uint64_t(64) << 20);
  if (!text)
    return text.status();
  return BpeTokenizer::fromJson(*text, path);
}
