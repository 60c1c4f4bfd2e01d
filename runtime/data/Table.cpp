//===- Table.cpp - A CSV table whose cells may be missing -----------------===//
//
// Part of Loom. See Table.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Table.h"

#include "runtime/File.h"
#include "runtime/data/Dataset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

using namespace loom;
using namespace loom::data;

bool TableColumn::missing(size_t row) const {
  return kind == Kind::Text ? text[row].empty() : std::isnan(numbers[row]);
}

int Table::find(const std::string &name) const {
  for (size_t c = 0; c < columns.size(); ++c)
    if (columns[c].name == name)
      return static_cast<int>(c);
  return -1;
}

void Table::keepRows(const std::vector<bool> &keep) {
  auto filter = [&](auto &v) {
    size_t out = 0;
    for (size_t r = 0; r < v.size(); ++r)
      if (keep[r]) {
        if (out != r) // a self-move would empty a string
          v[out] = std::move(v[r]);
        ++out;
      }
    v.resize(out);
  };
  for (TableColumn &c : columns)
    c.kind == TableColumn::Kind::Text ? filter(c.text) : filter(c.numbers);
  filter(lines);
}

size_t loom::data::firstNonUtf8(const std::string &s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80         ? 1
                 : (c >> 5) == 6  ? 2
                 : (c >> 4) == 14 ? 3
                 : (c >> 3) == 30 ? 4
                                  : 0;
    if (len == 0 || i + len > n)
      return i;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 2)
        return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return i;
    i += len;
  }
  return std::string::npos;
}

namespace {

bool parseFinite(const std::string &s, double &out) {
  if (s.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && errno != ERANGE && std::isfinite(out);
}

std::string quoteCell(const std::string &s) {
  bool plain = s.find_first_of(",\"\n\r") == std::string::npos &&
               (s.empty() || (s.front() != ' ' && s.back() != ' ' &&
                              s.front() != '\t' && s.back() != '\t'));
  if (plain)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

} // namespace

StatusOr<std::vector<std::string>>
loom::data::csvHeader(const std::string &path) {
  StatusOr<std::string> text = readInputFile(path, "CSV file", kMaxCsvBytes);
  if (!text)
    return text.status();
  size_t begin = skipUtf8Bom(*text), end = text->find('\n', begin);
  std::string line =
      text->substr(begin, end == std::string::npos ? end : end - begin);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  std::vector<std::string> header;
  if (!splitCsvRow(line, header))
    return Status::error(path + ":1: unterminated quoted field");
  int64_t rows = 0;
  std::vector<std::string> classNames;
  expandSklearnHeader(header, rows, classNames,
                      end == std::string::npos ? 0 : text->size() - end - 1);
  return header;
}

StatusOr<Table> loom::data::readTableCsv(const std::string &path) {
  StatusOr<std::string> text = readInputFile(path, "CSV file", kMaxCsvBytes);
  if (!text)
    return text.status();
  return parseTableCsv(*text, path);
}

StatusOr<Table> loom::data::parseTableCsv(const std::string &csv,
                                          const std::string &path) {
  const std::string *text = &csv;
  auto at = [&](int64_t l) { return path + ":" + std::to_string(l) + ": "; };
  if (text->find('\0') != std::string::npos)
    return Status::error(path + ": not a text file (it contains a zero byte)");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header, fields;
  Table table;
  size_t pos = skipUtf8Bom(*text);
  int64_t lineNo = 0, blankSince = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos)
      end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (size_t bad = firstNonUtf8(line); bad != std::string::npos) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X",
                    static_cast<unsigned char>(line[bad]));
      return Status::error(at(lineNo) + "not UTF-8 text (byte " + hex +
                           " at column " + std::to_string(bad + 1) + ")");
    }
    if (lineNo > 1 && line.find_first_not_of(" \t") == std::string::npos) {
      if (!blankSince)
        blankSince = lineNo;
      continue;
    }
    if (blankSince)
      return Status::error(at(blankSince) + "empty row in the middle of the "
                                            "data");
    if (!splitCsvRow(line, fields))
      return Status::error(at(lineNo) + "unterminated quoted field");
    if (lineNo == 1) {
      header = fields;
      // scikit-learn's header: rows, features, class names.
      int64_t sklearnRows = 0;
      expandSklearnHeader(header, sklearnRows, table.classNames,
                          text->size() - std::min(pos, text->size()));
      continue;
    }
    if (fields.size() != header.size())
      return Status::error(
          at(lineNo) + "the row has " + std::to_string(fields.size()) +
          " fields but the header has " + std::to_string(header.size()));
    rows.push_back(fields);
    table.lines.push_back(lineNo);
  }
  if (lineNo == 0)
    return Status::error(path + ": the CSV file is empty; it needs a header "
                                "row naming the columns");
  if (rows.empty())
    return Status::error(path + ": the CSV file has a header but no rows");
  std::map<std::string, size_t> names;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty())
      return Status::error(at(1) + "column " + std::to_string(c + 1) +
                           " of the header has no name");
    if (!names.emplace(header[c], c).second)
      return Status::error(at(1) + "two columns are named '" + header[c] + "'");
  }
  for (size_t c = 0; c < header.size(); ++c) {
    TableColumn col;
    col.name = header[c];
    bool numeric = true;
    col.numbers.reserve(rows.size());
    for (const std::vector<std::string> &row : rows) {
      double v = std::nan("");
      if (!row[c].empty() && !parseFinite(row[c], v)) {
        numeric = false;
        break;
      }
      col.numbers.push_back(v);
    }
    if (!numeric) {
      col.kind = TableColumn::Kind::Text;
      col.numbers.clear();
      for (const std::vector<std::string> &row : rows)
        col.text.push_back(row[c]);
    }
    table.columns.push_back(std::move(col));
  }
  return table;
}

std::string loom::data::tableToCsv(const Table &table) {
  std::string out;
  for (size_t c = 0; c < table.columns.size(); ++c)
    out += (c ? "," : "") + quoteCell(table.columns[c].name);
  out += "\n";
  char buf[32];
  for (size_t r = 0; r < table.rows(); ++r) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const TableColumn &col = table.columns[c];
      if (c)
        out += ",";
      if (col.missing(r)) {
        // A row of one empty cell is "", not a blank line.
        if (table.columns.size() == 1)
          out += "\"\"";
        continue;
      }
      if (col.kind == TableColumn::Kind::Text) {
        out += quoteCell(col.text[r]);
      } else {
        std::snprintf(buf, sizeof buf, "%.9g", col.numbers[r]);
        out += buf;
      }
    }
    out += "\n";
  }
  return out;
}
