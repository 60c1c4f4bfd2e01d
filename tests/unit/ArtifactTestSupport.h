//===- ArtifactTestSupport.h - Helpers of the artifact tests ----*- C++ -*-===//
//
// Part of Loom. Builds containers that are wrong in exactly one way (every
// checksum right but the one a test breaks), patches section tables, and
// returns the loader's error for a byte vector.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TESTS_UNIT_ARTIFACTTESTSUPPORT_H
#define LOOM_TESTS_UNIT_ARTIFACTTESTSUPPORT_H

#include "runtime/artifact/Artifact.h"
#include "runtime/artifact/Format.h"
#include "tests/unit/ArtifactSample.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

namespace loom {
namespace artifact_test {

using namespace loom::format;

inline const char *kName = "gpt.loomx";

inline std::string hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, (unsigned long long)v);
  return buf;
}

inline std::vector<uint8_t> encode(const Artifact &a) {
  StatusOr<std::vector<uint8_t>> bytes = encodeArtifact(a, kName);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

/// The loader's error for `bytes` ("" if it accepts them).
inline std::string loadError(const std::vector<uint8_t> &bytes,
                             const ReadOptions &options = {}) {
  StatusOr<Artifact> a =
      decodeArtifact(bytes.data(), bytes.size(), kName, options);
  return a.ok() ? "" : a.status().message();
}

/// The sections of `a`, changed by `edit`, in a container whose checksums
/// and content hash are all right: only `edit` is wrong. The hash skips
/// meta, so `edit` runs twice: once to hash, once with the hash in meta.
inline std::vector<uint8_t>
rebuild(Artifact a, const std::function<void(std::vector<RawSection> &)> &edit,
        uint16_t minor = kArtifactMinor) {
  std::vector<RawSection> s = encodeSections(a);
  edit(s);
  a.meta.contentHash = contentHash(s);
  s = encodeSections(a);
  edit(s);
  return encodeContainer(s, kArtifactMajor, minor);
}

/// The container of `a` exactly as encodeSections makes it (no validation).
inline std::vector<uint8_t> unchecked(const Artifact &a) {
  return rebuild(a, [](std::vector<RawSection> &) {});
}

/// The artifact-level error for `a`: the writer and the loader agree on it.
inline std::string semanticError(const Artifact &a) {
  std::string fromLoader = loadError(unchecked(a));
  StatusOr<std::vector<uint8_t>> written = encodeArtifact(a, kName);
  EXPECT_FALSE(written.ok())
      << "the writer accepted what the loader rejects: " << fromLoader;
  if (!written.ok()) {
    EXPECT_EQ(written.status().message(), fromLoader);
  }
  return fromLoader;
}

struct Entry {
  uint32_t kind;
  uint64_t offset, size;
  uint32_t flags;
};

inline std::vector<Entry> table(const std::vector<uint8_t> &f) {
  std::vector<Entry> out;
  uint32_t n = load32(&f[kHdrSectionCount]);
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t *e = &f[kHeaderSize + i * kEntrySize];
    out.push_back({load32(e + kEntKind), load64(e + kEntOffset),
                   load64(e + kEntSize), load32(e + kEntFlags)});
  }
  return out;
}

/// Sets a table entry's u64 field and makes the table and header checksums
/// right again.
inline void patchEntry(std::vector<uint8_t> &f, size_t i, uint64_t field,
                       uint64_t v) {
  uint8_t *e = &f[kHeaderSize + i * kEntrySize];
  if (field == kEntOffset || field == kEntSize)
    store64(e + field, v);
  else
    store32(e + field, uint32_t(v));
  uint32_t n = load32(&f[kHdrSectionCount]);
  store32(&f[kHdrTableCrc], crc32c(&f[kHeaderSize], n * kEntrySize));
  store32(&f[kHdrHeaderCrc], headerCrc(f.data()));
}

inline void patchHeader32(std::vector<uint8_t> &f, uint64_t at, uint32_t v) {
  store32(&f[at], v);
  store32(&f[kHdrHeaderCrc], headerCrc(f.data()));
}

inline RawSection &find(std::vector<RawSection> &s, SectionKind k) {
  for (RawSection &r : s)
    if (r.kind == uint32_t(k))
      return r;
  ADD_FAILURE() << "no section " << sectionName(uint32_t(k));
  return s.front();
}

} // namespace artifact_test
} // namespace loom

#endif // LOOM_TESTS_UNIT_ARTIFACTTESTSUPPORT_H
