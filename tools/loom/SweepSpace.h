//===- SweepSpace.h - The search space of loom sweep ------------*- C++ -*-===//
//
// Part of Loom. Plain C++17, no MLIR: the names a sweep varies, their
// values from `--grid NAME=V1,V2,...` (the cartesian product) or
// `--random N --range NAME=LO..HI[:log]` (seeded draws), and the trials
// they make, each a list of (name, value text) settings.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_SWEEPSPACE_H
#define LOOM_TOOLS_LOOM_SWEEPSPACE_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loom::tool {

/// What a sweep name is: a flag of loom train (lr, batch, seed, steps), or
/// a --set of it (the recipe's epochs, a hyper-parameter of the train
/// block's model), with its type.
struct SweepName {
  enum class Type { Int, Float, Bool, Str };
  std::string name;
  Type type = Type::Float;
  /// lr, batch, seed, steps: a loom train flag; else a --set.
  bool flag = false;
  /// The least value (lr: > 0, batch and steps: >= 1, seed: >= 0).
  std::optional<double> min;
  bool minOpen = false;
};

/// The names a sweep of a model with hyper-parameters `hparams` (name,
/// type as the .loom file spells it: int, float, bool, str, fn, init) may
/// vary: lr, batch, seed, steps, epochs (loom train --set epochs=N), then
/// the hyper-parameters of types int, float, bool and str.
std::vector<SweepName>
sweepNames(const std::vector<std::pair<std::string, std::string>> &hparams);

/// The most trials one sweep has (each is a `loom train` process and a
/// directory): a larger --random N or --grid product is refused.
constexpr int64_t kMaxSweepTrials = 10000;

/// One trial: its settings in the order the names were given.
using Settings = std::vector<std::pair<std::string, std::string>>;

/// The trials of `--grid ITEM...` (each ITEM is NAME=V1,V2,...; several may
/// share one argument, separated by spaces): the cartesian product, the
/// first name varying slowest. An error message ("--grid ...: ...") in
/// `error` on a bad item, an unknown name, a bad value, a name given
/// twice, or a product of more than kMaxSweepTrials trials.
std::vector<Settings> gridTrials(const std::vector<std::string> &items,
                                 const std::vector<SweepName> &names,
                                 std::string &error);

/// The `count` trials of `--range ITEM...` (NAME=LO..HI or NAME=LO..HI:log;
/// integers drawn as integers), drawn from the stream of `seed`; an error
/// message in `error` as for gridTrials, or an empty range (HI < LO), a
/// log range not above 0, a name of type bool or str.
std::vector<Settings> randomTrials(int64_t count,
                                   const std::vector<std::string> &items,
                                   const std::vector<SweepName> &names,
                                   uint64_t seed, std::string &error);

/// "lr=0.01 hidden=64".
std::string describe(const Settings &settings);

/// The shortest text of `v` that reads back as the same double.
std::string shortestText(double v);

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_SWEEPSPACE_H
