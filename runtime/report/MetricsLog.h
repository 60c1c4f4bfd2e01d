//===- MetricsLog.h - The metrics.jsonl writer ------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). `loom train` writes
// one JSON object per line to metrics.jsonl, flushed line by line so that a
// crash loses at most the line being written:
//
//   {"kind":"train","step":120,"epoch":1,"loss":2.3412,"lr":0.00096}
//   {"kind":"eval","step":500,"epoch":2,"loss":null,"accuracy":0.97,
//    "nonfinite":{"loss":"nan"}}
//
// Keys come in this order: kind ("train", "eval" or "summary"), step, epoch,
// then the record's fields in the order they were set. JSON has no NaN or
// infinity, so a non-finite number is written as null and named in a last
// object "nonfinite" that maps the field to "nan", "inf" or "-inf" (strings
// Python's float() and pandas read back); a line without "nonfinite" has
// only finite numbers. A float field is written with the shortest digits
// that read back as that float (2.3412, not 2.341200113296509).
//
// A resumed run continues its log: open(path, truncateAfterStep) keeps the
// records with step <= N and drops the later ones, which the resumed run
// writes again, so the log has no duplicates.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_METRICSLOG_H
#define LOOM_RUNTIME_REPORT_METRICSLOG_H

#include "runtime/Status.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace loom {

/// One line of metrics.jsonl: a kind, a step, an epoch and named values.
struct LogRecord {
  /// What the record describes.
  enum class Kind { Train, Eval, Summary };
  /// A field's value.
  using Value = std::variant<double, int64_t, std::string>;

  /// An empty record.
  LogRecord(Kind kind, int64_t step, int64_t epoch)
      : kind(kind), step(step), epoch(epoch) {}

  /// Sets a number; setting a name again replaces its value in place.
  LogRecord &set(const std::string &name, double value);
  /// Sets a float, kept as the shortest decimal that reads back as it.
  LogRecord &set(const std::string &name, float value);
  /// Sets an integer (any integral type but bool).
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  LogRecord &set(const std::string &name, T value) {
    return setValue(name, static_cast<int64_t>(value));
  }
  /// Sets a string.
  LogRecord &set(const std::string &name, std::string value);
  /// Sets a string.
  LogRecord &set(const std::string &name, const char *value) {
    return set(name, std::string(value));
  }

  /// The value of field `name`, or nullptr.
  const Value *get(const std::string &name) const;

  /// Ok, or why the record cannot be written: an empty field name, or one
  /// of the names the line itself uses ("kind", "step", "epoch",
  /// "nonfinite").
  Status check() const;
  /// The record as one line of JSON, without the '\n' (see the file
  /// comment for non-finite numbers). `indent` >= 0 pretty-prints.
  std::string json(int indent = -1) const;

  /// "train", "eval" or "summary".
  static const char *kindName(Kind kind);

  Kind kind;     ///< written as "kind"
  int64_t step;  ///< written as "step"; resume keeps records by it
  int64_t epoch; ///< written as "epoch"
  /// The fields in the order they were first set.
  std::vector<std::pair<std::string, Value>> fields;

private:
  LogRecord &setValue(const std::string &name, Value value);
};

/// Appends records to a metrics.jsonl file, one flushed line each.
class MetricsLog {
public:
  /// How open() treats an existing file.
  enum class Mode {
    Truncate, ///< start empty (a fresh run)
    Append,   ///< keep every complete line
  };

  /// A closed log; open() it.
  MetricsLog() = default;
  MetricsLog(const MetricsLog &) = delete;
  MetricsLog &operator=(const MetricsLog &) = delete;
  /// Takes over `other`'s open file.
  MetricsLog(MetricsLog &&other) noexcept;
  /// Closes this log's file and takes over `other`'s.
  MetricsLog &operator=(MetricsLog &&other) noexcept;
  /// Closes the file (errors on close are lost; call close() to see them).
  ~MetricsLog();

  /// Opens `path`, creating it if missing; anything there but a regular
  /// file is an error (checkReplaceable). Append drops a last line left
  /// without its '\n' by a crash, so new lines never join it.
  Status open(const std::string &path, Mode mode = Mode::Truncate);
  /// Opens `path` to resume after step `truncateAfterStep`: keeps the
  /// records with step <= truncateAfterStep (of every kind), drops the rest
  /// and a torn last line, and appends after them. The file is rewritten
  /// atomically (writeFileAtomically). Fails on a complete line that is
  /// not a JSON object with an integer "step", naming the file and line and
  /// telling invalid JSON (with its byte) from JSON of another kind.
  Status open(const std::string &path, int64_t truncateAfterStep);

  /// Writes `record` as one line and flushes it.
  Status write(const LogRecord &record);
  /// Closes the file, reporting a failed flush.
  Status close();

  /// Whether a file is open for write().
  bool isOpen() const { return file != nullptr; }
  /// The path given to open().
  const std::string &path() const { return filePath; }

private:
  std::FILE *file = nullptr;
  std::string filePath;
};

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_METRICSLOG_H
