//===- BuiltinCall.h - Binding and checking builtin calls -------*- C++ -*-===//
//
// Part of Loom. Internal to the frontend: the argument binder shared by the
// builtin implementations in Builtins.cpp and BuiltinsNN.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_BUILTINCALL_H
#define LOOM_FRONTEND_BUILTINCALL_H

#include "frontend/Elaborator.h"

#include "ir/ShapeInference.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::loom {
struct RecipeArg;
} // namespace mlir::loom

namespace mlir::loom {

/// One parameter of a builtin: required unless it has a default.
struct BParam {
  const char *name;
  bool required = true;
};

struct BuiltinSpec {
  const char *name;
  std::vector<BParam> params;
};

/// Checks argument `arg` of recipe call `kind` against its field's valid
/// range (ir/LoomRecipe.h's recipeSettings), if it has one: an error at
/// `at` naming the range and the value if it is outside. A real-valued
/// argument becomes a float (betas = (0, 0.5) included).
bool checkRecipeRange(Elaborator &e, llvm::StringRef kind,
                      const mlir::loom::RecipeArg &arg, Val &v,
                      llvm::SMRange at);

/// Checks that `v`, given for argument `arg` of recipe call `kind`, has the
/// argument's type (ir/LoomRecipe.h): an error at `at` naming the type and
/// the value if not.
bool checkRecipeArgType(Elaborator &e, llvm::StringRef kind,
                        const mlir::loom::RecipeArg &arg, const Val &v,
                        llvm::SMRange at);

const BuiltinSpec *findBuiltin(llvm::StringRef name);
bool isBuiltin(llvm::StringRef name);
std::vector<std::string> builtinNames();

/// The arguments of one builtin call, bound to its parameters.
struct BuiltinCall {
  Elaborator &e;
  const ast::CallExpr &call;
  Scope &scope;
  const BuiltinSpec &spec;
  std::vector<std::optional<Val>> args;
  std::vector<llvm::SMRange> ranges;

  bool bind(const std::vector<ast::Arg> &given) {
    args.assign(spec.params.size(), std::nullopt);
    ranges.assign(spec.params.size(), call.range);
    size_t positional = 0;
    for (const ast::Arg &arg : given) {
      size_t index;
      if (arg.name.name.empty()) {
        index = positional++;
        if (index >= spec.params.size()) {
          e.error(arg.value->range, llvm::Twine(spec.name) + " takes at most " +
                                        llvm::Twine(spec.params.size()) +
                                        " arguments");
          return false;
        }
      } else {
        auto it = llvm::find_if(spec.params, [&](const BParam &p) {
          return arg.name.name == p.name;
        });
        if (it == spec.params.end()) {
          std::vector<std::string> names;
          for (const BParam &p : spec.params)
            names.push_back(p.name);
          std::string hint = closestName(arg.name.name, names);
          e.error(arg.name.range,
                  llvm::Twine(spec.name) + " has no argument '" +
                      arg.name.name + "'" +
                      (hint.empty() ? std::string()
                                    : "; did you mean '" + hint + "'?"));
          return false;
        }
        index = it - spec.params.begin();
      }
      if (args[index]) {
        e.error(arg.value->range, llvm::Twine("argument '") +
                                      spec.params[index].name +
                                      "' is given twice");
        return false;
      }
      args[index] = e.eval(*arg.value, scope);
      if (!args[index])
        return false;
      ranges[index] = arg.value->range;
    }
    for (auto [i, p] : llvm::enumerate(spec.params))
      if (p.required && !args[i]) {
        e.error(call.range,
                llvm::Twine(spec.name) + " needs argument '" + p.name + "'");
        return false;
      }
    return true;
  }

  bool has(size_t i) const { return args[i].has_value(); }
  std::optional<mlir::Value> tensor(size_t i) {
    return e.tensorOf(*args[i], ranges[i],
                      llvm::Twine("argument '") + spec.params[i].name + "'");
  }
  /// A tensor argument, or a scalar turned into a rank-0 tensor of
  /// `elementType`.
  std::optional<mlir::Value> tensorOrScalar(size_t i, mlir::Type elementType) {
    if (args[i]->isNumber() || args[i]->kind == Val::Kind::Bool)
      return e.scalarConstant(*args[i], elementType, ranges[i]);
    return tensor(i);
  }
  std::optional<int64_t> integer(size_t i, int64_t dflt) {
    if (!has(i))
      return dflt;
    if (args[i]->kind != Val::Kind::Int) {
      e.error(ranges[i], llvm::Twine("argument '") + spec.params[i].name +
                             "' must be an integer");
      return std::nullopt;
    }
    return args[i]->i;
  }
  std::optional<double> number(size_t i, double dflt) {
    if (!has(i))
      return dflt;
    if (!args[i]->isNumber()) {
      e.error(ranges[i], llvm::Twine("argument '") + spec.params[i].name +
                             "' must be a number");
      return std::nullopt;
    }
    return args[i]->asDouble();
  }
  std::optional<bool> flag(size_t i, bool dflt) {
    if (!has(i))
      return dflt;
    if (args[i]->kind != Val::Kind::Bool) {
      e.error(ranges[i], llvm::Twine("argument '") + spec.params[i].name +
                             "' must be true or false");
      return std::nullopt;
    }
    return args[i]->b;
  }
  /// An integer or a list of integers.
  std::optional<llvm::SmallVector<int64_t>> ints(size_t i) {
    llvm::SmallVector<int64_t> out;
    const Val &v = *args[i];
    if (v.kind == Val::Kind::Int) {
      out.push_back(v.i);
      return out;
    }
    if (v.kind == Val::Kind::List || v.kind == Val::Kind::Tuple) {
      for (const Val &x : v.elems) {
        if (x.kind != Val::Kind::Int) {
          e.error(ranges[i], llvm::Twine("argument '") + spec.params[i].name +
                                 "' must hold integers");
          return std::nullopt;
        }
        out.push_back(x.i);
      }
      return out;
    }
    e.error(ranges[i], llvm::Twine("argument '") + spec.params[i].name +
                           "' must be an integer or a list of integers");
    return std::nullopt;
  }
  std::optional<mlir::Type> dtype(size_t i, mlir::Type dflt) {
    if (!has(i))
      return dflt;
    if (args[i]->kind != Val::Kind::DType) {
      e.error(ranges[i], "expected an element type such as f32");
      return std::nullopt;
    }
    return args[i]->dtype;
  }
  /// Normalizes a possibly negative dimension index for rank `rank`.
  std::optional<int64_t> dim(size_t i, int64_t dflt, int64_t rank) {
    std::optional<int64_t> d = integer(i, dflt);
    if (!d)
      return std::nullopt;
    int64_t k = *d < 0 ? *d + rank : *d;
    if (k < 0 || k >= rank) {
      e.error(ranges[i], "dim " + llvm::Twine(*d) +
                             " is out of range for rank " + llvm::Twine(rank));
      return std::nullopt;
    }
    return k;
  }

  /// Runs an IR shape rule; on failure reports its message at the call.
  template <typename Rule> bool check(Rule &&rule) {
    std::string message;
    mlir::MLIRContext *ctx = e.builder().getContext();
    mlir::ScopedDiagnosticHandler handler(ctx, [&](mlir::Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return mlir::success();
    });
    llvm::SmallVector<mlir::Type> types;
    if (mlir::succeeded(
            rule(mlir::loom::RuleLoc(mlir::UnknownLoc::get(ctx)), types)))
      return true;
    e.error(call.range, llvm::Twine(spec.name) + ": " + message);
    return false;
  }

  mlir::Location loc() { return e.loc(call.range); }
  Val result(mlir::Value v) { return Val::ofTensor(v, call.range); }
};

/// Emits the builtins of Builtins.cpp (elementwise, shape) and of
/// BuiltinsNN.cpp (reductions, nn, constructors, losses); std::nullopt
/// after a diagnostic.
std::optional<Val> emitTensorBuiltin(BuiltinCall &c);
std::optional<Val> emitNNBuiltin(BuiltinCall &c);

inline mlir::RankedTensorType tt(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType());
}

} // namespace mlir::loom

#endif // LOOM_FRONTEND_BUILTINCALL_H
