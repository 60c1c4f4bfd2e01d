//===- SweepSpace.cpp - The search space of loom sweep --------------------===//
//
// Part of Loom. Plain C++17: the names, grids and random draws of
// SweepSpace.h.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/SweepSpace.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace loom::tool {
namespace {

const char *typeName(SweepName::Type t) {
  switch (t) {
  case SweepName::Type::Int:
    return "int";
  case SweepName::Type::Float:
    return "float";
  case SweepName::Type::Bool:
    return "bool";
  case SweepName::Type::Str:
    return "str";
  }
  return "";
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// The items of `args`: each argument split at spaces.
std::vector<std::string> splitItems(const std::vector<std::string> &args) {
  std::vector<std::string> items;
  for (const std::string &arg : args) {
    std::istringstream in(arg);
    std::string item;
    while (in >> item)
      items.push_back(item);
  }
  return items;
}

const SweepName *find(const std::vector<SweepName> &names,
                      const std::string &name) {
  for (const SweepName &n : names)
    if (n.name == name)
      return &n;
  return nullptr;
}

std::string known(const std::vector<SweepName> &names) {
  std::string out;
  for (const SweepName &n : names)
    out += (out.empty() ? "" : ", ") + n.name;
  return out;
}

bool parseNumber(const std::string &text, double &v) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  v = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno == 0 && std::isfinite(v);
}

/// The canonical text of value `text` for `n`, or "" after setting `error`
/// (prefixed `what`).
std::string checkValue(const SweepName &n, const std::string &text,
                       const std::string &what, std::string &error) {
  double v = 0;
  switch (n.type) {
  case SweepName::Type::Str:
    return text;
  case SweepName::Type::Bool:
    if (text == "true" || text == "false")
      return text;
    error = what + n.name + " is a bool: its values are true and false, not '" +
            text + "'";
    return "";
  case SweepName::Type::Int: {
    char *end = nullptr;
    errno = 0;
    long long i = text.empty() ? 0 : std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || end != text.c_str() + text.size() || errno) {
      error = what + n.name + " is an integer, not '" + text + "'";
      return "";
    }
    v = double(i);
    break;
  }
  case SweepName::Type::Float:
    if (!parseNumber(text, v)) {
      error = what + n.name + " is a finite number, not '" + text + "'";
      return "";
    }
    break;
  }
  if (n.min && (n.minOpen ? v <= *n.min : v < *n.min)) {
    error = what + n.name + " must be " + (n.minOpen ? "> " : "at least ") +
            shortestText(*n.min) + ", not " + text;
    return "";
  }
  return n.type == SweepName::Type::Int ? std::to_string((long long)v)
                                        : shortestText(v);
}

/// Splits "NAME=REST" of option `option`; false after setting `error`.
bool splitItem(const std::string &option, const std::string &item,
               const std::vector<SweepName> &names, const std::string &shape,
               const SweepName *&name, std::string &rest, std::string &error) {
  size_t eq = item.find('=');
  if (eq == std::string::npos || trim(item.substr(0, eq)).empty()) {
    error = option + " takes " + shape + ", not '" + item + "'";
    return false;
  }
  std::string n = trim(item.substr(0, eq));
  name = find(names, n);
  if (!name) {
    error = option + " " + item + ": '" + n +
            "' is not a name a sweep can vary (" + known(names) + ")";
    return false;
  }
  rest = item.substr(eq + 1);
  return true;
}

} // namespace

std::vector<SweepName>
sweepNames(const std::vector<std::pair<std::string, std::string>> &hparams) {
  using T = SweepName::Type;
  std::vector<SweepName> names = {{"lr", T::Float, true, 0.0, true},
                                  {"batch", T::Int, true, 1.0, false},
                                  {"seed", T::Int, true, 0.0, false},
                                  {"steps", T::Int, true, 1.0, false},
                                  // The recipe's epochs: a --set.
                                  {"epochs", T::Int, false, 1.0, false}};
  for (const auto &[name, type] : hparams) {
    std::optional<T> t = type == "int"     ? std::optional<T>(T::Int)
                         : type == "float" ? std::optional<T>(T::Float)
                         : type == "bool"  ? std::optional<T>(T::Bool)
                         : type == "str"   ? std::optional<T>(T::Str)
                                           : std::nullopt;
    if (t && !find(names, name))
      names.push_back({name, *t, false, std::nullopt, false});
  }
  return names;
}

std::vector<Settings> gridTrials(const std::vector<std::string> &args,
                                 const std::vector<SweepName> &names,
                                 std::string &error) {
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  for (const std::string &item : splitItems(args)) {
    const SweepName *name = nullptr;
    std::string rest;
    if (!splitItem("--grid", item, names, "NAME=V1,V2,...", name, rest, error))
      return {};
    for (const auto &axis : axes)
      if (axis.first == name->name) {
        error = "--grid " + name->name + " is given twice";
        return {};
      }
    std::vector<std::string> values;
    std::string value;
    std::istringstream in(rest);
    while (std::getline(in, value, ',')) {
      std::string v =
          checkValue(*name, trim(value), "--grid " + item + ": ", error);
      if (!error.empty())
        return {};
      if (std::find(values.begin(), values.end(), v) != values.end()) {
        error =
            "--grid " + item + ": " + name->name + "=" + v + " is given twice";
        return {};
      }
      values.push_back(v);
    }
    if (rest.empty() || rest.back() == ',') {
      error = "--grid " + item + ": a value is empty";
      return {};
    }
    axes.push_back({name->name, values});
  }
  if (axes.empty()) {
    error = "--grid takes NAME=V1,V2,... items, and none was given";
    return {};
  }
  // The product's size first (it may be past any memory, or overflow).
  int64_t product = 1;
  for (const auto &axis : axes)
    product = std::min<int64_t>(product * int64_t(axis.second.size()),
                                kMaxSweepTrials + 1);
  if (product > kMaxSweepTrials) {
    error = "--grid: the grid has more than " +
            std::to_string(kMaxSweepTrials) +
            " trials, the most a sweep runs; give fewer values";
    return {};
  }
  std::vector<Settings> trials = {{}};
  for (const auto &[name, values] : axes) {
    std::vector<Settings> next;
    for (const Settings &t : trials)
      for (const std::string &v : values) {
        Settings s = t;
        s.push_back({name, v});
        next.push_back(s);
      }
    trials = std::move(next);
  }
  return trials;
}

std::vector<Settings> randomTrials(int64_t count,
                                   const std::vector<std::string> &args,
                                   const std::vector<SweepName> &names,
                                   uint64_t seed, std::string &error) {
  struct Range {
    const SweepName *name;
    double lo, hi;
    bool log;
  };
  std::vector<Range> ranges;
  for (const std::string &item : splitItems(args)) {
    const SweepName *name = nullptr;
    std::string rest;
    if (!splitItem("--range", item, names, "NAME=LO..HI or NAME=LO..HI:log",
                   name, rest, error))
      return {};
    std::string what = "--range " + item + ": ";
    for (const Range &r : ranges)
      if (r.name == name) {
        error = "--range " + name->name + " is given twice";
        return {};
      }
    if (name->type == SweepName::Type::Bool ||
        name->type == SweepName::Type::Str) {
      error = what + name->name + " is a " + typeName(name->type) +
              ", which has no range; give its values with --grid";
      return {};
    }
    bool log = false;
    if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, ":log") == 0) {
      log = true;
      rest.resize(rest.size() - 4);
    }
    size_t dots = rest.find("..");
    if (dots == std::string::npos) {
      error =
          "--range takes NAME=LO..HI or NAME=LO..HI:log, not '" + item + "'";
      return {};
    }
    std::string lo = checkValue(*name, trim(rest.substr(0, dots)), what, error);
    if (!error.empty())
      return {};
    std::string hi =
        checkValue(*name, trim(rest.substr(dots + 2)), what, error);
    if (!error.empty())
      return {};
    Range r{name, std::strtod(lo.c_str(), nullptr),
            std::strtod(hi.c_str(), nullptr), log};
    if (r.hi < r.lo) {
      error = what + "the range is empty (" + hi + " < " + lo + ")";
      return {};
    }
    if (log && r.lo <= 0) {
      error = what + "a log range needs LO > 0, not " + lo;
      return {};
    }
    ranges.push_back(r);
  }
  if (ranges.empty()) {
    error = "--random needs at least one --range NAME=LO..HI";
    return {};
  }
  // splitmix64: the same draws on every machine and library.
  uint64_t state = seed;
  auto uniform = [&] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return double(z >> 11) * 0x1.0p-53; // [0, 1)
  };
  std::vector<Settings> trials;
  for (int64_t i = 0; i < count; ++i) {
    Settings s;
    for (const Range &r : ranges) {
      double u = uniform();
      if (r.name->type == SweepName::Type::Int) {
        // Integers: LO..HI inclusive, uniform or log-uniform.
        double v = r.log ? std::exp(std::log(r.lo) +
                                    u * (std::log(r.hi + 1) - std::log(r.lo)))
                         : r.lo + u * (r.hi - r.lo + 1);
        long long k = std::min((long long)std::floor(v), (long long)r.hi);
        s.push_back({r.name->name, std::to_string(k)});
      } else {
        double v = r.log ? std::exp(std::log(r.lo) +
                                    u * (std::log(r.hi) - std::log(r.lo)))
                         : r.lo + u * (r.hi - r.lo);
        // Four significant digits: a value one can type back.
        char text[32];
        std::snprintf(text, sizeof text, "%.4g", v);
        double rounded = std::clamp(std::strtod(text, nullptr), r.lo, r.hi);
        s.push_back({r.name->name, shortestText(rounded)});
      }
    }
    trials.push_back(s);
  }
  return trials;
}

std::string describe(const Settings &settings) {
  std::string out;
  for (const auto &[name, value] : settings)
    out += (out.empty() ? "" : " ") + name + "=" + value;
  return out;
}

std::string shortestText(double v) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v)
      break;
  }
  return text;
}

} // namespace loom::tool
