//===- RecipeRanges.cpp - The valid values of recipe arguments ------------===//
//
// Part of Loom. This file implements the range check of the numeric
// arguments of a train block's optimizer and schedule (checkRecipeRange,
// against ir/RecipeRanges.h): a value outside its range is an error at the
// argument; and the type check of every recipe argument against its schema
// (checkRecipeArgType).
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"
#include "frontend/Program.h"

#include "ir/LoomRecipe.h"
#include "ir/RecipeRanges.h"

#include "llvm/ADT/StringExtras.h"

using namespace loom;

namespace {

/// A value for a message: 5, -0.1, inf, (0.9, 1.5), true, "text".
std::string spellVal(const Val &v) {
  switch (v.kind) {
  case Val::Kind::Int:
    return std::to_string(v.i);
  case Val::Kind::Float:
    return mlir::loom::spellRecipeNumber(v.f);
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

/// Whether `v` is a number in range `r`.
bool inRange(const mlir::loom::RecipeRange &r, const Val &v) {
  return v.isNumber() &&
         mlir::loom::inRecipeRange(r, v.asDouble(), v.kind == Val::Kind::Int);
}

} // namespace

bool loom::checkRecipeRange(Elaborator &e, llvm::StringRef setting,
                            llvm::StringRef kind, llvm::StringRef arg, Val &v,
                            llvm::SMRange at) {
  const mlir::loom::RecipeRange *range =
      mlir::loom::findRecipeRange(setting, kind, arg);
  if (!range)
    return true;
  const mlir::loom::RecipeRange &r = *range;
  bool ok = r.pair ? (v.kind == Val::Kind::Tuple && v.elems.size() == 2 &&
                      inRange(r, v.elems[0]) && inRange(r, v.elems[1]))
                   : inRange(r, v);
  if (!ok) {
    e.error(at, kind + "'s '" + arg + "' must be " +
                    mlir::loom::describeRecipeRange(r) + ", not " +
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

bool loom::checkRecipeArgType(Elaborator &e, llvm::StringRef kind,
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
