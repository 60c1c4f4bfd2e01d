//===- Init.h - Parameter initialization ------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). Draws a parameter's
// initial values from its init spec (the `loom.init` attribute the compiler
// records: zeros, ones, constant, normal, uniform, xavier_uniform,
// xavier_normal, he_uniform, he_normal) with Philox-4x32-10 keyed by (seed,
// parameter name) and counted by element index. Any slice of a tensor can be
// drawn on its own and equals the same slice of the whole: a model initializes
// identically on 1 or N ranks, however it is sharded.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_INIT_H
#define LOOM_RUNTIME_INIT_H

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// An initializer, as recorded by the compiler.
struct InitSpec {
  std::string kind; ///< zeros, ones, constant, normal, uniform, xavier_*, he_*
  double mean = 0, std = 1; ///< normal
  double low = 0, high = 1; ///< uniform
  double gain = 1;          ///< xavier_* (default 1), he_* (default sqrt 2)
  double value = 0;         ///< constant
  /// The fans xavier_* and he_* scale by; 0 means fans(shape). The compiler
  /// records them where the parameter's layout is not PyTorch's.
  double fanIn = 0, fanOut = 0;
};

inline bool operator==(const InitSpec &a, const InitSpec &b) {
  return a.kind == b.kind && a.mean == b.mean && a.std == b.std &&
         a.low == b.low && a.high == b.high && a.gain == b.gain &&
         a.value == b.value && a.fanIn == b.fanIn && a.fanOut == b.fanOut;
}
inline bool operator!=(const InitSpec &a, const InitSpec &b) {
  return !(a == b);
}

/// (fan_in, fan_out) of a parameter of `shape`, with PyTorch's rules: a
/// linear weight [out, in] has fan_in = in and fan_out = out; a convolution
/// weight [O, C, k...] has fan_in = C * prod(k) and fan_out = O * prod(k); a
/// rank-0 or rank-1 parameter has both equal to its size.
std::pair<double, double> fans(const std::vector<int64_t> &shape);

/// 64-bit FNV-1a of a parameter name: its part of the Philox counter.
uint64_t nameHash(const std::string &name);

/// Writes elements [begin, end) of parameter `name`'s initial value into
/// out[0 .. end-begin). The whole tensor is [0, numel). Returns false (with
/// `error`) for an unknown kind or invalid arguments.
bool initialize(const InitSpec &spec, const std::string &name,
                const std::vector<int64_t> &shape, uint64_t seed, int64_t begin,
                int64_t end, float *out, std::string &error);

} // namespace loom

#endif // LOOM_RUNTIME_INIT_H
