//===- MetricsLog.cpp - The metrics.jsonl writer --------------------------===//
//
// Part of Loom. This file implements LogRecord's JSON and the metrics.jsonl
// file: fresh, appended, or cut back to a step for a resumed run.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/MetricsLog.h"

#include "runtime/File.h"
#include "runtime/report/JsonObject.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace loom;

//===----------------------------------------------------------------------===//
// LogRecord
//===----------------------------------------------------------------------===//

LogRecord &LogRecord::setValue(const std::string &name, Value value) {
  for (auto &[n, v] : fields)
    if (n == name) {
      v = std::move(value);
      return *this;
    }
  fields.emplace_back(name, std::move(value));
  return *this;
}

LogRecord &LogRecord::set(const std::string &name, double value) {
  return setValue(name, value);
}

LogRecord &LogRecord::set(const std::string &name, float value) {
  if (!std::isfinite(value))
    return setValue(name, static_cast<double>(value));
  // The shortest decimal that reads back as this float, read as a double:
  // the double then prints with those same digits.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf) - 1, value);
  if (ec != std::errc())
    return setValue(name, static_cast<double>(value));
  *end = '\0';
  return setValue(name, std::strtod(buf, nullptr));
}

LogRecord &LogRecord::set(const std::string &name, std::string value) {
  return setValue(name, std::move(value));
}

const LogRecord::Value *LogRecord::get(const std::string &name) const {
  for (const auto &[n, v] : fields)
    if (n == name)
      return &v;
  return nullptr;
}

const char *LogRecord::kindName(Kind kind) {
  switch (kind) {
  case Kind::Train:
    return "train";
  case Kind::Eval:
    return "eval";
  case Kind::Summary:
    return "summary";
  }
  return "train";
}

Status LogRecord::check() const {
  for (const auto &[name, value] : fields) {
    if (name.empty())
      return Status::error("metrics record: a field has an empty name");
    if (name == "kind" || name == "step" || name == "epoch" ||
        name == "nonfinite")
      return Status::error("metrics record: field name '" + name +
                           "' is reserved");
  }
  return Status();
}

std::string LogRecord::json(int indent) const {
  nlohmann::ordered_json j;
  j["kind"] = kindName(kind);
  j["step"] = step;
  j["epoch"] = epoch;
  nlohmann::ordered_json nonfinite = nlohmann::ordered_json::object();
  for (const auto &[name, value] : fields) {
    if (const double *d = std::get_if<double>(&value)) {
      if (std::isfinite(*d)) {
        j[name] = *d;
      } else {
        j[name] = nullptr;
        nonfinite[name] = std::isnan(*d) ? "nan" : *d > 0 ? "inf" : "-inf";
      }
    } else if (const int64_t *i = std::get_if<int64_t>(&value)) {
      j[name] = *i;
    } else {
      j[name] = std::get<std::string>(value);
    }
  }
  if (!nonfinite.empty())
    j["nonfinite"] = std::move(nonfinite);
  // Invalid UTF-8 in a name or string becomes U+FFFD instead of throwing.
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

//===----------------------------------------------------------------------===//
// MetricsLog
//===----------------------------------------------------------------------===//

static std::string errnoText() { return std::strerror(errno); }

/// Reads all of `path` into `out`; a missing file reads as empty.
static Status readAll(const std::string &path, std::string &out) {
  out.clear();
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT)
      return Status();
    return Status::error(path + ": cannot read: " + errnoText());
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    out.append(buf, n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed)
    return Status::error(path + ": read failed");
  return Status();
}

MetricsLog::MetricsLog(MetricsLog &&other) noexcept
    : file(other.file), filePath(std::move(other.filePath)) {
  other.file = nullptr;
}

MetricsLog &MetricsLog::operator=(MetricsLog &&other) noexcept {
  if (this != &other) {
    (void)close();
    file = other.file;
    filePath = std::move(other.filePath);
    other.file = nullptr;
  }
  return *this;
}

MetricsLog::~MetricsLog() { (void)close(); }

Status MetricsLog::close() {
  if (!file)
    return Status();
  int rc = std::fclose(file);
  file = nullptr;
  if (rc != 0)
    return Status::error(filePath + ": close failed: " + errnoText());
  return Status();
}

Status MetricsLog::open(const std::string &path, Mode mode) {
  if (Status s = close(); !s.ok())
    return s;
  // A FIFO would block the read below, a device would take the lines.
  if (Status s = checkReplaceable(path); !s.ok())
    return s;
  filePath = path;
  if (mode == Mode::Append) {
    // Cut a torn last line (no '\n'), which the next line would extend.
    std::string text;
    if (Status s = readAll(path, text); !s.ok())
      return s;
    if (!text.empty() && text.back() != '\n') {
      size_t keep = text.rfind('\n');
      keep = keep == std::string::npos ? 0 : keep + 1;
      if (Status s = writeFileAtomically(path, text.substr(0, keep)); !s.ok())
        return s;
    }
  }
  file = std::fopen(path.c_str(), mode == Mode::Append ? "ab" : "wb");
  if (!file)
    return Status::error(path + ": cannot open for writing: " + errnoText());
  return Status();
}

Status MetricsLog::open(const std::string &path, int64_t truncateAfterStep) {
  if (Status s = close(); !s.ok())
    return s;
  if (Status s = checkReplaceable(path); !s.ok())
    return s;
  std::string text;
  if (Status s = readAll(path, text); !s.ok())
    return s;

  std::string kept;
  size_t begin = 0;
  for (int64_t lineNo = 1;; ++lineNo) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos)
      break; // the rest, if any, is a torn last line
    std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    nlohmann::json j;
    std::string bad = report::parseJsonObject(line, j);
    auto where = [&] { return path + ":" + std::to_string(lineNo) + ": "; };
    if (!bad.empty())
      return Status::error(where() + bad +
                           "; move the file aside to start a new log");
    auto step = j.find("step");
    if (step == j.end() || !step->is_number_integer())
      return Status::error(where() + "record has no integer \"step\"");
    // The parser reads non-negative integers as unsigned, which may exceed
    // INT64_MAX.
    bool later = step->is_number_unsigned()
                     ? truncateAfterStep < 0 ||
                           step->get<uint64_t>() >
                               static_cast<uint64_t>(truncateAfterStep)
                     : step->get<int64_t>() > truncateAfterStep;
    if (!later)
      kept += line + "\n";
  }
  if (kept.size() != text.size())
    if (Status s = writeFileAtomically(path, kept); !s.ok())
      return s;
  return open(path, Mode::Append);
}

Status MetricsLog::write(const LogRecord &record) {
  if (!file)
    return Status::error("metrics log: write before open");
  if (Status s = record.check(); !s.ok())
    return s.withPrefix(filePath + ": ");
  std::string line = record.json() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file) != line.size() ||
      std::fflush(file) != 0)
    return Status::error(filePath + ": write failed: " + errnoText());
  return Status();
}
