//===- Flags.cpp - Range checks of the commands' numeric flags ------------===//
//
// Part of Loom. See Flags.h.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Flags.h"
#include "tools/loom/Exit.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>

using namespace llvm;

int loom::tool::flagError(StringRef command, const Twine &message) {
  std::string text = message.str();
  if (isInternalError(text))
    noteInternalError();
  WithColor::error(errs(), command) << text << "\n";
  return ExitUserError;
}

int loom::tool::usageError(StringRef command, const Twine &message) {
  WithColor::error(errs(), command) << message << "\n";
  return ExitUsage;
}

std::string loom::tool::spellNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

bool loom::tool::checkIntFlag(StringRef command, const cl::opt<int64_t> &flag,
                              int64_t min, int64_t max) {
  int64_t v = flag.getValue();
  if (!flag.getNumOccurrences() || (v >= min && v <= max))
    return true;
  std::string range =
      max == std::numeric_limits<int64_t>::max()
          ? "at least " + std::to_string(min)
          : "between " + std::to_string(min) + " and " + std::to_string(max);
  flagError(command, "--" + flag.ArgStr + " must be " + range + ", not " +
                         std::to_string(v));
  return false;
}

bool loom::tool::checkFiniteFlag(StringRef command, const cl::opt<double> &flag,
                                 double min, bool minOpen) {
  double v = flag.getValue();
  if (!flag.getNumOccurrences() ||
      (std::isfinite(v) && (minOpen ? v > min : v >= min)))
    return true;
  flagError(command, "--" + flag.ArgStr + " must be a finite number " +
                         (minOpen ? "> " : ">= ") + spellNumber(min) +
                         ", not " + spellNumber(v));
  return false;
}

bool loom::tool::parseSetFlags(
    StringRef command, const cl::list<std::string> &list,
    std::vector<std::pair<std::string, std::string>> &out) {
  out.clear();
  for (const std::string &item : list) {
    auto [name, value] = StringRef(item).split('=');
    if (name.size() == item.size() || name.trim().empty()) {
      usageError(command, "--set takes NAME=VALUE (a hyper-parameter of the "
                          "train block's model), not '" +
                              item + "'");
      return false;
    }
    for (const auto &[earlier, _] : out)
      if (earlier == name.trim()) {
        usageError(command, "--set " + name.trim() + " is given twice");
        return false;
      }
    out.emplace_back(name.trim().str(), value.trim().str());
  }
  return true;
}

bool loom::tool::parseMeshFlag(StringRef command,
                               const cl::opt<std::string> &flag,
                               std::optional<MeshFlag> &out) {
  out.reset();
  if (!flag.getNumOccurrences())
    return true;
  MeshFlag mesh;
  std::string given = flag.getValue();
  SmallVector<StringRef> items;
  StringRef(given).split(items, ',');
  for (StringRef item : items) {
    auto [axis, value] = item.split('=');
    axis = axis.trim();
    value = value.trim();
    if (axis.size() == item.size() || axis.empty()) {
      usageError(command, "--mesh takes AXIS=RANKS items separated by commas "
                          "(the axes are data and model), e.g. --mesh "
                          "model=2, not '" +
                              given + "'");
      return false;
    }
    std::optional<int64_t> *ranks = axis == "data"    ? &mesh.data
                                    : axis == "model" ? &mesh.model
                                                      : nullptr;
    if (!ranks) {
      std::string hint;
      for (StringRef name : {"data", "model"})
        if (axis.edit_distance(name, true, 2) <= 2)
          hint = "; did you mean '" + name.str() + "'?";
      usageError(command, "--mesh: unknown mesh axis '" + axis +
                              "' (the axes are data and model)" + hint);
      return false;
    }
    if (*ranks) {
      usageError(command, "--mesh: mesh axis '" + axis + "' is given twice");
      return false;
    }
    int64_t n = 0;
    if (value.getAsInteger(10, n) || n < 1) {
      usageError(command, "--mesh: mesh axis '" + axis +
                              "' needs a positive number of ranks, not '" +
                              value + "'");
      return false;
    }
    *ranks = n;
    // As the messages and a resume command spell it.
    mesh.text +=
        (mesh.text.empty() ? "" : ",") + axis.str() + "=" + std::to_string(n);
  }
  out = std::move(mesh);
  return true;
}
