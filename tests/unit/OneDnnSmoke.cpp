//===- OneDnnSmoke.cpp - The CPU runtime alone, and its matmul timings ----===//
//
// Part of Loom. Links only the CPU runtime (no MLIR, no LLVM, no test
// framework: its ldd test checks that), runs one small kernel of each
// family through the public API against hand-computed results, and with
// `--bench [M N K]` times a matmul (M, K) x (K, N) with the weight stored
// [K, N], stored [N, K] (transpose_rhs), and pre-packed by oneDNN
// (format_tag::any plus a reorder), for runtime/cpu/README.md.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnKernels.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <thread>

using namespace loom;
using namespace loom::cpu;

namespace {

KernelRecord record(const std::string &kind,
                    const std::vector<std::vector<int64_t>> &shapes,
                    std::vector<KernelAttr> attrs) {
  KernelRecord r;
  r.kind = kind;
  for (size_t i = 0; i < shapes.size(); ++i) {
    r.operands.push_back(static_cast<uint32_t>(i));
    r.attrs.push_back(KernelAttr::ofInts("s" + std::to_string(i), shapes[i]));
    r.attrs.push_back(KernelAttr::ofInt("t" + std::to_string(i), 1));
  }
  r.attrs.insert(r.attrs.end(), attrs.begin(), attrs.end());
  return r;
}

/// Makes and runs `kind` over `buffers` (inputs then the result); false
/// with a message on any error.
bool run(CpuContext &ctx, const std::string &kind,
         const std::vector<std::vector<int64_t>> &shapes,
         std::vector<KernelAttr> attrs,
         std::vector<std::vector<float>> &buffers) {
  std::vector<OperandBuffer> ops;
  for (std::vector<float> &b : buffers)
    ops.push_back({b.data(), b.size() * sizeof(float)});
  auto kernel = createOneDnnKernel(ctx, record(kind, shapes, attrs), ops);
  if (!kernel.ok()) {
    std::fprintf(stderr, "%s\n", kernel.status().message().c_str());
    return false;
  }
  if (Status s = (*kernel)->run(); !s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return false;
  }
  return true;
}

bool expect(const char *what, const std::vector<float> &got,
            const std::vector<float> &want) {
  for (size_t i = 0; i < want.size(); ++i)
    if (std::fabs(got[i] - want[i]) > 1e-5f * (1 + std::fabs(want[i]))) {
      std::fprintf(stderr, "%s: element %zu is %g, not %g\n", what, i, got[i],
                   want[i]);
      return false;
    }
  return true;
}

int smoke(CpuContext &ctx) {
  bool ok = true;
  // [[1, 2, 3], [4, 5, 6]] @ [[1, 0], [0, 1], [1, 1]] + [10, 20], relu.
  std::vector<std::vector<float>> mm = {
      {1, 2, 3, 4, 5, 6}, {1, 0, 0, 1, 1, 1}, {10, -30}, std::vector<float>(4)};
  ok &= run(ctx, "onednn.matmul", {{2, 3}, {3, 2}, {2}, {2, 2}},
            {KernelAttr::ofInt("has_bias", 1),
             KernelAttr::ofString("post_op", "relu")},
            mm) &&
        expect("matmul", mm[3], {14, 0, 20, 0});
  // A 3x3 box filter over a 3x3 ramp, padded by 1: corner and centre sums.
  std::vector<std::vector<float>> conv = {{1, 2, 3, 4, 5, 6, 7, 8, 9},
                                          std::vector<float>(9, 1.0f),
                                          std::vector<float>(9)};
  ok &= run(ctx, "onednn.conv2d", {{1, 1, 3, 3}, {1, 1, 3, 3}, {1, 1, 3, 3}},
            {KernelAttr::ofInts("padding", {1, 1, 1, 1})}, conv) &&
        expect("conv2d", conv[2], {12, 21, 16, 27, 45, 33, 24, 39, 28});
  std::vector<std::vector<float>> pool = {{1, 2, 3, 4, 5, 6, 7, 8, 9},
                                          std::vector<float>(4)};
  ok &= run(ctx, "onednn.pool2d", {{1, 1, 3, 3}, {1, 1, 2, 2}},
            {KernelAttr::ofString("kind", "max"),
             KernelAttr::ofInts("window", {2, 2}),
             KernelAttr::ofInts("strides", {1, 1})},
            pool) &&
        expect("pool2d", pool[1], {5, 6, 8, 9});
  std::vector<std::vector<float>> sm = {{0, std::log(3.0f)},
                                        std::vector<float>(2)};
  ok &= run(ctx, "onednn.softmax", {{1, 2}, {1, 2}},
            {KernelAttr::ofInt("dim", 1)}, sm) &&
        expect("softmax", sm[1], {0.25f, 0.75f});
  std::vector<std::vector<float>> add = {
      {1, 2, 3, 4}, {10, 20}, std::vector<float>(4)};
  ok &= run(ctx, "onednn.binary", {{2, 2}, {2}, {2, 2}},
            {KernelAttr::ofString("op", "sub")}, add) &&
        expect("binary", add[2], {-9, -18, -7, -16});
  std::vector<std::vector<float>> red = {{1, 2, 3, 4, 5, 6},
                                         std::vector<float>(2)};
  ok &= run(ctx, "onednn.reduce", {{2, 3}, {2}},
            {KernelAttr::ofString("kind", "mean"),
             KernelAttr::ofInts("dims", {1})},
            red) &&
        expect("reduce", red[1], {2, 5});
  std::printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

/// The median of `reps` timed calls of `f` after 2 untimed ones, in ms.
double medianMs(const std::function<void()> &f, int reps) {
  for (int i = 0; i < 2; ++i)
    f();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

/// Page-aligned bytes, as the runtime's arena gives them.
struct PageBuffer {
  explicit PageBuffer(size_t floats)
      : data(static_cast<float *>(
            std::aligned_alloc(4096, (floats * 4 + 4095) / 4096 * 4096))) {}
  ~PageBuffer() { std::free(data); }
  float *data;
};

int bench(CpuContext &ctx, int64_t m, int64_t n, int64_t k) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  // Every operand starts a page, except the weights placed at an offset.
  const int64_t slack = 1024; // floats: room for the offsets below
  PageBuffer x(m * k), y(m * n), w(k * n + slack), wt(n * k);
  for (int64_t i = 0; i < m * k; ++i)
    x.data[i] = dist(rng);
  for (int64_t i = 0; i < k * n + slack; ++i)
    w.data[i] = dist(rng);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      wt.data[j * k + i] = w.data[i * n + j];
  std::printf("matmul (%lld, %lld) x (%lld, %lld) f32, %u hardware threads\n",
              (long long)m, (long long)k, (long long)k, (long long)n,
              std::thread::hardware_concurrency());

  struct Variant {
    std::string name, impl;
    std::function<void()> run;
    double best = 1e30;
  };
  std::vector<Variant> variants;
  std::vector<std::unique_ptr<Kernel>> kernels;
  // (transposed, weight offset in bytes from a page).
  const std::pair<bool, int64_t> layouts[] = {
      {false, 0}, {true, 0}, {false, 64}, {false, 2048}};
  for (auto [transposed, offset] : layouts) {
    std::vector<int64_t> wShape =
        transposed ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n};
    float *weights = transposed ? wt.data : w.data + offset / 4;
    auto kernel = createOneDnnKernel(
        ctx,
        record("onednn.matmul", {{m, k}, wShape, {m, n}},
               {KernelAttr::ofInt("transpose_rhs", transposed)}),
        {{x.data, uint64_t(m * k * 4)},
         {weights, uint64_t(n * k * 4)},
         {y.data, uint64_t(m * n * 4)}});
    if (!kernel.ok()) {
      std::fprintf(stderr, "%s\n", kernel.status().message().c_str());
      return 1;
    }
    Kernel *kp = kernel->get();
    std::string name =
        transposed ? "weight [N, K] (transpose_rhs)" : "weight [K, N]";
    if (offset)
      name += ", page + " + std::to_string(offset) + " B";
    variants.push_back({name, kp->implementation(), [kp] { (void)kp->run(); }});
    kernels.push_back(std::move(*kernel));
  }

  // Pre-packed: oneDNN picks the weight layout; a reorder packs it. Run as
  // the runtime's kernels are, with a user scratchpad; and once more with
  // oneDNN's default (library-managed) scratchpad, for comparison.
  using dnnl::memory;
  const dnnl::engine &eng = ctx.engine();
  dnnl::stream strm(eng);
  memory::desc src({m, k}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc dst({m, n}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc plainW({k, n}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc anyW({k, n}, memory::data_type::f32, memory::format_tag::any);
  dnnl::primitive_attr user;
  user.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, anyW, dst), user,
                                  eng);
  dnnl::matmul::primitive_desc libraryPd(dnnl::matmul::desc(src, plainW, dst),
                                         eng);
  memory xm(src, eng, x.data), ym(dst, eng, y.data);
  memory wm(plainW, eng, w.data);
  memory packed(pd.weights_desc(), eng);
  memory scratch(pd.scratchpad_desc(), eng);
  dnnl::reorder pack(wm, packed);
  dnnl::matmul mm(pd), libraryMm(libraryPd);
  memory::desc nk({k, n}, memory::data_type::f32, memory::format_tag::ba);
  std::string layout = pd.weights_desc() == plainW ? "[K, N]"
                       : pd.weights_desc() == nk   ? "[N, K]"
                                                   : "blocked";
  variants.push_back(
      {"weight pre-packed (" + layout + ")", pd.impl_info_str(), [&] {
         mm.execute(strm, {{DNNL_ARG_SRC, xm},
                           {DNNL_ARG_WEIGHTS, packed},
                           {DNNL_ARG_DST, ym},
                           {DNNL_ARG_SCRATCHPAD, scratch}});
         strm.wait();
       }});
  variants.push_back({"packing reorder alone", "reorder", [&] {
                        pack.execute(strm, wm, packed);
                        strm.wait();
                      }});
  variants.push_back(
      {"weight [K, N], library scratchpad", libraryPd.impl_info_str(), [&] {
         libraryMm.execute(
             strm,
             {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
         strm.wait();
       }});

  // Rounds interleave the variants, so that load from elsewhere on the
  // machine hits them alike; each keeps its best round.
  for (int round = 0; round < 5; ++round)
    for (Variant &v : variants)
      v.best = std::min(v.best, medianMs(v.run, 7));
  double gflop = 2.0 * m * n * k * 1e-9;
  for (const Variant &v : variants)
    std::printf("  %-36s %-10s %8.2f ms  %7.1f GFLOP/s\n", v.name.c_str(),
                v.impl.c_str(), v.best, gflop / (v.best * 1e-3));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  auto ctx = CpuContext::create();
  if (!ctx.ok()) {
    std::fprintf(stderr, "%s\n", ctx.status().message().c_str());
    return 1;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--bench") == 0) {
    int64_t m = 256, n = 3072, k = 768;
    if (argc == 5) {
      m = std::atoll(argv[2]);
      n = std::atoll(argv[3]);
      k = std::atoll(argv[4]);
    }
    try {
      return bench(**ctx, m, n, k);
    } catch (const dnnl::error &e) {
      std::fprintf(stderr, "oneDNN: %s\n", e.what());
      return 1;
    }
  }
  return smoke(**ctx);
}
