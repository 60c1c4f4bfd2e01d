//===- KernelsData.cpp - Reference data-movement kernels ------------------===//
//
// Part of Loom. This file implements the reference kernels of the data
// movement ops: broadcast, reshape, transpose, slice, concat, gather and
// scatter_add, in LoomOps.td order. Each walks the result (or, for
// scatter_add, the updates) one multi-index at a time and reads the element
// it comes from; the element type is the input's.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Kernels.h"

#include <cstdio>

using namespace mlir::loom::reference;

//===----------------------------------------------------------------------===//
// loom.broadcast
//===----------------------------------------------------------------------===//

// x (...X) -> y (...shape): x's dims align with the trailing dims of `shape`;
// a size-1 dim of x is read at index 0.
Tensor mlir::loom::reference::broadcastTo(const Tensor &x,
                                          const std::vector<int64_t> &shape) {
  Tensor y(x.dtype, shape);
  int64_t lead = y.rank() - x.rank();
  std::vector<int64_t> yIndex(y.rank(), 0);
  std::vector<int64_t> xIndex(x.rank(), 0);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    for (int64_t d = 0; d < x.rank(); ++d)
      xIndex[d] = x.shape[d] == 1 ? 0 : yIndex[lead + d];
    y.data[i] = x.at(xIndex);
    nextIndex(yIndex, y.shape);
  }
  return y;
}

//===----------------------------------------------------------------------===//
// loom.reshape
//===----------------------------------------------------------------------===//

// x (...X) -> y (...shape) with the same row-major element sequence.
Tensor mlir::loom::reference::reshape(const Tensor &x,
                                      const std::vector<int64_t> &shape) {
  return Tensor(x.dtype, shape, x.data);
}

//===----------------------------------------------------------------------===//
// loom.transpose
//===----------------------------------------------------------------------===//

// x (d0, ..., dn) -> y (d[perm[0]], ..., d[perm[n]]):
// y[j0, ..., jn] = x[i] with i[perm[k]] = j[k].
Tensor mlir::loom::reference::transpose(const Tensor &x,
                                        const std::vector<int64_t> &perm) {
  std::vector<int64_t> shape(x.rank());
  for (int64_t k = 0; k < x.rank(); ++k)
    shape[k] = x.shape[perm[k]];
  Tensor y(x.dtype, shape);
  std::vector<int64_t> yIndex(y.rank(), 0);
  std::vector<int64_t> xIndex(x.rank(), 0);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    for (int64_t k = 0; k < y.rank(); ++k)
      xIndex[perm[k]] = yIndex[k];
    y.data[i] = x.at(xIndex);
    nextIndex(yIndex, y.shape);
  }
  return y;
}

//===----------------------------------------------------------------------===//
// loom.slice
//===----------------------------------------------------------------------===//

// x (...) -> y with y.dim[d] = ceil((limit[d] - start[d]) / stride[d]):
// y[j] = x[start + j * stride].
Tensor mlir::loom::reference::slice(const Tensor &x,
                                    const std::vector<int64_t> &start,
                                    const std::vector<int64_t> &limit,
                                    const std::vector<int64_t> &stride) {
  std::vector<int64_t> shape(x.rank());
  for (int64_t d = 0; d < x.rank(); ++d)
    shape[d] = (limit[d] - start[d] + stride[d] - 1) / stride[d];
  Tensor y(x.dtype, shape);
  std::vector<int64_t> yIndex(y.rank(), 0);
  std::vector<int64_t> xIndex(x.rank(), 0);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    for (int64_t d = 0; d < x.rank(); ++d)
      xIndex[d] = start[d] + yIndex[d] * stride[d];
    y.data[i] = x.at(xIndex);
    nextIndex(yIndex, y.shape);
  }
  return y;
}

//===----------------------------------------------------------------------===//
// loom.concat
//===----------------------------------------------------------------------===//

// inputs (..., n_k, ...) along `dim` -> y (..., sum_k n_k, ...): input k
// fills the rows [offset_k, offset_k + n_k) of `dim`.
Tensor mlir::loom::reference::concat(const std::vector<Tensor> &inputs,
                                     int64_t dim) {
  std::vector<int64_t> shape = inputs[0].shape;
  shape[dim] = 0;
  for (const Tensor &in : inputs)
    shape[dim] += in.shape[dim];
  Tensor y(inputs[0].dtype, shape);
  int64_t offset = 0;
  for (const Tensor &in : inputs) {
    std::vector<int64_t> inIndex(in.rank(), 0);
    for (int64_t i = 0; i < in.numElements(); ++i) {
      std::vector<int64_t> yIndex = inIndex;
      yIndex[dim] += offset;
      y.at(yIndex) = in.data[i];
      nextIndex(inIndex, in.shape);
    }
    offset += in.shape[dim];
  }
  return y;
}

//===----------------------------------------------------------------------===//
// loom.gather and loom.scatter_add
//===----------------------------------------------------------------------===//

/// "[1, 0]" for a multi-index; "[]" at rank 0.
static std::string indexString(const std::vector<int64_t> &index) {
  std::string s = "[";
  for (size_t i = 0; i < index.size(); ++i)
    s += (i ? ", " : "") + std::to_string(index[i]);
  return s + "]";
}

/// Checks that every index lies in [0, dimSize); on the first (row-major)
/// that does not, sets `error` and returns false. Indices are integers held
/// as doubles; "%.0f" prints any of them exactly, even past int64's range.
static bool checkIndices(const char *opName, const Tensor &indices,
                         int64_t dimSize, int64_t axis, std::string &error) {
  std::vector<int64_t> position(indices.rank(), 0);
  for (int64_t i = 0; i < indices.numElements(); ++i) {
    double v = indices.data[i];
    if (!(v >= 0 && v < static_cast<double>(dimSize))) {
      char value[400];
      std::snprintf(value, sizeof(value), "%.0f", v);
      error = std::string(opName) + " index " + value + " at indices" +
              indexString(position) + " is out of range [0, " +
              std::to_string(dimSize) + ") along axis " + std::to_string(axis);
      return false;
    }
    nextIndex(position, indices.shape);
  }
  return true;
}

/// The shape table.shape[:axis] + indices.shape + table.shape[axis+1:].
static std::vector<int64_t> gatheredShape(const Tensor &table,
                                          const Tensor &indices, int64_t axis) {
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < axis; ++d)
    shape.push_back(table.shape[d]);
  for (int64_t d = 0; d < indices.rank(); ++d)
    shape.push_back(indices.shape[d]);
  for (int64_t d = axis + 1; d < table.rank(); ++d)
    shape.push_back(table.shape[d]);
  return shape;
}

/// Maps a position (p, i, q) of a gathered shape to the table position
/// (p, indices[i], q).
static std::vector<int64_t> tableIndex(const std::vector<int64_t> &gathered,
                                       const Tensor &indices, int64_t axis,
                                       int64_t tableRank) {
  int64_t ir = indices.rank();
  std::vector<int64_t> i(gathered.begin() + axis, gathered.begin() + axis + ir);
  std::vector<int64_t> t(tableRank, 0);
  for (int64_t d = 0; d < axis; ++d)
    t[d] = gathered[d];
  t[axis] = static_cast<int64_t>(indices.at(i));
  for (int64_t d = axis + 1; d < tableRank; ++d)
    t[d] = gathered[d - 1 + ir];
  return t;
}

// table (P..., N, Q...) [indices (I...)] along axis -> y (P..., I..., Q...):
// y[p, i, q] = table[p, indices[i], q].
bool mlir::loom::reference::gather(const Tensor &table, const Tensor &indices,
                                   int64_t axis, Tensor &result,
                                   std::string &error) {
  if (!checkIndices("gather", indices, table.shape[axis], axis, error))
    return false;
  Tensor y(table.dtype, gatheredShape(table, indices, axis));
  std::vector<int64_t> yIndex(y.rank(), 0);
  for (int64_t n = 0; n < y.numElements(); ++n) {
    y.data[n] = table.at(tableIndex(yIndex, indices, axis, table.rank()));
    nextIndex(yIndex, y.shape);
  }
  result = std::move(y);
  return true;
}

// dest (P..., N, Q...) [indices (I...)] += updates (P..., I..., Q...) along
// axis -> y (P..., N, Q...): y[p, indices[i], q] += updates[p, i, q], so
// repeated indices accumulate.
bool mlir::loom::reference::scatterAdd(const Tensor &dest,
                                       const Tensor &indices,
                                       const Tensor &updates, int64_t axis,
                                       Tensor &result, std::string &error) {
  if (!checkIndices("scatter_add", indices, dest.shape[axis], axis, error))
    return false;
  Tensor y = dest;
  std::vector<int64_t> uIndex(updates.rank(), 0);
  for (int64_t n = 0; n < updates.numElements(); ++n) {
    y.at(tableIndex(uIndex, indices, axis, dest.rank())) += updates.data[n];
    nextIndex(uIndex, updates.shape);
  }
  result = std::move(y);
  return true;
}
