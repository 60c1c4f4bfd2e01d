//===- OneDnnTestSupport.h - Helpers of the oneDNN kernel tests -*- C++ -*-===//
//
// Part of Loom. Builds `onednn.*` kernel records the way the CPU backend
// emits them (operands, then `s<i>` / `t<i>` for every operand, then the
// op's attributes), runs them on f32 buffers, and compares the results with
// the reference kernels within per-element tolerances.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TESTS_UNIT_ONEDNNTESTSUPPORT_H
#define LOOM_TESTS_UNIT_ONEDNNTESTSUPPORT_H

#include "backends/reference/Kernels.h"
#include "runtime/cpu/OneDnnKernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace loom::cpu::test {

namespace ref = mlir::loom::reference;
using Dims = std::vector<int64_t>;

/// The unit roundoff of f32: |fl(x) - x| <= u |x|.
constexpr double kU = 1.0 / (1 << 24);

/// The context every test shares (one engine and stream per process, as in
/// a run).
inline CpuContext &context() {
  static std::unique_ptr<CpuContext> ctx = [] {
    StatusOr<std::unique_ptr<CpuContext>> c = CpuContext::create();
    if (!c.ok()) {
      ADD_FAILURE() << c.status().message();
      std::abort();
    }
    return std::move(*c);
  }();
  return *ctx;
}

/// An f32 tensor of `shape` with elements uniform in [lo, hi), each exactly
/// an f32.
inline ref::Tensor randomTensor(const Dims &shape, std::mt19937 &rng,
                                double lo = -1.0, double hi = 1.0) {
  ref::Tensor t(ref::DType::F32, shape);
  std::uniform_real_distribution<double> dist(lo, hi);
  for (double &v : t.data)
    v = static_cast<double>(static_cast<float>(dist(rng)));
  return t;
}

/// Elements of magnitude in [lo, hi) with random sign (divisors).
inline ref::Tensor randomAwayFromZero(const Dims &shape, std::mt19937 &rng,
                                      double lo, double hi) {
  ref::Tensor t = randomTensor(shape, rng, lo, hi);
  std::bernoulli_distribution sign(0.5);
  for (double &v : t.data)
    v = sign(rng) ? v : -v;
  return t;
}

/// |t| elementwise.
inline ref::Tensor absOf(const ref::Tensor &t) {
  return ref::unary(ref::UnaryKind::Abs, t);
}

/// A record of `kind` over operands of `shapes` (inputs then the result),
/// all of type `type`, with `attrs` after the operand types.
inline KernelRecord makeRecord(const std::string &kind,
                               const std::vector<Dims> &shapes,
                               const std::vector<KernelAttr> &attrs,
                               DType type = DType::F32) {
  KernelRecord r;
  r.kind = kind;
  for (size_t i = 0; i < shapes.size(); ++i) {
    r.operands.push_back(static_cast<uint32_t>(i));
    r.attrs.push_back(KernelAttr::ofInts("s" + std::to_string(i), shapes[i]));
    r.attrs.push_back(
        KernelAttr::ofInt("t" + std::to_string(i), static_cast<int64_t>(type)));
  }
  r.attrs.insert(r.attrs.end(), attrs.begin(), attrs.end());
  return r;
}

/// Runs `kind` on `inputs` into a result of `outShape` and returns the
/// result; nullopt (with a test failure) if the kernel cannot be made or
/// run. The result buffer starts as NaN, so that an element the kernel
/// does not write fails every comparison. The kernel runs twice, the second
/// time after the result is poisoned again, to check that a run depends on
/// nothing but the operands. `impl` receives the oneDNN implementation.
inline std::optional<ref::Tensor>
runKernel(const std::string &kind, const std::vector<ref::Tensor> &inputs,
          const Dims &outShape, const std::vector<KernelAttr> &attrs,
          std::string *impl = nullptr) {
  std::vector<Dims> shapes;
  for (const ref::Tensor &t : inputs)
    shapes.push_back(t.shape);
  shapes.push_back(outShape);
  KernelRecord record = makeRecord(kind, shapes, attrs);
  // One element more than needed, so that no buffer is empty (a null
  // pointer) and a kernel writing past its end shows in the sentinel.
  std::vector<std::vector<float>> buffers;
  for (const ref::Tensor &t : inputs) {
    std::vector<float> b(t.data.begin(), t.data.end());
    b.push_back(-7.0f);
    buffers.push_back(std::move(b));
  }
  ref::Tensor out(ref::DType::F32, outShape);
  buffers.emplace_back(out.data.size() + 1, std::nanf(""));
  buffers.back().back() = -7.0f;
  std::vector<OperandBuffer> operands;
  for (std::vector<float> &b : buffers)
    operands.push_back({b.data(), b.size() * sizeof(float)});

  StatusOr<std::unique_ptr<Kernel>> kernel =
      createOneDnnKernel(context(), record, operands);
  if (!kernel.ok()) {
    ADD_FAILURE() << kernel.status().message();
    return std::nullopt;
  }
  if (impl)
    *impl = (*kernel)->implementation();
  std::vector<float> &result = buffers.back();
  for (int pass = 0; pass < 2; ++pass) {
    std::fill(result.begin(), result.end() - 1, std::nanf(""));
    if (Status s = (*kernel)->run(); !s) {
      ADD_FAILURE() << s.message();
      return std::nullopt;
    }
  }
  for (size_t i = 0; i < buffers.size(); ++i)
    if (buffers[i].back() != -7.0f) {
      ADD_FAILURE() << "operand " << i << " written past its end";
      return std::nullopt;
    }
  out.data.assign(result.begin(), result.end() - 1);
  return out;
}

/// Checks |got - want| <= tol(i) for every element (want is exact, in
/// double), reporting the worst elements.
template <typename Tol>
::testing::AssertionResult allClose(const ref::Tensor &got,
                                    const ref::Tensor &want, Tol tol) {
  if (got.shape != want.shape)
    return ::testing::AssertionFailure()
           << "shape " << got.typeString() << " vs " << want.typeString();
  int bad = 0;
  std::string report;
  for (size_t i = 0; i < want.data.size(); ++i) {
    double g = got.data[i], w = want.data[i];
    bool same = g == w || (std::isnan(g) && std::isnan(w));
    if (same || std::fabs(g - w) <= tol(i))
      continue;
    if (++bad <= 5)
      report += "\n  element " + std::to_string(i) + ": got " +
                std::to_string(g) + ", want " + std::to_string(w) +
                ", |diff| " + std::to_string(std::fabs(g - w)) + " > tol " +
                std::to_string(tol(i));
  }
  if (bad == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << want.data.size() << " elements differ" << report;
}

/// Elementwise: |got - want| <= atol + rtol |want|.
inline ::testing::AssertionResult allClose(const ref::Tensor &got,
                                           const ref::Tensor &want, double rtol,
                                           double atol) {
  return allClose(got, want, [&](size_t i) {
    return atol + rtol * std::fabs(want.data[i]);
  });
}

/// Exactly the reference rounded to f32.
inline ::testing::AssertionResult equalRounded(const ref::Tensor &got,
                                               ref::Tensor want) {
  ref::roundToType(want);
  return allClose(got, want, [](size_t) { return 0.0; });
}

} // namespace loom::cpu::test

#endif // LOOM_TESTS_UNIT_ONEDNNTESTSUPPORT_H
