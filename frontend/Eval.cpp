//===- Eval.cpp - Evaluating Loom expressions and forward calls -----------===//
//
// Part of Loom. This file implements expression evaluation: compile-time
// arithmetic on hyper-parameters, tensor operators lowered to loom ops after
// checking them with the IR's shape rules, indexing and slicing, and calls
// of sub-modules' forwards with symbolic-dim binding.
//
//===----------------------------------------------------------------------===//

#include "frontend/Elaborator.h"

#include "ir/LoomOps.h"
#include "ir/ShapeInference.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"

#include <cmath>
#include <limits>

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using llvm::SMRange;
using mlir::loom::RuleLoc;

/// Names of the builtins (Builtins.cpp).
namespace mlir::loom {
bool isBuiltin(llvm::StringRef name);
std::vector<std::string> builtinNames();
} // namespace mlir::loom

//===----------------------------------------------------------------------===//
// Forward calls
//===----------------------------------------------------------------------===//

std::optional<Val> Elaborator::callInstance(Instance &inst,
                                            std::vector<Val> args, SMRange at) {
  if (!inst.isStack)
    return callForward(inst, std::move(args), at);
  // A repeat stack applies its copies in order.
  std::optional<Val> x;
  for (auto &child : inst.stack) {
    x = callForward(*child, std::move(args), at);
    if (!x)
      return std::nullopt;
    args = {*x};
  }
  return x;
}

bool Elaborator::bindType(const ast::TypeExpr &type, Value value, Scope &scope,
                          llvm::StringRef what, SMRange at) {
  auto actual = cast<RankedTensorType>(value.getType());
  std::optional<Type> dtype = dtypeByName(type.dtype.name);
  if (!dtype) {
    (void)evalType(type, scope); // reports the unknown element type
    return false;
  }
  auto mismatch = [&](const llvm::Twine &detail) {
    std::string declared;
    llvm::raw_string_ostream os(declared);
    os << type.dtype.name << '[';
    llvm::interleaveComma(
        type.dims, os, [&](const ast::ExprPtr &d) { ast::printExpr(*d, os); });
    os << ']';
    error(at,
          what + " is " + typeStr(actual) + " but the forward declares " +
              declared + ": " + detail,
          [&] { note(type.range, "declared here"); });
    return false;
  };
  if (actual.getElementType() != *dtype)
    return mismatch("the element type differs");
  // `...` stands for any number of dimensions.
  auto ellipsis = llvm::find_if(type.dims, [](const ast::ExprPtr &d) {
    auto *n = llvm::dyn_cast<ast::NameExpr>(d.get());
    return n && n->name == "...";
  });
  int64_t fixed = type.dims.size() - (ellipsis != type.dims.end());
  if (ellipsis == type.dims.end() ? actual.getRank() != fixed
                                  : actual.getRank() < fixed)
    return mismatch("it has rank " + llvm::Twine(actual.getRank()) + ", not " +
                    (ellipsis == type.dims.end() ? "" : "at least ") +
                    llvm::Twine(fixed));
  int64_t dim = 0;
  for (const ast::ExprPtr &d : type.dims) {
    auto *name = llvm::dyn_cast<ast::NameExpr>(d.get());
    if (name && name->name == "...") {
      dim += actual.getRank() - fixed;
      continue;
    }
    int64_t size = actual.getDimSize(dim);
    bool known = !name || scope.locals.count(name->name) ||
                 (scope.inst && scope.inst->env.count(name->name));
    if (!known) {
      // A new symbolic dim: bound by this value.
      scope.locals[name->name] = Val::ofInt(size, d->range);
    } else {
      std::optional<int64_t> expected = evalInt(*d, scope, "a dimension");
      if (!expected)
        return false;
      if (*expected != size) {
        std::string text;
        llvm::raw_string_ostream os(text);
        ast::printExpr(*d, os);
        return mismatch("dimension " + llvm::Twine(dim) + " should be " + text +
                        " = " + llvm::Twine(*expected) + ", not " +
                        llvm::Twine(size));
      }
    }
    ++dim;
  }
  return true;
}

std::optional<Val> Elaborator::callForward(Instance &inst,
                                           std::vector<Val> args, SMRange at) {
  const ast::ModelDecl &decl = *inst.decl;
  const ast::Forward &fwd = *decl.forward;
  if (args.size() != fwd.args.size()) {
    error(at,
          "the forward of model '" + decl.name.name + "' takes " +
              llvm::Twine(fwd.args.size()) + " argument" +
              (fwd.args.size() == 1 ? "" : "s") + ", got " +
              llvm::Twine(args.size()),
          [&] { note(fwd.range, "the forward is here"); });
    return std::nullopt;
  }
  Scope scope;
  scope.inst = &inst;
  scope.inForward = true;
  frames.push_back({at, decl.name.name, inst.path});
  auto pop = llvm::make_scope_exit([&] { frames.pop_back(); });
  for (auto [arg, v] : llvm::zip(fwd.args, args)) {
    std::optional<Value> t =
        tensorOf(v, at, "argument '" + arg.name.name + "'");
    if (!t)
      return std::nullopt;
    if (!bindType(arg.type, *t, scope,
                  "argument '" + arg.name.name + "' of " + decl.name.name +
                      ".forward",
                  v.origin.Start.isValid() ? v.origin : at))
      return std::nullopt;
    Val local = Val::ofTensor(*t, v.origin);
    scope.locals[arg.name.name] = local;
  }
  for (const ast::Stmt &stmt : fwd.body) {
    std::optional<Val> v = eval(*stmt.value, scope);
    if (!v)
      return std::nullopt;
    if (stmt.kind == ast::Stmt::Kind::Return) {
      std::optional<Value> t = tensorOf(*v, stmt.value->range, "the result");
      if (!t || !bindType(*fwd.result, *t, scope,
                          "the result of " + decl.name.name + ".forward",
                          stmt.value->range))
        return std::nullopt;
      return Val::ofTensor(*t, v->origin);
    }
    std::vector<Val> values;
    if (stmt.targets.size() == 1) {
      values.push_back(*v);
    } else if (v->kind == Val::Kind::Tuple &&
               v->elems.size() == stmt.targets.size()) {
      values = v->elems;
    } else {
      error(stmt.value->range,
            "cannot assign this to " + llvm::Twine(stmt.targets.size()) +
                " names" +
                (v->kind == Val::Kind::Tuple
                     ? ": it has " + llvm::Twine(v->elems.size()) + " parts"
                     : llvm::Twine()));
      return std::nullopt;
    }
    // The op that made a named value carries the name (NameLoc), so IR
    // dumps and later diagnostics say `h` rather than only a line.
    for (auto [target, value] : llvm::zip(stmt.targets, values)) {
      if (value.kind == Val::Kind::Tensor)
        if (Operation *def = value.tensor.getDefiningOp())
          if (!isa<NameLoc>(def->getLoc()))
            def->setLoc(
                NameLoc::get(b.getStringAttr(target.name), def->getLoc()));
      if (inst.env.count(target.name)) {
        error(target.range, "'" + target.name + "' is a member of model '" +
                                decl.name.name +
                                "'; a local may not shadow it");
        return std::nullopt;
      }
      scope.locals[target.name] = value;
    }
  }
  error(fwd.range,
        "the forward of model '" + decl.name.name + "' ends without 'return'");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// `v` if it is no tensor or one of at most kMaxTensorBytes; an operation
/// on tensors within the limit can make one past it (a broadcast, a
/// matmul, a concatenation), which is an error at the expression.
std::optional<Val> Elaborator::checkSize(std::optional<Val> v, SMRange at) {
  if (v && !withinBudget(at))
    return std::nullopt;
  if (!v || v->kind != Val::Kind::Tensor)
    return v;
  auto type = cast<RankedTensorType>(v->tensor.getType());
  uint64_t bytes = (type.getElementTypeBitWidth() + 7) / 8;
  for (int64_t d : type.getShape()) {
    if (d && bytes > kMaxTensorBytes / uint64_t(d)) {
      error(at, "the result " + typeStr(type) + " takes more than 2^48 " +
                    "bytes, the most one tensor may take");
      return std::nullopt;
    }
    bytes *= uint64_t(d);
  }
  return v;
}

std::optional<Val> Elaborator::eval(const ast::Expr &expr, Scope &scope) {
  switch (expr.kind) {
  case ast::Expr::Kind::Int:
    return Val::ofInt(llvm::cast<ast::IntExpr>(expr).value, expr.range);
  case ast::Expr::Kind::Float:
    return Val::ofFloat(llvm::cast<ast::FloatExpr>(expr).value, expr.range);
  case ast::Expr::Kind::Bool:
    return Val::ofBool(llvm::cast<ast::BoolExpr>(expr).value, expr.range);
  case ast::Expr::Kind::String: {
    Val v;
    v.kind = Val::Kind::Str;
    v.s = llvm::cast<ast::StringExpr>(expr).value;
    v.origin = expr.range;
    return v;
  }
  case ast::Expr::Kind::Name:
    return evalName(llvm::cast<ast::NameExpr>(expr), scope);
  case ast::Expr::Kind::Unary:
    return evalUnary(llvm::cast<ast::UnaryExpr>(expr), scope);
  case ast::Expr::Kind::Binary:
    return checkSize(evalBinary(llvm::cast<ast::BinaryExpr>(expr), scope),
                     expr.range);
  case ast::Expr::Kind::Call:
    return checkSize(evalCall(llvm::cast<ast::CallExpr>(expr), scope),
                     expr.range);
  case ast::Expr::Kind::Index:
    return checkSize(evalIndex(llvm::cast<ast::IndexExpr>(expr), scope),
                     expr.range);
  case ast::Expr::Kind::Member:
    return evalMember(llvm::cast<ast::MemberExpr>(expr), scope);
  case ast::Expr::Kind::Tuple:
  case ast::Expr::Kind::List: {
    Val v;
    v.kind = expr.kind == ast::Expr::Kind::Tuple ? Val::Kind::Tuple
                                                 : Val::Kind::List;
    v.origin = expr.range;
    if (auto *t = llvm::dyn_cast<ast::TupleExpr>(&expr)) {
      for (const ast::Arg &a : t->elements) {
        if (!a.name.name.empty()) {
          error(a.name.range, "named tuple elements are only allowed in "
                              "train settings such as 'mesh'");
          return std::nullopt;
        }
        std::optional<Val> e = eval(*a.value, scope);
        if (!e)
          return std::nullopt;
        v.elems.push_back(*e);
      }
    } else {
      for (const ast::ExprPtr &a : llvm::cast<ast::ListExpr>(expr).elements) {
        std::optional<Val> e = eval(*a, scope);
        if (!e)
          return std::nullopt;
        v.elems.push_back(*e);
      }
    }
    return v;
  }
  case ast::Expr::Kind::Slice:
    error(expr.range, "a slice 'a:b' is only allowed inside '[...]'");
    return std::nullopt;
  case ast::Expr::Kind::Split:
  case ast::Expr::Kind::Every:
  case ast::Expr::Kind::Prep:
    error(expr.range, "this form is only allowed in a train setting");
    return std::nullopt;
  }
  return std::nullopt;
}

const Val *Elaborator::lookup(llvm::StringRef name, Scope &scope) const {
  if (auto it = scope.locals.find(name); it != scope.locals.end())
    return &it->second;
  if (scope.inst)
    if (auto it = scope.inst->env.find(name); it != scope.inst->env.end())
      return &it->second;
  return nullptr;
}

std::optional<Val> Elaborator::evalName(const ast::NameExpr &name,
                                        Scope &scope) {
  if (const Val *bound = lookup(name.name, scope))
    return *bound;
  Val v;
  v.origin = name.range;
  if (isBuiltin(name.name)) {
    v.kind = Val::Kind::Fn;
    v.s = name.name;
    return v;
  }
  if (std::optional<Type> dtype = dtypeByName(name.name)) {
    v.kind = Val::Kind::DType;
    v.dtype = *dtype;
    return v;
  }
  if (auto it = program.models.find(name.name); it != program.models.end()) {
    v.kind = Val::Kind::Model;
    v.model = it->second;
    return v;
  }
  std::vector<std::string> candidates = builtinNames();
  for (auto &l : scope.locals)
    candidates.push_back(l.getKey().str());
  if (scope.inst)
    for (auto &e : scope.inst->env)
      candidates.push_back(e.getKey().str());
  for (auto &m : program.models)
    candidates.push_back(m.getKey().str());
  error(name.range, "unknown name '" + name.name + "'" +
                        modelHint(name.name, std::move(candidates)));
  return std::nullopt;
}

std::string Elaborator::modelHint(llvm::StringRef name,
                                  std::vector<std::string> candidates) const {
  std::string module = stdModuleDefining(program.stdDir, name);
  if (!module.empty())
    return "; it is defined in " + module + ": add 'import " + module + "'";
  if (candidates.empty())
    for (auto &m : program.models)
      candidates.push_back(m.getKey().str());
  std::string hint = closestName(name, candidates);
  return hint.empty() ? std::string() : "; did you mean '" + hint + "'?";
}

std::optional<Val> Elaborator::evalUnary(const ast::UnaryExpr &expr,
                                         Scope &scope) {
  std::optional<Val> v = eval(*expr.operand, scope);
  if (!v)
    return std::nullopt;
  if (expr.op == Tok::KwNot) {
    if (v->kind != Val::Kind::Bool) {
      error(expr.range, "'not' needs a bool");
      return std::nullopt;
    }
    return Val::ofBool(!v->b, expr.range);
  }
  if (expr.op == Tok::Plus && (v->isNumber() || v->kind == Val::Kind::Tensor))
    return v;
  if (v->kind == Val::Kind::Int) {
    if (v->i == std::numeric_limits<int64_t>::min()) {
      error(expr.range, "integer overflow: -(" + llvm::Twine(v->i) +
                            ") does not fit in 64 bits");
      return std::nullopt;
    }
    return Val::ofInt(-v->i, expr.range);
  }
  if (v->kind == Val::Kind::Float)
    return Val::ofFloat(-v->f, expr.range);
  std::optional<Value> t = tensorOf(*v, expr.range, "the operand of '-'");
  if (!t)
    return std::nullopt;
  if (expr.op == Tok::Plus)
    return Val::ofTensor(*t, expr.range);
  if (cast<RankedTensorType>(t->getType()).getElementType().isInteger(1)) {
    error(expr.range, "cannot negate a boolean tensor");
    return std::nullopt;
  }
  return Val::ofTensor(b.create<lir::NegOp>(loc(expr.range), *t), expr.range);
}

/// Compile-time arithmetic on two 64-bit integers, every operation checked
/// (Python's rules for '//' and '%': the quotient rounds down, the remainder
/// takes the divisor's sign). Overflow and division by zero are errors at
/// the operator.
static std::optional<Val> foldInts(Elaborator &e, const ast::BinaryExpr &expr,
                                   int64_t l, int64_t r) {
  SMRange at = expr.range;
  std::string op = spell(expr.op).drop_front().drop_back().str();
  auto overflow = [&]() -> std::optional<Val> {
    e.error(expr.opRange, "integer overflow: " + llvm::Twine(l) + " " + op +
                              " " + llvm::Twine(r) +
                              " does not fit in 64 "
                              "bits");
    return std::nullopt;
  };
  int64_t v = 0;
  switch (expr.op) {
  case Tok::Plus:
    if (__builtin_add_overflow(l, r, &v))
      return overflow();
    return Val::ofInt(v, at);
  case Tok::Minus:
    if (__builtin_sub_overflow(l, r, &v))
      return overflow();
    return Val::ofInt(v, at);
  case Tok::Star:
    if (__builtin_mul_overflow(l, r, &v))
      return overflow();
    return Val::ofInt(v, at);
  case Tok::SlashSlash:
  case Tok::Percent: {
    if (r == 0) {
      e.error(expr.opRange, "division by zero");
      return std::nullopt;
    }
    // l / -1 overflows for the smallest l (and traps); l % -1 is 0.
    if (r == -1 && expr.op == Tok::Percent)
      return Val::ofInt(0, at);
    if (r == -1)
      return l == std::numeric_limits<int64_t>::min()
                 ? overflow()
                 : std::optional<Val>(Val::ofInt(-l, at));
    int64_t q = l / r, m = l % r;
    bool adjust = m != 0 && ((m < 0) != (r < 0));
    return expr.op == Tok::SlashSlash ? Val::ofInt(q - adjust, at)
                                      : Val::ofInt(adjust ? m + r : m, at);
  }
  case Tok::StarStar: {
    // By squaring: 63 steps at most, whatever the exponent.
    int64_t base = l, result = 1;
    for (int64_t n = r; n; n >>= 1) {
      if ((n & 1) && __builtin_mul_overflow(result, base, &result))
        return overflow();
      if (n > 1 && __builtin_mul_overflow(base, base, &base))
        return overflow();
    }
    return Val::ofInt(result, at);
  }
  case Tok::EqEq:
    return Val::ofBool(l == r, at);
  case Tok::NotEq:
    return Val::ofBool(l != r, at);
  case Tok::Less:
    return Val::ofBool(l < r, at);
  case Tok::LessEq:
    return Val::ofBool(l <= r, at);
  case Tok::Greater:
    return Val::ofBool(l > r, at);
  case Tok::GreaterEq:
    return Val::ofBool(l >= r, at);
  default:
    return std::nullopt; // not reached: foldScalars handles the rest
  }
}

/// Compile-time arithmetic on two numbers.
static std::optional<Val> foldScalars(Elaborator &e,
                                      const ast::BinaryExpr &expr, const Val &l,
                                      const Val &r) {
  SMRange at = expr.range;
  bool ints = l.kind == Val::Kind::Int && r.kind == Val::Kind::Int;
  double a = l.asDouble(), c = r.asDouble();
  switch (expr.op) {
  case Tok::Plus:
  case Tok::Minus:
  case Tok::Star:
  case Tok::EqEq:
  case Tok::NotEq:
  case Tok::Less:
  case Tok::LessEq:
  case Tok::Greater:
  case Tok::GreaterEq:
    if (ints)
      return foldInts(e, expr, l.i, r.i);
    break;
  case Tok::SlashSlash:
  case Tok::Percent:
    if (!ints) {
      e.error(expr.opRange, "'//' and '%' need integers");
      return std::nullopt;
    }
    return foldInts(e, expr, l.i, r.i);
  case Tok::StarStar:
    if (ints && r.i >= 0)
      return foldInts(e, expr, l.i, r.i);
    break;
  default:
    break;
  }
  switch (expr.op) {
  case Tok::Plus:
    return Val::ofFloat(a + c, at);
  case Tok::Minus:
    return Val::ofFloat(a - c, at);
  case Tok::Star:
    return Val::ofFloat(a * c, at);
  case Tok::Slash:
    if (c == 0) {
      e.error(expr.opRange, "division by zero");
      return std::nullopt;
    }
    return Val::ofFloat(a / c, at);
  case Tok::StarStar:
    return Val::ofFloat(std::pow(a, c), at);
  case Tok::EqEq:
    return Val::ofBool(a == c, at);
  case Tok::NotEq:
    return Val::ofBool(a != c, at);
  case Tok::Less:
    return Val::ofBool(a < c, at);
  case Tok::LessEq:
    return Val::ofBool(a <= c, at);
  case Tok::Greater:
    return Val::ofBool(a > c, at);
  case Tok::GreaterEq:
    return Val::ofBool(a >= c, at);
  default:
    e.error(expr.opRange,
            "'" + spell(expr.op).drop_front().drop_back() + "' needs tensors");
    return std::nullopt;
  }
}

std::optional<Val> Elaborator::evalBinary(const ast::BinaryExpr &expr,
                                          Scope &scope) {
  std::optional<Val> lhs = eval(*expr.lhs, scope);
  if (!lhs)
    return std::nullopt;
  std::optional<Val> rhs = eval(*expr.rhs, scope);
  if (!rhs)
    return std::nullopt;
  if (expr.op == Tok::KwAnd || expr.op == Tok::KwOr) {
    if (lhs->kind != Val::Kind::Bool || rhs->kind != Val::Kind::Bool) {
      error(expr.opRange, "'and' and 'or' need bools");
      return std::nullopt;
    }
    return Val::ofBool(expr.op == Tok::KwAnd ? lhs->b && rhs->b
                                             : lhs->b || rhs->b,
                       expr.range);
  }
  if (lhs->isNumber() && rhs->isNumber())
    return foldScalars(*this, expr, *lhs, *rhs);
  if ((lhs->kind == Val::Kind::Str && rhs->kind == Val::Kind::Str) &&
      (expr.op == Tok::EqEq || expr.op == Tok::NotEq))
    return Val::ofBool((lhs->s == rhs->s) == (expr.op == Tok::EqEq),
                       expr.range);
  if ((lhs->kind == Val::Kind::Bool && rhs->kind == Val::Kind::Bool) &&
      (expr.op == Tok::EqEq || expr.op == Tok::NotEq))
    return Val::ofBool((lhs->b == rhs->b) == (expr.op == Tok::EqEq),
                       expr.range);
  return tensorBinary(expr, *lhs, *rhs);
}
