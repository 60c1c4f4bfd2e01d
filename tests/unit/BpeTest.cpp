//===- BpeTest.cpp - The byte-level BPE tokenizer -------------------------===//
//
// Part of Loom. Pieces, training (what is merged first, ties, running out
// of pairs), exact round trips of random bytes and UTF-8 text, and every
// error of a tokenizer file. tests/tools/prep_bpe.test checks the merges and
// the encoding against a reference implementation.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Bpe.h"

#include <gtest/gtest.h>

#include <random>

using namespace loom;
using namespace loom::data;

namespace {

std::vector<std::string> piecesOf(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view p : bpePieces(text))
    out.emplace_back(p);
  return out;
}

/// Text to train on: English with numbers, punctuation, runs of spaces and
/// some UTF-8.
std::string corpus() {
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "The cat sat on the mat, " + std::to_string(i * 37) +
            " times.\n  Caf\xc3\xa9 au lait -- na\xc3\xafve! \t";
  return text;
}

} // namespace

TEST(BpePieces, CutsAtClassChangesAndKeepsTheSpaceBeforeAWord) {
  EXPECT_EQ(piecesOf("Hello, world  42!\n\nx"),
            (std::vector<std::string>{"Hello", ",", " world", " ", " 42", "!",
                                      "\n\n", "x"}));
  EXPECT_EQ(piecesOf("caf\xc3\xa9 \xe2\x82\xac"),
            (std::vector<std::string>{"caf\xc3\xa9", " \xe2\x82\xac"}));
  EXPECT_EQ(piecesOf("   "), (std::vector<std::string>{"   "}));
  // A long run is cut into pieces of kMaxBpePiece bytes.
  std::vector<std::string> run = piecesOf(std::string(150, '='));
  ASSERT_EQ(run.size(), 3u);
  EXPECT_EQ(run[0].size(), kMaxBpePiece);
  EXPECT_EQ(run[2].size(), 150 - 2 * kMaxBpePiece);
}

TEST(BpeTrain, MergesTheMostFrequentPairFirst) {
  StatusOr<BpeTokenizer> tok = BpeTokenizer::train("abab abab xy", 258);
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  // "ab" occurs 4 times, (b, a) twice; then " abab" and "abab" share
  // (256, 256) twice.
  ASSERT_EQ(tok->mergeList().size(), 2u);
  EXPECT_EQ(tok->mergeList()[0], std::make_pair(int32_t('a'), int32_t('b')));
  EXPECT_EQ(tok->mergeList()[1], std::make_pair(256, 256));
  EXPECT_EQ(tok->bytesOf(257), "abab");
  EXPECT_EQ(tok->encode("abab"), (std::vector<int32_t>{257}));
  EXPECT_EQ(tok->encode(" ab"), (std::vector<int32_t>{' ', 256}));
}

TEST(BpeTrain, TiesGoToTheSmallerPair) {
  // (c, d) and (a, b) both occur twice: (a, b) has the smaller ids.
  StatusOr<BpeTokenizer> tok = BpeTokenizer::train("cd\nab\ncd\nab", 257);
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(tok->mergeList()[0], std::make_pair(int32_t('a'), int32_t('b')));
}

TEST(BpeTrain, Errors) {
  EXPECT_EQ(BpeTokenizer::train("abc", 256).status().message(),
            "the vocabulary size must be from 257 to 65536, not 256");
  EXPECT_EQ(BpeTokenizer::train("abab", 300).status().message(),
            "the text has no pair of tokens left that occurs twice after 1 "
            "merges: at most 257 tokens can be learned from it, not 300");
}

TEST(BpeRoundTrip, RandomBytesAndUtf8) {
  StatusOr<BpeTokenizer> tok = BpeTokenizer::train(corpus(), 300);
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes(rng() % 300, '\0');
    for (char &c : bytes)
      c = static_cast<char>(rng() % 256);
    std::vector<int32_t> ids = tok->encode(bytes);
    EXPECT_LE(ids.size(), bytes.size());
    ASSERT_EQ(tok->decode(ids), bytes) << "trial " << trial;
  }
  std::string utf8 = "Gr\xc3\xbc\xc3\x9f"
                     "e, \xe4\xb8\x96\xe7\x95\x8c! "
                     "\xf0\x9f\x98\x80 The cat sat on the mat.\r\n";
  std::vector<int32_t> ids = tok->encode(utf8);
  EXPECT_EQ(tok->decode(ids), utf8);
  EXPECT_LT(tok->encode(corpus()).size(), corpus().size() / 2);
}

TEST(BpeJson, RoundTrip) {
  StatusOr<BpeTokenizer> tok = BpeTokenizer::train(corpus(), 300);
  ASSERT_TRUE(tok.ok());
  StatusOr<BpeTokenizer> back = BpeTokenizer::fromJson(tok->toJson(), "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->mergeList(), tok->mergeList());
  EXPECT_EQ(back->encode(corpus()), tok->encode(corpus()));
}

TEST(BpeJson, Errors) {
  auto err = [](const std::string &json) {
    return BpeTokenizer::fromJson(json, "t.json").status().message();
  };
  std::string head = R"({"format": "loom-bpe", "version": 1, )"
                     R"("pieces": "loom-bytes-v1", )";
  EXPECT_EQ(err("{"), "t.json: not a Loom BPE tokenizer: the file is not JSON");
  EXPECT_EQ(err(R"({"format": 3})"),
            "t.json: not a Loom BPE tokenizer: it has no \"format\": "
            "\"loom-bpe\"");
  EXPECT_EQ(err(R"({"format": "loom-bpe", "version": 2})"),
            "t.json: not a Loom BPE tokenizer: version 2 is not 1, the "
            "version this loom reads");
  EXPECT_EQ(err(R"({"format": "loom-bpe", "version": 1, "pieces": "gpt2"})"),
            "t.json: not a Loom BPE tokenizer: \"pieces\" must be "
            "\"loom-bytes-v1\"");
  EXPECT_EQ(err(head + R"("merges": {}})"),
            "t.json: not a Loom BPE tokenizer: \"merges\" is not a list");
  EXPECT_EQ(err(head + R"("merges": [[97, 98], [1]]})"),
            "t.json: not a Loom BPE tokenizer: merge 1 is not a pair of token "
            "ids");
  EXPECT_EQ(err(head + R"("merges": [[97, 257]]})"),
            "t.json: not a Loom BPE tokenizer: merge 0 joins token 257, "
            "which is not defined before it (tokens 0..255)");
  EXPECT_EQ(err(head + R"("merges": [[97, -1]]})"),
            "t.json: not a Loom BPE tokenizer: merge 0 joins token -1, which "
            "is not defined before it (tokens 0..255)");
  EXPECT_EQ(err(head + R"("merges": [[97, 98], [97, 98]]})"),
            "t.json: not a Loom BPE tokenizer: merge 1 repeats merge 0");
  EXPECT_EQ(err(head + R"("vocab_size": 300, "merges": [[97, 98]]})"),
            "t.json: not a Loom BPE tokenizer: \"vocab_size\" is not 256 "
            "plus the 1 merges");
  EXPECT_EQ(err(head + R"("merges": [[97, 18446744073709551615]]})"),
            "t.json: not a Loom BPE tokenizer: merge 0 joins token "
            "18446744073709551615, which is not defined before it (tokens "
            "0..255)");
  // A chain of merges that doubles a token: 2^N bytes, were it spelled out.
  std::string doubling = R"("merges": [[97, 97])";
  for (int i = 0; i < 60; ++i)
    doubling +=
        ", [" + std::to_string(256 + i) + ", " + std::to_string(256 + i) + "]";
  EXPECT_EQ(err(head + doubling + "]}"),
            "t.json: not a Loom BPE tokenizer: merge 6 makes a token of 128 "
            "bytes, longer than the 64 bytes of the longest piece of text a "
            "token can stand for");
  // 64 bytes is a piece's length: such a token is fine.
  EXPECT_TRUE(BpeTokenizer::fromJson(
                  head + R"("vocab_size": 262, )" +
                      doubling.substr(0, doubling.find(", [261")) + "]}",
                  "t")
                  .ok());
  EXPECT_TRUE(BpeTokenizer::fromJson(
                  head + R"("vocab_size": 257, "merges": [[97, 98]]})", "t")
                  .ok());
}
