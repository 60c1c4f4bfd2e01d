//===- Builtins.cpp - The builtin functions of Loom -----------------------===//
//
// Part of Loom. This file implements the builtins of docs/language.md: each
// binds its arguments (positional, then by keyword, with defaults), checks
// them with the IR's shape rules so that errors read the same everywhere, and
// emits loom ops. Composite builtins (mse, mae, huber, bce, flatten, split,
// l1/l2) are written here in terms of primitive ops.
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"

#include "ir/LoomOps.h"
#include "ir/ShapeInference.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/GlobPattern.h"

#include <cmath>
#include <cstdio>

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using llvm::SMRange;
using mlir::loom::RuleLoc;

namespace {

constexpr BParam opt(const char *n) { return {n, false}; }

const std::vector<BuiltinSpec> &specs() {
  static const std::vector<BuiltinSpec> all = {
      {"exp", {{"x"}}},
      {"log", {{"x"}}},
      {"sqrt", {{"x"}}},
      {"rsqrt", {{"x"}}},
      {"tanh", {{"x"}}},
      {"sigmoid", {{"x"}}},
      {"relu", {{"x"}}},
      {"erf", {{"x"}}},
      {"abs", {{"x"}}},
      {"sign", {{"x"}}},
      {"gelu", {{"x"}, opt("approximate")}},
      {"maximum", {{"a"}, {"b"}}},
      {"minimum", {{"a"}, {"b"}}},
      {"where", {{"cond"}, {"a"}, {"b"}}},
      {"cast", {{"x"}, {"dtype"}}},
      {"reshape", {{"x"}, {"shape"}}},
      {"transpose", {{"x"}, opt("perm")}},
      {"broadcast_to", {{"x"}, {"shape"}}},
      {"concat", {{"tensors"}, opt("dim")}},
      {"split", {{"x"}, {"n"}, opt("dim")}},
      {"flatten", {{"x"}, opt("start")}},
      {"sum", {{"x"}, opt("dim"), opt("keepdim")}},
      {"mean", {{"x"}, opt("dim"), opt("keepdim")}},
      {"max", {{"x"}, opt("dim"), opt("keepdim")}},
      {"min", {{"x"}, opt("dim"), opt("keepdim")}},
      {"softmax", {{"x"}, opt("dim")}},
      {"log_softmax", {{"x"}, opt("dim")}},
      {"layer_norm", {{"x"}, {"scale"}, {"bias"}, opt("eps")}},
      {"attention", {{"q"}, {"k"}, {"v"}, opt("causal"), opt("scale")}},
      {"conv2d",
       {{"x"},
        {"w"},
        opt("stride"),
        opt("padding"),
        opt("dilation"),
        opt("groups")}},
      {"max_pool2d", {{"x"}, {"window"}, opt("stride"), opt("padding")}},
      {"avg_pool2d", {{"x"}, {"window"}, opt("stride"), opt("padding")}},
      {"dropout", {{"x"}, {"rate"}}},
      {"zeros", {{"shape"}, opt("dtype")}},
      {"ones", {{"shape"}, opt("dtype")}},
      {"full", {{"shape"}, {"value"}, opt("dtype")}},
      {"arange", {{"n"}}},
      {"cross_entropy", {{"logits"}, {"labels"}}},
      {"mse", {{"pred"}, {"target"}}},
      {"mae", {{"pred"}, {"target"}}},
      {"huber", {{"pred"}, {"target"}, opt("delta")}},
      {"bce", {{"logits"}, {"targets"}}},
      {"l1", {{"pattern"}}},
      {"l2", {{"pattern"}}},
  };
  return all;
}

} // namespace

namespace mlir::loom {
const BuiltinSpec *findBuiltin(llvm::StringRef name) {
  for (const BuiltinSpec &s : specs())
    if (name == s.name)
      return &s;
  return nullptr;
}

bool isBuiltin(llvm::StringRef name) { return findBuiltin(name); }

std::vector<std::string> builtinNames() {
  std::vector<std::string> names;
  for (const BuiltinSpec &s : specs())
    names.push_back(s.name);
  return names;
}
} // namespace mlir::loom

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

/// The elementwise functions applied to numbers known when the model is
/// built (`0.02 / sqrt(2 * layers)`, `scale = 1.0 / sqrt(hd)`): computed in
/// double precision, not emitted. Sets `handled` when it took the call (then
/// std::nullopt is an error already reported); leaves it false when an
/// argument is a tensor or the builtin is not one of these.
static std::optional<Val> scalarMath(BuiltinCall &c, bool &handled) {
  llvm::StringRef name = c.spec.name;
  for (const std::optional<Val> &arg : c.args)
    if (arg && !arg->isNumber())
      return std::nullopt;
  if (name == "maximum" || name == "minimum") {
    handled = true;
    const Val &a = *c.args[0], &b = *c.args[1];
    bool pickA = name == "maximum" ? a.asDouble() >= b.asDouble()
                                   : a.asDouble() <= b.asDouble();
    if (a.kind == Val::Kind::Int && b.kind == Val::Kind::Int)
      return Val::ofInt(pickA ? a.i : b.i, c.call.range);
    return Val::ofFloat(pickA ? a.asDouble() : b.asDouble(), c.call.range);
  }
  if (c.args.size() != 1 || !c.args[0])
    return std::nullopt;
  const Val &x = *c.args[0];
  if (x.kind == Val::Kind::Int &&
      (name == "abs" || name == "relu" || name == "sign")) {
    int64_t i = x.i;
    int64_t r = name == "abs"    ? (i < 0 ? -i : i)
                : name == "relu" ? (i < 0 ? 0 : i)
                                 : (i > 0) - (i < 0);
    handled = true;
    return Val::ofInt(r, c.call.range);
  }
  double v = x.asDouble();
  double r;
  if (name == "exp")
    r = std::exp(v);
  else if (name == "log")
    r = std::log(v);
  else if (name == "sqrt")
    r = std::sqrt(v);
  else if (name == "rsqrt")
    r = 1.0 / std::sqrt(v);
  else if (name == "tanh")
    r = std::tanh(v);
  else if (name == "sigmoid")
    r = 1.0 / (1.0 + std::exp(-v));
  else if (name == "erf")
    r = std::erf(v);
  else if (name == "abs")
    r = std::fabs(v);
  else if (name == "relu")
    r = v < 0 ? 0.0 : v;
  else if (name == "sign")
    r = double((v > 0) - (v < 0));
  else
    return std::nullopt;
  handled = true;
  if (!std::isfinite(r)) {
    char arg[32];
    std::snprintf(arg, sizeof(arg), "%g", v);
    c.e.error(c.call.range, name + "(" + arg + ") is not a finite number");
    return std::nullopt;
  }
  return Val::ofFloat(r, c.call.range);
}

std::optional<Val> Elaborator::callBuiltin(llvm::StringRef name,
                                           const ast::CallExpr &call,
                                           const std::vector<ast::Arg> &args,
                                           Scope &scope) {
  const BuiltinSpec *spec = findBuiltin(name);
  BuiltinCall c{*this, call, scope, *spec, {}, {}};
  if (!c.bind(args))
    return std::nullopt;
  bool handled = false;
  std::optional<Val> folded = scalarMath(c, handled);
  if (handled)
    return folded;
  // Everything but the train block's penalties computes on tensors, which
  // exist only while a function is being built.
  return emitTensorBuiltin(c);
}

//===----------------------------------------------------------------------===//
// Elementwise and shape builtins
//===----------------------------------------------------------------------===//

template <typename OpTy>
static std::optional<Val> unary(BuiltinCall &c, bool floatOnly) {
  std::optional<Value> x = c.tensor(0);
  if (!x)
    return std::nullopt;
  Type et = tt(*x).getElementType();
  if ((floatOnly && !isa<FloatType>(et)) || et.isInteger(1)) {
    c.e.error(c.call.range, llvm::Twine(c.spec.name) + " needs " +
                                (floatOnly ? "a floating-point" : "a numeric") +
                                " tensor, not " + Elaborator::typeStr(*x));
    return std::nullopt;
  }
  return c.result(c.e.builder().create<OpTy>(c.loc(), *x));
}

namespace mlir::loom {
std::optional<Val> emitTensorBuiltin(BuiltinCall &c) {
  llvm::StringRef name = c.spec.name;
  OpBuilder &b = c.e.builder();
  if (name == "exp")
    return unary<lir::ExpOp>(c, true);
  if (name == "log")
    return unary<lir::LogOp>(c, true);
  if (name == "sqrt")
    return unary<lir::SqrtOp>(c, true);
  if (name == "rsqrt")
    return unary<lir::RsqrtOp>(c, true);
  if (name == "tanh")
    return unary<lir::TanhOp>(c, true);
  if (name == "sigmoid")
    return unary<lir::SigmoidOp>(c, true);
  if (name == "erf")
    return unary<lir::ErfOp>(c, true);
  if (name == "relu")
    return unary<lir::ReluOp>(c, false);
  if (name == "abs")
    return unary<lir::AbsOp>(c, false);
  if (name == "sign")
    return unary<lir::SignOp>(c, false);
  if (name == "gelu") {
    std::optional<Value> x = c.tensor(0);
    std::optional<bool> approximate = c.flag(1, false);
    if (!x || !approximate)
      return std::nullopt;
    if (!isa<FloatType>(tt(*x).getElementType())) {
      c.e.error(c.call.range, "gelu needs a floating-point tensor, not " +
                                  Elaborator::typeStr(*x));
      return std::nullopt;
    }
    return c.result(b.create<lir::GeluOp>(c.loc(), *x, *approximate));
  }
  if (name == "maximum" || name == "minimum" || name == "where") {
    bool isWhere = name == "where";
    size_t first = isWhere ? 1 : 0;
    // The element type comes from whichever operand is a tensor.
    Type et;
    for (size_t i = first; i < first + 2; ++i)
      if (c.args[i]->kind == Val::Kind::Tensor ||
          c.args[i]->kind == Val::Kind::Param)
        if (std::optional<Value> t = c.tensor(i))
          et = tt(*t).getElementType();
    if (!et) {
      c.e.error(c.call.range, name + " needs at least one tensor");
      return std::nullopt;
    }
    std::optional<Value> l = c.tensorOrScalar(first, et);
    std::optional<Value> r = c.tensorOrScalar(first + 1, et);
    if (!l || !r)
      return std::nullopt;
    if (isWhere) {
      std::optional<Value> cond = c.tensor(0);
      if (!cond)
        return std::nullopt;
      if (!tt(*cond).getElementType().isInteger(1)) {
        c.e.error(c.ranges[0], "where's condition must be an i1 tensor (a "
                               "comparison), not " +
                                   Elaborator::typeStr(*cond));
        return std::nullopt;
      }
      if (!c.check([&](RuleLoc at, llvm::SmallVectorImpl<Type> &t) {
            return inferSelectOp(at, tt(*cond), tt(*l), tt(*r), t);
          }))
        return std::nullopt;
      return c.result(b.create<lir::SelectOp>(c.loc(), *cond, *l, *r));
    }
    if (!c.check([&](RuleLoc at, llvm::SmallVectorImpl<Type> &t) {
          return inferBinaryElementwiseOp(at, tt(*l), tt(*r), t);
        }))
      return std::nullopt;
    if (name == "maximum")
      return c.result(b.create<lir::MaxOp>(c.loc(), *l, *r));
    return c.result(b.create<lir::MinOp>(c.loc(), *l, *r));
  }
  if (name == "cast") {
    std::optional<Value> x = c.tensor(0);
    std::optional<Type> to = c.dtype(1, Type());
    if (!x || !to)
      return std::nullopt;
    auto type = RankedTensorType::get(tt(*x).getShape(), *to);
    if (type == x->getType())
      return c.result(*x);
    return c.result(b.create<lir::CastOp>(c.loc(), type, *x));
  }
  if (name == "reshape" || name == "broadcast_to") {
    std::optional<Value> x = c.tensor(0);
    std::optional<llvm::SmallVector<int64_t>> shape = c.ints(1);
    if (!x || !shape)
      return std::nullopt;
    Type elem = tt(*x).getElementType();
    if (name == "reshape") {
      // One -1 takes what the other dimensions leave.
      int64_t unknown = -1;
      for (auto [i, d] : llvm::enumerate(*shape)) {
        if (d == -1 && unknown < 0)
          unknown = i;
        else if (d < 1) {
          c.e.error(c.ranges[1], "reshape sizes must be positive (one may be "
                                 "-1)");
          return std::nullopt;
        }
      }
      if (unknown >= 0) {
        // The other sizes multiply past the tensor's elements (which fit)
        // if their product overflows: they do not divide it either.
        int64_t known = 1;
        bool overflow = false;
        for (auto [i, d] : llvm::enumerate(*shape))
          if (int64_t(i) != unknown)
            overflow |= __builtin_mul_overflow(known, d, &known);
        if (overflow || tt(*x).getNumElements() % known != 0) {
          c.e.error(c.ranges[1], "cannot reshape " + Elaborator::typeStr(*x) +
                                     ": the sizes do not divide its " +
                                     llvm::Twine(tt(*x).getNumElements()) +
                                     " elements");
          return std::nullopt;
        }
        (*shape)[unknown] = tt(*x).getNumElements() / known;
      }
    }
    if (!c.e.checkWrittenShape(*shape, elem, c.ranges[1], "the shape"))
      return std::nullopt;
    auto type = RankedTensorType::get(*shape, elem);
    if (!c.check([&](RuleLoc at, llvm::SmallVectorImpl<Type> &) {
          return name == "reshape" ? verifyReshapeOp(at, tt(*x), type)
                                   : verifyBroadcastOp(at, tt(*x), type);
        }))
      return std::nullopt;
    if (name == "reshape")
      return c.result(b.create<lir::ReshapeOp>(c.loc(), type, *x));
    return c.result(b.create<lir::BroadcastOp>(c.loc(), type, *x));
  }
  if (name == "transpose") {
    std::optional<Value> x = c.tensor(0);
    if (!x)
      return std::nullopt;
    int64_t rank = tt(*x).getRank();
    llvm::SmallVector<int64_t> perm =
        llvm::to_vector(llvm::seq<int64_t>(0, rank));
    if (c.has(1)) {
      std::optional<llvm::SmallVector<int64_t>> p = c.ints(1);
      if (!p)
        return std::nullopt;
      perm = *p;
      for (int64_t &d : perm)
        if (d < 0)
          d += rank;
    } else if (rank >= 2) {
      std::swap(perm[rank - 1], perm[rank - 2]);
    } else {
      c.e.error(c.call.range, "transpose without a permutation swaps the last "
                              "two dims, but " +
                                  Elaborator::typeStr(*x) +
                                  " has fewer than two");
      return std::nullopt;
    }
    if (!c.check([&](RuleLoc at, llvm::SmallVectorImpl<Type> &t) {
          return inferTransposeOp(at, tt(*x), perm, t);
        }))
      return std::nullopt;
    return c.result(b.create<lir::TransposeOp>(c.loc(), *x, perm));
  }
  if (name == "concat") {
    const Val &list = *c.args[0];
    if (list.kind != Val::Kind::List && list.kind != Val::Kind::Tuple) {
      c.e.error(c.ranges[0], "concat takes a list of tensors: concat([a, b])");
      return std::nullopt;
    }
    llvm::SmallVector<Value> inputs;
    llvm::SmallVector<RankedTensorType> types;
    for (const Val &v : list.elems) {
      std::optional<Value> t = c.e.tensorOf(v, c.ranges[0], "each element");
      if (!t)
        return std::nullopt;
      inputs.push_back(*t);
      types.push_back(tt(*t));
    }
    if (inputs.empty()) {
      c.e.error(c.ranges[0], "concat needs at least one tensor");
      return std::nullopt;
    }
    std::optional<int64_t> dim = c.dim(1, 0, types[0].getRank());
    if (!dim || !c.check([&](RuleLoc at, llvm::SmallVectorImpl<Type> &t) {
          return inferConcatOp(at, types, *dim, t);
        }))
      return std::nullopt;
    return c.result(b.create<lir::ConcatOp>(c.loc(), inputs, *dim));
  }
  if (name == "split") {
    std::optional<Value> x = c.tensor(0);
    std::optional<int64_t> n = c.integer(1, 1);
    if (!x || !n)
      return std::nullopt;
    RankedTensorType type = tt(*x);
    std::optional<int64_t> dim = c.dim(2, -1, type.getRank());
    if (!dim)
      return std::nullopt;
    if (*n < 1 || type.getDimSize(*dim) % *n != 0) {
      c.e.error(c.call.range, "split: dimension " + llvm::Twine(*dim) + " of " +
                                  Elaborator::typeStr(type) +
                                  " does not divide into " + llvm::Twine(*n) +
                                  " equal parts");
      return std::nullopt;
    }
    int64_t part = type.getDimSize(*dim) / *n;
    Val tuple;
    tuple.kind = Val::Kind::Tuple;
    tuple.origin = c.call.range;
    for (int64_t k = 0; k < *n; ++k) {
      llvm::SmallVector<int64_t> start(type.getRank(), 0),
          limit(type.getShape()), stride(type.getRank(), 1);
      start[*dim] = k * part;
      limit[*dim] = (k + 1) * part;
      tuple.elems.push_back(
          c.result(b.create<lir::SliceOp>(c.loc(), *x, start, limit, stride)));
    }
    return tuple;
  }
  if (name == "flatten") {
    std::optional<Value> x = c.tensor(0);
    if (!x)
      return std::nullopt;
    RankedTensorType type = tt(*x);
    std::optional<int64_t> start =
        c.dim(1, 1, std::max<int64_t>(1, type.getRank()));
    if (!start)
      return std::nullopt;
    llvm::SmallVector<int64_t> shape(type.getShape().take_front(*start));
    int64_t rest = 1;
    for (int64_t d : type.getShape().drop_front(*start))
      rest *= d;
    shape.push_back(rest);
    auto result = RankedTensorType::get(shape, type.getElementType());
    if (result == type)
      return c.result(*x);
    return c.result(b.create<lir::ReshapeOp>(c.loc(), result, *x));
  }
  return emitNNBuiltin(c);
}
} // namespace mlir::loom
