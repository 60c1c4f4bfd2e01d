//===- TensorParallel.cpp - Tensors split over a mesh axis ----------------===//
//
// Part of Loom. See TensorParallel.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/TensorParallel.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

using namespace loom;

Split loom::splitOf(const std::string &sharding) {
  Split s;
  if (sharding.empty())
    return s;
  nlohmann::json j = nlohmann::json::parse(sharding, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("dim") ||
      !j["dim"].is_number_integer() || !j.contains("ranks") ||
      !j["ranks"].is_number_integer() || !j.contains("axis") ||
      !j["axis"].is_string())
    return s;
  s.axis = j["axis"].get<std::string>();
  s.dim = j["dim"].get<int64_t>();
  s.ranks = std::max<int64_t>(1, j["ranks"].get<int64_t>());
  return s;
}

int64_t loom::modelRanksOf(const Artifact &artifact) {
  int64_t ranks = 1;
  for (const ParamRecord &p : artifact.params) {
    Split s = splitOf(p.sharding);
    if (s.split() && s.axis == "model")
      ranks = std::max(ranks, s.ranks);
  }
  return ranks;
}

namespace {
/// Copies between a whole tensor and slice `index`: the whole is `outer`
/// blocks of `size(dim) * inner` elements, of which the slice holds
/// `size(dim) / ranks * inner` from offset `index` of them.
template <bool ToSlice>
void copySlice(uint8_t *whole, uint8_t *slice,
               const std::vector<int64_t> &shape, const Split &split,
               int64_t index, size_t elementBytes) {
  size_t outer = 1, inner = elementBytes;
  for (int64_t d = 0; d < split.dim; ++d)
    outer *= static_cast<size_t>(shape[d]);
  for (size_t d = static_cast<size_t>(split.dim) + 1; d < shape.size(); ++d)
    inner *= static_cast<size_t>(shape[d]);
  size_t rows = static_cast<size_t>(shape[split.dim]);
  size_t part = rows / static_cast<size_t>(split.ranks);
  size_t block = part * inner;
  for (size_t o = 0; o < outer; ++o) {
    uint8_t *w = whole + (o * rows + static_cast<size_t>(index) * part) * inner;
    uint8_t *s = slice + o * block;
    if (ToSlice)
      std::memcpy(s, w, block);
    else
      std::memcpy(w, s, block);
  }
}
} // namespace

void loom::takeSlice(const uint8_t *whole, const std::vector<int64_t> &shape,
                     const Split &split, int64_t index, size_t elementBytes,
                     uint8_t *slice) {
  copySlice<true>(const_cast<uint8_t *>(whole), slice, shape, split, index,
                  elementBytes);
}

void loom::putSlice(const uint8_t *slice, const std::vector<int64_t> &shape,
                    const Split &split, int64_t index, size_t elementBytes,
                    uint8_t *whole) {
  copySlice<false>(whole, const_cast<uint8_t *>(slice), shape, split, index,
                   elementBytes);
}
