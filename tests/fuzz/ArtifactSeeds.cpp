//===- ArtifactSeeds.cpp - Seed artifacts for the artifact fuzzer ---------===//
//
// Part of Loom. `loom-artifact-seeds DIR` writes a few valid artifacts into
// DIR for the fuzz-artifact test to start from: the sample artifact of the
// unit tests, a smaller one without the optional sections, an empty one,
// and one of a newer minor version with a section this runtime skips.
//
//===----------------------------------------------------------------------===//

#include "runtime/artifact/Artifact.h"
#include "tests/unit/ArtifactSample.h"

#include <cstdio>
#include <sys/stat.h>

using namespace loom;

static bool write(const std::string &path, const std::vector<uint8_t> &bytes) {
  FILE *f = std::fopen(path.c_str(), "wb");
  bool ok = f && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (f && std::fclose(f) != 0)
    ok = false;
  if (!ok)
    std::fprintf(stderr, "loom-artifact-seeds: cannot write %s\n",
                 path.c_str());
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: loom-artifact-seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  ::mkdir(dir.c_str(), 0777);

  Artifact sample = sampleArtifact();
  Artifact small = sample;
  small.objects.clear();
  small.ir.clear();
  small.recipe = "{}";
  Artifact empty;
  bool ok = true;
  for (auto [file, artifact] :
       {std::pair<const char *, const Artifact *>{"sample.loomx", &sample},
        {"small.loomx", &small},
        {"empty.loomx", &empty}}) {
    StatusOr<std::vector<uint8_t>> bytes = encodeArtifact(*artifact, file);
    if (!bytes.ok()) {
      std::fprintf(stderr, "%s\n", bytes.status().message().c_str());
      return 1;
    }
    ok &= write(dir + "/" + file, *bytes);
  }

  // Format 1.1: an unknown section, and meta with a field appended.
  std::vector<RawSection> s = encodeSections(small);
  s.push_back({77, 0, {1, 2, 3, 4, 5, 6, 7, 8}});
  small.meta.contentHash = contentHash(s);
  s.front() = encodeSections(small).front();
  s.front().bytes.insert(s.front().bytes.end(), {0, 0, 0, 0});
  ok &= write(dir + "/newer-minor.loomx",
              encodeContainer(s, kArtifactMajor, kArtifactMinor + 1));
  return ok ? 0 : 1;
}
