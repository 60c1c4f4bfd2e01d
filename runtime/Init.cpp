//===- Init.cpp - Parameter initialization --------------------------------===//
//
// Part of Loom. This file implements the initializers. Element i of
// parameter `name` under `seed` uses Philox-4x32-10 with key = seed and
// counter = (i lo, i hi, hash lo, hash hi), hash = FNV-1a(name): a uniform
// draw takes 24 bits of output word 0; a normal draw is Box-Muller on words
// 0 and 1 (32 bits each, the first kept away from 0).
//
//===----------------------------------------------------------------------===//

#include "runtime/Init.h"
#include "runtime/Philox.h"

#include <cmath>

using namespace loom;

std::pair<double, double> loom::fans(const std::vector<int64_t> &shape) {
  if (shape.size() < 2) {
    double n = 1;
    for (int64_t d : shape)
      n *= double(d);
    return {n, n};
  }
  double receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i)
    receptive *= double(shape[i]);
  return {double(shape[1]) * receptive, double(shape[0]) * receptive};
}

uint64_t loom::nameHash(const std::string &name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {
std::array<uint32_t, 4> draw(uint64_t seed, uint64_t hash, uint64_t index) {
  return philox4x32({uint32_t(index), uint32_t(index >> 32), uint32_t(hash),
                     uint32_t(hash >> 32)},
                    {uint32_t(seed), uint32_t(seed >> 32)});
}

double uniformAt(uint64_t seed, uint64_t hash, uint64_t index) {
  return uniform24(draw(seed, hash, index)[0]);
}

/// A standard normal draw (Box-Muller).
double normalAt(uint64_t seed, uint64_t hash, uint64_t index) {
  std::array<uint32_t, 4> w = draw(seed, hash, index);
  double u1 = (double(w[0]) + 1.0) * (1.0 / 4294967296.0); // (0, 1]
  double u2 = double(w[1]) * (1.0 / 4294967296.0);         // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}
} // namespace

bool loom::initialize(const InitSpec &spec, const std::string &name,
                      const std::vector<int64_t> &shape, uint64_t seed,
                      int64_t begin, int64_t end, float *out,
                      std::string &error) {
  int64_t numel = 1;
  for (int64_t d : shape)
    numel *= d;
  if (begin < 0 || end < begin || end > numel) {
    error = "element range [" + std::to_string(begin) + ", " +
            std::to_string(end) + ") is outside the " + std::to_string(numel) +
            " elements of parameter '" + name + "'";
    return false;
  }
  uint64_t hash = nameHash(name);
  auto [fanIn, fanOut] = fans(shape);
  if (spec.fanIn > 0)
    fanIn = spec.fanIn;
  if (spec.fanOut > 0)
    fanOut = spec.fanOut;
  enum { Const, Uniform, Normal } dist;
  double a = 0, b = 0; // const value | [low, high) | (mean, std)
  const std::string &k = spec.kind;
  if (k == "zeros" || k == "ones") {
    dist = Const;
    a = k == "ones";
  } else if (k == "constant") {
    dist = Const;
    a = spec.value;
  } else if (k == "normal") {
    dist = Normal;
    a = spec.mean;
    b = spec.std;
  } else if (k == "uniform") {
    dist = Uniform;
    a = spec.low;
    b = spec.high;
  } else if (k == "xavier_uniform") {
    dist = Uniform;
    b = spec.gain * std::sqrt(6.0 / (fanIn + fanOut));
    a = -b;
  } else if (k == "xavier_normal") {
    dist = Normal;
    b = spec.gain * std::sqrt(2.0 / (fanIn + fanOut));
  } else if (k == "he_uniform") {
    dist = Uniform;
    b = spec.gain * std::sqrt(3.0 / fanIn);
    a = -b;
  } else if (k == "he_normal") {
    dist = Normal;
    b = spec.gain / std::sqrt(fanIn);
  } else {
    error = "unknown initializer '" + k + "' for parameter '" + name + "'";
    return false;
  }
  if ((dist == Normal && !(b >= 0)) || (dist == Uniform && !(a <= b)) ||
      !std::isfinite(a) || !std::isfinite(b)) {
    error = "invalid arguments for initializer '" + k + "' of parameter '" +
            name + "'";
    return false;
  }
  for (int64_t i = begin; i < end; ++i) {
    double v = a;
    if (dist == Uniform)
      v = a + (b - a) * uniformAt(seed, hash, uint64_t(i));
    else if (dist == Normal)
      v = a + b * normalAt(seed, hash, uint64_t(i));
    out[i - begin] = float(v);
  }
  return true;
}
