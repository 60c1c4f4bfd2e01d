//===- CheckpointSeeds.cpp - Seed files for the checkpoint fuzzer ---------===//
//
// Part of Loom. `loom-checkpoint-seeds DIR` writes a few valid safetensors
// files into DIR for the fuzz-checkpoint test to start from: every dtype
// with a matrix, a scalar and an empty tensor, metadata that needs
// escaping, a file with no tensors, and one in the layout of another
// writer (header entries out of data order, spaces, no padding).
//
//===----------------------------------------------------------------------===//

#include "runtime/checkpoint/Checkpoint.h"

#include <cstdio>
#include <string>
#include <sys/stat.h>

using namespace loom;

static bool write(const std::string &path, const void *data, size_t size) {
  FILE *f = std::fopen(path.c_str(), "wb");
  bool ok = f && std::fwrite(data, 1, size, f) == size;
  if (f && std::fclose(f) != 0)
    ok = false;
  if (!ok)
    std::fprintf(stderr, "loom-checkpoint-seeds: cannot write %s\n",
                 path.c_str());
  return ok;
}

static bool encode(const std::string &path, const std::vector<TensorView> &t,
                   const std::map<std::string, std::string> &meta) {
  StatusOr<std::vector<uint8_t>> bytes = encodeSafetensors(t, meta, path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s\n", bytes.status().message().c_str());
    return false;
  }
  return write(path, bytes->data(), bytes->size());
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: loom-checkpoint-seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  ::mkdir(dir.c_str(), 0777);

  uint8_t bytes[64];
  for (int i = 0; i < 64; ++i)
    bytes[i] = uint8_t(i * 7 + 1);
  std::vector<TensorView> all;
  std::vector<std::string> names;
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32,
                  DType::I64, DType::I1}) {
    std::string n = safetensorsDtypeName(t);
    uint64_t e = dtypeSize(t);
    all.push_back({n, t, {2, 2}, bytes, 4 * e});
    all.push_back({n + ".scalar", t, {}, bytes, e});
    all.push_back({n + ".empty", t, {0, 3}, nullptr, 0});
  }
  bool ok = encode(dir + "/every-dtype.safetensors", all,
                   {{"loom.step", "500"}, {"format", "pt"}});
  ok &= encode(dir + "/metadata.safetensors",
               {{"w \"q\"\n", DType::F32, {1, 1, 1, 1, 1, 1, 1, 2}, bytes, 8}},
               {{"json", "{\"a\": [1]}\t\x01"}, {"\xce\xbb", ""}});
  ok &= encode(dir + "/empty.safetensors", {}, {});

  std::string header =
      "{\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, "
      "16]}, \"a\": {\"data_offsets\": [0, 8], \"dtype\": \"I64\", "
      "\"shape\": []}}";
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i)
    file[i] = char(uint64_t(header.size()) >> (8 * i));
  file += header + std::string(reinterpret_cast<char *>(bytes), 16);
  ok &= write(dir + "/other-writer.safetensors", file.data(), file.size());
  return ok ? 0 : 1;
}
