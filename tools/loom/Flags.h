//===- Flags.h - Range checks of the commands' numeric flags ----*- C++ -*-===//
//
// Part of Loom. The numeric flags of every `loom` command are checked here,
// with one wording: "loom bench: error: --steps must be at least 1, not 0".
// A flag that was not given keeps its default, which is in range. A flag out
// of range is a usage error: the command exits 2 (Exit.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_FLAGS_H
#define LOOM_TOOLS_LOOM_FLAGS_H

#include "llvm/Support/CommandLine.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loom::tool {

/// False, after printing "<command>: error: --<flag> must be at least
/// <min>, not <value>" (or "between <min> and <max>"), when integer flag
/// `flag` was given a value outside [min, max].
bool checkIntFlag(llvm::StringRef command, const llvm::cl::opt<int64_t> &flag,
                  int64_t min,
                  int64_t max = std::numeric_limits<int64_t>::max());

/// False, after printing "<command>: error: --<flag> must be a finite
/// number >= <min>, not <value>" (> with `minOpen`), when real flag `flag`
/// was given a value outside that range: NaN and the infinities included.
bool checkFiniteFlag(llvm::StringRef command, const llvm::cl::opt<double> &flag,
                     double min, bool minOpen = false);

/// Prints "<command>: error: <message>"; returns 1 (ExitUserError), the
/// exit status; a message that says "internal error: " notes an internal
/// error (exit status 3, Exit.h).
int flagError(llvm::StringRef command, const llvm::Twine &message);

/// Prints "<command>: error: <message>" about the command line; returns 2
/// (ExitUsage).
int usageError(llvm::StringRef command, const llvm::Twine &message);

/// The `--set NAME=VALUE` flags of `list` as (NAME, VALUE) pairs into
/// `out`; false, after a usage error of `command`, for one without '=' or
/// with an empty name, or a NAME given twice.
bool parseSetFlags(llvm::StringRef command,
                   const llvm::cl::list<std::string> &list,
                   std::vector<std::pair<std::string, std::string>> &out);

/// A `--mesh data=D,model=M` (either axis may be left out): the ranks of
/// each mesh axis it names, and its value as given, for messages.
struct MeshFlag {
  std::optional<int64_t> data, model;
  std::string text;
};

/// The value of `--mesh` flag `flag` into `out` (left unset when the flag
/// was not given); false, after a usage error of `command`, for a value
/// that is not AXIS=RANKS items separated by commas, an axis other than
/// data and model (with a suggestion), ranks that are not a positive
/// integer, or an axis given twice.
bool parseMeshFlag(llvm::StringRef command,
                   const llvm::cl::opt<std::string> &flag,
                   std::optional<MeshFlag> &out);

/// `v` as %g spells it: 0.1, 1e-08, nan, -inf.
std::string spellNumber(double v);

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_FLAGS_H
