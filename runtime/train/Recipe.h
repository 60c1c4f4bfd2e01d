//===- Recipe.h - The training recipe the runtime follows -------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The recipe a
// `.loomx` artifact stores as JSON (the train block of the .loom program:
// data, split, batch, steps or epochs, evaluation, checkpoints, seed,
// schedule), decoded and checked for what the training loop needs.
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

struct Recipe {
  std::string name; ///< the train block's name
  data::DataSpec data;
  /// The held-out test set (`test = idx(...)`), evaluated at the end.
  std::optional<data::DataSpec> test;
  int64_t batch = 0;
  /// How long to train: one of the two.
  std::optional<int64_t> steps, epochs;
  Cadence eval;
  /// "val" or "test" or "train": the split `eval` reports on (the
  /// training split in its fixed order for "train"; "test" needs `test`).
  std::string evalOn = "val";
  /// loss, accuracy, precision, recall, f1, perplexity.
  std::vector<std::string> metrics;
  Cadence checkpoint;
  int64_t keep = 0; ///< checkpoints to keep; 0 keeps all
  uint64_t seed = 0;
  std::string schedule = "constant";
  double plateauFactor = 0.1;
  int64_t plateauPatience = 10;
  std::string optimizer;
  double lr = 0;
  /// A checkpoint whose parameters of the same name start the run
  /// (fine-tuning); "" for none.
  std::string initFrom;

  bool wants(const std::string &metric) const;
};

/// Decodes the recipe JSON of artifact `name`; errors start with `name`.
StatusOr<Recipe> parseRecipe(const std::string &json, const std::string &name);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_RECIPE_H
