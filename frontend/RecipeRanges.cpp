//===- RecipeRanges.cpp - The valid values of recipe arguments ------------===//
//
// Part of Loom. This file implements the range check of the numeric
// arguments of a train block's optimizer and schedule (checkRecipeRange): a
// value outside its range (a negative clip_norm reverses the update, a
// momentum of 5 diverges) is an error at the argument; and the type check of
// every recipe argument against its schema (checkRecipeArgType).
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"
#include "frontend/Program.h"

#include "ir/LoomRecipe.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir::loom;

namespace {

/// The valid values of a numeric recipe argument: a finite number in an
/// interval, an integer when `integer`, two such numbers when `pair`
/// (betas). `kind` null: every kind of the setting.
struct RRange {
  const char *setting;
  const char *kind;
  const char *arg;
  double lo;
  bool loOpen;
  double hi;
  bool hiOpen;
  bool integer = false;
  bool pair = false;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

/// docs/language.md's table of optimizer and schedule arguments says the
/// same.
const RRange kRanges[] = {
    {"optimizer", nullptr, "lr", 0, true, kInf, true},
    {"optimizer", nullptr, "weight_decay", 0, false, kInf, true},
    {"optimizer", nullptr, "clip_norm", 0, true, kInf, true},
    {"optimizer", nullptr, "momentum", 0, false, 1, true},
    {"optimizer", nullptr, "eps", 0, true, kInf, true},
    {"optimizer", nullptr, "betas", 0, false, 1, true, false, true},
    {"optimizer", "rmsprop", "alpha", 0, false, 1, true},
    {"schedule", "step", "every", 1, false, kInf, true, true},
    {"schedule", "step", "gamma", 0, true, 1, false},
    {"schedule", "exponential", "gamma", 0, true, 1, false},
    {"schedule", "warmup_cosine", "warmup", 0, false, kInf, true, true},
    {"schedule", "warmup_cosine", "min_lr", 0, false, kInf, true},
    {"schedule", "reduce_on_plateau", "factor", 0, true, 1, true},
    {"schedule", "reduce_on_plateau", "patience", 0, false, kInf, true, true},
};

/// A number as %g spells it: 0.1, 1e-08, -inf, 5.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// A value for a message: 5, -0.1, inf, (0.9, 1.5), true, "text".
std::string spellVal(const Val &v) {
  switch (v.kind) {
  case Val::Kind::Int:
    return std::to_string(v.i);
  case Val::Kind::Float:
    return num(v.f);
  case Val::Kind::Bool:
    return v.b ? "true" : "false";
  case Val::Kind::Str:
    return "\"" + v.s + "\"";
  case Val::Kind::Tuple: {
    std::string out;
    for (const Val &e : v.elems)
      out += (out.empty() ? "" : ", ") + spellVal(e);
    return "(" + out + ")";
  }
  default:
    return "a " + std::string(v.kind == Val::Kind::Tensor ? "tensor" : "value");
  }
}

/// "a number in (0, 1]", "an integer >= 1", "a finite number > 0", ...
std::string describe(const RRange &r) {
  std::string what = r.integer ? "an integer"
                     : r.pair  ? "two numbers"
                               : "a number";
  if (r.hi == kInf)
    return (r.integer ? what
                      : (r.pair ? "two finite numbers"
                                : "a finite "
                                  "number")) +
           (r.loOpen ? " > " : " >= ") + num(r.lo);
  return what + " in " + (r.loOpen ? "(" : "[") + num(r.lo) + ", " + num(r.hi) +
         (r.hiOpen ? ")" : "]");
}

bool inRange(const RRange &r, const Val &v) {
  if (!v.isNumber() || (r.integer && v.kind != Val::Kind::Int))
    return false;
  double x = v.asDouble();
  return std::isfinite(x) && (r.loOpen ? x > r.lo : x >= r.lo) &&
         (r.hiOpen ? x < r.hi : x <= r.hi);
}

} // namespace

std::string mlir::loom::recipeRangeViolation(llvm::StringRef setting,
                                       llvm::StringRef kind,
                                       llvm::StringRef arg, double value) {
  for (const RRange &r : kRanges) {
    if (setting != r.setting || arg != r.arg || (r.kind && kind != r.kind) ||
        r.pair)
      continue;
    Val v = r.integer && value == std::floor(value) && std::fabs(value) < 9e18
                ? Val::ofInt(static_cast<int64_t>(value))
                : Val::ofFloat(value);
    return inRange(r, v) ? "" : describe(r);
  }
  return "";
}

bool mlir::loom::checkRecipeRange(Elaborator &e, llvm::StringRef setting,
                            llvm::StringRef kind, llvm::StringRef arg, Val &v,
                            llvm::SMRange at) {
  for (const RRange &r : kRanges) {
    if (setting != r.setting || arg != r.arg || (r.kind && kind != r.kind))
      continue;
    bool ok = r.pair ? (v.kind == Val::Kind::Tuple && v.elems.size() == 2 &&
                        inRange(r, v.elems[0]) && inRange(r, v.elems[1]))
                     : inRange(r, v);
    if (!ok) {
      e.error(at, kind + "'s '" + arg + "' must be " + describe(r) + ", not " +
                      spellVal(v));
      return false;
    }
    if (r.pair)
      for (Val &x : v.elems)
        x = Val::ofFloat(x.asDouble(), x.origin);
    else if (!r.integer)
      v = Val::ofFloat(v.asDouble(), v.origin);
    return true;
  }
  return true;
}

bool mlir::loom::checkRecipeArgType(Elaborator &e, llvm::StringRef kind,
                              const mlir::loom::RecipeArg &arg, const Val &v,
                              llvm::SMRange at) {
  using T = mlir::loom::RecipeArgType;
  const char *type = "";
  bool ok = false;
  switch (arg.type) {
  case T::F64:
    ok = v.isNumber();
    type = "a number";
    break;
  case T::I64:
    ok = v.kind == Val::Kind::Int;
    type = "an integer";
    break;
  case T::Bool:
    ok = v.kind == Val::Kind::Bool;
    type = "true or false";
    break;
  case T::String:
    ok = v.kind == Val::Kind::Str;
    type = "a string";
    if (ok && !arg.values.empty() && !llvm::is_contained(arg.values, v.s)) {
      e.error(at, kind + "'s '" + arg.name + "' must be one of " +
                      llvm::join(arg.values, ", ") + ", not " + spellVal(v));
      return false;
    }
    break;
  case T::StringOrStrings:
    ok = v.kind == Val::Kind::Str ||
         ((v.kind == Val::Kind::List || v.kind == Val::Kind::Tuple) &&
          llvm::all_of(v.elems,
                       [](const Val &e) { return e.kind == Val::Kind::Str; }));
    type = "a string or a list of strings";
    break;
  case T::F64Pair:
    ok = v.kind == Val::Kind::Tuple && v.elems.size() == 2 &&
         v.elems[0].isNumber() && v.elems[1].isNumber();
    type = "two numbers";
    break;
  }
  if (!ok)
    e.error(at, kind + "'s '" + arg.name + "' must be " + type + ", not " +
                    spellVal(v));
  return ok;
}
