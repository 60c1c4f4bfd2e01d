//===- Recipe.h - The training recipe the runtime follows -------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The recipe a
// `.loomx` artifact stores as JSON (the train block of the .loom program:
// data, split, batch, steps or epochs, evaluation, checkpoints, seed,
// optimizer, schedule) and its JSON codec, the one place that spells the
// JSON keys: the compiler converts its `#loom.recipe` attribute to this
// struct (backends/cpu/emit/Recipe.cpp) and writes it with writeRecipe.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_RECIPE_H
#define LOOM_RUNTIME_TRAIN_RECIPE_H

#include "runtime/Status.h"
#include "runtime/data/Batches.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom::train {

/// "every 100 steps", "every 1 epochs"; never when `every` is 0.
struct Cadence {
  int64_t every = 0;
  bool epochs = false;
};

/// The optimizer and its arguments (each kind's own, ir/RecipeSchema.cpp's
/// schema; the others keep their defaults and are not written).
struct Optimizer {
  std::string kind; ///< sgd, adam, adamw, rmsprop
  double lr = 0;
  double momentum = 0;   ///< sgd, rmsprop
  bool nesterov = false; ///< sgd
  double beta1 = 0.9;    ///< adam, adamw
  double beta2 = 0.999;  ///< adam, adamw
  double eps = 1e-8;     ///< adam, adamw, rmsprop
  double alpha = 0.99;   ///< rmsprop
  bool centered = false; ///< rmsprop
  double weightDecay = 0;
  std::optional<double> clipNorm;
};

/// The learning-rate schedule and its arguments (each kind's own).
struct Schedule {
  std::string kind = "constant";
  int64_t every = 0;     ///< step
  double gamma = 0.1;    ///< step, exponential
  int64_t warmup = 0;    ///< warmup_cosine
  double minLr = 0;      ///< warmup_cosine
  double factor = 0.1;   ///< reduce_on_plateau
  int64_t patience = 10; ///< reduce_on_plateau
};

struct Recipe {
  std::string name; ///< the train block's name
  data::DataSpec data;
  /// The held-out test set (`test = idx(...)`), evaluated at the end.
  std::optional<data::DataSpec> test;
  int64_t batch = 0; ///< the global batch, over every rank
  /// The ranks of the mesh's data axis the step is compiled for: each runs
  /// batch / dataRanks examples of every batch.
  int64_t dataRanks = 1;
  /// How long to train: one of the two.
  std::optional<int64_t> steps, epochs;
  Cadence eval;
  /// "val" or "test" or "train": the split `eval` reports on (the
  /// training split in its fixed order for "train"; "test" needs `test`).
  std::string evalOn = "val";
  /// loss, accuracy, precision, recall, f1, perplexity; for a regression
  /// target mae, rmse, r2.
  std::vector<std::string> metrics;
  Cadence checkpoint;
  int64_t keep = 0; ///< checkpoints to keep; 0 keeps all
  uint64_t seed = 0;
  Schedule schedule;
  Optimizer optimizer;
  /// A checkpoint whose parameters of the same name start the run
  /// (fine-tuning); "" for none.
  std::string initFrom;
  /// Patterns of the parameters kept frozen (the compiled step does not
  /// update them; recorded for the reader).
  std::vector<std::string> freeze;
  /// The prep steps (`prep = ...`, runtime/data/TablePrep.h's syntax) the
  /// CSV data goes through, "" for none; parseRecipe also sets them on
  /// `data` and `test` (data::DataSpec::prep).
  std::string prep;

  bool wants(const std::string &metric) const;
};

/// Decodes the recipe JSON of artifact `name`; errors start with `name`.
StatusOr<Recipe> parseRecipe(const std::string &json, const std::string &name);

/// `recipe` as the JSON that parseRecipe reads: an object with its keys in
/// alphabetical order, each setting with the fields of its kind.
std::string writeRecipe(const Recipe &recipe);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_RECIPE_H
