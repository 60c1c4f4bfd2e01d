//===- Bench.cpp - loom bench ---------------------------------------------===//
//
// Part of Loom. `loom bench FILE.loom|FILE.loomx [--steps N] [--warmup W]
// [--batch B] [--json]` times the training step on the CPU backend: it
// compiles the program (timing the compile) or loads the artifact, fills the
// batch with synthetic but valid data (the step's time does not depend on
// the values), runs W warm-up steps and then N timed ones, and prints the
// minimum and median step time, the FLOPs of a step and the achieved
// GFLOP/s, also as a fraction of this machine's oneDNN GEMM peak, which it
// measures in the same run (`--peak-only` prints just that), and the
// process's max RSS. bench/run.py runs it next to the same workloads in
// PyTorch and JAX.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "backends/cpu/emit/EmitArtifact.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/cpu/OneDnnKernels.h"
#include "runtime/exec/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sys/resource.h>

using namespace llvm;

namespace {

cl::SubCommand benchCmd("bench", "Time the training step on the CPU\n\n"
                                 "EXAMPLES:\n"
                                 "  loom bench examples/mlp.loom\n"
                                 "  loom bench gpt2.loomx --steps 5 --json\n"
                                 "  loom bench --peak-only");
cl::opt<std::string> inputFile(cl::Positional,
                               cl::desc("<file.loom|file.loomx>"),
                               cl::sub(benchCmd));
cl::opt<int64_t> numSteps("steps", cl::desc("Timed steps"), cl::init(10),
                          cl::sub(benchCmd));
cl::opt<int64_t> warmup("warmup", cl::desc("Untimed steps first"), cl::init(2),
                        cl::sub(benchCmd));
cl::opt<int64_t> batchSize("batch",
                           cl::desc("Batch size (default: the recipe's)"),
                           cl::sub(benchCmd));
cl::opt<std::string> trainName("train", cl::desc("The train block"),
                               cl::value_desc("name"), cl::sub(benchCmd));
cl::opt<bool> json("json", cl::desc("One JSON object instead of text"),
                   cl::sub(benchCmd));
cl::opt<bool>
    peakOnly("peak-only",
             cl::desc("Only measure the oneDNN GEMM peak (f32 1024^3, "
                      "run until its times settle, then the "
                      "median of --peak-runs runs)"),
             cl::sub(benchCmd));
cl::opt<int64_t> peakRuns("peak-runs",
                          cl::desc("Timed runs of the GEMM peak, after its "
                                   "warm-up; their median is the peak"),
                          cl::init(15), cl::sub(benchCmd));

int fail(const Twine &message) {
  return loom::tool::flagError("loom bench", message);
}

using Clock = std::chrono::steady_clock;

/// The oneDNN f32 GEMM rate of this machine, in GFLOP/s.
struct GemmPeak {
  double median = 0, min = 0, max = 0;
  double warmupSeconds = 0;
  /// Whether the warm-up ended with runs that agree (else its time ran out).
  bool stable = false;
};

// The peak's GEMM: 1024^3 (2.1 GFLOP a run) is the size of gpt.loom's larger
// GEMMs ([2048, 384] x [384, 1536] is 2.4 GFLOP, the attention's
// projections 0.6-1.8) with square shapes, at which oneDNN runs its best.
constexpr int64_t kPeakSize = 1024;
// Warm-up until the last kStableRuns runs agree within kStableSpread (the
// clock has ramped up, the pages are touched, oneDNN's kernel is generated
// and its threads are up), for at most kMaxWarmupSeconds.
constexpr int kStableRuns = 5;
constexpr double kStableSpread = 0.05;
constexpr double kMaxWarmupSeconds = 2.0;

/// Runs the 1024^3 GEMM with the weight stored [N, K] (the layout the
/// backend uses) until it is warm, then `runs` times: the median rate is the
/// peak, with the fastest and slowest run as its spread.
loom::StatusOr<GemmPeak> gemmPeak(int64_t runs) {
  const int64_t n = kPeakSize;
  loom::StatusOr<std::unique_ptr<loom::cpu::CpuContext>> ctx =
      loom::cpu::CpuContext::create();
  if (!ctx)
    return ctx.status();
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  loom::KernelRecord r;
  r.kind = "onednn.matmul";
  r.operands = {0, 1, 2};
  for (int i = 0; i < 3; ++i) {
    r.attrs.push_back(
        loom::KernelAttr::ofInts("s" + std::to_string(i), {n, n}));
    r.attrs.push_back(loom::KernelAttr::ofInt(
        "t" + std::to_string(i), static_cast<int64_t>(loom::DType::F32)));
  }
  r.attrs.push_back(loom::KernelAttr::ofInt("transpose_rhs", 1));
  uint64_t bytes = n * n * sizeof(float);
  loom::StatusOr<std::unique_ptr<loom::cpu::Kernel>> k =
      loom::cpu::createOneDnnKernel(
          **ctx, r, {{a.data(), bytes}, {b.data(), bytes}, {c.data(), bytes}});
  if (!k)
    return k.status();
  auto timeOne = [&]() -> loom::StatusOr<double> {
    auto t0 = Clock::now();
    if (loom::Status s = (*k)->run(); !s)
      return s;
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };

  GemmPeak peak;
  std::vector<double> recent;
  auto warmStart = Clock::now();
  for (;;) {
    loom::StatusOr<double> t = timeOne();
    if (!t)
      return t.status();
    recent.push_back(*t);
    if (recent.size() > static_cast<size_t>(kStableRuns))
      recent.erase(recent.begin());
    peak.warmupSeconds =
        std::chrono::duration<double>(Clock::now() - warmStart).count();
    auto [lo, hi] = std::minmax_element(recent.begin(), recent.end());
    peak.stable = recent.size() == static_cast<size_t>(kStableRuns) &&
                  *hi <= *lo * (1 + kStableSpread);
    if (peak.stable || peak.warmupSeconds >= kMaxWarmupSeconds)
      break;
  }

  std::vector<double> rates;
  for (int64_t i = 0; i < runs; ++i) {
    loom::StatusOr<double> t = timeOne();
    if (!t)
      return t.status();
    rates.push_back(2.0 * n * n * n / *t / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  size_t m = rates.size();
  peak.median = m % 2 ? rates[m / 2] : (rates[m / 2 - 1] + rates[m / 2]) / 2;
  peak.min = rates.front();
  peak.max = rates.back();
  return peak;
}

/// The peak as `loom bench` prints it, on one line.
std::string peakText(const GemmPeak &p) {
  std::string text = formatv("oneDNN f32 GEMM peak: {0:f1} GFLOP/s, the median "
                             "of {1} run{5} of {2}^3 (min {3:f1}, max {4:f1})",
                             p.median, peakRuns.getValue(), kPeakSize, p.min,
                             p.max, peakRuns == 1 ? "" : "s")
                         .str();
  if (!p.stable)
    text += formatv("; not stable after {0:f1} s of warm-up (the last {1} runs "
                    "differed by more than {2:f0}%): is the machine busy?",
                    p.warmupSeconds, kStableRuns, kStableSpread * 100)
                .str();
  return text;
}

/// The peak's fields of the --json object (no braces).
std::string peakJson(const GemmPeak &p) {
  return formatv("\"gemm_peak_gflops\": {0:f2}, \"gemm_peak_min_gflops\": "
                 "{1:f2}, \"gemm_peak_max_gflops\": {2:f2}, "
                 "\"gemm_peak_runs\": {3}, \"gemm_peak_warmup_s\": {4:f3}, "
                 "\"gemm_peak_stable\": {5}",
                 p.median, p.min, p.max, peakRuns.getValue(), p.warmupSeconds,
                 p.stable ? "true" : "false")
      .str();
}

/// This process's max RSS in bytes (Linux's ru_maxrss is in KiB).
uint64_t maxRssBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

/// A compiled artifact for the bench: read from a .loomx, or compiled.
loom::StatusOr<loom::Artifact> loadOrCompile() {
  if (StringRef(inputFile).ends_with(".loomx")) {
    if (batchSize.getNumOccurrences())
      return loom::Status::error("--batch needs a .loom file; an artifact is "
                                 "compiled for one batch size");
    return loom::readArtifact(inputFile);
  }
  SourceMgr sourceMgr;
  mlir::loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::tool::InternalErrorWatch watch(diags);
  mlir::loom::Program program;
  if (!mlir::loom::loadProgram(inputFile, mlir::loom::defaultStdDir(), diags,
                               program))
    return loom::Status::error("cannot compile " + inputFile);
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  std::optional<int64_t> batch;
  if (batchSize.getNumOccurrences())
    batch = batchSize;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loom::tool::buildModule(ctx, program, diags, trainName, true, batch);
  if (!module)
    return loom::Status::error("cannot compile " + inputFile);
  mlir::loom::cpu::EmitOptions options;
  options.sourceName = inputFile;
  options.target = mlir::loom::cpu::hostTarget();
  loom::Artifact artifact;
  if (mlir::failed(
          mlir::loom::cpu::emitCpuArtifact(*module, options, artifact)))
    return loom::Status::error("cannot compile " + inputFile);
  return artifact;
}

} // namespace

cl::SubCommand &loom::tool::benchCommand() { return benchCmd; }

int loom::tool::runBench() {
  if (!checkIntFlag("loom bench", numSteps, 1) ||
      !checkIntFlag("loom bench", warmup, 0) ||
      !checkIntFlag("loom bench", batchSize, 1) ||
      !checkIntFlag("loom bench", peakRuns, 1))
    return ExitUsage;
  loom::StatusOr<GemmPeak> peak = gemmPeak(peakRuns);
  if (!peak)
    return fail(peak.status().message());
  if (peakOnly) {
    outs() << (json ? "{" + peakJson(*peak) + "}\n" : peakText(*peak) + "\n");
    return 0;
  }
  if (inputFile.empty())
    return usageError(
        "loom bench",
        "loom bench needs a .loom or .loomx file (or --peak-only)");
  bool compiles = !StringRef(inputFile).ends_with(".loomx");
  auto compileStart = Clock::now();
  loom::StatusOr<loom::Artifact> artifact = loadOrCompile();
  if (!artifact)
    return fail(artifact.status().message());
  double compileSeconds =
      std::chrono::duration<double>(Clock::now() - compileStart).count();
  uint64_t flops = 0;
  for (const loom::KernelRecord &k : artifact->kernels)
    flops += k.flops;
  std::string source = artifact->meta.source;
  loom::StatusOr<std::unique_ptr<loom::StepExecutor>> ex =
      loom::StepExecutor::create(std::move(*artifact), inputFile);
  if (!ex)
    return fail(ex.status().message());
  if (loom::Status s = (*ex)->initialize(1234); !s)
    return fail(s.message());

  // Synthetic inputs: features in [0, 1), labels and tokens 0 or 1 (valid
  // for any class count or vocabulary of at least 2). The runtime reuses an
  // input's bytes once the step has read it, so they are written before
  // every step, as a data loader would.
  std::mt19937 gen(7);
  struct Input {
    void *at;
    std::vector<uint8_t> bytes;
  };
  std::vector<Input> inputs;
  const loom::IoRecord *io = nullptr;
  for (const char *role : {"x", "y"}) {
    void *p = (*ex)->input(role, &io);
    if (!p)
      continue;
    int64_t n = 1;
    for (int64_t d : io->shape)
      n *= d;
    Input in{p, std::vector<uint8_t>(n * loom::dtypeSize(io->dtype))};
    if (io->dtype == loom::DType::F32) {
      std::uniform_real_distribution<float> u(0.0f, 1.0f);
      for (int64_t i = 0; i < n; ++i) {
        float v = u(gen);
        std::memcpy(in.bytes.data() + 4 * i, &v, 4);
      }
    } else if (io->dtype == loom::DType::I32) {
      for (int64_t i = 0; i < n; ++i) {
        int32_t v = static_cast<int32_t>(gen() % 2);
        std::memcpy(in.bytes.data() + 4 * i, &v, 4);
      }
    }
    inputs.push_back(std::move(in));
  }
  int64_t batch = 0;
  if ((*ex)->input("x", &io) && !io->shape.empty())
    batch = io->shape[0];

  std::vector<double> times;
  // Written so that no sum of the two flags can overflow.
  for (int64_t s = 0; s < warmup || s - warmup < numSteps; ++s) {
    for (const Input &in : inputs)
      std::memcpy(in.at, in.bytes.data(), in.bytes.size());
    if (auto *st = static_cast<int64_t *>((*ex)->input("step")))
      *st = s;
    if (auto *scale = static_cast<float *>((*ex)->input("lr_scale")))
      *scale = 1.0f;
    if (auto *rng = static_cast<int64_t *>((*ex)->input("rng"))) {
      rng[0] = 1234;
      rng[1] = s;
    }
    auto t0 = Clock::now();
    if (loom::Status st = (*ex)->step(); !st)
      return fail(st.message());
    if (s >= warmup)
      times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  double best = times.front(), median = times[times.size() / 2];
  double gflops = flops / best / 1e9;
  uint64_t rss = maxRssBytes();
  if (json) {
    std::string compileField =
        compiles ? formatv("{0:f3}", compileSeconds).str() : "null";
    outs() << formatv(
        "{{\"source\": \"{0}\", \"batch\": {1}, \"steps\": {2}, "
        "\"min_s\": {3:f6}, \"median_s\": {4:f6}, \"flops\": "
        "{5}, \"gflops\": {6:f2}, {7}, \"peak_fraction\": "
        "{8:f4}, \"arena_bytes\": {9}, \"compile_s\": {10}, "
        "\"load_s\": {11}, \"max_rss_bytes\": {12}}\n",
        source, batch, numSteps.getValue(), best, median, flops, gflops,
        peakJson(*peak), gflops / peak->median, (*ex)->arenaBytes(),
        compileField,
        compiles ? "null" : formatv("{0:f3}", compileSeconds).str(), rss);
  } else {
    outs() << formatv("{0}: batch {1}, {2} steps after {3} warm-up\n", source,
                      batch, numSteps.getValue(), warmup.getValue())
           << formatv("  {0} in {1:f2} s\n",
                      compiles ? "compiled" : "artifact loaded", compileSeconds)
           << formatv("  step time: min {0:f2} ms, median {1:f2} ms\n",
                      best * 1e3, median * 1e3)
           << formatv("  {0:f3} GFLOP per step, {1:f1} GFLOP/s = {2:f1}% of "
                      "the median GEMM peak\n",
                      flops / 1e9, gflops, 100 * gflops / peak->median)
           << "  " << peakText(*peak) << "\n"
           << formatv("  max RSS {0:f2} GB{1}\n", rss / 1e9,
                      compiles ? " (the compiler's included: bench a .loomx "
                                 "for the runtime's alone)"
                               : "");
  }
  return 0;
}
