//===- Elaborator.cpp - Evaluating Loom programs into loom IR -------------===//
//
// Part of Loom. This file implements model instantiation, name resolution,
// forward calls with symbolic-dim binding, and expression evaluation. The
// builtins live in Builtins.cpp, train blocks in Recipe.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/Elaborator.h"

#include "ir/LoomOps.h"
#include "ir/ShapeInference.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using llvm::SMRange;
using mlir::loom::RuleLoc;

Elaborator::Elaborator(MLIRContext &ctx, const Program &program,
                       DiagnosticEngine &diags)
    : ctx(ctx), program(program), diags(diags), b(&ctx) {
  b.setListener(&counter);
}

//===----------------------------------------------------------------------===//
// Budget
//===----------------------------------------------------------------------===//

void Elaborator::BudgetCounter::notifyOperationInserted(
    Operation *, OpBuilder::InsertPoint) {
  ++ops;
}

bool Elaborator::withinBudget(SMRange at) {
  if (counter.ops <= kMaxOps)
    return true;
  if (!budgetReported) {
    budgetReported = true;
    error(at, "this makes the program more than " + Twine(kMaxOps) +
                  " ops, the most one may elaborate to");
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Diagnostics and locations
//===----------------------------------------------------------------------===//

static Location rawLoc(MLIRContext &ctx, llvm::SourceMgr &sm, SMRange r) {
  if (!r.Start.isValid())
    return UnknownLoc::get(&ctx);
  unsigned buf = sm.FindBufferContainingLoc(r.Start);
  if (!buf)
    return UnknownLoc::get(&ctx);
  auto [line, col] = sm.getLineAndColumn(r.Start, buf);
  return FileLineColLoc::get(
      &ctx, sm.getMemoryBuffer(buf)->getBufferIdentifier(), line, col);
}

Location Elaborator::loc(SMRange range) {
  llvm::SourceMgr &sm = diags.getSourceMgr();
  Location l = rawLoc(ctx, sm, range);
  if (frames.empty())
    return l;
  // Ops inside a model's forward carry the path of the instance whose
  // forward made them (`fused<{instance = "blocks.3.attn.qkv"}>`; none for
  // the root model), so that the layers of a stack can be told apart, and
  // say where that forward was called from.
  if (!frames.back().instance.empty())
    l = FusedLoc::get(
        &ctx, {l},
        b.getDictionaryAttr(b.getNamedAttr(
            "instance", b.getStringAttr(frames.back().instance))));
  Location caller = rawLoc(ctx, sm, frames.front().at);
  for (const Frame &f : llvm::drop_begin(frames))
    caller = CallSiteLoc::get(rawLoc(ctx, sm, f.at), caller);
  return CallSiteLoc::get(l, caller);
}

void Elaborator::error(SMRange range, const llvm::Twine &message) {
  error(range, message, [] {});
}

void Elaborator::error(SMRange range, const llvm::Twine &message,
                       llvm::function_ref<void()> notes) {
  diags.error(range, message);
  notes();
  unsigned shown = 0;
  for (const Frame &f : llvm::reverse(frames)) {
    if (!f.at.isValid())
      continue; // a forward `loom check` calls
    if (++shown > 3)
      break;
    diags.note(f.at,
               "in the forward of model '" + f.model + "', called from here");
  }
  if (!checking.second.empty())
    diags.note(checking.first, checking.second);
}

void Elaborator::note(SMRange range, const llvm::Twine &message) {
  diags.note(range, message);
}

void Elaborator::noteMeshOverride() {
  // An error about the mesh, which the file does not show.
  if (meshOverride)
    note(SMRange(),
         "the mesh is the command line's --mesh " + meshOverride->flag);
}

void Elaborator::noteOrigin(const Val &v, llvm::StringRef what) {
  if (v.origin.Start.isValid() && v.kind == Val::Kind::Tensor)
    note(v.origin,
         what + " " + typeStr(v.tensor.getType()) + " comes from here");
}

std::string Elaborator::typeStr(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::string out;
  llvm::raw_string_ostream os(out);
  if (!tensor) {
    os << type;
    return out;
  }
  os << tensor.getElementType() << '[';
  llvm::interleaveComma(tensor.getShape(), os);
  os << ']';
  return out;
}

std::optional<Type> Elaborator::dtypeByName(llvm::StringRef name) {
  if (name == "f32")
    return Type(b.getF32Type());
  if (name == "f64")
    return Type(b.getF64Type());
  if (name == "bf16")
    return Type(b.getBF16Type());
  if (name == "f16")
    return Type(b.getF16Type());
  if (name == "i32")
    return Type(b.getI32Type());
  if (name == "i64")
    return Type(b.getI64Type());
  if (name == "i1")
    return Type(b.getI1Type());
  return std::nullopt;
}

namespace mlir::loom {

std::string closestName(llvm::StringRef name,
                        llvm::ArrayRef<std::string> candidates) {
  std::string best;
  unsigned bestDist = 3;
  for (const std::string &c : candidates) {
    unsigned d = name.edit_distance(c, true, bestDist);
    if (d < bestDist && c != name) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}
} // namespace mlir::loom

//===----------------------------------------------------------------------===//
// Tensors and scalars
//===----------------------------------------------------------------------===//

std::optional<Value> Elaborator::tensorOf(const Val &v, SMRange at,
                                          const llvm::Twine &what) {
  if (v.kind == Val::Kind::Tensor)
    return v.tensor;
  if (v.kind == Val::Kind::Param) {
    if (v.param < paramValues.size() && paramValues[v.param])
      return paramValues[v.param];
    error(at, "parameter '" + params[v.param].path +
                  "' can only be used inside a forward");
    return std::nullopt;
  }
  error(at, what + " must be a tensor");
  return std::nullopt;
}

Value Elaborator::scalarConstant(const Val &v, Type elementType, SMRange at) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute value;
  if (isa<FloatType>(elementType))
    value = FloatAttr::get(elementType, v.asDouble());
  else if (elementType.isInteger(1))
    value = IntegerAttr::get(elementType,
                             v.kind == Val::Kind::Bool ? v.b : v.i != 0);
  else
    value = IntegerAttr::get(elementType, v.i);
  return b.create<lir::ConstantOp>(loc(at),
                                   DenseElementsAttr::get(type, value));
}

std::optional<int64_t> Elaborator::evalInt(const ast::Expr &expr, Scope &scope,
                                           llvm::StringRef what) {
  std::optional<Val> v = eval(expr, scope);
  if (!v)
    return std::nullopt;
  if (v->kind != Val::Kind::Int) {
    error(expr.range, what + " must be an integer");
    return std::nullopt;
  }
  return v->i;
}

//===----------------------------------------------------------------------===//
// Model instantiation
//===----------------------------------------------------------------------===//

std::optional<RankedTensorType> Elaborator::evalType(const ast::TypeExpr &type,
                                                     Scope &scope) {
  std::optional<Type> dtype = dtypeByName(type.dtype.name);
  if (!dtype) {
    std::string hint = closestName(
        type.dtype.name, {"f32", "f64", "bf16", "f16", "i32", "i64", "i1"});
    error(type.dtype.range,
          "unknown element type '" + type.dtype.name + "'" +
              (hint.empty()
                   ? std::string(" (f32, f64, bf16, f16, i32, i64, i1)")
                   : "; did you mean '" + hint + "'?"));
    return std::nullopt;
  }
  llvm::SmallVector<int64_t> shape;
  for (const ast::ExprPtr &dim : type.dims) {
    if (auto *name = llvm::dyn_cast<ast::NameExpr>(dim.get())) {
      if (!scope.locals.count(name->name) &&
          !(scope.inst && scope.inst->env.count(name->name))) {
        error(dim->range, "parameter shapes must be known when the model is "
                          "built: '" +
                              name->name + "' is not a hyper-parameter");
        return std::nullopt;
      }
    }
    std::optional<int64_t> n = evalInt(*dim, scope, "a dimension");
    if (!n)
      return std::nullopt;
    if (*n < 0) {
      error(dim->range, "dimension " + llvm::Twine(*n) + " is negative");
      return std::nullopt;
    }
    if (*n == 0) {
      // Linear(4, 0): the shape is written in std, the 0 where it is made.
      error(dim->range,
            "dimension " + llvm::Twine(shape.size()) +
                " is 0: tensors without elements are not supported",
            [&] {
              if (scope.inst && scope.inst->createdAt.isValid())
                note(scope.inst->createdAt, "in model '" +
                                                scope.inst->decl->name.name +
                                                "', created here");
            });
      return std::nullopt;
    }
    shape.push_back(*n);
  }
  if (!checkWrittenShape(shape, *dtype, type.range, "the type"))
    return std::nullopt;
  return RankedTensorType::get(shape, *dtype);
}

std::unique_ptr<Instance> Elaborator::instantiate(const ast::ModelDecl &decl,
                                                  const ast::CallExpr *call,
                                                  Scope &callerScope,
                                                  const std::string &path,
                                                  SMRange at) {
  if (llvm::is_contained(instantiating, &decl)) {
    std::string chain;
    for (const ast::ModelDecl *m : instantiating)
      chain += m->name.name + " -> ";
    error(at, "model '" + decl.name.name + "' contains itself: " + chain +
                  decl.name.name);
    return nullptr;
  }
  if (++instances > kMaxInstances) {
    error(at, "model '" + decl.name.name + "' makes the program more than " +
                  Twine(kMaxInstances) +
                  " model instances, the most one may have");
    return nullptr;
  }
  instantiating.push_back(&decl);
  auto popGuard = llvm::make_scope_exit([&] { instantiating.pop_back(); });

  auto inst = std::make_unique<Instance>();
  inst->decl = &decl;
  inst->path = path;
  inst->createdAt = at;
  Scope scope;
  scope.inst = inst.get();

  // The command line's --set values, for the train block's model only.
  llvm::StringMap<Val> overrides = std::move(rootOverrides);
  rootOverrides.clear();

  // Hyper-parameters: positional, then by name, then defaults.
  std::vector<const ast::Expr *> given(decl.hparams.size(), nullptr);
  std::vector<Scope *> givenScope(decl.hparams.size(), &callerScope);
  size_t positional = 0;
  if (call) {
    for (const ast::Arg &arg : call->args) {
      if (arg.name.name.empty()) {
        if (positional >= decl.hparams.size()) {
          size_t count = llvm::count_if(call->args, [](const ast::Arg &a) {
            return a.name.name.empty();
          });
          error(arg.value->range, "model '" + decl.name.name + "' takes " +
                                      llvm::Twine(decl.hparams.size()) +
                                      " hyper-parameter" +
                                      (decl.hparams.size() == 1 ? "" : "s") +
                                      ", got " + llvm::Twine(count));
          return nullptr;
        }
        given[positional++] = arg.value.get();
        continue;
      }
      auto it = llvm::find_if(decl.hparams, [&](const ast::HParam &h) {
        return h.name.name == arg.name.name;
      });
      if (it == decl.hparams.end()) {
        std::vector<std::string> names;
        for (const ast::HParam &h : decl.hparams)
          names.push_back(h.name.name);
        std::string hint = closestName(arg.name.name, names);
        error(arg.name.range,
              "model '" + decl.name.name + "' has no hyper-parameter '" +
                  arg.name.name + "'" +
                  (hint.empty() ? std::string()
                                : "; did you mean '" + hint + "'?"));
        return nullptr;
      }
      size_t index = it - decl.hparams.begin();
      if (given[index]) {
        error(arg.name.range,
              "hyper-parameter '" + arg.name.name + "' is given twice");
        return nullptr;
      }
      given[index] = arg.value.get();
    }
  }
  for (auto [index, h] : llvm::enumerate(decl.hparams)) {
    if (inst->env.count(h.name.name)) {
      error(h.name.range,
            "hyper-parameter '" + h.name.name + "' is declared twice");
      return nullptr;
    }
    std::optional<Val> v;
    // An init hyper-parameter's value is an initializer, which is not an
    // expression of its own: `weight_init = normal(0.0, 0.02)`.
    bool isInit = h.type.name == "init";
    auto evalValue = [&](const ast::Expr &expr,
                         Scope &where) -> std::optional<Val> {
      if (!isInit)
        return eval(expr, where);
      std::optional<DictionaryAttr> spec = evalInit(expr, where);
      if (!spec)
        return std::nullopt;
      Val init;
      init.kind = Val::Kind::Init;
      init.init = *spec;
      init.origin = expr.range;
      return init;
    };
    if (auto o = overrides.find(h.name.name); o != overrides.end()) {
      inst->env[h.name.name] = o->second;
      continue;
    }
    if (given[index])
      v = evalValue(*given[index], *givenScope[index]);
    else if (h.defaultValue)
      v = evalValue(*h.defaultValue, scope);
    else {
      error(at,
            "model '" + decl.name.name + "' needs hyper-parameter '" +
                h.name.name + "'",
            [&, declared = h.name.range] { note(declared, "declared here"); });
      return nullptr;
    }
    if (!v)
      return nullptr;
    SMRange where = given[index] ? given[index]->range : h.defaultValue->range;
    llvm::StringRef type = h.type.name;
    bool ok = true;
    if (type == "int")
      ok = v->kind == Val::Kind::Int;
    else if (type == "float") {
      ok = v->isNumber();
      if (ok)
        v = Val::ofFloat(v->asDouble(), v->origin);
    } else if (type == "bool")
      ok = v->kind == Val::Kind::Bool;
    else if (type == "str")
      ok = v->kind == Val::Kind::Str;
    else if (type == "fn")
      ok = v->kind == Val::Kind::Fn;
    else if (type == "init")
      ok = v->kind == Val::Kind::Init;
    else {
      error(h.type.range, "unknown hyper-parameter type '" + type +
                              "' (int, float, bool, str, fn or init)");
      return nullptr;
    }
    if (!ok) {
      error(where, "hyper-parameter '" + h.name.name + "' of model '" +
                       decl.name.name + "' must be a " + type);
      return nullptr;
    }
    inst->env[h.name.name] = *v;
  }

  // Members, in order; each may use the ones before it.
  for (const ast::Member &member : decl.members) {
    const std::string &name = member.name.name;
    if (inst->env.count(name)) {
      error(member.name.range, "'" + name + "' is already defined in model '" +
                                   decl.name.name + "'");
      return nullptr;
    }
    std::string childPath = path.empty() ? name : path + "." + name;
    switch (member.kind) {
    case ast::Member::Kind::Param:
      if (!defineParam(*inst, member, scope))
        return nullptr;
      break;
    case ast::Member::Kind::Repeat: {
      std::optional<int64_t> count =
          evalInt(*member.repeat, scope, "the repeat count");
      if (!count)
        return nullptr;
      if (*count < 1) {
        error(member.repeat->range,
              "repeat count must be at least 1, got " + llvm::Twine(*count));
        return nullptr;
      }
      if (*count > kMaxInstances) {
        error(member.repeat->range, "repeat count " + llvm::Twine(*count) +
                                        " is more than the " +
                                        llvm::Twine(kMaxInstances) +
                                        " model instances a program may have");
        return nullptr;
      }
      auto *call = llvm::dyn_cast<ast::CallExpr>(member.value.get());
      auto *callee =
          call ? llvm::dyn_cast<ast::NameExpr>(call->callee.get()) : nullptr;
      auto model =
          callee ? program.models.find(callee->name) : program.models.end();
      if (callee && model == program.models.end()) {
        error(callee->range,
              "unknown model '" + callee->name + "'" + modelHint(callee->name));
        return nullptr;
      }
      if (model == program.models.end()) {
        error(member.value->range, "repeat needs a model to instantiate, "
                                   "such as 'repeat(n) Block(d)'");
        return nullptr;
      }
      auto stack = std::make_unique<Instance>();
      stack->isStack = true;
      stack->path = childPath;
      stack->createdAt = member.range;
      for (int64_t i = 0; i < *count; ++i) {
        auto child = instantiate(*model->second, call, scope,
                                 childPath + "." + std::to_string(i),
                                 member.value->range);
        if (!child)
          return nullptr;
        stack->stack.push_back(std::move(child));
      }
      Val v;
      v.kind = Val::Kind::Instance;
      v.inst = stack.get();
      inst->env[name] = v;
      inst->stack.push_back(std::move(stack)); // owned by the parent
      break;
    }
    case ast::Member::Kind::Value: {
      auto *call = llvm::dyn_cast<ast::CallExpr>(member.value.get());
      auto *callee =
          call ? llvm::dyn_cast<ast::NameExpr>(call->callee.get()) : nullptr;
      if (callee && !inst->env.count(callee->name) &&
          program.models.count(callee->name)) {
        auto child = instantiate(*program.models.lookup(callee->name), call,
                                 scope, childPath, member.value->range);
        if (!child)
          return nullptr;
        Val v;
        v.kind = Val::Kind::Instance;
        v.inst = child.get();
        inst->env[name] = v;
        inst->stack.push_back(std::move(child));
        break;
      }
      std::optional<Val> v = eval(*member.value, scope);
      if (!v)
        return nullptr;
      if (v->kind == Val::Kind::Tensor || v->kind == Val::Kind::Param) {
        error(member.value->range,
              "a member must be a parameter, a sub-module or a value known "
              "when the model is built, not a tensor");
        return nullptr;
      }
      inst->env[name] = *v;
      break;
    }
    }
  }
  if (!decl.forward) {
    error(decl.name.range, "model '" + decl.name.name + "' has no forward");
    return nullptr;
  }
  return inst;
}

bool Elaborator::defineParam(Instance &inst, const ast::Member &member,
                             Scope &scope) {
  std::optional<RankedTensorType> type = evalType(*member.type, scope);
  if (!type)
    return false;
  ParamInfo info;
  info.path =
      inst.path.empty() ? member.name.name : inst.path + "." + member.name.name;
  info.type = *type;
  if (member.shard && !withoutMesh && !evalShard(*member.shard, inst, info)) {
    noteMeshOverride();
    return false;
  }
  if (!member.init) {
    error(member.range, "parameter '" + member.name.name +
                            "' needs an initializer, e.g. 'init normal(0.0, "
                            "0.02)' or 'init zeros'");
    return false;
  }
  std::optional<DictionaryAttr> init = evalInit(*member.init, scope);
  if (!init)
    return false;
  info.init = *init;
  info.frozen = member.frozen;
  info.range = member.range;
  Val v;
  v.kind = Val::Kind::Param;
  v.param = params.size();
  v.origin = member.range;
  params.push_back(std::move(info));
  inst.env[member.name.name] = v;
  return true;
}

std::optional<DictionaryAttr> Elaborator::evalInit(const ast::Expr &init,
                                                   Scope &scope) {
  struct Spec {
    const char *name;
    std::vector<const char *> args; ///< in positional order
    std::vector<double> defaults;   ///< NaN: required
  };
  static const Spec specs[] = {
      {"zeros", {}, {}},
      {"ones", {}, {}},
      {"normal", {"mean", "std"}, {NAN, NAN}},
      {"uniform", {"low", "high"}, {NAN, NAN}},
      {"xavier_uniform", {"gain"}, {1.0}},
      {"xavier_normal", {"gain"}, {1.0}},
      {"he_uniform", {"gain"}, {std::sqrt(2.0)}},
      {"he_normal", {"gain"}, {std::sqrt(2.0)}},
  };
  const ast::NameExpr *name = llvm::dyn_cast<ast::NameExpr>(&init);
  const ast::CallExpr *call = llvm::dyn_cast<ast::CallExpr>(&init);
  // A hyper-parameter of type init (`weight_init`) stands for its value.
  if (const Val *bound = name ? lookup(name->name, scope) : nullptr) {
    if (bound->kind == Val::Kind::Init)
      return bound->init;
    error(init.range, "'" + name->name +
                          "' is not an initializer; a hyper-parameter "
                          "used after 'init' must have type init");
    return std::nullopt;
  }
  if (call)
    name = llvm::dyn_cast<ast::NameExpr>(call->callee.get());
  if (!name) {
    error(init.range, "an initializer is a name such as 'zeros' or a call "
                      "such as 'normal(0.0, 0.02)'");
    return std::nullopt;
  }
  const Spec *spec =
      llvm::find_if(specs, [&](const Spec &s) { return name->name == s.name; });
  if (spec == std::end(specs)) {
    std::vector<std::string> names;
    for (const Spec &s : specs)
      names.push_back(s.name);
    std::string hint = closestName(name->name, names);
    error(name->range, "unknown initializer '" + name->name + "'" +
                           (hint.empty() ? std::string()
                                         : "; did you mean '" + hint + "'?"));
    return std::nullopt;
  }
  std::vector<std::optional<double>> values(spec->args.size());
  if (call) {
    size_t positional = 0;
    for (const ast::Arg &arg : call->args) {
      size_t index = positional;
      if (!arg.name.name.empty()) {
        auto it = llvm::find(spec->args, arg.name.name);
        if (it == spec->args.end()) {
          error(arg.name.range, "initializer '" + name->name +
                                    "' has no argument '" + arg.name.name +
                                    "'");
          return std::nullopt;
        }
        index = it - spec->args.begin();
      } else if (positional++ >= spec->args.size()) {
        error(arg.value->range, "initializer '" + name->name + "' takes " +
                                    llvm::Twine(spec->args.size()) +
                                    " arguments");
        return std::nullopt;
      }
      std::optional<Val> v = eval(*arg.value, scope);
      if (!v)
        return std::nullopt;
      if (!v->isNumber()) {
        error(arg.value->range, "initializer arguments must be numbers");
        return std::nullopt;
      }
      values[index] = v->asDouble();
    }
  }
  llvm::SmallVector<NamedAttribute> attrs;
  attrs.push_back(b.getNamedAttr("kind", b.getStringAttr(spec->name)));
  for (auto [i, argName] : llvm::enumerate(spec->args)) {
    if (!values[i] && std::isnan(spec->defaults[i])) {
      error(init.range,
            "initializer '" + name->name + "' needs '" + argName + "'");
      return std::nullopt;
    }
    attrs.push_back(b.getNamedAttr(
        argName,
        b.getF64FloatAttr(values[i] ? *values[i] : spec->defaults[i])));
  }
  if (llvm::StringRef(spec->name) == "normal" && *values[1] < 0) {
    error(init.range, "normal's std must not be negative");
    return std::nullopt;
  }
  if (llvm::StringRef(spec->name) == "uniform" && *values[0] > *values[1]) {
    error(init.range, "uniform's low must not exceed high");
    return std::nullopt;
  }
  return b.getDictionaryAttr(attrs);
}
