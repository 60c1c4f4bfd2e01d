//===- RecipeRanges.cpp - The valid values of recipe arguments ------------===//
//
// Part of Loom. This file implements the range check of the numeric
// arguments of a train block's data, optimizer and schedule
// (checkRecipeRange): a value outside its range in ir/RecipeSchema.cpp's
// recipeSettings (a negative clip_norm reverses the update, a momentum of 5
// diverges) is an error at the argument; and the type check of every recipe
// argument against that schema (checkRecipeArgType).
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"
#include "frontend/Program.h"

#include "ir/LoomRecipe.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::loom;

namespace {

/// A value for a message: 5, -0.1, inf, (0.9, 1.5), true, "text".
std::string spellVal(const Val &v) {
  switch (v.kind) {
  case Val::Kind::Int:
    return std::to_string(v.i);
  case Val::Kind::Float:
    return formatRecipeNumber(v.f);
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

/// Whether `v` is one of the valid values of numeric field `f`.
bool inRange(const RecipeField &f, const Val &v) {
  if (!v.isNumber() ||
      (f.type == RecipeArgType::I64 && v.kind != Val::Kind::Int))
    return false;
  return f.range->contains(v.asDouble());
}

} // namespace

bool mlir::loom::checkRecipeRange(Elaborator &e, llvm::StringRef kind,
                                  const RecipeArg &arg, Val &v,
                                  llvm::SMRange at) {
  const RecipeField &f = *arg.field;
  if (!f.range)
    return true;
  bool pair = f.type == RecipeArgType::F64Pair;
  bool ok = pair ? (v.kind == Val::Kind::Tuple && v.elems.size() == 2 &&
                    inRange(f, v.elems[0]) && inRange(f, v.elems[1]))
                 : inRange(f, v);
  if (!ok) {
    e.error(at, kind + "'s '" + arg.name + "' must be " +
                    describeRecipeRange(f) + ", not " + spellVal(v));
    return false;
  }
  if (pair)
    for (Val &x : v.elems)
      x = Val::ofFloat(x.asDouble(), x.origin);
  else if (f.type != RecipeArgType::I64)
    v = Val::ofFloat(v.asDouble(), v.origin);
  return true;
}

bool mlir::loom::checkRecipeArgType(Elaborator &e, llvm::StringRef kind,
                                    const mlir::loom::RecipeArg &arg,
                                    const Val &v, llvm::SMRange at) {
  using T = mlir::loom::RecipeArgType;
  const char *type = "";
  bool ok = false;
  switch (arg.field->type) {
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
    if (ok && !arg.field->values.empty() &&
        !llvm::is_contained(arg.field->values, v.s)) {
      e.error(at, kind + "'s '" + arg.name + "' must be one of " +
                      llvm::join(arg.field->values, ", ") + ", not " +
                      spellVal(v));
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
