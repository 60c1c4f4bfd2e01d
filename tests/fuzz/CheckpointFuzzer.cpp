//===- CheckpointFuzzer.cpp - libFuzzer target over the safetensors loader ===//
//
// Part of Loom. Feeds arbitrary bytes to decodeSafetensors. A crash, a
// sanitizer report, a leak or an allocation past -rss_limit_mb is a
// finding. So is a broken round trip: whatever the loader accepts, the
// writer must write, the loader must read back as the same tensors,
// metadata and bytes, and writing that again must give the same file.
//
//===----------------------------------------------------------------------===//

#include "runtime/checkpoint/Checkpoint.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

using namespace loom;

[[noreturn]] static void finding(const char *what, const std::string &message) {
  std::fprintf(stderr, "checkpoint fuzzer: %s: %s\n", what, message.c_str());
  __builtin_trap();
}

static bool sameBytes(const Safetensors &a, const Safetensors &b) {
  if (a.tensors().size() != b.tensors().size())
    return false;
  for (size_t i = 0; i < a.tensors().size(); ++i) {
    const SafetensorsEntry &x = a.tensors()[i], &y = b.tensors()[i];
    if (x.size != y.size ||
        (x.size && std::memcmp(a.data(x), b.data(y), x.size) != 0))
      return false;
  }
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *name = "fuzz.safetensors";
  StatusOr<Safetensors> a = decodeSafetensors(data, size, name);
  if (!a.ok()) {
    if (a.status().message().rfind("fuzz.safetensors: ", 0) != 0)
      finding("a message without the file name", a.status().message());
    return 0;
  }
  StatusOr<std::vector<uint8_t>> bytes =
      encodeSafetensors(a->views(), a->metadata(), name);
  if (!bytes.ok())
    finding("the writer rejects what the loader accepted",
            bytes.status().message());
  StatusOr<Safetensors> b =
      decodeSafetensors(bytes->data(), bytes->size(), name);
  if (!b.ok())
    finding("the loader rejects what the writer wrote", b.status().message());
  if (b->tensors() != a->tensors() || b->metadata() != a->metadata() ||
      !sameBytes(*a, *b))
    finding("the round trip changed the file", "");
  StatusOr<std::vector<uint8_t>> again =
      encodeSafetensors(b->views(), b->metadata(), name);
  if (!again.ok() || *again != *bytes)
    finding("writing the file again changed it", "");
  return 0;
}
