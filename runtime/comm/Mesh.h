//===- Mesh.h - How the ranks of a run lie on a device mesh -----*- C++ -*-===//
//
// Part of Loom. Plain C++17, no MPI: the layout of the world's ranks on a
// mesh of named axes, which runtime/comm's communicators (one per axis,
// MPI_Comm_split) and the runtime's slices follow. The layout is row-major
// over the axes in their order, the last axis varying fastest: on the mesh
// (data, model) of D x M ranks, world rank r is at data coordinate r / M
// and model coordinate r % M (r = d * M + m), so the M ranks of one data
// coordinate, which hold the slices of one model replica and read the same
// examples, are neighbours (on one machine, when mpirun fills each with
// consecutive ranks).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_COMM_MESH_H
#define LOOM_RUNTIME_COMM_MESH_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loom::comm {

struct Mesh {
  std::vector<std::string> names;
  std::vector<int64_t> sizes;

  /// The ranks of the whole mesh: the product of the sizes.
  int64_t ranks() const {
    int64_t n = 1;
    for (int64_t s : sizes)
      n *= s;
    return n;
  }
  /// The index of axis `name`, or -1 when the mesh has none.
  int64_t axis(const std::string &name) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name)
        return static_cast<int64_t>(i);
    return -1;
  }
  /// The ranks between two neighbours on axis `axis`.
  int64_t stride(size_t axis) const {
    int64_t s = 1;
    for (size_t i = axis + 1; i < sizes.size(); ++i)
      s *= sizes[i];
    return s;
  }
  /// World rank `rank`'s coordinate on axis `axis`.
  int64_t coordinate(int64_t rank, size_t axis) const {
    return rank / stride(axis) % sizes[axis];
  }
  /// The group of `rank` over axis `axis`: the ranks whose coordinates on
  /// every other axis are `rank`'s (its communicator over the axis), named
  /// by the first of them (MPI_Comm_split's color).
  int64_t group(int64_t rank, size_t axis) const {
    return rank - coordinate(rank, axis) * stride(axis);
  }
  /// The world ranks of that group, in the order of their coordinate on
  /// the axis (their ranks in its communicator).
  std::vector<int64_t> members(int64_t rank, size_t axis) const {
    std::vector<int64_t> out;
    for (int64_t c = 0; c < sizes[axis]; ++c)
      out.push_back(group(rank, axis) + c * stride(axis));
    return out;
  }
};

} // namespace loom::comm

#endif // LOOM_RUNTIME_COMM_MESH_H
