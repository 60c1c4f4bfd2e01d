//===- Dataset.cpp - Examples, token files, splits and batches
//-------------===//
//
// Part of Loom. The parts of Dataset.h that are not a file format: the
// memory-mapped token file, the seeded split and per-epoch shuffle, and
// copying a batch out.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Dataset.h"
#include "runtime/File.h"

#include "runtime/Philox.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;
using namespace loom::data;

//===----------------------------------------------------------------------===//
// Examples
//===----------------------------------------------------------------------===//

int64_t Examples::featureSize() const {
  int64_t n = 1;
  for (int64_t d : featureShape)
    n *= d;
  return n;
}

int32_t Examples::numClasses() const {
  int32_t top = -1;
  for (int32_t l : labels)
    top = std::max(top, l);
  return top + 1;
}

int64_t Examples::firstLabelOutside(int32_t classes) const {
  for (int64_t i = 0; i < static_cast<int64_t>(labels.size()); ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      return i;
  return -1;
}

void loom::data::gather(const Examples &data, const std::vector<int64_t> &rows,
                        float *x, void *y) {
  int64_t n = data.featureSize();
  for (size_t r = 0; r < rows.size(); ++r) {
    std::copy_n(data.features.data() + rows[r] * n, n, x + r * n);
    if (data.regression())
      std::copy_n(data.targets.data() + rows[r] * data.targetWidth,
                  data.targetWidth,
                  static_cast<float *>(y) + r * data.targetWidth);
    else
      static_cast<int32_t *>(y)[r] = data.labels[rows[r]];
  }
}

//===----------------------------------------------------------------------===//
// Splits and shuffles
//===----------------------------------------------------------------------===//

std::vector<int64_t> loom::data::permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(n);
  for (int64_t i = 0; i < n; ++i)
    p[i] = i;
  // Fisher-Yates, drawing j uniformly in [0, i] from a 64-bit Philox value
  // for counter i (the modulo bias is below 2^-40 for any real dataset).
  std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed),
                                 static_cast<uint32_t>(seed >> 32)};
  for (int64_t i = n - 1; i > 0; --i) {
    std::array<uint32_t, 4> r =
        philox4x32({static_cast<uint32_t>(i),
                    static_cast<uint32_t>(uint64_t(i) >> 32), 0x5eed, 0},
                   key);
    uint64_t bits = (uint64_t(r[0]) << 32) | r[1];
    std::swap(p[i], p[bits % uint64_t(i + 1)]);
  }
  return p;
}

Sampler::Sampler(int64_t count, double fraction, uint64_t splitSeed,
                 uint64_t shuffleSeed)
    : shuffleSeed(shuffleSeed) {
  std::vector<int64_t> p = permutation(count, splitSeed);
  int64_t nTrain =
      fraction >= 1.0 ? count
      : fraction <= 0.0
          ? 0
          : std::clamp<int64_t>(
                static_cast<int64_t>(std::llround(fraction * count)), 1, count);
  trainIdx.assign(p.begin(), p.begin() + nTrain);
  valIdx.assign(p.begin() + nTrain, p.end());
}

const std::vector<int64_t> &Sampler::epochOrder(int64_t epoch) {
  if (epoch != orderEpoch) {
    // Mix the epoch into the seed (splitmix64 finalizer) so that epochs of
    // nearby seeds do not share orders.
    uint64_t z = shuffleSeed + 0x9e3779b97f4a7c15ULL * uint64_t(epoch + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    std::vector<int64_t> p =
        permutation(static_cast<int64_t>(trainIdx.size()), z ^ (z >> 31));
    order.resize(p.size());
    for (size_t i = 0; i < p.size(); ++i)
      order[i] = trainIdx[p[i]];
    orderEpoch = epoch;
  }
  return order;
}

void Sampler::batch(int64_t position, int64_t batch,
                    std::vector<int64_t> &out) {
  out.clear();
  int64_t n = static_cast<int64_t>(trainIdx.size());
  if (n == 0)
    return;
  for (int64_t i = 0; i < batch; ++i) {
    int64_t at = position + i;
    out.push_back(epochOrder(at / n)[at % n]);
  }
}

//===----------------------------------------------------------------------===//
// TokenFile
//===----------------------------------------------------------------------===//

TokenFile::TokenFile(TokenFile &&o) noexcept { *this = std::move(o); }

TokenFile &TokenFile::operator=(TokenFile &&o) noexcept {
  if (this != &o) {
    if (bytes)
      munmap(const_cast<unsigned char *>(bytes), mappedSize);
    filePath = std::move(o.filePath);
    bytes = o.bytes;
    mappedSize = o.mappedSize;
    width = o.width;
    count = o.count;
    o.bytes = nullptr;
    o.mappedSize = 0;
    o.count = 0;
  }
  return *this;
}

TokenFile::~TokenFile() {
  if (bytes)
    munmap(const_cast<unsigned char *>(bytes), mappedSize);
}

StatusOr<TokenFile> TokenFile::open(const std::string &path,
                                    const std::string &dtype) {
  if (dtype != "u16" && dtype != "u32")
    return Status::error(path + ": token dtype '" + dtype +
                         "' is not supported; use \"u16\" or \"u32\"");
  TokenFile t;
  t.filePath = path;
  t.width = dtype == "u16" ? 2 : 4;
  // Mapped, not read: the address space bounds its size, and only the
  // pages a batch touches are read.
  uint64_t fileSize = 0;
  StatusOr<int> opened = openInputFile(
      path, "token file", std::numeric_limits<int64_t>::max(), fileSize);
  if (!opened)
    return opened.status();
  int fd = *opened;
  size_t size = static_cast<size_t>(fileSize);
  if (size % t.width != 0) {
    ::close(fd);
    return Status::error(path + ": " + std::to_string(size) +
                         " bytes is not a whole number of " + dtype +
                         " tokens (" + std::to_string(t.width) +
                         " bytes each); is the dtype right?");
  }
  if (size < size_t(2 * t.width)) {
    ::close(fd);
    return Status::error(path + ": holds " + std::to_string(size / t.width) +
                         " tokens; next-token training needs at least 2");
  }
  void *m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED)
    return Status::error(
        path + ": cannot map the token file: " + std::strerror(errno));
  t.bytes = static_cast<const unsigned char *>(m);
  t.mappedSize = size;
  t.count = static_cast<int64_t>(size / t.width);
  return t;
}

uint32_t TokenFile::at(int64_t i) const {
  const unsigned char *p = bytes + i * width;
  return width == 2 ? uint32_t(p[0]) | uint32_t(p[1]) << 8
                    : uint32_t(p[0]) | uint32_t(p[1]) << 8 |
                          uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

Status TokenFile::read(int64_t begin, int64_t n, uint32_t vocab,
                       int32_t *out) const {
  if (begin < 0 || n < 0 || begin > count - n)
    return Status::error(filePath + ": tokens " + std::to_string(begin) + ".." +
                         std::to_string(begin + n) + " are past the end (" +
                         std::to_string(count) + " tokens)");
  for (int64_t i = 0; i < n; ++i) {
    uint32_t t = at(begin + i);
    if (t >= vocab)
      return Status::error(
          filePath + ": token " + std::to_string(t) + " at byte offset " +
          std::to_string((begin + i) * width) +
          " is outside the model's vocabulary of " + std::to_string(vocab));
    out[i] = static_cast<int32_t>(t);
  }
  return Status();
}
