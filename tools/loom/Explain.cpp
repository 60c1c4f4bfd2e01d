//===- Explain.cpp - loom explain -----------------------------------------===//
//
// Part of Loom. `loom explain CKPT [--data FILE.csv] [--repeats R] [--seed
// S] [--examples I,J,... | --first N] [--steps M] [--baseline zero|mean]
// [--target-class C] [-o DIR] [--artifact X.loomx]`: what a trained
// classifier or regressor over f32 features relies on
// (runtime/train/Explain.h): permutation importance over the validation
// split (or every row of --data) and integrated gradients of chosen
// examples, printed as ranked tables; with -o, explain.json and
// importance.svg in DIR.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/File.h"
#include "runtime/report/BarChart.h"
#include "runtime/train/Explain.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace llvm;

namespace {

cl::SubCommand explainCmd(
    "explain",
    "Explain what a trained classifier or regressor relies on\n\n"
    "Permutation importance: each input feature shuffled across the "
    "examples (the recipe's validation split, or every row of --data), and "
    "the drop of accuracy (a classifier) or R^2 (a regressor), mean and std "
    "over --repeats. Integrated gradients: each feature's attribution to "
    "the predicted class's logit (or --target-class, or a regressor's "
    "output) for the chosen examples, computed by the artifact's compiled "
    "input-gradient program, with the completeness check (the attributions "
    "sum to f(x) - f(baseline)).\n\n"
    "EXAMPLES:\n"
    "  loom explain runs/iris/checkpoints\n"
    "  loom explain runs/iris/checkpoints --examples 0,5,17 --steps 128 -o "
    "explain\n"
    "  loom explain runs/diabetes/checkpoints --data rows.csv --baseline "
    "zero");

cl::opt<std::string> checkpoint(cl::Positional,
                                cl::desc("<checkpoint file or directory>"),
                                cl::Required, cl::sub(explainCmd));
cl::opt<std::string> dataFile("data",
                              cl::desc("Explain every row of this CSV file "
                                       "(default: the recipe's validation "
                                       "split)"),
                              cl::value_desc("file.csv"), cl::sub(explainCmd));
cl::opt<int64_t> repeats("repeats",
                         cl::desc("Shuffles of each feature (default 5)"),
                         cl::init(5), cl::value_desc("R"), cl::sub(explainCmd));
cl::opt<int64_t> seed("seed", cl::desc("Seed of the shuffles (default 0)"),
                      cl::init(0), cl::value_desc("S"), cl::sub(explainCmd));
cl::opt<std::string> examples("examples",
                              cl::desc("Integrated gradients of these "
                                       "examples (0-based, comma-separated)"),
                              cl::value_desc("I,J,..."), cl::sub(explainCmd));
cl::opt<int64_t> first("first",
                       cl::desc("Integrated gradients of the first N "
                                "examples (default 3; 0: none)"),
                       cl::init(3), cl::value_desc("N"), cl::sub(explainCmd));
cl::opt<int64_t> steps("steps",
                       cl::desc("Interpolation points of integrated "
                                "gradients (default 64)"),
                       cl::init(64), cl::value_desc("M"), cl::sub(explainCmd));
cl::opt<std::string> baseline("baseline",
                              cl::desc("Integrated gradients' baseline: zero, "
                                       "or mean (the training split's mean "
                                       "of each feature; the default)"),
                              cl::init("mean"), cl::value_desc("zero|mean"),
                              cl::sub(explainCmd));
cl::opt<int64_t> targetClass("target-class",
                             cl::desc("Attribute this class's logit (a "
                                      "regressor: this target's output) "
                                      "instead of the predicted class's"),
                             cl::value_desc("C"), cl::sub(explainCmd));
cl::opt<bool> noImportance("no-importance",
                           cl::desc("Skip permutation importance"),
                           cl::sub(explainCmd));
cl::opt<std::string> outDir("o",
                            cl::desc("Write explain.json and importance.svg "
                                     "in this directory"),
                            cl::value_desc("dir"), cl::sub(explainCmd));
cl::opt<std::string> artifactPath("artifact",
                                  cl::desc("The .loomx the checkpoint belongs "
                                           "to (default: the one it records)"),
                                  cl::value_desc("file"), cl::sub(explainCmd));

int fail(const std::string &message) {
  return loom::tool::flagError("loom explain", message);
}

/// --examples as indices; false after a usage error.
bool parseExamples(std::vector<int64_t> &out) {
  SmallVector<StringRef> parts;
  StringRef(examples).split(parts, ',');
  for (StringRef p : parts) {
    int64_t v;
    if (p.trim().getAsInteger(10, v) || v < 0) {
      loom::tool::usageError("loom explain",
                             "--examples takes example numbers (0-based) "
                             "separated by commas, not '" +
                                 examples + "'");
      return false;
    }
    out.push_back(v);
  }
  return true;
}

} // namespace

cl::SubCommand &loom::tool::explainCommand() { return explainCmd; }

int loom::tool::runExplain() {
  if (!checkIntFlag("loom explain", repeats, 1, 10000) ||
      !checkIntFlag("loom explain", steps, 1, 1000000) ||
      !checkIntFlag("loom explain", first, 0) ||
      !checkIntFlag("loom explain", seed, 0) ||
      (targetClass.getNumOccurrences() &&
       !checkIntFlag("loom explain", targetClass, 0)))
    return ExitUsage;
  if (baseline != "zero" && baseline != "mean")
    return usageError("loom explain",
                      "--baseline is zero or mean, not '" + baseline + "'");
  if (!examples.empty() && first.getNumOccurrences())
    return usageError("loom explain", "give --examples or --first, not both");
  std::vector<int64_t> chosen;
  if (examples.getNumOccurrences() && !parseExamples(chosen))
    return ExitUsage;
  if (noImportance && !examples.getNumOccurrences() && first == 0)
    return usageError("loom explain", "--no-importance and --first 0 leave "
                                      "nothing to explain");
  if (!outDir.empty())
    for (const char *name : {"/explain.json", "/importance.svg"})
      if (loom::Status s = loom::checkReplaceable(outDir + name); !s)
        return fail(s.message());

  loom::StatusOr<loom::train::TrainedModel> model =
      loom::train::loadTrainedModel(checkpoint, artifactPath);
  if (!model)
    return fail(model.status().message());
  loom::StatusOr<loom::train::Recipe> recipe =
      loom::train::parseRecipe(model->recipeJson, model->artifactPath);
  if (!recipe)
    return fail(recipe.status().message());
  loom::StepExecutor &ex = *model->ex;
  if (loom::Status s = loom::train::checkExplainable(ex, *recipe); !s)
    return fail(checkpoint + ": " + s.message());
  loom::StatusOr<loom::train::ExplainData> data =
      loom::train::loadExplainData(ex, *recipe, model->state, dataFile);
  if (!data)
    return fail(data.status().message());
  if (!examples.getNumOccurrences())
    for (int64_t e = 0; e < std::min<int64_t>(first, data->count); ++e)
      chosen.push_back(e);
  for (int64_t e : chosen)
    if (e >= data->count)
      return fail("--examples " + examples + ": example " + std::to_string(e) +
                  " is past the " + std::to_string(data->count) +
                  " examples of " + data->source + " (0 to " +
                  std::to_string(data->count - 1) + ")");
  if (targetClass.getNumOccurrences())
    if (std::string why =
            loom::train::targetRangeError(data->output, targetClass);
        !why.empty())
      return fail(why);
  outs() << "explaining " << checkpoint << " (the model at step "
         << model->state.step << ") on " << data->source << ": " << data->count
         << " examples of " << data->features << " features\n";

  std::optional<loom::train::Importance> importance;
  if (!noImportance) {
    loom::StatusOr<loom::train::Importance> imp =
        loom::train::permutationImportance(ex, *data, repeats,
                                           uint64_t(seed.getValue()));
    if (!imp)
      return fail(imp.status().message());
    importance = std::move(*imp);
  }
  std::vector<float> base(size_t(data->features), 0.0f);
  std::string baseName = baseline == "mean" ? "training-mean" : "zero";
  std::vector<loom::train::Attribution> attributions;
  if (!chosen.empty() && baseline == "mean") {
    loom::StatusOr<std::vector<float>> mean =
        loom::train::trainingMean(ex, *recipe, model->state);
    if (!mean)
      return fail(mean.status().message());
    base = std::move(*mean);
  }
  std::optional<int64_t> target;
  if (targetClass.getNumOccurrences())
    target = targetClass;
  for (int64_t e : chosen) {
    loom::StatusOr<loom::train::Attribution> a =
        loom::train::integratedGradients(ex, *data, e, base, steps, target);
    if (!a)
      return fail(model->artifactPath + ": " + a.status().message());
    attributions.push_back(std::move(*a));
  }
  outs() << loom::train::explainText(*data, importance ? &*importance : nullptr,
                                     attributions, baseName, steps);
  if (outDir.empty())
    return 0;
  if (loom::Status s = loom::makeDirectories(outDir); !s)
    return fail(s.message());
  std::string json =
      loom::train::explainJson(*data, importance ? &*importance : nullptr,
                               attributions, baseName, base, steps);
  if (loom::Status s =
          loom::writeFileAtomically(outDir + "/explain.json", json);
      !s)
    return fail(s.message());
  outs() << "wrote " << outDir << "/explain.json";
  if (importance) {
    std::vector<loom::Bar> bars;
    for (const loom::train::FeatureImportance &f : importance->features)
      bars.push_back({f.name, f.mean, f.std});
    std::string svg = loom::barChartSvg(
        "Permutation importance on " +
            (dataFile.empty() ? std::string("the validation split of ") : "") +
            sys::path::filename(data->file).str(),
        "drop of " + importance->metric + " when the feature is shuffled (" +
            std::to_string(importance->repeats) + " repeats, error bar: std)",
        bars);
    if (loom::Status s =
            loom::writeFileAtomically(outDir + "/importance.svg", svg);
        !s)
      return fail(s.message());
    outs() << " and " << outDir << "/importance.svg";
  }
  outs() << "\n";
  return 0;
}
