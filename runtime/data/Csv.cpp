//===- Csv.cpp - CSV files with a header row
//-------------------------------===//
//
// Part of Loom. Reads a CSV file (RFC 4180: comma-separated, optional double
// quotes with "" inside them, \n or \r\n line ends) whose first row names
// the columns. Every value of a feature column must be a finite number; the
// label column holds class numbers, class names or a regression target, as
// the recipe says.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Dataset.h"
#include "runtime/data/Table.h"

#include "runtime/File.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

using namespace loom;
using namespace loom::data;

namespace {

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// Splits one row into fields; false on an unterminated quote.
bool splitRow(const std::string &line, std::vector<std::string> &fields) {
  fields.clear();
  std::string cur;
  bool quoted = false, wasQuoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && trim(cur).empty()) {
      quoted = wasQuoted = true;
      cur.clear();
    } else if (c == ',') {
      fields.push_back(wasQuoted ? cur : trim(cur));
      cur.clear();
      wasQuoted = false;
    } else {
      cur += c;
    }
  }
  if (quoted)
    return false;
  fields.push_back(wasQuoted ? cur : trim(cur));
  return true;
}

/// Parses a whole field as a number.
bool parseNumber(const std::string &s, double &out) {
  if (s.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && errno != ERANGE;
}

/// A header count: digits only.
bool parseClass(const std::string &s, int64_t &out) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return false;
  out = std::stoll(s);
  return true;
}

/// A class number as a file may write it: a non-negative integer, also
/// spelled as a number with an integral value ("2.0", "1e1"), below 2^31.
bool parseClassNumber(const std::string &s, int64_t &out) {
  if (parseClass(s, out))
    return true;
  double v;
  if (!parseNumber(s, v) || !(v >= 0) || v >= 2147483648.0 ||
      v != std::floor(v))
    return false;
  out = static_cast<int64_t>(v);
  return true;
}

std::string quoteField(const std::string &s) {
  return "'" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "'";
}

} // namespace

StatusOr<Examples> loom::data::loadCsv(const std::string &path,
                                       const std::string &labelColumn,
                                       const LabelSpec &labels) {
  StatusOr<std::string> text = readInputFile(path, "CSV file", kMaxCsvBytes);
  if (!text)
    return text.status();
  std::vector<std::string> header, fields;
  std::string line;
  int64_t lineNo = 0;
  // Where the next line starts in *text: after the UTF-8 byte order mark
  // that some programs (Excel) write first.
  size_t pos = skipUtf8Bom(*text);
  auto at = [&](int64_t l) { return path + ":" + std::to_string(l) + ": "; };
  if (size_t nul = text->find('\0'); nul != std::string::npos)
    return Status::error(
        at(1 + int64_t(std::count(text->begin(), text->begin() + nul, '\n'))) +
        "not a text file (it contains a zero byte)");
  auto next = [&]() -> bool {
    if (pos >= text->size())
      return false;
    size_t end = text->find('\n', pos);
    if (end == std::string::npos)
      end = text->size();
    line.assign(*text, pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    return true;
  };

  if (!next())
    return Status::error(path + ": the CSV file is empty; it needs a header "
                                "row naming the columns");
  if (!splitRow(line, header))
    return Status::error(at(1) + "unterminated quoted field in the header");

  // scikit-learn's own header: rows, features, then the class names.
  Examples ex;
  ex.source = path;
  ex.labelSource = path;
  int64_t promisedRows = -1;
  if (int64_t rows = 0;
      expandSklearnHeader(header, rows, ex.classNames,
                          text->size() - std::min(pos, text->size())))
    promisedRows = rows;
  std::map<std::string, size_t> names;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty())
      return Status::error(at(1) + "column " + std::to_string(c + 1) +
                           " of the header has no name");
    if (!names.emplace(header[c], c).second)
      return Status::error(at(1) + "two columns are named " +
                           quoteField(header[c]));
  }
  auto label = names.find(labelColumn);
  if (label == names.end()) {
    std::string all;
    for (const std::string &h : header)
      all += (all.empty() ? "" : ", ") + h;
    return Status::error(at(1) + "no column named " + quoteField(labelColumn) +
                         (labels.kind == LabelSpec::Kind::Values
                              ? " for the target"
                              : " for the label") +
                         "; the columns are " + all);
  }
  size_t labelAt = label->second;
  // Several regression targets: every one a column, none a feature.
  std::vector<size_t> more; // the targets after the first
  std::vector<bool> isTarget(header.size(), false);
  isTarget[labelAt] = true;
  for (size_t t = 1; t < labels.targets.size(); ++t) {
    auto it = names.find(labels.targets[t]);
    if (it == names.end())
      return Status::error(at(1) + "no column named " +
                           quoteField(labels.targets[t]) + " for the target");
    more.push_back(it->second);
    isTarget[it->second] = true;
  }
  if (header.size() < 2 + more.size())
    return Status::error(at(1) + "the file has only the label column; it "
                                 "needs at least one feature column");

  ex.featureShape = {static_cast<int64_t>(header.size() - 1 - more.size())};
  std::vector<std::string> moreText; // row-major, more.size() per row
  std::vector<std::string> labelText;
  std::vector<int64_t> labelLine;
  int64_t blankSince = 0;
  while (next()) {
    if (trim(line).empty()) {
      if (!blankSince)
        blankSince = lineNo;
      continue;
    }
    if (blankSince)
      return Status::error(at(blankSince) + "empty row in the middle of the "
                                            "data");
    if (!splitRow(line, fields))
      return Status::error(at(lineNo) + "unterminated quoted field");
    if (fields.size() != header.size())
      return Status::error(
          at(lineNo) + "the row has " + std::to_string(fields.size()) +
          " fields but the header has " + std::to_string(header.size()));
    for (size_t c : more)
      moreText.push_back(fields[c]);
    for (size_t c = 0; c < fields.size(); ++c) {
      if (c == labelAt) {
        labelText.push_back(fields[c]);
        labelLine.push_back(lineNo);
        continue;
      }
      if (isTarget[c])
        continue;
      double v;
      if (!parseNumber(fields[c], v) || !std::isfinite(v))
        return Status::error(at(lineNo) + "column " + quoteField(header[c]) +
                             " is " + quoteField(fields[c]) +
                             ", not a finite number");
      ex.features.push_back(static_cast<float>(v));
    }
  }
  ex.count = static_cast<int64_t>(labelText.size());
  if (ex.count == 0)
    return Status::error(path + ": the CSV file has a header but no rows");
  if (promisedRows >= 0 && promisedRows != ex.count)
    return Status::error(at(1) + "the header promises " +
                         std::to_string(promisedRows) + " rows, the file has " +
                         std::to_string(ex.count));

  // Labels, read as the recipe says.
  std::string column =
      (labels.kind == LabelSpec::Kind::Values ? "the target " : "the label ") +
      std::string("column ") + quoteField(labelColumn);
  auto holds = [&](size_t r) {
    return at(labelLine[r]) + column + " holds " + quoteField(labelText[r]);
  };
  for (size_t r = 0; r < labelText.size(); ++r)
    if (labelText[r].empty())
      return Status::error(at(labelLine[r]) + column + " is empty");
  switch (labels.kind) {
  case LabelSpec::Kind::Values:
    ex.targetWidth = static_cast<int64_t>(1 + more.size());
    ex.targets.reserve(labelText.size() * ex.targetWidth);
    for (size_t r = 0; r < labelText.size(); ++r) {
      double v;
      if (!parseNumber(labelText[r], v) || !std::isfinite(v))
        return Status::error(holds(r) +
                             ", not a finite number (a regression target)");
      ex.targets.push_back(static_cast<float>(v));
      for (size_t t = 0; t < more.size(); ++t) {
        const std::string &text = moreText[r * more.size() + t];
        if (!parseNumber(text, v) || !std::isfinite(v))
          return Status::error(at(labelLine[r]) + "the target column " +
                               quoteField(header[more[t]]) +
                               (text.empty()
                                    ? " is empty"
                                    : " holds " + quoteField(text) +
                                          ", not a finite number (a regression "
                                          "target)"));
        ex.targets.push_back(static_cast<float>(v));
      }
    }
    break;
  case LabelSpec::Kind::Numbers:
    for (size_t r = 0; r < labelText.size(); ++r) {
      int64_t cls;
      if (!parseClassNumber(labelText[r], cls))
        return Status::error(
            holds(r) + ", not a class number (0, 1, ...); csv(..., classes = "
                       "\"names\") reads class names, csv(..., target = ...) a "
                       "regression target");
      if (!ex.classNames.empty() &&
          cls >= static_cast<int64_t>(ex.classNames.size()))
        return Status::error(holds(r) + ", outside the " +
                             std::to_string(ex.classNames.size()) +
                             " classes the header names");
      ex.labels.push_back(static_cast<int32_t>(cls));
    }
    break;
  case LabelSpec::Kind::Names: {
    ex.classNames = labels.names;
    if (ex.classNames.empty()) {
      std::vector<std::string> sorted = labelText;
      std::sort(sorted.begin(), sorted.end());
      sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
      ex.classNames = std::move(sorted);
    }
    std::map<std::string, int32_t> index;
    for (size_t c = 0; c < ex.classNames.size(); ++c)
      index.emplace(ex.classNames[c], static_cast<int32_t>(c));
    for (size_t r = 0; r < labelText.size(); ++r) {
      auto it = index.find(labelText[r]);
      if (it == index.end()) {
        std::string list;
        for (const std::string &n : ex.classNames)
          list += (list.empty() ? "" : ", ") + n;
        if (list.size() > 120)
          list = list.substr(0, 117) + "...";
        return Status::error(
            holds(r) + ", not one of " +
            (labels.namesFrom.empty() ? "the classes" : labels.namesFrom) +
            " (" + list + ")");
      }
      ex.labels.push_back(it->second);
    }
    break;
  }
  }
  ex.labelLines = std::move(labelLine);
  ex.labelText = std::move(labelText);
  return ex;
}

bool loom::data::splitCsvRow(const std::string &line,
                             std::vector<std::string> &fields) {
  return splitRow(line, fields);
}

bool loom::data::expandSklearnHeader(std::vector<std::string> &header,
                                     int64_t &rows,
                                     std::vector<std::string> &classNames,
                                     size_t restBytes) {
  int64_t hdrRows = 0, hdrFeatures = 0;
  // A row of F features and a target holds at least F commas, so a feature
  // count past the bytes that follow is not this header (and a hostile one
  // must not make millions of names).
  if (header.size() < 2 || !parseClass(header[0], hdrRows) ||
      !parseClass(header[1], hdrFeatures) || hdrFeatures <= 0 ||
      static_cast<uint64_t>(hdrFeatures) > restBytes)
    return false;
  rows = hdrRows;
  classNames.assign(header.begin() + 2, header.end());
  header.clear();
  for (int64_t f = 0; f < hdrFeatures; ++f)
    header.push_back("feature_" + std::to_string(f));
  header.push_back("target");
  return true;
}
