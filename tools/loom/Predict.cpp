//===- Predict.cpp - loom predict -----------------------------------------===//
//
// Part of Loom. `loom predict CKPT --data FILE.csv -o OUT.csv [--artifact
// X.loomx]`: loads the artifact a training checkpoint records (or
// --artifact) and the checkpoint's parameters, and writes the model's
// prediction for every row of FILE.csv (runtime/train/Predict.h): the
// class and each class's probability, or the predicted values, after the
// prep statistics the checkpoint saved.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/File.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/checkpoint/Checkpoint.h"
#include "runtime/exec/Executor.h"
#include "runtime/report/Groups.h"
#include "runtime/train/Predict.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace llvm;

namespace {

cl::SubCommand predictCmd(
    "predict",
    "Write a trained model's predictions for the rows of a CSV file\n\n"
    "The file's columns are the training data's; its label (or target) "
    "column may be left out. The checkpoint's prep statistics are applied "
    "first (all but dedup).\n\n"
    "EXAMPLES:\n"
    "  loom predict runs/iris/checkpoints --data new.csv -o predictions.csv\n"
    "  loom predict runs/diabetes/diabetes.safetensors --data rows.csv -o "
    "out.csv");

cl::opt<std::string> checkpoint(cl::Positional,
                                cl::desc("<checkpoint file or directory>"),
                                cl::Required, cl::sub(predictCmd));
cl::opt<std::string> dataFile("data", cl::desc("The CSV rows to predict"),
                              cl::value_desc("file.csv"), cl::sub(predictCmd));
cl::opt<std::string> output("o", cl::desc("The predictions CSV to write"),
                            cl::value_desc("file.csv"), cl::sub(predictCmd));
cl::opt<std::string> groups("groups",
                            cl::desc("Report class metrics per value of this "
                                     "column, and the fairness differences"),
                            cl::value_desc("column"), cl::sub(predictCmd));
cl::opt<double> gap("gap",
                    cl::desc("--groups: flag a group whose accuracy is more "
                             "than this below every row's (default 0.05)"),
                    cl::init(0.05), cl::value_desc("G"), cl::sub(predictCmd));
cl::opt<std::string> positive("positive",
                              cl::desc("--groups: the positive class (default: "
                                       "class 1)"),
                              cl::value_desc("class"), cl::sub(predictCmd));
cl::opt<std::string> artifactPath("artifact",
                                  cl::desc("The .loomx the checkpoint belongs "
                                           "to (default: the one it records)"),
                                  cl::value_desc("file"), cl::sub(predictCmd));

int fail(const std::string &message) {
  return loom::tool::flagError("loom predict", message);
}

} // namespace

cl::SubCommand &loom::tool::predictCommand() { return predictCmd; }

int loom::tool::runPredict() {
  if (dataFile.empty())
    return usageError("loom predict", "missing --data FILE.csv");
  if (output.empty())
    return usageError("loom predict", "missing -o OUT.csv");
  if (!checkFiniteFlag("loom predict", gap, 0))
    return ExitUsage;
  if (groups.empty() && (gap.getNumOccurrences() || !positive.empty()))
    return usageError("loom predict", "--gap and --positive go with --groups");
  if (loom::Status s = loom::checkReplaceable(output); !s)
    return fail(s.message());
  loom::StatusOr<loom::train::TrainedModel> model =
      loom::train::loadTrainedModel(checkpoint, artifactPath);
  if (!model)
    return fail(model.status().message());
  loom::StatusOr<loom::train::Recipe> recipe =
      loom::train::parseRecipe(model->recipeJson, model->artifactPath);
  if (!recipe)
    return fail(recipe.status().message());
  loom::StepExecutor *ex = model->ex.get();
  const loom::train::TrainState *state = &model->state;
  loom::train::PredictCounts counts;
  loom::StatusOr<std::string> csv =
      loom::train::predictCsv(*ex, *recipe, *state, dataFile, counts, groups);
  if (!csv)
    return fail(csv.status().message());
  // The positive class, before anything is written (a mistake in it
  // replaces no file): a name or a number among the model's classes.
  std::vector<std::string> names = state->classNames;
  int32_t pos = 1;
  if (!groups.empty()) {
    int64_t classes =
        counts.groups.empty() ? 0 : counts.groups.begin()->second.classes();
    if (!positive.empty()) {
      pos = -1;
      for (size_t c = 0; c < names.size(); ++c)
        if (names[c] == positive)
          pos = int32_t(c);
      char *end = nullptr;
      long n = std::strtol(positive.c_str(), &end, 10);
      if (pos < 0 && end && !*end && n >= 0 && n < classes)
        pos = int32_t(n);
      if (pos < 0)
        return fail("--positive " + positive + " is not one of the model's " +
                    std::to_string(classes) + " classes");
    }
    if (pos >= classes)
      return fail("the model has " + std::to_string(classes) +
                  " classes; give the positive class with --positive");
  }
  if (loom::Status s = loom::writeFileAtomically(output, *csv); !s)
    return fail(s.message());
  outs() << "wrote " << output << ": " << counts.predicted << " of "
         << counts.rows << " rows predicted";
  if (counts.predicted < counts.rows)
    outs() << " (" << counts.rows - counts.predicted
           << " dropped by prep or missing a value)";
  if (counts.labelled > 0 && !recipe->data.labelSpec.targets.size() &&
      recipe->data.labelSpec.kind != loom::data::LabelSpec::Kind::Values)
    outs() << "; accuracy on the " << counts.labelled << " labelled: "
           << format("%.2f%%",
                     100.0 * double(counts.correct) / double(counts.labelled));
  outs() << "\n";
  if (groups.empty())
    return 0;
  outs() << "\n"
         << loom::renderGroups(loom::groupMetrics(counts.groups, pos, gap),
                               groups, names);
  return 0;
}
