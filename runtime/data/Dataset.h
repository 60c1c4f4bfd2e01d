//===- Dataset.h - Training data the runtime reads --------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The datasets a
// recipe's `data = ...` names, read into the form the training step takes:
//
//   idx(images, labels)  IDX files (gzipped or not), u8 images scaled to
//                        [0, 1] as f32, one i32 class label per image
//   csv(path, label)     a CSV file with a header row: numeric features as
//                        f32, the `label` column as i32 classes (class
//                        numbers or class names, as the recipe says), or
//   csv(path, target)    the `target` column (or columns) as f32 regression
//                        targets
//   tokens(path, seq)    a flat little-endian u16 or u32 token file,
//                        memory-mapped; windows of seq + 1 tokens give x and
//                        y = x shifted by one
//
// Every problem with a file is an error naming the file, the line or byte
// offset, and what was expected; nothing is silently skipped.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_DATASET_H
#define LOOM_RUNTIME_DATA_DATASET_H

#include "runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loom::data {

/// How a CSV file's label column is read: the recipe's
/// `csv(path, label = C, classes = ...)` or `csv(path, target = C)`.
struct LabelSpec {
  enum class Kind {
    Numbers, ///< class numbers 0, 1, ... (`classes = "numbers"`, the default)
    Names,   ///< class names (`classes = "names"` or a list of names)
    Values,  ///< a regression target (`target = C`)
  };
  Kind kind = Kind::Numbers;
  /// Names: the classes in order (the recipe's list, or the training data's
  /// classes when reading a test set); empty: this file's distinct labels,
  /// sorted byte by byte.
  std::vector<std::string> names;
  /// Where `names` came from, for messages ("the recipe's classes").
  std::string namesFrom;
  /// Values with several target columns (`target = ["a", "b"]`): all of
  /// them in order, the first the label column; empty for one.
  std::vector<std::string> targets;
};

/// A labelled dataset held in memory: `count` examples, each `featureShape`
/// f32 values and one i32 class label (or one f32 regression target).
struct Examples {
  std::string source;      ///< what it was read from, for messages
  std::string labelSource; ///< what the labels were read from
  std::vector<int64_t> featureShape;
  int64_t count = 0;
  std::vector<float> features; ///< count * product(featureShape), row-major
  std::vector<int32_t> labels; ///< count; empty for a regression target
  /// count * targetWidth for a regression target (row-major), else empty.
  std::vector<float> targets;
  int64_t targetWidth = 1; ///< regression target columns
  /// Class names where the file gives them (CSV string labels, sklearn's
  /// header); empty otherwise.
  std::vector<std::string> classNames;
  /// CSV: each example's line in the file and its label as the file writes
  /// it, for messages; empty for IDX.
  std::vector<int64_t> labelLines;
  std::vector<std::string> labelText;

  bool regression() const { return !targets.empty(); }

  int64_t featureSize() const;
  /// 1 + the largest label (0 when empty).
  int32_t numClasses() const;
  /// The features of example `i` and the 0-based index of a label (the
  /// first) not below `classes`, or -1.
  int64_t firstLabelOutside(int32_t classes) const;
};

/// The most bytes of data an IDX file may hold (and the largest file, gzip
/// or not): loadIdx keeps every byte as a 4-byte float in memory, so 1 GiB
/// of pixels is 4 GiB of features, the CSV limit's memory; MNIST's training
/// images are 47 MB. The header's sizes are checked against it before
/// anything is allocated.
constexpr uint64_t kMaxIdxBytes = uint64_t(1) << 30;

/// Reads an IDX image file (magic 0x00000803, u8, [count, rows, cols]) and
/// an IDX label file (magic 0x00000801, u8, [count]); gzip is detected.
/// Images become f32 [count, 1, rows, cols] scaled by 1/255.
StatusOr<Examples> loadIdx(const std::string &images,
                           const std::string &labels);

/// Checks the headers of an IDX image and label file (loadIdx's checks of
/// the first bytes, and that the counts agree) without reading the data;
/// `which` gets the file an error is about ("images" or "labels").
Status probeIdx(const std::string &images, const std::string &labels,
                std::string &which);

/// The largest CSV file loadCsv reads: it holds the whole text, then every
/// value as a float, in memory. 4 GiB is some 400 million values, far past
/// what a CSV file of a tabular task holds (a larger dataset belongs in a
/// binary format), and still a size a training machine's memory takes.
constexpr uint64_t kMaxCsvBytes = uint64_t(4) << 30;

/// Reads a CSV file with a header row (a regular file of at most
/// kMaxCsvBytes, without a zero byte; a UTF-8 byte order mark first is
/// skipped). Every column but `labelColumn` (and, for several
/// regression targets, `labels.targets`) is a numeric feature. The
/// label column is read as `labels` says, nothing guessed: class numbers
/// (non-negative integers; "2.0" is class 2), class names (each a class, in
/// the order `labels.names` gives or else sorted), or a finite regression
/// target. A value that does not fit is an error quoting it as the file
/// writes it, with its line. The header of scikit-learn's bundled CSV files
/// ("150,4,setosa,versicolor,virginica": rows, features, class names) is
/// recognised: its columns are the features then `target`, and its names
/// name the class numbers.
StatusOr<Examples> loadCsv(const std::string &path,
                           const std::string &labelColumn,
                           const LabelSpec &labels = {});

/// A memory-mapped token file.
class TokenFile {
public:
  TokenFile(TokenFile &&) noexcept;
  TokenFile &operator=(TokenFile &&) noexcept;
  ~TokenFile();

  /// `dtype` is "u16" or "u32".
  static StatusOr<TokenFile> open(const std::string &path,
                                  const std::string &dtype);

  const std::string &path() const { return filePath; }
  int64_t size() const { return count; }
  /// Token `i` (0 <= i < size()).
  uint32_t at(int64_t i) const;
  /// Copies tokens [begin, begin + n) to `out` as i32, checking each is below
  /// `vocab`; the error names the file and the byte offset.
  Status read(int64_t begin, int64_t n, uint32_t vocab, int32_t *out) const;

private:
  TokenFile() = default;
  std::string filePath;
  const unsigned char *bytes = nullptr;
  size_t mappedSize = 0;
  int width = 2; ///< bytes per token
  int64_t count = 0;
};

/// Which examples are for training and which for validation, and the order
/// training visits them in: a seeded random split (the recipe's
/// `split = 0.9 seed 1337`) and a reshuffle every epoch keyed by (seed,
/// epoch). Both come from the counter-based generator, so they are the same
/// on every machine and every process count.
class Sampler {
public:
  /// Splits [0, count): the first round(fraction * count) indices of a
  /// permutation keyed by `splitSeed` train, the rest validate. fraction 1
  /// trains on everything, 0 validates everything (a test set).
  Sampler(int64_t count, double fraction, uint64_t splitSeed,
          uint64_t shuffleSeed);
  /// A split made elsewhere (the prep steps' training and validation rows).
  Sampler(std::vector<int64_t> train, std::vector<int64_t> validation,
          uint64_t shuffleSeed)
      : trainIdx(std::move(train)), valIdx(std::move(validation)),
        shuffleSeed(shuffleSeed) {}

  const std::vector<int64_t> &train() const { return trainIdx; }
  const std::vector<int64_t> &validation() const { return valIdx; }
  /// The training examples of `batch` consecutive draws starting at global
  /// draw `position` (epoch = position / train().size()), each epoch in its
  /// own order.
  void batch(int64_t position, int64_t batch, std::vector<int64_t> &out);

private:
  const std::vector<int64_t> &epochOrder(int64_t epoch);
  std::vector<int64_t> trainIdx, valIdx, order;
  int64_t orderEpoch = -1;
  uint64_t shuffleSeed;
};

/// A permutation of [0, n) keyed by `seed` (Fisher-Yates on Philox draws).
std::vector<int64_t> permutation(int64_t n, uint64_t seed);

/// Copies the features and labels of examples `rows` into `x` and `y` (i32
/// class labels, or f32 targets for a regression dataset).
void gather(const Examples &data, const std::vector<int64_t> &rows, float *x,
            void *y);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_DATASET_H
