//===- ArtifactTest.cpp - The .loomx writer and loader --------------------===//
//
// Part of Loom. Checks the checksums against published vectors, the round
// trip of an artifact with every section (in memory and through the atomic
// file write), and forward compatibility: unknown sections and the fields of
// a newer minor version are skipped. ArtifactRejectTest.cpp has the
// loader's rejections.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/ArtifactTestSupport.h"

#include <dirent.h>
#include <fstream>
#include <unistd.h>

using namespace loom;
using namespace loom::artifact_test;

namespace {

//===----------------------------------------------------------------------===//
// Checksums and Status
//===----------------------------------------------------------------------===//

TEST(Artifact, Crc32cMatchesPublishedVectors) {
  EXPECT_EQ(crc32c("", 0), 0u);
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xff), inc(32);
  for (int i = 0; i < 32; ++i)
    inc[i] = uint8_t(i);
  // RFC 3720, B.4.
  EXPECT_EQ(crc32c(zeros.data(), 32), 0x8a9136aau);
  EXPECT_EQ(crc32c(ones.data(), 32), 0x62a8ab43u);
  EXPECT_EQ(crc32c(inc.data(), 32), 0x46dd794eu);
  // Continuation: crc(ab) = crc(b, crc(a)).
  EXPECT_EQ(crc32c("6789", 4, crc32c("12345", 5)), 0xe3069283u);
}

TEST(Artifact, Fnv1a64MatchesPublishedVectors) {
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a64("bar", 3, fnv1a64("foo", 3)), 0x85944171f73967e8ull);
}

TEST(Artifact, StatusKeepsMessageAndLocation) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  Status e = Status::error("boom");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.message(), "boom");
  EXPECT_NE(std::string(e.file()).find("ArtifactTest.cpp"), std::string::npos);
  EXPECT_GT(e.line(), 0);
  EXPECT_EQ(e.withPrefix("x: ").message(), "x: boom");
  StatusOr<int> v = 3, err = Status::error("bad");
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(*v, 3);
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(), "bad");
}

//===----------------------------------------------------------------------===//
// Round trip
//===----------------------------------------------------------------------===//

void expectSame(const Artifact &x, const Artifact &y) {
  EXPECT_EQ(x.meta.producer, y.meta.producer);
  EXPECT_EQ(x.meta.target, y.meta.target);
  EXPECT_EQ(x.meta.source, y.meta.source);
  EXPECT_EQ(x.params, y.params);
  EXPECT_EQ(x.optState, y.optState);
  EXPECT_EQ(x.memory.arenaSize, y.memory.arenaSize);
  EXPECT_EQ(x.memory.alignment, y.memory.alignment);
  EXPECT_EQ(x.memory.buffers, y.memory.buffers);
  EXPECT_EQ(x.kernels, y.kernels);
  ASSERT_EQ(x.objects.size(), y.objects.size());
  for (size_t i = 0; i < x.objects.size(); ++i) {
    EXPECT_EQ(x.objects[i].name, y.objects[i].name);
    EXPECT_EQ(x.objects[i].bytes, y.objects[i].bytes);
  }
  EXPECT_EQ(x.inputs, y.inputs);
  EXPECT_EQ(x.outputs, y.outputs);
  EXPECT_EQ(x.programs, y.programs);
  EXPECT_EQ(x.recipe, y.recipe);
  ASSERT_EQ(x.ir.size(), y.ir.size());
  for (size_t i = 0; i < x.ir.size(); ++i) {
    EXPECT_EQ(x.ir[i].stage, y.ir[i].stage);
    EXPECT_EQ(x.ir[i].text, y.ir[i].text);
  }
}

TEST(Artifact, RoundTripKeepsEverySection) {
  Artifact a = sampleArtifact();
  std::vector<uint8_t> f = encode(a);
  StatusOr<Artifact> b = decodeArtifact(f.data(), f.size(), kName);
  ASSERT_TRUE(b.ok()) << b.status().message();
  expectSame(a, *b);
  EXPECT_EQ(b->formatMajor, kArtifactMajor);
  EXPECT_EQ(b->formatMinor, kArtifactMinor);
  EXPECT_TRUE(b->skippedSections.empty());
  EXPECT_EQ(b->kernels[0].attr("post_op")->s, "relu");
  EXPECT_EQ(b->kernels[0].attr("missing"), nullptr);

  // Header, ten sections, payloads and object code at multiples of 64.
  EXPECT_EQ(std::vector<uint8_t>(f.begin(), f.begin() + 6),
            std::vector<uint8_t>({'L', 'O', 'O', 'M', 'X', 0}));
  std::vector<Entry> t = table(f);
  ASSERT_EQ(t.size(), 10u);
  for (const Entry &e : t)
    EXPECT_EQ(e.offset % 64, 0u) << sectionName(e.kind);
  const ObjectBlob &o = b->objects[0];
  EXPECT_EQ(o.fileOffset % 64, 0u);
  EXPECT_TRUE(
      std::equal(o.bytes.begin(), o.bytes.end(), f.begin() + o.fileOffset));

  // The same artifact encodes to the same bytes.
  EXPECT_EQ(encode(*b), f);
}

TEST(Artifact, ProgramsRoundTrip) {
  // The last kernel as a second program, reading x and writing the loss.
  Artifact a = sampleArtifact();
  a.programs = {{"eval", 2, 3, {a.inputs[0]}, {a.outputs[0]}}};
  std::vector<uint8_t> f = encode(a);
  StatusOr<Artifact> b = decodeArtifact(f.data(), f.size(), kName);
  ASSERT_TRUE(b.ok()) << b.status().message();
  expectSame(a, *b);
  EXPECT_EQ(b->trainKernelEnd(), 2u);
  ASSERT_NE(b->program("eval"), nullptr);
  EXPECT_EQ(b->program("eval")->endKernel, 3u);
  EXPECT_EQ(b->program("train"), nullptr);
  // A runtime that ran every kernel as the step would be wrong: the section
  // is marked required, so a 1.0 runtime rejects the file.
  std::vector<Entry> t = table(f);
  ASSERT_EQ(t.size(), 11u);
  EXPECT_EQ(t.back().kind, uint32_t(SectionKind::Programs));
  EXPECT_EQ(t.back().flags, kSectionRequired);
  // Without programs, there is no such section.
  EXPECT_EQ(sampleArtifact().trainKernelEnd(), 3u);
}

TEST(Artifact, ContentHashIdentifiesTheCompiledStep) {
  Artifact a = sampleArtifact();
  std::vector<uint8_t> f = encode(a);
  StatusOr<Artifact> b = decodeArtifact(f.data(), f.size(), kName);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->meta.contentHash, contentHash(encodeSections(a)));
  EXPECT_NE(b->meta.contentHash, 0u);

  auto hashOf = [](const Artifact &x) {
    std::vector<uint8_t> g = encode(x);
    StatusOr<Artifact> y = decodeArtifact(g.data(), g.size(), kName);
    EXPECT_TRUE(y.ok()) << y.status().message();
    return y.ok() ? y->meta.contentHash : 0;
  };
  Artifact renamed = a; // meta is not part of the identity
  renamed.meta.source = "elsewhere/mlp.loom";
  EXPECT_EQ(hashOf(renamed), b->meta.contentHash);
  Artifact changed = a;
  changed.kernels[2].attrs[0].f = 0.8;
  EXPECT_NE(hashOf(changed), b->meta.contentHash);
  // Where the source lay is not part of the identity either: the IR dumps
  // and the kernels' source locations name its path.
  Artifact moved = a;
  moved.ir.push_back({"moved", "loc(\"/elsewhere/mlp.loom\":1:1)"});
  for (KernelRecord &k : moved.kernels)
    k.attrs.push_back(
        KernelAttr::ofString("source_loc", "/elsewhere/mlp.loom:3:7"));
  EXPECT_EQ(hashOf(moved), b->meta.contentHash);
  Artifact relocated = moved;
  relocated.kernels[0].attrs.back().s = "mlp.loom:3:7";
  EXPECT_EQ(hashOf(relocated), b->meta.contentHash);
  // A string attribute of another name counts.
  Artifact named = a;
  named.kernels[0].attrs.push_back(KernelAttr::ofString("source_op", "x"));
  EXPECT_NE(hashOf(named), b->meta.contentHash);
}

TEST(Artifact, EmptyArtifactRoundTrips) {
  Artifact a;
  a.memory.arenaSize = 0;
  std::vector<uint8_t> f = encode(a);
  StatusOr<Artifact> b = decodeArtifact(f.data(), f.size(), kName);
  ASSERT_TRUE(b.ok()) << b.status().message();
  expectSame(a, *b);
}

std::string tempDir() {
  std::string tmpl = ::testing::TempDir() + "loom-artifact-test-XXXXXX";
  const char *d = mkdtemp(tmpl.data());
  EXPECT_NE(d, nullptr);
  return d ? std::string(d) : ::testing::TempDir();
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.push_back(e->d_name);
    closedir(d);
  }
  return names;
}

TEST(Artifact, WriteIsAtomicAndReadsBack) {
  std::string dir = tempDir(), path = dir + "/mlp.loomx";
  { std::ofstream(path) << "an older file"; }
  Artifact a = sampleArtifact();
  ASSERT_TRUE(writeArtifact(path, a).ok());
  // Only the artifact: the temporary file was renamed over the old one.
  EXPECT_EQ(listDir(dir), std::vector<std::string>({"mlp.loomx"}));
  StatusOr<Artifact> b = readArtifact(path);
  ASSERT_TRUE(b.ok()) << b.status().message();
  expectSame(a, *b);

  // An invalid artifact leaves the file as it was.
  Artifact bad = a;
  bad.kernels[0].operands[0] = 77;
  Status s = writeArtifact(path, bad);
  EXPECT_EQ(s.message(), path + ": kernel 0 ('onednn.matmul' matmul_fwd): "
                                "operand 0 is buffer 77, which does not exist");
  EXPECT_TRUE(readArtifact(path).ok());
  EXPECT_EQ(listDir(dir).size(), 1u);

  std::string missing = dir + "/no/such/dir/x.loomx";
  std::string message = writeArtifact(missing, a).message();
  std::string want = missing + ": cannot create the temporary file '" + dir +
                     "/no/such/dir/.x.loomx.tmp.";
  EXPECT_EQ(message.substr(0, want.size()), want) << message;
  EXPECT_NE(message.find("': No such file or directory"), std::string::npos)
      << message;
  EXPECT_EQ(readArtifact(dir + "/missing.loomx").status().message(),
            dir + "/missing.loomx: cannot open: No such file or directory");
  EXPECT_EQ(readArtifact(dir).status().message(), dir + ": not a regular file");
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

//===----------------------------------------------------------------------===//
// Forward compatibility
//===----------------------------------------------------------------------===//

TEST(Artifact, UnknownSectionIsSkipped) {
  std::vector<uint8_t> f = rebuild(sampleArtifact(), [](auto &s) {
    s.push_back({99, 0, {1, 2, 3, 4, 5}});
  });
  StatusOr<Artifact> b = decodeArtifact(f.data(), f.size(), kName);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->skippedSections, std::vector<uint32_t>({99}));
  expectSame(sampleArtifact(), *b);

  // ... unless the file says a reader must understand it.
  f = rebuild(sampleArtifact(), [](auto &s) {
    s.push_back({99, kSectionRequired, {1, 2, 3}});
  });
  EXPECT_EQ(loadError(f), "gpt.loomx: section kind 99 is marked required but "
                          "this runtime (1.1) does not know it; update the "
                          "runtime");
}

TEST(Artifact, FieldsOfANewerMinorVersionAreSkipped) {
  // A newer minor appends a field to meta and to each parameter record.
  auto extend = [](std::vector<RawSection> &s) {
    std::vector<uint8_t> &m = find(s, SectionKind::Meta).bytes;
    m.insert(m.end(), {9, 9, 9, 9});
  };
  EXPECT_TRUE(
      loadError(rebuild(sampleArtifact(), extend, kArtifactMinor + 1)).empty());
  EXPECT_EQ(loadError(rebuild(sampleArtifact(), extend)),
            "gpt.loomx: section 'meta': the section has 4 unexpected "
            "trailing bytes");

  Artifact one = sampleArtifact();
  one.optState.clear();
  one.params.resize(1);
  auto extendRecord = [](std::vector<RawSection> &s) {
    std::vector<uint8_t> &p = find(s, SectionKind::Params).bytes;
    // [count = 1][record size][record]: the record is last.
    store32(&p[4], load32(&p[4]) + 2);
    p.insert(p.end(), {7, 7});
  };
  StatusOr<Artifact> b = [&] {
    std::vector<uint8_t> f = rebuild(one, extendRecord, 3);
    return decodeArtifact(f.data(), f.size(), kName);
  }();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->params, one.params);
  EXPECT_EQ(b->formatMinor, 3);
  EXPECT_EQ(loadError(rebuild(one, extendRecord)),
            "gpt.loomx: section 'params': record 0: the record has 2 "
            "unexpected trailing bytes");
}

TEST(Artifact, OptionalSectionsMayBeAbsent) {
  std::vector<uint8_t> f = rebuild(sampleArtifact(), [](auto &s) {
    s.erase(std::remove_if(s.begin(), s.end(),
                           [](const RawSection &r) {
                             return r.kind == uint32_t(SectionKind::Objects) ||
                                    r.kind == uint32_t(SectionKind::Ir);
                           }),
            s.end());
  });
  StatusOr<Artifact> b = decodeArtifact(f.data(), f.size(), kName);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_TRUE(b->objects.empty());
  EXPECT_TRUE(b->ir.empty());
}

} // namespace
