//===- EvalTensor.cpp - Tensor operators, calls and indexing --------------===//
//
// Part of Loom. This file implements the tensor side of expression
// evaluation: binary operators (checked with the IR's own broadcasting and
// matmul rules, then emitted as loom ops), calls, indexing and slicing, and
// the check of the shapes a program writes (checkWrittenShape).
//
//===----------------------------------------------------------------------===//

#include "frontend/Elaborator.h"

#include "ir/LoomOps.h"
#include "ir/ShapeInference.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using llvm::SMRange;
using mlir::loom::RuleLoc;

std::optional<Val> Elaborator::tensorBinary(const ast::BinaryExpr &expr,
                                            Val lhs, Val rhs) {
  llvm::StringRef opText = spell(expr.op).drop_front().drop_back();
  bool lhsScalar = lhs.isNumber() || lhs.kind == Val::Kind::Bool;
  bool rhsScalar = rhs.isNumber() || rhs.kind == Val::Kind::Bool;
  if ((!lhsScalar && lhs.kind != Val::Kind::Tensor &&
       lhs.kind != Val::Kind::Param) ||
      (!rhsScalar && rhs.kind != Val::Kind::Tensor &&
       rhs.kind != Val::Kind::Param)) {
    error(expr.opRange, "'" + opText + "' needs numbers or tensors");
    return std::nullopt;
  }
  if (lhsScalar && rhsScalar) { // a bool and a number, or two bools
    error(expr.opRange,
          "'" + opText + "' needs numbers or tensors, not " +
              (lhs.kind == Val::Kind::Bool ? "a bool" : "a number") + " and " +
              (rhs.kind == Val::Kind::Bool ? "a bool" : "a number"));
    return std::nullopt;
  }
  // A scalar takes the element type of the tensor on the other side.
  std::optional<Value> l, r;
  if (!lhsScalar && !(l = tensorOf(lhs, expr.lhs->range, "the left operand")))
    return std::nullopt;
  if (!rhsScalar && !(r = tensorOf(rhs, expr.rhs->range, "the right operand")))
    return std::nullopt;
  auto scalarFor = [&](const Val &s, Value other, SMRange at) -> Value {
    Type et = cast<RankedTensorType>(other.getType()).getElementType();
    if (s.kind == Val::Kind::Float && !isa<FloatType>(et)) {
      error(at, "a float cannot combine with the " + typeStr(other.getType()) +
                    " tensor on the other side; cast it first");
      return nullptr;
    }
    return scalarConstant(s, et, at);
  };
  // (scalarFor's null is an error: test the value, not the optional.)
  if (lhsScalar) {
    Value v = scalarFor(lhs, *r, expr.lhs->range);
    if (!v)
      return std::nullopt;
    l = v;
  }
  if (rhsScalar) {
    Value v = scalarFor(rhs, *l, expr.rhs->range);
    if (!v)
      return std::nullopt;
    r = v;
  }
  if (lhsScalar)
    lhs = Val::ofTensor(*l, expr.lhs->range);
  if (rhsScalar)
    rhs = Val::ofTensor(*r, expr.rhs->range);
  lhs.kind = rhs.kind = Val::Kind::Tensor;
  lhs.tensor = *l;
  rhs.tensor = *r;
  auto lt = cast<RankedTensorType>(l->getType());
  auto rt = cast<RankedTensorType>(r->getType());
  Location at = loc(expr.opRange);
  auto fail = [&](const llvm::Twine &what) -> std::optional<Val> {
    error(expr.opRange, what, [&] {
      noteOrigin(lhs, "the left operand");
      noteOrigin(rhs, "the right operand");
    });
    return std::nullopt;
  };

  if (expr.op == Tok::At) {
    llvm::SmallVector<Type> results;
    if (lt.getElementType() != rt.getElementType())
      return fail("element types differ: " + typeStr(lt) + " @ " + typeStr(rt) +
                  "; use cast()");
    if (lt.getRank() < 2 || rt.getRank() < 2)
      return fail("'@' multiplies matrices (rank >= 2): " + typeStr(lt) +
                  " @ " + typeStr(rt));
    if (failed(inferMatmulOp(std::nullopt, lt, rt, false, false, results)))
      return fail("matmul shapes do not fit: " + typeStr(lt) + " @ " +
                  typeStr(rt) + ": the left's last dim (" +
                  llvm::Twine(lt.getShape().back()) +
                  ") must equal the right's second-to-last (" +
                  llvm::Twine(rt.getDimSize(rt.getRank() - 2)) +
                  ") and batch dims must broadcast");
    // x @ transpose(w) reads w transposed in place: the weight layout the
    // backends prefer ([N, K]).
    Value rhsValue = *r;
    bool transposeRhs = false;
    if (auto t = rhsValue.getDefiningOp<lir::TransposeOp>()) {
      ArrayRef<int64_t> perm = t.getPerm();
      int64_t n = perm.size();
      bool swapsLastTwo =
          n >= 2 && perm[n - 1] == n - 2 && perm[n - 2] == n - 1;
      for (int64_t i = 0; i + 2 < n; ++i)
        swapsLastTwo &= perm[i] == i;
      if (swapsLastTwo) {
        rhsValue = t.getInput();
        transposeRhs = true;
      }
    }
    auto mm = b.create<lir::MatmulOp>(at, *l, rhsValue, false, transposeRhs);
    if (transposeRhs && r->use_empty())
      r->getDefiningOp()->erase();
    return Val::ofTensor(mm, expr.range);
  }

  if (lt.getElementType() != rt.getElementType())
    return fail("element types differ: " + typeStr(lt) + " " + opText + " " +
                typeStr(rt) + "; use cast()");
  if (failed(broadcastShapes(lt.getShape(), rt.getShape())))
    return fail("shapes do not broadcast: " + typeStr(lt) + " " + opText + " " +
                typeStr(rt));
  bool isFloat = isa<FloatType>(lt.getElementType());
  bool isBool = lt.getElementType().isInteger(1);
  Value result;
  auto cmp = [&](lir::ComparePredicate p) {
    return b.create<lir::CompareOp>(at, p, *l, *r).getResult();
  };
  switch (expr.op) {
  case Tok::Plus:
  case Tok::Minus:
  case Tok::Star:
  case Tok::Slash:
    if (isBool)
      return fail("arithmetic needs numbers, not " + typeStr(lt));
    if (expr.op == Tok::Plus)
      result = b.create<lir::AddOp>(at, *l, *r);
    else if (expr.op == Tok::Minus)
      result = b.create<lir::SubOp>(at, *l, *r);
    else if (expr.op == Tok::Star)
      result = b.create<lir::MulOp>(at, *l, *r);
    else
      result = b.create<lir::DivOp>(at, *l, *r);
    break;
  case Tok::StarStar:
    if (!isFloat)
      return fail("'**' needs floating-point tensors, not " + typeStr(lt));
    result = b.create<lir::PowOp>(at, *l, *r);
    break;
  case Tok::EqEq:
    result = cmp(lir::ComparePredicate::eq);
    break;
  case Tok::NotEq:
    result = cmp(lir::ComparePredicate::ne);
    break;
  case Tok::Less:
    result = cmp(lir::ComparePredicate::lt);
    break;
  case Tok::LessEq:
    result = cmp(lir::ComparePredicate::le);
    break;
  case Tok::Greater:
    result = cmp(lir::ComparePredicate::gt);
    break;
  case Tok::GreaterEq:
    result = cmp(lir::ComparePredicate::ge);
    break;
  default:
    return fail("'" + opText + "' is not defined on tensors");
  }
  return Val::ofTensor(result, expr.range);
}

std::optional<Val> Elaborator::evalCall(const ast::CallExpr &call,
                                        Scope &scope) {
  std::optional<Val> callee = eval(*call.callee, scope);
  if (!callee)
    return std::nullopt;
  switch (callee->kind) {
  case Val::Kind::Fn:
    return callBuiltin(callee->s, call, call.args, scope);
  case Val::Kind::Instance: {
    std::vector<Val> args;
    for (const ast::Arg &arg : call.args) {
      if (!arg.name.name.empty()) {
        error(arg.name.range, "a model's forward takes positional arguments");
        return std::nullopt;
      }
      std::optional<Val> v = eval(*arg.value, scope);
      if (!v)
        return std::nullopt;
      args.push_back(*v);
    }
    return callInstance(*callee->inst, std::move(args), call.range);
  }
  case Val::Kind::Model:
    error(call.range, "model '" + callee->model->name.name +
                          "' is instantiated as a member ('name = " +
                          callee->model->name.name +
                          "(...)') or as a train block's model, not called "
                          "inside a forward");
    return std::nullopt;
  default:
    error(call.callee->range, "this is not a function, a model instance or "
                              "a builtin");
    return std::nullopt;
  }
}

std::optional<Val> Elaborator::evalMember(const ast::MemberExpr &expr,
                                          Scope &scope) {
  std::optional<Val> base = eval(*expr.base, scope);
  if (!base)
    return std::nullopt;
  const std::string &name = expr.member.name;
  if (base->kind == Val::Kind::Instance && !base->inst->isStack) {
    auto it = base->inst->env.find(name);
    if (it != base->inst->env.end())
      return it->second;
    error(expr.member.range, "model '" + base->inst->decl->name.name +
                                 "' has no member '" + name + "'");
    return std::nullopt;
  }
  if ((base->kind == Val::Kind::Tensor || base->kind == Val::Kind::Param) &&
      name == "shape") {
    std::optional<Value> t = tensorOf(*base, expr.base->range, "the value");
    if (!t)
      return std::nullopt;
    Val list;
    list.kind = Val::Kind::List;
    list.origin = expr.range;
    for (int64_t d : cast<RankedTensorType>(t->getType()).getShape())
      list.elems.push_back(Val::ofInt(d, expr.range));
    return list;
  }
  error(expr.member.range, "no member '" + name + "' here");
  return std::nullopt;
}

std::optional<Val> Elaborator::evalIndex(const ast::IndexExpr &expr,
                                         Scope &scope) {
  std::optional<Val> base = eval(*expr.base, scope);
  if (!base)
    return std::nullopt;
  // Stacks, tuples and lists take one integer index.
  if ((base->kind == Val::Kind::Instance && base->inst->isStack) ||
      base->kind == Val::Kind::Tuple || base->kind == Val::Kind::List) {
    if (expr.indices.size() != 1) {
      error(expr.range, "this takes one index");
      return std::nullopt;
    }
    std::optional<int64_t> i = evalInt(*expr.indices[0], scope, "the index");
    if (!i)
      return std::nullopt;
    int64_t n = base->kind == Val::Kind::Instance ? base->inst->stack.size()
                                                  : base->elems.size();
    int64_t k = *i < 0 ? *i + n : *i;
    if (k < 0 || k >= n) {
      error(expr.indices[0]->range, "index " + llvm::Twine(*i) +
                                        " is out of range for " +
                                        llvm::Twine(n) + " elements");
      return std::nullopt;
    }
    if (base->kind != Val::Kind::Instance)
      return base->elems[k];
    Val v;
    v.kind = Val::Kind::Instance;
    v.inst = base->inst->stack[k].get();
    return v;
  }
  std::optional<Value> t =
      tensorOf(*base, expr.base->range, "the indexed value");
  if (!t)
    return std::nullopt;
  auto type = cast<RankedTensorType>(t->getType());
  Val baseVal = *base;
  if (baseVal.kind == Val::Kind::Param)
    baseVal = Val::ofTensor(*t, base->origin);

  // One integer-tensor index: a gather along dim 0 (an embedding lookup).
  if (expr.indices.size() == 1 &&
      !llvm::isa<ast::SliceExpr>(expr.indices[0].get())) {
    std::optional<Val> idx = eval(*expr.indices[0], scope);
    if (!idx)
      return std::nullopt;
    if (idx->kind == Val::Kind::Tensor || idx->kind == Val::Kind::Param) {
      std::optional<Value> it =
          tensorOf(*idx, expr.indices[0]->range, "the index");
      if (!it)
        return std::nullopt;
      Type et = cast<RankedTensorType>(it->getType()).getElementType();
      if (!et.isInteger(32) && !et.isInteger(64)) {
        error(expr.indices[0]->range, "a tensor index must hold i32 or i64, "
                                      "not " +
                                          typeStr(it->getType()));
        return std::nullopt;
      }
      if (type.getRank() < 1) {
        error(expr.base->range, "cannot index a scalar");
        return std::nullopt;
      }
      return Val::ofTensor(b.create<lir::GatherOp>(loc(expr.range), *t, *it, 0),
                           expr.range);
    }
  }

  if (expr.indices.size() > size_t(type.getRank())) {
    error(expr.range, "too many indices (" + llvm::Twine(expr.indices.size()) +
                          ") for " + typeStr(type));
    return std::nullopt;
  }
  llvm::SmallVector<int64_t> start, limit, stride, kept;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t n = type.getDimSize(d);
    if (d >= int64_t(expr.indices.size())) {
      start.push_back(0);
      limit.push_back(n);
      stride.push_back(1);
      kept.push_back(n);
      continue;
    }
    const ast::Expr &item = *expr.indices[d];
    auto *slice = llvm::dyn_cast<ast::SliceExpr>(&item);
    if (!slice) {
      std::optional<int64_t> i = evalInt(item, scope, "an index");
      if (!i)
        return std::nullopt;
      int64_t k = *i < 0 ? *i + n : *i;
      if (k < 0 || k >= n) {
        error(item.range, "index " + llvm::Twine(*i) +
                              " is out of range for "
                              "dimension " +
                              llvm::Twine(d) + " of size " + llvm::Twine(n));
        return std::nullopt;
      }
      start.push_back(k);
      limit.push_back(k + 1);
      stride.push_back(1);
      continue; // the dimension is dropped
    }
    int64_t step = 1;
    if (slice->step) {
      std::optional<int64_t> s = evalInt(*slice->step, scope, "a slice step");
      if (!s)
        return std::nullopt;
      if (*s <= 0) {
        error(slice->step->range, "a slice step must be positive");
        return std::nullopt;
      }
      step = *s;
    }
    // Python's rule: negative bounds count from the end, then clamp.
    auto bound = [&](const ast::ExprPtr &e,
                     int64_t dflt) -> std::optional<int64_t> {
      if (!e)
        return dflt;
      std::optional<int64_t> v = evalInt(*e, scope, "a slice bound");
      if (!v)
        return std::nullopt;
      int64_t k = *v < 0 ? *v + n : *v;
      return std::clamp<int64_t>(k, 0, n);
    };
    std::optional<int64_t> lo = bound(slice->start, 0);
    std::optional<int64_t> hi = bound(slice->stop, n);
    if (!lo || !hi)
      return std::nullopt;
    int64_t from = *lo, to = std::max(*lo, *hi);
    if (to == from) {
      error(item.range, "the slice takes no element of dimension " +
                            llvm::Twine(d) + " (of size " + llvm::Twine(n) +
                            "): tensors without elements are not supported");
      return std::nullopt;
    }
    start.push_back(from);
    limit.push_back(to);
    stride.push_back(step);
    kept.push_back((to - from - 1) / step + 1);
  }
  Location at = loc(expr.range);
  Value result = b.create<lir::SliceOp>(at, *t, start, limit, stride);
  if (int64_t(kept.size()) != type.getRank())
    result = b.create<lir::ReshapeOp>(
        at, RankedTensorType::get(kept, type.getElementType()), result);
  return Val::ofTensor(result, expr.range);
}

bool Elaborator::checkWrittenShape(llvm::ArrayRef<int64_t> shape, Type elem,
                                   SMRange at, const llvm::Twine &what) {
  // Spelled by hand: a negative size makes no valid type to print.
  auto type = [&] {
    std::string dims;
    for (int64_t d : shape)
      dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    return typeStr(elem) + "[" + dims + "]";
  };
  uint64_t bytes = (elem.getIntOrFloatBitWidth() + 7) / 8;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d < 1) {
      error(at, what + " " + type() + " has dimension " + llvm::Twine(i) +
                    " of size " + llvm::Twine(d) +
                    (d ? ": a size must be positive"
                       : ": tensors without elements are not supported"));
      return false;
    }
    if (uint64_t(d) > kMaxTensorBytes / bytes) {
      error(at, what + " " + type() + " takes more than 2^48 bytes, the " +
                    "most one tensor may take");
      return false;
    }
    bytes *= uint64_t(d);
  }
  return true;
}
