//===- TensorParallel.h - Tensors split over a mesh axis --------*- C++ -*-===//
//
// Part of Loom. Plain C++17. A parameter (and its optimizer state) that the
// compiler split along one dimension over the ranks of a mesh axis
// (--loom-partition-step, tensor parallelism): what its record's `sharding`
// says, and the copies between the whole, logical tensor and a rank's
// slice, for initialization and for checkpoints that hold whole tensors.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EXEC_TENSORPARALLEL_H
#define LOOM_RUNTIME_EXEC_TENSORPARALLEL_H

#include "runtime/artifact/Artifact.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// A tensor split along dimension `dim` into `ranks` equal slices, one per
/// rank of mesh axis `axis`; `dim` is -1 for a whole tensor.
struct Split {
  std::string axis;
  int64_t dim = -1;
  int64_t ranks = 1;
  bool split() const { return dim >= 0 && ranks > 1; }
};

/// The split a record's `sharding` describes (the compiler's JSON object
/// {"axis", "dim", "ranks", "shape"}); whole for "" or anything else.
Split splitOf(const std::string &sharding);

/// The ranks of the model axis the artifact's parameters are split over (1
/// when none is).
int64_t modelRanksOf(const Artifact &artifact);

/// Slice `index` of the whole tensor at `whole` (`shape`, elements of
/// `elementBytes` bytes) split as `split`, copied to `slice`.
void takeSlice(const uint8_t *whole, const std::vector<int64_t> &shape,
               const Split &split, int64_t index, size_t elementBytes,
               uint8_t *slice);
/// The reverse: slice `index` at `slice` copied into its place in `whole`.
void putSlice(const uint8_t *slice, const std::vector<int64_t> &shape,
              const Split &split, int64_t index, size_t elementBytes,
              uint8_t *whole);

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_TENSORPARALLEL_H
