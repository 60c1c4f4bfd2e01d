//===- Check.cpp - Checking a program without compiling it ----------------===//
//
// Part of Loom. This file implements checkProgram (`loom check`): the names
// of every model of the main file, then the models whose hyper-parameters
// all have defaults (instantiated, and their forward elaborated on inputs
// whose free dimensions are 1), then every train block, lowered as
// `loom compile` would.
//
//===----------------------------------------------------------------------===//

#include "frontend/Check.h"
#include "frontend/Elaborator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir::loom;
using namespace mlir;
using llvm::SMRange;

namespace mlir::loom {
bool isBuiltin(llvm::StringRef name);
std::vector<std::string> builtinNames();
} // namespace mlir::loom

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

namespace {

/// Finds the names a model uses but nothing defines, without instantiating
/// it. Lenient where elaboration is strict (a name defined anywhere in the
/// model counts everywhere in it), so that it never rejects a model that
/// elaboration accepts.
class NameCheck {
public:
  NameCheck(Elaborator &e, const Program &program) : e(e), program(program) {}

  bool check(const ast::ModelDecl &decl) {
    defined.clear();
    for (const ast::HParam &h : decl.hparams)
      defined.insert(h.name.name);
    for (const ast::Member &m : decl.members)
      defined.insert(m.name.name);
    if (decl.forward) {
      for (const ast::ForwardArg &a : decl.forward->args) {
        defined.insert(a.name.name);
        defineDims(a.type);
      }
      if (decl.forward->result)
        defineDims(*decl.forward->result);
      for (const ast::Stmt &s : decl.forward->body)
        for (const ast::Ident &t : s.targets)
          defined.insert(t.name);
    }
    bool ok = true;
    for (const ast::HParam &h : decl.hparams)
      if (h.defaultValue && h.type.name != "init")
        ok &= expr(*h.defaultValue);
    for (const ast::Member &m : decl.members) {
      if (m.type)
        for (const ast::ExprPtr &d : m.type->dims)
          ok &= expr(*d);
      if (m.init)
        ok &= init(*m.init);
      if (m.repeat)
        ok &= expr(*m.repeat);
      if (m.value)
        ok &= expr(*m.value);
    }
    if (decl.forward)
      for (const ast::Stmt &s : decl.forward->body)
        ok &= expr(*s.value);
    return ok;
  }

private:
  void defineDims(const ast::TypeExpr &type) {
    for (const ast::ExprPtr &d : type.dims)
      if (auto *n = llvm::dyn_cast<ast::NameExpr>(d.get()))
        defined.insert(n->name);
  }

  /// An initializer's own name is not an expression; its arguments are.
  bool init(const ast::Expr &x) {
    auto *call = llvm::dyn_cast<ast::CallExpr>(&x);
    if (!call)
      return true;
    bool ok = true;
    for (const ast::Arg &a : call->args)
      ok = ok && expr(*a.value);
    return ok;
  }

  bool known(llvm::StringRef name) {
    return defined.contains(name) || isBuiltin(name) ||
           e.dtypeByName(name).has_value() || program.models.count(name);
  }

  bool expr(const ast::Expr &x) {
    switch (x.kind) {
    case ast::Expr::Kind::Int:
    case ast::Expr::Kind::Float:
    case ast::Expr::Kind::String:
    case ast::Expr::Kind::Bool:
      return true;
    case ast::Expr::Kind::Name: {
      auto &n = llvm::cast<ast::NameExpr>(x);
      if (known(n.name))
        return true;
      std::vector<std::string> candidates = builtinNames();
      for (const auto &d : defined)
        candidates.push_back(d.getKey().str());
      e.error(n.range, "unknown name '" + n.name + "'" +
                           e.modelHint(n.name, std::move(candidates)));
      return false;
    }
    case ast::Expr::Kind::Unary:
      return expr(*llvm::cast<ast::UnaryExpr>(x).operand);
    case ast::Expr::Kind::Binary: {
      auto &b = llvm::cast<ast::BinaryExpr>(x);
      return expr(*b.lhs) && expr(*b.rhs);
    }
    case ast::Expr::Kind::Call: {
      auto &c = llvm::cast<ast::CallExpr>(x);
      bool ok = expr(*c.callee);
      // A model's hyper-parameter of type init takes an initializer, whose
      // name is not an expression: `Linear(d, d, weight_init = normal(..))`.
      const ast::ModelDecl *model = nullptr;
      if (auto *n = llvm::dyn_cast<ast::NameExpr>(c.callee.get()))
        if (!defined.contains(n->name))
          model = program.models.lookup(n->name);
      size_t positional = 0;
      for (const ast::Arg &a : c.args) {
        const ast::HParam *h = nullptr;
        if (model) {
          auto it = llvm::find_if(model->hparams, [&](const ast::HParam &p) {
            return p.name.name == a.name.name;
          });
          if (a.name.name.empty() && positional < model->hparams.size())
            h = &model->hparams[positional++];
          else if (it != model->hparams.end())
            h = &*it;
        }
        ok = ok &&
             (h && h->type.name == "init" ? init(*a.value) : expr(*a.value));
      }
      return ok;
    }
    case ast::Expr::Kind::Index: {
      auto &i = llvm::cast<ast::IndexExpr>(x);
      bool ok = expr(*i.base);
      for (const ast::ExprPtr &d : i.indices)
        ok = ok && expr(*d);
      return ok;
    }
    case ast::Expr::Kind::Slice: {
      auto &s = llvm::cast<ast::SliceExpr>(x);
      for (const ast::Expr *p : {s.start.get(), s.stop.get(), s.step.get()})
        if (p && !expr(*p))
          return false;
      return true;
    }
    case ast::Expr::Kind::Member:
      // The member's name is resolved against the value, when it is known.
      return expr(*llvm::cast<ast::MemberExpr>(x).base);
    case ast::Expr::Kind::Tuple: {
      bool ok = true;
      for (const ast::Arg &a : llvm::cast<ast::TupleExpr>(x).elements)
        ok = ok && expr(*a.value);
      return ok;
    }
    case ast::Expr::Kind::List: {
      bool ok = true;
      for (const ast::ExprPtr &p : llvm::cast<ast::ListExpr>(x).elements)
        ok = ok && expr(*p);
      return ok;
    }
    case ast::Expr::Kind::Split:
    case ast::Expr::Kind::Every:
    case ast::Expr::Kind::Prep:
      return true; // train settings, checked when the block is lowered
    }
    return true;
  }

  Elaborator &e;
  const Program &program;
  llvm::StringSet<> defined;
};

} // namespace

//===----------------------------------------------------------------------===//
// Models with defaults
//===----------------------------------------------------------------------===//

bool Elaborator::checkModel(const ast::ModelDecl &decl) {
  // Each model checked has the whole budget.
  counter.ops = 0;
  instances = 0;
  budgetReported = false;
  withoutMesh = true;
  Scope none;
  std::unique_ptr<Instance> root =
      instantiate(decl, /*call=*/nullptr, none, "", decl.name.range);
  if (!root)
    return false;
  const ast::Forward &fwd = *decl.forward;
  // Inputs: every dimension the model does not fix is 2 (so that slices
  // such as x[:, 1:] keep something), `...` one such dimension.
  const int64_t kFree = 2;
  Scope bind;
  bind.inst = root.get();
  llvm::SmallVector<Type> inputs;
  std::vector<std::string> names;
  for (const ast::ForwardArg &arg : fwd.args) {
    llvm::SmallVector<int64_t> shape;
    for (const ast::ExprPtr &d : arg.type.dims) {
      auto *name = llvm::dyn_cast<ast::NameExpr>(d.get());
      if (name && name->name == "...") {
        shape.push_back(kFree);
        continue;
      }
      if (name && !bind.locals.count(name->name) &&
          !root->env.count(name->name))
        bind.locals[name->name] = Val::ofInt(kFree, d->range);
      std::optional<int64_t> n = evalInt(*d, bind, "a dimension");
      if (!n)
        return false;
      shape.push_back(*n);
    }
    std::optional<Type> elem = dtypeByName(arg.type.dtype.name);
    if (!elem) {
      (void)evalType(arg.type, bind);
      return false;
    }
    inputs.push_back(RankedTensorType::get(shape, *elem));
    names.push_back(arg.name.name);
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc(decl.range));
  trainingMode = false;
  beginFunction(*module, "forward", inputs, names, fwd.range);
  std::vector<Val> args;
  for (auto [i, arg] : llvm::enumerate(fwd.args))
    args.push_back(Val::ofTensor(currentFunc.getArgument(params.size() + i),
                                 arg.name.range));
  std::string shapes;
  for (Type t : inputs)
    shapes += (shapes.empty() ? "" : ", ") + typeStr(t);
  checking = {fwd.range, "loom check elaborates this forward on " + shapes +
                             " (every dimension the model leaves free is " +
                             std::to_string(kFree) + ")"};
  auto clear = llvm::make_scope_exit([&] { checking = {}; });
  // Called from nowhere: no "called from here" note.
  std::optional<Val> out = callForward(*root, args, SMRange());
  if (!out)
    return false;
  std::optional<Value> t = tensorOf(*out, fwd.range, "the result");
  return t && endFunction(*t, fwd.range);
}

//===----------------------------------------------------------------------===//
// The program
//===----------------------------------------------------------------------===//

std::optional<CheckSummary> loom::checkProgram(MLIRContext &ctx,
                                               const Program &program,
                                               DiagnosticEngine &diags) {
  const ast::File &main = program.main();
  CheckSummary summary;
  {
    Elaborator e(ctx, program, diags);
    NameCheck names(e, program);
    bool ok = true;
    for (const auto &m : main.models)
      ok &= names.check(*m);
    if (!ok)
      return std::nullopt;
  }
  for (const auto &m : main.models) {
    ++summary.models;
    bool defaults = llvm::all_of(m->hparams, [](const ast::HParam &h) {
      return h.defaultValue != nullptr;
    });
    if (!defaults)
      continue;
    Elaborator e(ctx, program, diags);
    if (!e.checkModel(*m))
      return std::nullopt;
    ++summary.instantiated;
  }
  for (const auto &t : main.trains) {
    if (!lowerProgram(ctx, program, diags, t->name.name))
      return std::nullopt;
    ++summary.trains;
  }
  return summary;
}
