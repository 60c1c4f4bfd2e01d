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

#include "backends/reference/Interpreter.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"
#include "runtime/Init.h"
#include "runtime/data/Dataset.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <cmath>
#include <memory>

using namespace llvm;
namespace ref = loom::reference;

namespace {

cl::SubCommand runCmd("run", "Train a few steps with an exact backend and "
                             "print the losses");

enum class Backend { Reference };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loom>"),
                               cl::Required, cl::sub(runCmd));
cl::opt<Backend> backend(
    "backend", cl::desc("Where the step runs"), cl::init(Backend::Reference),
    cl::values(clEnumValN(Backend::Reference, "reference",
                          "the reference interpreter (f64 arithmetic rounded "
                          "to each op's type; slow, the numerical oracle)")),
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
cl::opt<std::string> trainName("train",
                               cl::desc("The train block to run (needed "
                                        "when the file has several)"),
                               cl::value_desc("name"), cl::sub(runCmd));

int fail(const Twine &message) {
  WithColor::error(errs(), "loom") << message << "\n";
  return 1;
}

std::vector<int64_t> shapeOf(mlir::Type t) {
  auto rt = cast<mlir::RankedTensorType>(t);
  return std::vector<int64_t>(rt.getShape().begin(), rt.getShape().end());
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The recipe's number `key` inside dictionary `dict`, if any.
std::optional<double> number(mlir::DictionaryAttr dict, StringRef key) {
  if (!dict)
    return std::nullopt;
  if (auto f = dict.getAs<mlir::FloatAttr>(key))
    return f.getValueAsDouble();
  if (auto i = dict.getAs<mlir::IntegerAttr>(key))
    return static_cast<double>(i.getInt());
  return std::nullopt;
}

std::string text(mlir::DictionaryAttr dict, StringRef key) {
  auto s = dict ? dict.getAs<mlir::StringAttr>(key) : nullptr;
  return s ? s.str() : std::string();
}

loom::InitSpec initSpec(mlir::DictionaryAttr attr) {
  loom::InitSpec spec;
  spec.kind = text(attr, "kind");
  spec.mean = number(attr, "mean").value_or(spec.mean);
  spec.std = number(attr, "std").value_or(spec.std);
  spec.low = number(attr, "low").value_or(spec.low);
  spec.high = number(attr, "high").value_or(spec.high);
  spec.gain = number(attr, "gain").value_or(spec.gain);
  spec.value = number(attr, "value").value_or(spec.value);
  spec.fanIn = number(attr, "fan_in").value_or(spec.fanIn);
  spec.fanOut = number(attr, "fan_out").value_or(spec.fanOut);
  return spec;
}

/// Where the batches come from: labelled examples or a token stream.
class Batches {
public:
  virtual ~Batches() = default;
  /// Fills x and y with training batch number `step`.
  virtual loom::Status fill(int64_t step, ref::Tensor &x, ref::Tensor &y) = 0;
  virtual std::string describe() const = 0;
};

class ExampleBatches : public Batches {
public:
  ExampleBatches(loom::data::Examples data, loom::data::Sampler sampler)
      : data(std::move(data)), sampler(std::move(sampler)) {}

  loom::Status fill(int64_t step, ref::Tensor &x, ref::Tensor &y) override {
    int64_t b = x.shape[0];
    sampler.batch(step * b, b, rows);
    xs.resize(x.numElements());
    ys.resize(b);
    loom::data::gather(data, rows, xs.data(), ys.data());
    x.data.assign(xs.begin(), xs.end());
    y.data.assign(ys.begin(), ys.end());
    ref::roundToType(x);
    return loom::Status();
  }
  std::string describe() const override {
    return std::to_string(sampler.train().size()) + " training examples of " +
           std::to_string(data.count) + " in " + data.source;
  }

private:
  loom::data::Examples data;
  loom::data::Sampler sampler;
  std::vector<int64_t> rows;
  std::vector<float> xs;
  std::vector<int32_t> ys;
};

/// Next-token windows: x = tokens[p, p + T), y = tokens[p + 1, p + T + 1),
/// over non-overlapping windows of the training part of the stream.
class TokenBatches : public Batches {
public:
  TokenBatches(loom::data::TokenFile file, int64_t seq, uint32_t vocab,
               loom::data::Sampler sampler)
      : file(std::move(file)), seq(seq), vocab(vocab),
        sampler(std::move(sampler)) {}

  loom::Status fill(int64_t step, ref::Tensor &x, ref::Tensor &y) override {
    int64_t b = x.shape[0];
    sampler.batch(step * b, b, rows);
    window.resize(seq + 1);
    for (int64_t r = 0; r < b; ++r) {
      if (loom::Status s =
              file.read(rows[r] * seq, seq + 1, vocab, window.data());
          !s)
        return s;
      for (int64_t t = 0; t < seq; ++t) {
        x.data[r * seq + t] = window[t];
        y.data[r * seq + t] = window[t + 1];
      }
    }
    return loom::Status();
  }
  std::string describe() const override {
    return std::to_string(sampler.train().size()) + " training windows of " +
           std::to_string(seq) + " tokens in " + file.path();
  }

private:
  loom::data::TokenFile file;
  int64_t seq;
  uint32_t vocab;
  loom::data::Sampler sampler;
  std::vector<int64_t> rows;
  std::vector<int32_t> window;
};

/// Opens the recipe's training data for a model whose input is `x`, whose
/// labels are `y` and whose @forward returns `logits`.
loom::StatusOr<std::unique_ptr<Batches>> openData(mlir::DictionaryAttr recipe,
                                                  mlir::Type x,
                                                  mlir::Type logits,
                                                  uint64_t seed) {
  auto data = recipe.getAs<mlir::DictionaryAttr>("data");
  auto split = recipe.getAs<mlir::DictionaryAttr>("split");
  double fraction = number(split, "fraction").value_or(1.0);
  uint64_t splitSeed =
      static_cast<uint64_t>(number(split, "seed").value_or(0.0));
  std::string kind = text(data, "kind");
  std::vector<int64_t> xShape = shapeOf(x), lShape = shapeOf(logits);
  int64_t classes = lShape.empty() ? 0 : lShape.back();

  if (kind == "idx" || kind == "csv") {
    loom::StatusOr<loom::data::Examples> ex =
        kind == "idx"
            ? loom::data::loadIdx(text(data, "images"), text(data, "labels"))
            : loom::data::loadCsv(text(data, "path"), text(data, "label"));
    if (!ex)
      return ex.status();
    std::vector<int64_t> per(xShape.begin() + 1, xShape.end());
    int64_t perSize = 1;
    for (int64_t d : per)
      perSize *= d;
    if (perSize != ex->featureSize())
      return loom::Status::error(
          ex->source + ": each example has " +
          std::to_string(ex->featureSize()) + " values " +
          shapeText(ex->featureShape) + " but the model's input takes " +
          std::to_string(perSize) + " " + shapeText(per));
    if (int64_t bad = ex->firstLabelOutside(static_cast<int32_t>(classes));
        bad >= 0)
      return loom::Status::error(
          ex->source + ": example " + std::to_string(bad) + " has label " +
          std::to_string(ex->labels[bad]) + ", outside the model's " +
          std::to_string(classes) + " classes (0.." +
          std::to_string(classes - 1) + ")");
    loom::data::Sampler sampler(ex->count, fraction, splitSeed, seed);
    return std::unique_ptr<Batches>(
        new ExampleBatches(std::move(*ex), std::move(sampler)));
  }
  if (kind == "tokens") {
    std::string dtype = text(data, "dtype");
    loom::StatusOr<loom::data::TokenFile> file = loom::data::TokenFile::open(
        text(data, "path"), dtype.empty() ? "u16" : dtype);
    if (!file)
      return file.status();
    int64_t seq = xShape.back();
    // The training part is the first `fraction` of the stream; the rest
    // validates.
    int64_t trainTokens = std::max<int64_t>(
        2, static_cast<int64_t>(std::floor(fraction * file->size())));
    int64_t windows = (trainTokens - 1) / seq;
    if (windows < 1)
      return loom::Status::error(file->path() + ": the training part holds " +
                                 std::to_string(trainTokens) +
                                 " tokens, fewer than one window of " +
                                 std::to_string(seq + 1));
    loom::data::Sampler sampler(windows, 1.0, splitSeed, seed);
    return std::unique_ptr<Batches>(
        new TokenBatches(std::move(*file), seq, static_cast<uint32_t>(classes),
                         std::move(sampler)));
  }
  return loom::Status::error("the recipe's data kind '" + kind +
                             "' cannot be read by loom run");
}

} // namespace

cl::SubCommand &loom::tool::runCommand() { return runCmd; }

int loom::tool::runRun() {
  if (numSteps < 1)
    return fail("--steps must be at least 1, not " + Twine(numSteps));
  if (batchSize.getNumOccurrences() && batchSize < 1)
    return fail("--batch must be at least 1, not " + Twine(batchSize));

  SourceMgr sourceMgr;
  loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::Program program;
  if (!loom::loadProgram(inputFile, loom::defaultStdDir(), diags, program))
    return 1;
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  mlir::SourceMgrDiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  std::optional<int64_t> batchOverride;
  if (batchSize.getNumOccurrences())
    batchOverride = batchSize;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildModule(ctx, program, diags, trainName, true, batchOverride);
  if (!module)
    return 1;
  auto recipe = (*module)->getAttrOfType<mlir::DictionaryAttr>("loom.train");
  auto step = module->lookupSymbol<mlir::func::FuncOp>("train_step");
  auto forward = module->lookupSymbol<mlir::func::FuncOp>("forward");
  if (!recipe || !step || !forward)
    return fail("internal error: the compiled module has no recipe, "
                "@train_step or @forward");
  uint64_t seed =
      seedOpt.getNumOccurrences()
          ? static_cast<uint64_t>(seedOpt.getValue())
          : static_cast<uint64_t>(number(recipe, "seed").value_or(0));

  // The step's arguments, by role.
  std::vector<ref::Tensor> args;
  int xArg = -1, yArg = -1, rngArg = -1, stepArg = -1, scaleArg = -1;
  int64_t numParams = 0, numState = 0, paramElements = 0;
  for (unsigned i = 0; i < step.getNumArguments(); ++i) {
    mlir::Type type = step.getArgument(i).getType();
    auto rt = cast<mlir::RankedTensorType>(type);
    std::optional<ref::DType> dt = ref::toDType(rt.getElementType());
    if (!dt)
      return fail("internal error: unsupported element type of argument " +
                  Twine(i));
    ref::Tensor t(*dt, shapeOf(type));
    if (auto name = step.getArgAttrOfType<mlir::StringAttr>(i, "loom.param")) {
      auto spec = step.getArgAttrOfType<mlir::DictionaryAttr>(i, "loom.init");
      std::vector<float> values(t.numElements());
      std::string error;
      if (!loom::initialize(initSpec(spec), name.str(), t.shape, seed, 0,
                            t.numElements(), values.data(), error))
        return fail("cannot initialize parameter '" + name.str() +
                    "': " + error);
      t.data.assign(values.begin(), values.end());
      ref::roundToType(t);
      ++numParams;
      paramElements += t.numElements();
    } else if (step.getArgAttr(i, "loom.opt_state")) {
      ++numState; // zeros
    } else if (auto input =
                   step.getArgAttrOfType<mlir::StringAttr>(i, "loom.input")) {
      StringRef role = input.getValue();
      (role == "x"          ? xArg
       : role == "y"        ? yArg
       : role == "rng"      ? rngArg
       : role == "step"     ? stepArg
       : role == "lr_scale" ? scaleArg
                            : xArg) = static_cast<int>(i);
      if (role == "lr_scale")
        t.data.assign(1, 1.0);
    }
    args.push_back(std::move(t));
  }
  if (xArg < 0 || yArg < 0 || stepArg < 0)
    return fail("internal error: @train_step lacks its x, y or step input");

  loom::StatusOr<std::unique_ptr<Batches>> batches =
      openData(recipe, step.getArgument(xArg).getType(),
               forward.getFunctionType().getResult(0), seed);
  if (!batches)
    return fail(batches.status().message());

  outs() << "loom run: " << text(recipe, "name") << ", "
         << formatv("{0:N}", paramElements) << " parameters in " << numParams
         << " tensors, batch " << args[xArg].shape[0] << ", seed " << seed
         << ", on the reference interpreter\n"
         << "data: " << (*batches)->describe() << "\n";
  unsigned numResults = step.getNumResults();
  auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < numSteps; ++s) {
    if (loom::Status st = (*batches)->fill(s, args[xArg], args[yArg]); !st)
      return fail(st.message());
    args[stepArg].data.assign(1, static_cast<double>(s));
    if (rngArg >= 0)
      args[rngArg].data = {static_cast<double>(static_cast<int64_t>(seed)),
                           static_cast<double>(s)};
    std::optional<std::vector<ref::Tensor>> results =
        ref::runFunction(step, args);
    if (!results)
      return 1;
    // Results: the new parameters and state (in argument order), the loss,
    // the learning rate.
    for (int64_t i = 0; i < numParams + numState; ++i)
      args[i] = std::move((*results)[i]);
    double loss = (*results)[numResults - 2].data[0];
    double lr = (*results)[numResults - 1].data[0];
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
