//===- BpeFuzzer.cpp - libFuzzer target over BPE tokenizer files ----------===//
//
// Part of Loom. The input is a tokenizer file (loom prep bpe's JSON, which
// `prep tokens --tokenizer` and `generate --tokenizer` read). Whenever it
// loads, the tokenizer must encode any text (here the input itself) into
// ids below its vocabulary size that decode to exactly that text, and its
// JSON must load back as the same tokenizer. A crash, a sanitizer report, a
// hang, an out-of-memory or a broken property is a finding.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Bpe.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace loom;
using namespace loom::data;

[[noreturn]] static void finding(const char *what, const std::string &message) {
  std::fprintf(stderr, "bpe fuzzer: %s: %s\n", what, message.c_str());
  __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string input(reinterpret_cast<const char *>(data), size);
  StatusOr<BpeTokenizer> tok = BpeTokenizer::fromJson(input, "fuzz.json");
  if (!tok.ok()) {
    if (tok.status().message().rfind("fuzz.json: ", 0) != 0)
      finding("an error does not name the file", tok.status().message());
    return 0;
  }
  std::vector<int32_t> ids = tok->encode(input);
  for (int32_t id : ids)
    if (id < 0 || id >= tok->vocabSize())
      finding("encode made an id outside the vocabulary", std::to_string(id));
  if (tok->decode(ids) != input)
    finding("decode(encode(text)) is not the text", input);
  StatusOr<BpeTokenizer> back =
      BpeTokenizer::fromJson(tok->toJson(), "back.json");
  if (!back.ok())
    finding("the tokenizer's JSON does not load back", back.status().message());
  if (back->vocabSize() != tok->vocabSize() || back->encode(input) != ids)
    finding("the tokenizer's JSON loads back as another tokenizer", input);
  return 0;
}
