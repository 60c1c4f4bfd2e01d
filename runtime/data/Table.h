//===- Table.h - A CSV table whose cells may be missing ---------*- C++ -*-===//
//
// Part of Loom. Plain C++17. The table `loom prep csv` cleans: columns of
// numbers or of text, read from a CSV file with a header row where a cell
// may be empty (missing). loadCsv (Dataset.h), which training reads, stays
// strict; this reader is for data that is still to be cleaned.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_TABLE_H
#define LOOM_RUNTIME_DATA_TABLE_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom::data {

/// One column. A number column holds a double per row (NaN: missing); a
/// text column a string per row ("": missing).
struct TableColumn {
  enum class Kind {
    Number,    ///< a numeric feature (or the label)
    Text,      ///< categories, strings
    Indicator, ///< 0/1 made by prep (one-hot, an outlier flag); never scaled
  };
  std::string name;
  Kind kind = Kind::Number;
  std::vector<double> numbers;   ///< Number and Indicator columns
  std::vector<std::string> text; ///< Text columns
  bool isNumeric() const { return kind != Kind::Text; }
  bool missing(size_t row) const;
};

/// A table: columns of equal length, and the line of the file each row
/// came from (for messages).
struct Table {
  std::vector<TableColumn> columns;
  std::vector<int64_t> lines;
  /// The class names scikit-learn's header gives (they name the class
  /// numbers of its `target` column); empty otherwise.
  std::vector<std::string> classNames;
  size_t rows() const { return lines.size(); }
  /// The index of column `name`, or -1.
  int find(const std::string &name) const;
  /// Keeps the rows whose `keep` is true, in order.
  void keepRows(const std::vector<bool> &keep);
};

/// The column names of CSV file `path`: its first row (scikit-learn's
/// header expanded, as tables read it).
StatusOr<std::vector<std::string>> csvHeader(const std::string &path);

/// Splits one CSV row (RFC 4180 quoting, spaces around unquoted fields
/// trimmed) into fields; false on an unterminated quote. The splitter
/// loadCsv uses.
bool splitCsvRow(const std::string &line, std::vector<std::string> &fields);

/// Rewrites scikit-learn's header of its bundled CSV files (the row count,
/// the feature count, then the class names) into column names
/// `feature_0, ..., target`, and returns true with `rows` and `classNames`
/// set; returns false, changing nothing, for any other header, and for a
/// feature count larger than `restBytes`, the bytes after the header (the
/// rows could not hold that many fields). The rule loadCsv uses.
bool expandSklearnHeader(std::vector<std::string> &header, int64_t &rows,
                         std::vector<std::string> &classNames,
                         size_t restBytes);

/// 3 when `text` starts with the UTF-8 byte order mark (EF BB BF, which
/// some programs write first), else 0: where a CSV file's header starts.
inline size_t skipUtf8Bom(const std::string &text) {
  return text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
}

/// The offset of the first byte of `s` that is not part of valid UTF-8
/// (overlong forms, surrogates and code points past U+10FFFF are not), or
/// std::string::npos. Tables and prep steps are UTF-8: their report and
/// fitted statistics are JSON.
size_t firstNonUtf8(const std::string &s);

/// Reads a CSV file with a header row naming the columns (or scikit-learn's
/// header: rows, features, class names, read as feature_0, ..., target).
/// Its text must be UTF-8 (a byte order mark first is skipped). An empty cell
/// is missing. A column is a number column when each of its cells is missing or
/// a finite number, else a text column.
StatusOr<Table> readTableCsv(const std::string &path);

/// The same, from the text of the file `path` names (for messages).
StatusOr<Table> parseTableCsv(const std::string &text, const std::string &path);

/// The table as CSV text: a header row, then one row per line; a missing
/// cell is empty ("" when it is the row's only cell), a number printed with up
/// to 9 significant digits, a text cell quoted when it holds a comma, a quote
/// or leading/trailing spaces.
std::string tableToCsv(const Table &table);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_TABLE_H
