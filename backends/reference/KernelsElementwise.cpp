//===- KernelsElementwise.cpp - Reference elementwise kernels -------------===//
//
// Part of Loom. This file implements the reference kernels of the elementwise
// ops: unary, binary (NumPy broadcasting), compare, select and cast, in
// LoomOps.td order. Every element is computed in double; the caller rounds the
// result to its element type, except for cast, whose whole point is that
// rounding and which therefore converts each element itself.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Kernels.h"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace mlir::loom::reference;

//===----------------------------------------------------------------------===//
// Broadcasting helpers
//===----------------------------------------------------------------------===//

std::vector<int64_t>
mlir::loom::reference::broadcastShape(const std::vector<int64_t> &a,
                                      const std::vector<int64_t> &b) {
  // Align at the trailing dim; a missing or size-1 dim takes the other's size.
  size_t rank = a.size() > b.size() ? a.size() : b.size();
  std::vector<int64_t> result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    result[i] = da == 1 ? db : da;
  }
  return result;
}

/// The element of `x` that broadcasts to position `index` of a result of rank
/// index.size() >= x.rank(): x's dims align with the trailing dims of the
/// result, and a size-1 dim of x is read at 0.
static double broadcastRead(const Tensor &x,
                            const std::vector<int64_t> &index) {
  int64_t lead = static_cast<int64_t>(index.size()) - x.rank();
  int64_t offset = 0;
  for (int64_t d = 0; d < x.rank(); ++d) {
    int64_t i = x.shape[d] == 1 ? 0 : index[lead + d];
    offset = offset * x.shape[d] + i;
  }
  return x.data[offset];
}

static bool isInteger(DType t) { return t == DType::I32 || t == DType::I64; }

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

static double applyUnary(UnaryKind kind, double x) {
  const double kPi = 3.14159265358979323846;
  switch (kind) {
  case UnaryKind::Neg:
    return -x;
  case UnaryKind::Abs:
    return std::fabs(x);
  case UnaryKind::Sign:
    // NaN stays NaN (every comparison below is false); both zeros give +0.
    if (std::isnan(x))
      return x;
    if (x > 0)
      return 1.0;
    if (x < 0)
      return -1.0;
    return 0.0;
  case UnaryKind::Exp:
    return std::exp(x);
  case UnaryKind::Log:
    return std::log(x);
  case UnaryKind::Sqrt:
    return std::sqrt(x);
  case UnaryKind::Rsqrt:
    return 1.0 / std::sqrt(x);
  case UnaryKind::Tanh:
    return std::tanh(x);
  case UnaryKind::Cos:
    return std::cos(x);
  case UnaryKind::Sin:
    return std::sin(x);
  case UnaryKind::Sigmoid:
    // exp(-x) overflows to inf for very negative x, giving 1/inf = 0.
    return 1.0 / (1.0 + std::exp(-x));
  case UnaryKind::Relu:
    // max(x, 0) with max's NaN propagation; -0 gives +0.
    if (std::isnan(x))
      return x;
    return x > 0 ? x : 0.0;
  case UnaryKind::Erf:
    return std::erf(x);
  case UnaryKind::Gelu:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case UnaryKind::GeluTanh:
    return 0.5 * x *
           (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
  }
  return x;
}

// (...) -> (...), same shape and type.
Tensor mlir::loom::reference::unary(UnaryKind kind, const Tensor &x) {
  Tensor y(x.dtype, x.shape);
  for (int64_t i = 0; i < x.numElements(); ++i)
    y.data[i] = applyUnary(kind, x.data[i]);
  return y;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

/// Integer division rounding toward zero; a zero divisor gives 0.
static double integerDiv(double a, double b) {
  int64_t ia = static_cast<int64_t>(a);
  int64_t ib = static_cast<int64_t>(b);
  if (ib == 0)
    return 0.0;
  // INT64_MIN / -1 overflows; two's complement wraps it to INT64_MIN.
  if (ib == -1 && ia == std::numeric_limits<int64_t>::min())
    return a;
  return static_cast<double>(ia / ib);
}

static double applyBinary(BinaryKind kind, DType dtype, double a, double b) {
  switch (kind) {
  case BinaryKind::Add:
    return a + b;
  case BinaryKind::Sub:
    return a - b;
  case BinaryKind::Mul:
    return a * b;
  case BinaryKind::Div:
    if (isInteger(dtype))
      return integerDiv(a, b);
    return a / b;
  case BinaryKind::Max:
    // NaN if either is NaN; -0 < +0 so the result does not depend on the
    // operand order (IEEE 754-2019 maximum).
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<double>::quiet_NaN();
    if (a == b)
      return std::signbit(a) ? b : a;
    return a > b ? a : b;
  case BinaryKind::Min:
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<double>::quiet_NaN();
    if (a == b)
      return std::signbit(a) ? a : b;
    return a < b ? a : b;
  case BinaryKind::Pow:
    return std::pow(a, b);
  }
  return a;
}

// (...A) op (...B) -> broadcast(A, B), lhs's element type.
Tensor mlir::loom::reference::binary(BinaryKind kind, const Tensor &lhs,
                                     const Tensor &rhs) {
  Tensor y(lhs.dtype, broadcastShape(lhs.shape, rhs.shape));
  std::vector<int64_t> index(y.rank(), 0);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    y.data[i] = applyBinary(kind, lhs.dtype, broadcastRead(lhs, index),
                            broadcastRead(rhs, index));
    nextIndex(index, y.shape);
  }
  return y;
}

//===----------------------------------------------------------------------===//
// Compare, select, cast
//===----------------------------------------------------------------------===//

static bool applyCompare(CompareKind kind, double a, double b) {
  // C++'s comparisons are IEEE's ordered ones: false with a NaN, except !=.
  switch (kind) {
  case CompareKind::Eq:
    return a == b;
  case CompareKind::Ne:
    return a != b;
  case CompareKind::Lt:
    return a < b;
  case CompareKind::Le:
    return a <= b;
  case CompareKind::Gt:
    return a > b;
  case CompareKind::Ge:
    return a >= b;
  }
  return false;
}

// (...A) cmp (...B) -> broadcast(A, B) of i1.
Tensor mlir::loom::reference::compare(CompareKind kind, const Tensor &lhs,
                                      const Tensor &rhs) {
  Tensor y(DType::I1, broadcastShape(lhs.shape, rhs.shape));
  std::vector<int64_t> index(y.rank(), 0);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    bool r = applyCompare(kind, broadcastRead(lhs, index),
                          broadcastRead(rhs, index));
    y.data[i] = r ? 1.0 : 0.0;
    nextIndex(index, y.shape);
  }
  return y;
}

// cond (...C) ? a (...A) : b (...B) -> broadcast(C, A, B), a's element type.
Tensor mlir::loom::reference::select(const Tensor &cond, const Tensor &a,
                                     const Tensor &b) {
  Tensor y(a.dtype,
           broadcastShape(cond.shape, broadcastShape(a.shape, b.shape)));
  std::vector<int64_t> index(y.rank(), 0);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    bool c = broadcastRead(cond, index) != 0;
    y.data[i] = c ? broadcastRead(a, index) : broadcastRead(b, index);
    nextIndex(index, y.shape);
  }
  return y;
}

/// Float to integer: truncate toward zero, saturate, NaN -> 0. The bounds are
/// doubles: INT64_MAX is not one, so i64 saturates at the largest double
/// below 2^63 (2^63 - 1024), which every later rounding keeps.
static double toInteger(double v, DType to) {
  if (std::isnan(v))
    return 0.0;
  double lo = -2147483648.0;
  double hi = 2147483647.0;
  if (to == DType::I64) {
    lo = -9223372036854775808.0;
    hi = std::nextafter(9223372036854775808.0, 0.0);
  }
  double t = std::trunc(v);
  if (t < lo)
    return lo;
  if (t > hi)
    return hi;
  return t;
}

// (...) -> (...) with element type `to`. Integer to integer keeps the low
// bits (two's complement), as LLVM's trunc/sext do; i1 gives 0 or 1.
Tensor mlir::loom::reference::cast(const Tensor &x, DType to) {
  Tensor y(to, x.shape);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    double v = x.data[i];
    if (to == DType::I1)
      y.data[i] = v != 0 ? 1.0 : 0.0;
    else if (isInteger(to) && !isFloat(x.dtype))
      y.data[i] = roundToType(v, to); // integers wrap, as arith.trunci
    else if (isInteger(to))
      y.data[i] = toInteger(v, to);
    else
      y.data[i] = roundToType(v, to); // to nearest even
  }
  return y;
}
