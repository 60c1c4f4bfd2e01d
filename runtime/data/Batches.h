//===- Batches.h - Training batches from a recipe's data --------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). Opens the data a
// recipe names for a model of a given input shape and class count, checks
// that they fit each other, and draws training batches: labelled examples
// (IDX, CSV) in a seeded split and per-epoch shuffle, or next-token windows
// of a token file.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_BATCHES_H
#define LOOM_RUNTIME_DATA_BATCHES_H

#include "runtime/data/Dataset.h"

#include <memory>
#include <string>
#include <vector>

namespace loom::data {

struct FittedPrep;
struct PrepOutcome;

/// The recipe's `data` and `split` settings.
struct DataSpec {
  std::string kind;           ///< "idx", "csv" or "tokens"
  std::string images, labels; ///< idx
  std::string path;           ///< csv, tokens
  std::string label;          ///< csv: the label (or target) column
  LabelSpec labelSpec;        ///< csv: how that column is read
  std::string dtype = "u16";  ///< tokens
  int64_t seq = 0;            ///< tokens: the window (the model's input)
  double fraction = 1.0;      ///< the training part
  uint64_t splitSeed = 0;
  /// csv: the recipe's `prep` steps ("" for none; CsvPrep.h), fitted on the
  /// training rows, or, for a test set, applied with `fitted`.
  std::string prep;
  std::shared_ptr<const FittedPrep> fitted;
};

class BatchSource {
public:
  virtual ~BatchSource();
  /// Writes training batch number `index` of `batch` rows: `x` as f32
  /// (examples) or i32 (token ids, tokenInputs()), and into `y` the i32
  /// labels (the next tokens), or the f32 targets of a regression dataset.
  virtual Status fill(int64_t index, int64_t batch, void *x, void *y) = 0;
  /// Whether x holds i32 token ids rather than f32 features.
  virtual bool tokenInputs() const = 0;
  /// Examples (token windows) in one epoch of training.
  virtual int64_t trainSize() const = 0;
  /// Examples (token windows) of the validation split.
  virtual int64_t validationSize() const = 0;
  /// Writes validation examples [begin, begin + rows) into `x` and `y` (as
  /// fill does, `rows` rows); begin + rows <= validationSize().
  virtual Status fillValidation(int64_t begin, int64_t rows, void *x,
                                void *y) = 0;
  /// Writes training examples [begin, begin + rows) in the split's fixed
  /// order (not an epoch's shuffle) into `x` and `y`, as fill does;
  /// begin + rows <= trainSize().
  virtual Status fillTrainSplit(int64_t begin, int64_t rows, void *x,
                                void *y) = 0;
  /// The class names the data gives (CSV string labels, sklearn's header),
  /// or none.
  virtual std::vector<std::string> classNames() const { return {}; }
  /// What the recipe's prep steps fitted and did (a CSV source with
  /// `prep`), or null.
  virtual const PrepOutcome *prep() const { return nullptr; }
  /// "54000 training examples of 60000 in FILE".
  virtual std::string describe() const = 0;
};

/// Opens `spec` for a model whose input is `xShape` (batch first) and whose
/// output has `classes` classes (the vocabulary for tokens; unused for a
/// regression target); `seed` drives
/// the per-epoch shuffle. Errors name the file and what does not fit.
/// Examples are split by a seeded permutation; a token stream's first
/// `fraction` trains and the rest validates, in non-overlapping windows.
/// `fraction` 0 makes the whole file the validation part (a test set).
StatusOr<std::unique_ptr<BatchSource>>
openTrainingData(const DataSpec &spec, const std::vector<int64_t> &xShape,
                 int64_t classes, uint64_t seed);

/// A view of `source` (which must outlive it) whose validation part is the
/// training split of `source` in its fixed order: what `eval = ... on
/// train` evaluates. It draws no training batches.
std::unique_ptr<BatchSource> trainSplitView(BatchSource &source);

/// Checks what can be checked of `spec` without the model, so that a
/// compiler can report a bad data file before the long compile: every file
/// it names is an existing regular file ("cannot open data file 'x.csv': No
/// such file or directory"), an IDX file's header and counts, a token
/// file's size, a CSV file whole (its header, every row's numbers). What
/// needs the model (the input shape, the class count, the token ids) is
/// left to openTrainingData. `which` gets the argument of the setting an
/// error is about: "path", "images" or "labels".
Status probeData(const DataSpec &spec, std::string &which);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_BATCHES_H
