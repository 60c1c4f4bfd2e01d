//===- ArtifactFuzzer.cpp - libFuzzer target over the .loomx loader -------===//
//
// Part of Loom. Feeds arbitrary bytes to the artifact loader twice: as is
// (the container, its limits and checksums) and with checksums off, so that
// mutations reach the section decoders and the checks across sections. A
// crash, a sanitizer report, a leak or an allocation past -rss_limit_mb is a
// finding. So is a broken round trip: whatever the loader accepts, the
// writer must write, and the loader must read back as the same artifact.
//
//===----------------------------------------------------------------------===//

#include "runtime/artifact/Artifact.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace loom;

[[noreturn]] static void finding(const char *what, const std::string &message) {
  std::fprintf(stderr, "artifact fuzzer: %s: %s\n", what, message.c_str());
  __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *name = "fuzz.loomx";
  (void)decodeArtifact(data, size, name);
  ReadOptions unchecked;
  unchecked.verifyChecksums = false;
  StatusOr<Artifact> a = decodeArtifact(data, size, name, unchecked);
  if (!a.ok())
    return 0;
  StatusOr<std::vector<uint8_t>> bytes = encodeArtifact(*a, name);
  if (!bytes.ok())
    finding("the writer rejects what the loader accepted",
            bytes.status().message());
  StatusOr<Artifact> b = decodeArtifact(bytes->data(), bytes->size(), name);
  if (!b.ok())
    finding("the loader rejects what the writer wrote", b.status().message());
  StatusOr<std::vector<uint8_t>> again = encodeArtifact(*b, name);
  if (!again.ok() || *again != *bytes)
    finding("the round trip changed the artifact", "");
  return 0;
}
