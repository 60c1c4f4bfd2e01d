//===- Run.cpp - loom run -------------------------------------------------===//
//
// Part of Loom. `loom run FILE.loom --backend=reference --steps N` compiles
// the training step and runs it N times with the reference interpreter on
// batches of the recipe's real data, printing the loss and learning rate of
// every step: slow and exact, the curve every faster backend is checked
// against. Parameters are initialized from their specs with the
// counter-based generator, exactly as the runtime does.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "backends/cpu/emit/EmitArtifact.h"
#include "backends/cpu/emit/Recipe.h"
#include "backends/reference/Interpreter.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"
#include "runtime/Init.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/data/Batches.h"
#include "runtime/exec/Executor.h"
#include "runtime/train/Profile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <cmath>
#include <map>
#include <memory>

using namespace llvm;
namespace ref = mlir::loom::reference;

namespace {

cl::SubCommand runCmd("run",
                      "Train a few steps with an exact backend and print the "
                      "losses\n\n"
                      "EXAMPLES:\n"
                      "  loom run examples/mlp.loom --backend=reference "
                      "--steps 20 --batch 32\n"
                      "  loom run examples/mlp.loom --backend=cpu --steps 20 "
                      "--profile");

enum class Backend { Reference, Cpu };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loom>"),
                               cl::Required, cl::sub(runCmd));
cl::opt<Backend> backend(
    "backend", cl::desc("Where the step runs"), cl::init(Backend::Reference),
    cl::values(clEnumValN(Backend::Reference, "reference",
                          "the reference interpreter (f64 arithmetic rounded "
                          "to each op's type; slow, the numerical oracle)"),
               clEnumValN(Backend::Cpu, "cpu",
                          "the CPU backend: the artifact `loom compile` "
                          "writes, built in memory and run by the runtime")),
    cl::sub(runCmd));
cl::opt<int64_t> numSteps("steps", cl::desc("How many steps to train"),
                          cl::init(10), cl::value_desc("N"), cl::sub(runCmd));
cl::opt<int64_t> batchSize("batch",
                           cl::desc("Batch size (default: the recipe's)"),
                           cl::value_desc("B"), cl::sub(runCmd));
cl::opt<int64_t> seedOpt("seed",
                         cl::desc("Seed for initialization, shuffling and "
                                  "dropout (default: the recipe's)"),
                         cl::value_desc("S"), cl::sub(runCmd));
cl::opt<bool> profile("profile",
                      cl::desc("With --backend=cpu, time every kernel and "
                               "print where the step's time goes"),
                      cl::sub(runCmd));
cl::opt<std::string> trainName("train",
                               cl::desc("The train block to run (needed "
                                        "when the file has several)"),
                               cl::value_desc("name"), cl::sub(runCmd));

int fail(const Twine &message) {
  return loom::tool::flagError("loom run", message);
}

std::vector<int64_t> shapeOf(mlir::Type t) {
  auto rt = cast<mlir::RankedTensorType>(t);
  return std::vector<int64_t>(rt.getShape().begin(), rt.getShape().end());
}

/// One way of running the step: fills its inputs, runs it, reads the loss
/// and the learning rate.
class StepRunner {
public:
  virtual ~StepRunner() = default;
  /// Runs step `s` (0-based) on batch `index` from `batches`.
  virtual bool run(int64_t s, loom::data::BatchSource &batches, double &loss,
                   double &lr) = 0;
};

/// The reference interpreter on @train_step.
class ReferenceRunner : public StepRunner {
public:
  static std::unique_ptr<ReferenceRunner> create(mlir::func::FuncOp step,
                                                 uint64_t seed) {
    std::unique_ptr<ReferenceRunner> r(new ReferenceRunner());
    r->fn = step;
    r->seed = seed;
    for (unsigned i = 0; i < step.getNumArguments(); ++i) {
      mlir::Type type = step.getArgument(i).getType();
      auto rt = cast<mlir::RankedTensorType>(type);
      std::optional<ref::DType> dt = ref::toDType(rt.getElementType());
      if (!dt) {
        fail("internal error: unsupported element type of argument " +
             Twine(i));
        return nullptr;
      }
      ref::Tensor t(*dt, shapeOf(type));
      if (auto name =
              step.getArgAttrOfType<mlir::StringAttr>(i, "loom.param")) {
        auto spec = step.getArgAttrOfType<mlir::DictionaryAttr>(i, "loom.init");
        std::vector<float> values(t.numElements());
        std::string error;
        if (!loom::initialize(mlir::loom::cpu::initSpecOf(spec), name.str(),
                              t.shape, seed, 0, t.numElements(), values.data(),
                              error)) {
          fail("cannot initialize parameter '" + name.str() + "': " + error);
          return nullptr;
        }
        t.data.assign(values.begin(), values.end());
        ref::roundToType(t);
        ++r->numCarried;
      } else if (step.getArgAttr(i, "loom.opt_state")) {
        ++r->numCarried; // zeros
      } else if (auto input =
                     step.getArgAttrOfType<mlir::StringAttr>(i, "loom.input")) {
        r->roles[input.str()] = i;
        if (input.getValue() == "lr_scale")
          t.data.assign(1, 1.0);
      }
      r->args.push_back(std::move(t));
    }
    return r;
  }

  bool run(int64_t s, loom::data::BatchSource &batches, double &loss,
           double &lr) override {
    ref::Tensor &x = args[roles["x"]], &y = args[roles["y"]];
    int64_t batch = x.shape[0];
    // y: i32 labels, or f32 regression targets.
    bool targets = y.dtype != ref::DType::I32;
    std::vector<int32_t> ys(targets ? 0 : y.numElements());
    std::vector<float> yf(targets ? y.numElements() : 0);
    void *yp = targets ? static_cast<void *>(yf.data()) : ys.data();
    if (batches.tokenInputs()) {
      std::vector<int32_t> xs(x.numElements());
      if (!check(batches.fill(s, batch, xs.data(), yp)))
        return false;
      x.data.assign(xs.begin(), xs.end());
    } else {
      std::vector<float> xs(x.numElements());
      if (!check(batches.fill(s, batch, xs.data(), yp)))
        return false;
      x.data.assign(xs.begin(), xs.end());
      ref::roundToType(x);
    }
    if (targets)
      y.data.assign(yf.begin(), yf.end());
    else
      y.data.assign(ys.begin(), ys.end());
    args[roles["step"]].data.assign(1, static_cast<double>(s));
    if (roles.count("rng"))
      args[roles["rng"]].data = {
          static_cast<double>(static_cast<int64_t>(seed)),
          static_cast<double>(s)};
    std::optional<std::vector<ref::Tensor>> results =
        ref::runFunction(fn, args);
    if (!results)
      return false;
    // Results: the new parameters and state (in argument order), the loss,
    // the learning rate, the gradient norm.
    for (unsigned i = 0; i < numCarried; ++i)
      args[i] = std::move((*results)[i]);
    loss = (*results)[results->size() - 3].data[0];
    lr = (*results)[results->size() - 2].data[0];
    return true;
  }

private:
  static bool check(const loom::Status &s) {
    if (!s)
      fail(s.message());
    return s.ok();
  }
  mlir::func::FuncOp fn;
  uint64_t seed = 0;
  unsigned numCarried = 0;
  std::vector<ref::Tensor> args;
  std::map<std::string, unsigned> roles;
};

/// The CPU backend: the artifact built in memory, written and read back
/// (so the loader sees what a file would give it), run by the executor.
class CpuRunner : public StepRunner {
public:
  static std::unique_ptr<CpuRunner> create(mlir::ModuleOp module,
                                           uint64_t seed) {
    mlir::loom::cpu::EmitOptions options;
    options.sourceName = inputFile;
    options.target = mlir::loom::cpu::hostTarget();
    loom::Artifact artifact;
    if (mlir::failed(
            mlir::loom::cpu::emitCpuArtifact(module, options, artifact)))
      return nullptr;
    std::string name = inputFile + " (cpu)";
    loom::StatusOr<std::vector<uint8_t>> bytes =
        loom::encodeArtifact(artifact, name);
    if (!bytes) {
      fail(bytes.status().message());
      return nullptr;
    }
    loom::StatusOr<loom::Artifact> read =
        loom::decodeArtifact(bytes->data(), bytes->size(), name);
    if (!read) {
      fail(read.status().message());
      return nullptr;
    }
    loom::StatusOr<std::unique_ptr<loom::StepExecutor>> ex =
        loom::StepExecutor::create(std::move(*read), name);
    if (!ex) {
      fail(ex.status().message());
      return nullptr;
    }
    if (loom::Status s = (*ex)->initialize(seed); !s) {
      fail(s.message());
      return nullptr;
    }
    std::unique_ptr<CpuRunner> r(new CpuRunner());
    r->ex = std::move(*ex);
    r->seed = seed;
    if (profile)
      r->ex->enableProfiling();
    return r;
  }

  ~CpuRunner() override {
    if (!profile)
      return;
    // The generated kernels' temporaries: the first step sizes the scratch
    // arena; later steps must not allocate.
    errs() << formatv("scratch for the generated kernels' temporaries: "
                      "{0:f1} KiB; allocations after the first step: {1}\n",
                      ex->scratchBytes() / 1024.0,
                      ex->scratchFallbacks() - fallbacksAfterFirst);
    for (const std::string &line : loom::train::profileLines(
             ex->artifact(), ex->kernelSeconds(), ex->kernelRuns(),
             ex->kernelThreadedRuns(), 20))
      errs() << line << "\n";
  }

  bool run(int64_t s, loom::data::BatchSource &batches, double &loss,
           double &lr) override {
    const loom::IoRecord *xr = nullptr;
    void *x = ex->input("x", &xr);
    void *y = ex->input("y");
    if (!x || !y || xr->shape.empty()) {
      fail("internal error: the artifact's step has no x or y");
      return false;
    }
    if (loom::Status st = batches.fill(s, xr->shape[0], x, y); !st) {
      fail(st.message());
      return false;
    }
    if (auto *stepIn = static_cast<int64_t *>(ex->input("step")))
      *stepIn = s;
    if (auto *scale = static_cast<float *>(ex->input("lr_scale")))
      *scale = 1.0f;
    if (auto *rng = static_cast<int64_t *>(ex->input("rng"))) {
      rng[0] = static_cast<int64_t>(seed);
      rng[1] = s;
    }
    if (loom::Status st = ex->step(); !st) {
      fail(st.message());
      return false;
    }
    loss = ex->scalarOutput("loss");
    lr = ex->scalarOutput("lr");
    if (s == 0)
      fallbacksAfterFirst = ex->scratchFallbacks();
    return true;
  }

private:
  std::unique_ptr<loom::StepExecutor> ex;
  uint64_t seed = 0;
  uint64_t fallbacksAfterFirst = 0;
};

} // namespace

cl::SubCommand &loom::tool::runCommand() { return runCmd; }

int loom::tool::runRun() {
  if (!checkIntFlag("loom run", numSteps, 1) ||
      !checkIntFlag("loom run", batchSize, 1))
    return ExitUsage;

  SourceMgr sourceMgr;
  mlir::loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::tool::InternalErrorWatch watch(diags);
  mlir::loom::Program program;
  if (!mlir::loom::loadProgram(inputFile, mlir::loom::defaultStdDir(), diags,
                               program))
    return 1;
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  std::optional<int64_t> batchOverride;
  if (batchSize.getNumOccurrences())
    batchOverride = batchSize;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildModule(ctx, program, diags, trainName, true, batchOverride);
  if (!module)
    return 1;
  auto recipe = (*module)->getAttrOfType<mlir::loom::RecipeAttr>("loom.train");
  auto step = module->lookupSymbol<mlir::func::FuncOp>("train_step");
  auto forward = module->lookupSymbol<mlir::func::FuncOp>("forward");
  if (!recipe || !step || !forward)
    return fail("internal error: the compiled module has no recipe, "
                "@train_step or @forward");
  uint64_t seed = seedOpt.getNumOccurrences()
                      ? static_cast<uint64_t>(seedOpt.getValue())
                      : static_cast<uint64_t>(recipe.getSeed());

  // The data, checked against the model's input and class count.
  std::vector<int64_t> xShape;
  int64_t numParams = 0, paramElements = 0;
  for (unsigned i = 0; i < step.getNumArguments(); ++i) {
    std::vector<int64_t> shape = shapeOf(step.getArgument(i).getType());
    if (step.getArgAttr(i, "loom.param")) {
      ++numParams;
      int64_t n = 1;
      for (int64_t d : shape)
        n *= d;
      paramElements += n;
    }
    if (auto input = step.getArgAttrOfType<mlir::StringAttr>(i, "loom.input");
        input && input.getValue() == "x")
      xShape = shape;
  }
  std::vector<int64_t> logits = shapeOf(forward.getFunctionType().getResult(0));
  loom::StatusOr<std::unique_ptr<loom::data::BatchSource>> batches =
      loom::data::openTrainingData(mlir::loom::cpu::recipeOf(recipe).data,
                                   xShape, logits.empty() ? 0 : logits.back(),
                                   seed);
  if (!batches)
    return fail(batches.status().message());

  std::unique_ptr<StepRunner> runner;
  if (backend == Backend::Reference)
    runner = ReferenceRunner::create(step, seed);
  else
    runner = CpuRunner::create(*module, seed);
  if (!runner)
    return 1;

  outs() << "loom run: " << recipe.getName() << ", "
         << formatv("{0:N}", paramElements) << " parameters in " << numParams
         << " tensors, batch " << xShape[0] << ", seed " << seed << ", on "
         << (backend == Backend::Reference ? "the reference interpreter"
                                           : "the CPU backend")
         << "\n"
         << "data: " << (*batches)->describe() << "\n";
  auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < numSteps; ++s) {
    double loss = 0, lr = 0;
    if (!runner->run(s, **batches, loss, lr))
      return 1;
    outs() << formatv("step {0,5}/{1}  loss {2:f6}  lr {3:e3}\n", s + 1,
                      numSteps.getValue(), loss, lr);
    outs().flush();
    if (!std::isfinite(loss))
      return fail("the loss is " +
                  Twine(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                  Twine(s + 1) + "; stopping");
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  // Timing goes to stderr so that the losses on stdout compare bit for bit
  // between runs.
  errs() << formatv("{0} steps in {1:f1} s ({2:f3} s/step)\n",
                    numSteps.getValue(), secs, secs / numSteps);
  return 0;
}
