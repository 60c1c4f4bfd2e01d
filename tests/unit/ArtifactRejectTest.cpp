//===- ArtifactRejectTest.cpp - What the .loomx loader rejects ------------===//
//
// Part of Loom. Each way an artifact can be broken, with the loader's exact
// message: truncation at every level, bad magic, versions and features,
// every checksum, the section table, hostile counts and lengths, and the
// checks across sections (which the writer runs too, with the same message).
// Last, every truncation and every single-bit flip of a whole artifact is
// loaded: each is an error or an artifact, never a crash.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/ArtifactTestSupport.h"

#include <cmath>

using namespace loom;
using namespace loom::artifact_test;

namespace {

//===----------------------------------------------------------------------===//
// Container
//===----------------------------------------------------------------------===//

TEST(ArtifactReject, TruncatedAtEveryLevel) {
  std::vector<uint8_t> f = encode(sampleArtifact());
  auto cut = [&](size_t n) {
    return loadError(std::vector<uint8_t>(f.begin(), f.begin() + n));
  };
  EXPECT_EQ(cut(0), "gpt.loomx: truncated: header needs 64 bytes but the "
                    "file has 0");
  EXPECT_EQ(cut(3), "gpt.loomx: truncated: header needs 64 bytes but the "
                    "file has 3");
  EXPECT_EQ(cut(40), "gpt.loomx: truncated: header needs 64 bytes but the "
                     "file has 40");
  EXPECT_EQ(cut(100), "gpt.loomx: truncated: section table at offset 64 "
                      "needs 320 bytes but the file has 100");
  // In each section: the first byte past it missing.
  for (const Entry &e : table(f)) {
    if (!e.size)
      continue;
    size_t n = e.offset + e.size - 1;
    EXPECT_EQ(cut(n), "gpt.loomx: truncated: section '" +
                          std::string(sectionName(e.kind)) + "' at offset " +
                          std::to_string(e.offset) + " needs " +
                          std::to_string(e.size) + " bytes but the file has " +
                          std::to_string(n));
  }
}

TEST(ArtifactReject, BadMagic) {
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_EQ(loadError(png), "gpt.loomx: not a Loom artifact: bad magic "
                            "89504e470d0a (expected 4c4f4f4d5800, "
                            "\"LOOMX\\0\")");
  std::vector<uint8_t> f = encode(sampleArtifact());
  f[5] = 'X';
  EXPECT_EQ(loadError(f), "gpt.loomx: not a Loom artifact: bad magic "
                          "4c4f4f4d5858 (expected 4c4f4f4d5800, "
                          "\"LOOMX\\0\")");
}

TEST(ArtifactReject, VersionsAndFeatures) {
  std::vector<RawSection> s = encodeSections(sampleArtifact());
  EXPECT_EQ(loadError(encodeContainer(s, 2, 0)),
            "gpt.loomx: format version 2.0 is newer than this runtime (1.x); "
            "recompile with this loom");
  EXPECT_EQ(loadError(encodeContainer(s, 0, 3)),
            "gpt.loomx: format version 0.3 is older than this runtime reads "
            "(1.x); recompile with this loom");
  EXPECT_EQ(loadError(encodeContainer(s, 1, 0, 0x4)),
            "gpt.loomx: uses format features 0x0004 that this runtime (1.x) "
            "does not know");
  // High flag bits are hints: ignored.
  std::vector<uint8_t> f = unchecked(sampleArtifact());
  patchHeader32(f, kHdrFlags, 0x10000);
  EXPECT_EQ(loadError(f), "");
}

TEST(ArtifactReject, HeaderFields) {
  std::vector<uint8_t> f = encode(sampleArtifact());
  std::vector<uint8_t> g = f;
  g[kHdrHeaderSize] = 32;
  g[kHdrHeaderSize + 1] = 0;
  store32(&g[kHdrHeaderCrc], headerCrc(g.data()));
  EXPECT_EQ(loadError(g), "gpt.loomx: header size 32 is smaller than 64");
  g = f;
  patchHeader32(g, kHdrSectionCount, 70000);
  EXPECT_EQ(loadError(g),
            "gpt.loomx: section count 70000 exceeds the limit of 65536");
  g = f;
  patchHeader32(g, kHdrSectionCount, 65536);
  EXPECT_EQ(loadError(g), "gpt.loomx: truncated: section table at offset 64 "
                          "needs 2097152 bytes but the file has " +
                              std::to_string(f.size()));
  g = f;
  patchHeader32(g, kHdrEntrySize, 16);
  EXPECT_EQ(loadError(g),
            "gpt.loomx: section table entry size 16 is smaller than 32");
  g = f;
  store64(&g[kHdrTableOffset], 8);
  store32(&g[kHdrHeaderCrc], headerCrc(g.data()));
  EXPECT_EQ(loadError(g),
            "gpt.loomx: section table at offset 8 overlaps the header");
  g = f;
  store64(&g[kHdrTableOffset], ~uint64_t(0) - 8);
  store32(&g[kHdrHeaderCrc], headerCrc(g.data()));
  EXPECT_EQ(loadError(g), "gpt.loomx: truncated: section table at offset "
                          "18446744073709551607 needs 320 bytes but the file "
                          "has " +
                              std::to_string(f.size()));
}

TEST(ArtifactReject, ChecksumOfHeaderTableAndEverySection) {
  std::vector<uint8_t> f = encode(sampleArtifact());
  auto expectMismatch = [&](size_t at, const std::string &what, uint32_t stored,
                            auto computed) {
    std::vector<uint8_t> g = f;
    g[at] ^= 0x20;
    EXPECT_EQ(loadError(g), "gpt.loomx: " + what +
                                " checksum mismatch "
                                "(stored " +
                                hex(stored, 8) + ", computed " +
                                hex(computed(g), 8) + ")");
  };
  expectMismatch(kHdrSectionCount + 1, "header", load32(&f[kHdrHeaderCrc]),
                 [](auto &g) { return headerCrc(g.data()); });
  expectMismatch(kHeaderSize + 5, "section table", load32(&f[kHdrTableCrc]),
                 [](auto &g) { return crc32c(&g[kHeaderSize], 320); });
  std::vector<Entry> t = table(f);
  for (size_t i = 0; i < t.size(); ++i) {
    const Entry &e = t[i];
    ASSERT_GT(e.size, 0u);
    uint32_t stored = load32(&f[kHeaderSize + i * kEntrySize + kEntCrc]);
    expectMismatch(e.offset + e.size / 2,
                   "section '" + std::string(sectionName(e.kind)) + "'", stored,
                   [&](auto &g) { return crc32c(&g[e.offset], e.size); });
  }
  // Checksums off: the same flip in the recipe's text loads.
  std::vector<uint8_t> g = f;
  const Entry &recipe = t[8];
  ASSERT_EQ(recipe.kind, uint32_t(SectionKind::Recipe));
  g[recipe.offset + 2] ^= 0x20;
  ReadOptions off;
  off.verifyChecksums = false;
  EXPECT_EQ(loadError(g, off), "");
}

TEST(ArtifactReject, ContentHash) {
  Artifact a = sampleArtifact();
  std::vector<RawSection> s = encodeSections(a);
  uint64_t right = contentHash(s);
  a.meta.contentHash = 1;
  s.front() = encodeSections(a).front();
  EXPECT_EQ(loadError(encodeContainer(s)),
            "gpt.loomx: content hash mismatch (meta records "
            "0x0000000000000001, computed " +
                hex(right, 16) + ")");
}

TEST(ArtifactReject, SectionTable) {
  std::vector<uint8_t> f = encode(sampleArtifact());
  std::vector<Entry> t = table(f);
  std::vector<uint8_t> g = f;
  patchEntry(g, 1, kEntOffset, t[1].offset + 1);
  EXPECT_EQ(loadError(g), "gpt.loomx: section 'params' at offset " +
                              std::to_string(t[1].offset + 1) +
                              " is not aligned to 64 bytes");
  g = f;
  patchEntry(g, 0, kEntOffset, 0);
  EXPECT_EQ(loadError(g), "gpt.loomx: section 'meta' at offset 0 overlaps "
                          "the header or the section table (which end at "
                          "384)");
  g = f;
  ASSERT_GT(t[1].size, 64u);
  patchEntry(g, 2, kEntOffset, t[1].offset + 64);
  EXPECT_EQ(loadError(g), "gpt.loomx: section 'params' and section "
                          "'opt_state' overlap at offset " +
                              std::to_string(t[1].offset + 64));
  g = f;
  patchEntry(g, 3, kEntSize, ~uint64_t(0));
  EXPECT_EQ(loadError(g), "gpt.loomx: truncated: section 'buffers' at offset " +
                              std::to_string(t[3].offset) +
                              " needs 18446744073709551615 bytes but the file "
                              "has " +
                              std::to_string(f.size()));
  g = f;
  patchEntry(g, 2, kEntKind, uint32_t(SectionKind::Params));
  EXPECT_EQ(loadError(g), "gpt.loomx: section 'params' appears twice");
}

TEST(ArtifactReject, EveryRequiredSectionMissing) {
  for (SectionKind k :
       {SectionKind::Meta, SectionKind::Params, SectionKind::OptState,
        SectionKind::Buffers, SectionKind::Kernels, SectionKind::Inputs,
        SectionKind::Outputs, SectionKind::Recipe}) {
    std::vector<uint8_t> f = rebuild(sampleArtifact(), [&](auto &s) {
      s.erase(s.begin() + (&find(s, k) - s.data()));
    });
    EXPECT_EQ(loadError(f), "gpt.loomx: required section '" +
                                std::string(sectionName(uint32_t(k))) +
                                "' is missing");
  }
}

//===----------------------------------------------------------------------===//
// Hostile counts and lengths
//===----------------------------------------------------------------------===//

TEST(ArtifactReject, HugeCountsAndLengths) {
  auto withSection = [](SectionKind k, std::vector<uint8_t> bytes) {
    return rebuild(sampleArtifact(),
                   [&](auto &s) { find(s, k).bytes = bytes; });
  };
  ByteWriter w;
  w.u32(0xffffffff);
  EXPECT_EQ(loadError(withSection(SectionKind::Params, w.bytes)),
            "gpt.loomx: section 'params': claims 4294967295 parameter "
            "records but has room for at most 0");
  w.bytes.resize(400);
  EXPECT_EQ(loadError(withSection(SectionKind::Params, w.bytes)),
            "gpt.loomx: section 'params': claims 4294967295 parameter "
            "records but has room for at most 4");
  w = ByteWriter();
  w.u32(0xfffffff0); // a string 4 GB long
  EXPECT_EQ(loadError(withSection(SectionKind::Meta, w.bytes)),
            "gpt.loomx: section 'meta': producer is 4294967280 bytes long, "
            "more than the limit of 4096");
  w = ByteWriter();
  w.u32(100);
  w.raw("abc", 3);
  EXPECT_EQ(loadError(withSection(SectionKind::Meta, w.bytes)),
            "gpt.loomx: section 'meta': truncated reading producer (needs "
            "100 bytes, 3 left)");
  // A record that says it is longer than its section.
  w = ByteWriter();
  w.u32(1);
  w.u32(1000);
  w.bytes.resize(120);
  EXPECT_EQ(loadError(withSection(SectionKind::Params, w.bytes)),
            "gpt.loomx: section 'params': truncated reading parameter "
            "records (needs 1000 bytes, 112 left)");

  // A kernel with 2^32-1 operands, then one with a 2^32-1 element list.
  w = ByteWriter();
  w.u32(1);
  size_t at = w.beginRecord();
  w.str("codegen");
  w.str("f");
  w.u32(0xffffffff);
  w.bytes.resize(w.bytes.size() + 64);
  w.endRecord(at);
  EXPECT_EQ(loadError(withSection(SectionKind::Kernels, w.bytes)),
            "gpt.loomx: section 'kernels': record 0: claims 4294967295 "
            "operands but has room for at most 16");
  w = ByteWriter();
  w.u32(1);
  at = w.beginRecord();
  w.str("codegen");
  w.str("f");
  w.u32(0);
  w.u32(1);
  w.str("dims");
  w.u8(uint8_t(KernelAttr::Type::IntList));
  w.u32(0x7fffffff);
  w.endRecord(at);
  EXPECT_EQ(loadError(withSection(SectionKind::Kernels, w.bytes)),
            "gpt.loomx: section 'kernels': record 0: claims 2147483647 "
            "attribute list elements but has room for at most 0");
}

TEST(ArtifactReject, UnknownAttributeType) {
  Artifact a = sampleArtifact();
  a.kernels[1].attrs = {KernelAttr::ofInt("x", 1)};
  a.kernels[1].attrs[0].type = KernelAttr::Type(9);
  EXPECT_EQ(loadError(unchecked(a)), "gpt.loomx: section 'kernels': record "
                                     "1: attribute 'x' has unknown type 9");
  EXPECT_EQ(encodeArtifact(a, kName).status().message(),
            "gpt.loomx: kernel 1 ('codegen' fused_cross_entropy): attribute "
            "'x' has unknown type 9");
}

//===----------------------------------------------------------------------===//
// Across sections (the writer refuses these too)
//===----------------------------------------------------------------------===//

TEST(ArtifactReject, Tensors) {
  Artifact a = sampleArtifact();
  a.params[0].dtype = DType(99);
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w': unknown dtype 99");
  a = sampleArtifact();
  a.params[0].shape = {1, 1, 1, 1, 1, 1, 1, 1, 12};
  EXPECT_EQ(semanticError(a),
            "gpt.loomx: parameter 'w': rank 9 exceeds the limit of 8");
  a = sampleArtifact();
  a.params[0].shape = {4, -3};
  EXPECT_EQ(semanticError(a),
            "gpt.loomx: parameter 'w': f32[4,-3] has a negative dimension");
  a = sampleArtifact();
  a.params[0].shape = {int64_t(1) << 40, int64_t(1) << 40};
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w': "
                              "f32[1099511627776,1099511627776] is larger "
                              "than the limit of 2^48 bytes");
  a = sampleArtifact();
  a.params[1].size = 8;
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'b': 8 bytes in the "
                              "arena do not hold its 12 bytes");
  a = sampleArtifact();
  a.params[0].size = 50; // a shard, but not of whole elements
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w': 50 bytes in the "
                              "arena do not hold a shard of its 48 bytes");
  a = sampleArtifact();
  a.inputs[1].dtype = DType(0);
  EXPECT_EQ(semanticError(a), "gpt.loomx: input 'y': unknown dtype 0");
  a = sampleArtifact();
  a.optState[3].dtype = DType::F64;
  EXPECT_EQ(semanticError(a), "gpt.loomx: optimizer state 'b.v': 12 bytes in "
                              "the arena do not hold its 24 bytes");
}

TEST(ArtifactReject, InitSpecs) {
  Artifact a = sampleArtifact();
  a.params[0].init.kind = "orthogonal";
  EXPECT_EQ(semanticError(a),
            "gpt.loomx: parameter 'w': unknown init kind 'orthogonal'");
  a = sampleArtifact();
  a.params[0].init.gain = std::nan("");
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w': init "
                              "'xavier_uniform' has a non-finite argument");
  a = sampleArtifact();
  a.params[0].init = {"uniform"};
  a.params[0].init.low = 1;
  a.params[0].init.high = -1;
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w': init 'uniform' has "
                              "a negative std or fan, or low > high");
}

TEST(ArtifactReject, RangesInTheArena) {
  Artifact a = sampleArtifact();
  a.params[1].offset = 832;
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'b': 12 bytes at offset "
                              "832 lie outside the 832-byte arena");
  a = sampleArtifact();
  a.params[1].offset = ~uint64_t(0) - 63; // offset + size overflows
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'b': 12 bytes at offset "
                              "18446744073709551552 lie outside the 832-byte "
                              "arena");
  a = sampleArtifact();
  a.params[1].offset = 8;
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'b': offset 8 is not a "
                              "multiple of the arena alignment 64");
  a = sampleArtifact();
  a.optState[0].offset = 0;
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w' [0, 48) overlaps "
                              "optimizer state 'w.m' [0, 48)");
  a = sampleArtifact();
  a.memory.buffers[4].offset = 768;
  a.memory.buffers[4].size = 128;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffer 4: 128 bytes at offset 768 "
                              "lie outside the 832-byte arena");
  a = sampleArtifact();
  a.memory.alignment = 48;
  EXPECT_EQ(semanticError(a), "gpt.loomx: arena alignment 48 is not a power "
                              "of two up to 2^20");
  a = sampleArtifact();
  a.memory.arenaSize = uint64_t(1) << 50;
  EXPECT_EQ(semanticError(a), "gpt.loomx: arena of 1125899906842624 bytes is "
                              "larger than the limit of 2^48 bytes");
}

TEST(ArtifactReject, OverlappingBuffers) {
  // dw reuses x's bytes; live at the same time they collide.
  Artifact a = sampleArtifact();
  a.memory.buffers[7].firstUse = 0;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffers 2 and 7 overlap in bytes "
                              "[384, 416) while both are live at kernel 0");
  a = sampleArtifact();
  a.memory.buffers[8].firstUse = 1; // db and y, both live at kernel 1
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffers 3 and 8 overlap in bytes "
                              "[448, 456) while both are live at kernel 1");
  // An exact alias is fine; a partial one is not.
  a = sampleArtifact();
  a.memory.buffers[9].size = 16;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffers 5 and 9 overlap in bytes "
                              "[576, 592) while both are live at kernel 1");
  a = sampleArtifact();
  a.memory.buffers[2].offset = 0;
  a.memory.buffers[2].size = 64;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffer 2 [0, 64) partly overlaps "
                              "parameter 'w' [0, 48)");
  a = sampleArtifact();
  a.memory.buffers[2].offset = 64 * 4;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffer 2 [256, 288) partly "
                              "overlaps optimizer state 'b.m' [256, 268)");
}

TEST(ArtifactReject, BufferIdsAndLifetimes) {
  Artifact a = sampleArtifact();
  a.memory.buffers[5].id = 2;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffer id 2 appears twice");
  a = sampleArtifact();
  a.memory.buffers[5].firstUse = 2;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffer 5: first use 2 is after its "
                              "last use 1");
  a = sampleArtifact();
  a.memory.buffers[6].lastUse = 4;
  EXPECT_EQ(semanticError(a), "gpt.loomx: buffer 6: last use 4 is past the 3 "
                              "kernels of the step");
}

TEST(ArtifactReject, References) {
  Artifact a = sampleArtifact();
  a.kernels[2].operands[3] = 10;
  EXPECT_EQ(semanticError(a), "gpt.loomx: kernel 2 ('codegen' adam_update): "
                              "operand 3 is buffer 10, which does not exist");
  a = sampleArtifact();
  a.optState[1].param = "v";
  EXPECT_EQ(semanticError(a), "gpt.loomx: optimizer state 'w.v' belongs to "
                              "unknown parameter 'v'");
  a = sampleArtifact();
  a.inputs[0].buffer = 42;
  EXPECT_EQ(semanticError(a), "gpt.loomx: input 'x': buffer 42 does not exist");
  a = sampleArtifact();
  a.outputs[0].buffer = 3; // y: 8 bytes, but loss is f32[] (4): fine
  EXPECT_EQ(loadError(unchecked(a)), "");
  a.outputs[0].shape = {3};
  EXPECT_EQ(semanticError(a), "gpt.loomx: output 'loss': buffer 3 holds 8 "
                              "bytes but its tensor needs 12");
}

TEST(ArtifactReject, Programs) {
  Artifact base = sampleArtifact();
  base.programs = {{"eval", 2, 3, {base.inputs[0]}, {base.outputs[0]}}};
  Artifact a = base;
  a.programs.push_back({"eval1", 2, 3, {}, {}});
  EXPECT_EQ(semanticError(a), "gpt.loomx: program 'eval1' runs kernels [2, "
                              "3), but the next kernels of the 3 start at 3");
  a = base;
  a.programs[0].endKernel = 2;
  EXPECT_EQ(semanticError(a), "gpt.loomx: the programs end at kernel 2 of 3");
  a = base;
  a.programs[0].endKernel = 4;
  EXPECT_EQ(semanticError(a), "gpt.loomx: program 'eval' runs kernels [2, 4), "
                              "but the next kernels of the 3 start at 2");
  a = base;
  a.programs[0].name = "train";
  EXPECT_EQ(semanticError(a), "gpt.loomx: a program is named 'train' (empty, "
                              "or the training step's own name)");
  a = base;
  a.programs[0].endKernel = 2;
  a.programs.push_back({"eval", 2, 3, {}, {}});
  EXPECT_EQ(semanticError(a), "gpt.loomx: program 'eval' appears twice");
  a = base;
  a.programs[0].outputs[0].buffer = 77;
  EXPECT_EQ(semanticError(a), "gpt.loomx: program 'eval' output 'loss': "
                              "buffer 77 does not exist");
  a = base;
  a.programs[0].inputs[0].role.clear();
  EXPECT_EQ(semanticError(a), "gpt.loomx: a program 'eval' input has an "
                              "empty name or role");
}

TEST(ArtifactReject, NamesAndText) {
  Artifact a = sampleArtifact();
  a.params[1].name = "w";
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter 'w' appears twice");
  a = sampleArtifact();
  a.optState[0].name = "b";
  EXPECT_EQ(semanticError(a),
            "gpt.loomx: optimizer state 'b' has the name of a parameter");
  a = sampleArtifact();
  a.inputs[2].name = "x";
  EXPECT_EQ(semanticError(a), "gpt.loomx: input 'x' appears twice");
  a = sampleArtifact();
  a.kernels[0].attrs[1].key = "dims";
  EXPECT_EQ(semanticError(a), "gpt.loomx: kernel 0 ('onednn.matmul' "
                              "matmul_fwd): attribute 'dims' appears twice");
  a = sampleArtifact();
  a.recipe += "\xff";
  EXPECT_EQ(semanticError(a), "gpt.loomx: recipe is not valid UTF-8 (at byte " +
                                  std::to_string(a.recipe.size() - 1) + ")");
  a = sampleArtifact();
  a.params[0].name = std::string("w\0x", 3);
  EXPECT_EQ(semanticError(a), "gpt.loomx: parameter name contains a NUL byte");
  a = sampleArtifact();
  a.ir[1].stage = "frontend";
  EXPECT_EQ(semanticError(a), "gpt.loomx: IR stage 'frontend' appears twice");
  a = sampleArtifact();
  a.ir[0].text = "\xed\xa0\x80"; // a UTF-16 surrogate
  EXPECT_EQ(semanticError(a),
            "gpt.loomx: IR 'frontend' is not valid UTF-8 (at byte 0)");
  a = sampleArtifact();
  a.objects.push_back(a.objects[0]);
  EXPECT_EQ(semanticError(a), "gpt.loomx: object 'kernels.o' appears twice");
}

//===----------------------------------------------------------------------===//
// No crash on any damage
//===----------------------------------------------------------------------===//

TEST(ArtifactReject, EveryCutAndBitFlipIsAnErrorOrAnArtifact) {
  std::vector<uint8_t> f = encode(sampleArtifact());
  std::vector<Entry> t = table(f);
  auto inPadding = [&](size_t i) {
    if (i < kHeaderSize + t.size() * kEntrySize)
      return false;
    for (const Entry &e : t)
      if (i >= e.offset && i < e.offset + e.size)
        return false;
    return true;
  };
  ReadOptions off;
  off.verifyChecksums = false;
  size_t acceptedUnchecked = 0;
  for (size_t n = 0; n < f.size(); ++n)
    EXPECT_NE(loadError(std::vector<uint8_t>(f.begin(), f.begin() + n)), "");
  for (size_t i = 0; i < f.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> g = f;
      g[i] ^= uint8_t(1 << bit);
      // The checksums catch every flip but those in the padding between
      // sections, which nothing reads.
      EXPECT_EQ(loadError(g).empty(), inPadding(i)) << "byte " << i;
      // Without them, the decoders and the checks behind them see the flip.
      acceptedUnchecked += loadError(g, off).empty();
    }
  }
  EXPECT_GT(acceptedUnchecked, 0u); // flips in names, floats, text
}

} // namespace
