//===- BuiltinsNN.cpp - Reductions, nn ops, constructors, losses ----------===//
//
// Part of Loom. This file implements the builtins that reduce, the neural
// network primitives that stay whole in the IR (softmax, layer_norm,
// attention, conv2d, pooling, dropout), tensor constructors, and the losses
// and parameter penalties.
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"

#include "ir/LoomOps.h"

#include "llvm/Support/GlobPattern.h"

#include <cmath>

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using mlir::loom::RuleLoc;

/// A full reduction of `x` to a rank-0 tensor.
static Value reduceAll(OpBuilder &b, Location at, lir::ReduceKind kind,
                       Value x) {
  llvm::SmallVector<int64_t> dims =
      llvm::to_vector(llvm::seq<int64_t>(0, tt(x).getRank()));
  return b.create<lir::ReduceOp>(at, kind, x, dims, false);
}

/// `[h, w]` from an int or a 2-list; `[t, b, l, r]` padding from an int, a
/// 2-list or a 4-list.
static std::optional<llvm::SmallVector<int64_t>>
pair(BuiltinCall &c, size_t i, int64_t dflt, bool padding) {
  llvm::SmallVector<int64_t> v;
  if (!c.has(i)) {
    v.assign(padding ? 4 : 2, dflt);
    return v;
  }
  std::optional<llvm::SmallVector<int64_t>> given = c.ints(i);
  if (!given)
    return std::nullopt;
  if (given->size() == 1)
    v.assign(padding ? 4 : 2, (*given)[0]);
  else if (given->size() == 2 && padding)
    v = {(*given)[0], (*given)[0], (*given)[1], (*given)[1]};
  else if (given->size() == 2 || (padding && given->size() == 4))
    v = *given;
  else {
    c.e.error(c.ranges[i], llvm::Twine("argument '") + c.spec.params[i].name +
                               "' must be an int or a list of " +
                               (padding ? "2 or 4" : "2") + " ints");
    return std::nullopt;
  }
  return v;
}

namespace mlir::loom {
std::optional<Val> emitNNBuiltin(BuiltinCall &c) {
  llvm::StringRef name = c.spec.name;
  OpBuilder &b = c.e.builder();
  Location at = c.loc();

  if (name == "sum" || name == "mean" || name == "max" || name == "min") {
    std::optional<Value> x = c.tensor(0);
    std::optional<bool> keep = c.flag(2, false);
    if (!x || !keep)
      return std::nullopt;
    int64_t rank = tt(*x).getRank();
    llvm::SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(0, rank));
    if (c.has(1)) {
      std::optional<llvm::SmallVector<int64_t>> given = c.ints(1);
      if (!given)
        return std::nullopt;
      dims = *given;
      for (int64_t &d : dims)
        if (d < 0)
          d += rank;
    }
    auto kind = *lir::symbolizeReduceKind(name);
    if (!c.check([&](RuleLoc l, llvm::SmallVectorImpl<Type> &t) {
          return inferReduceOp(l, kind, tt(*x), dims, *keep, t);
        }))
      return std::nullopt;
    return c.result(b.create<lir::ReduceOp>(at, kind, *x, dims, *keep));
  }
  if (name == "softmax" || name == "log_softmax") {
    std::optional<Value> x = c.tensor(0);
    if (!x)
      return std::nullopt;
    std::optional<int64_t> dim = c.dim(1, -1, tt(*x).getRank());
    if (!dim)
      return std::nullopt;
    if (!isa<FloatType>(tt(*x).getElementType())) {
      c.e.error(c.call.range, name + " needs a floating-point tensor");
      return std::nullopt;
    }
    if (name == "softmax")
      return c.result(b.create<lir::SoftmaxOp>(at, *x, *dim));
    return c.result(b.create<lir::LogSoftmaxOp>(at, *x, *dim));
  }
  if (name == "layer_norm") {
    std::optional<Value> x = c.tensor(0), g = c.tensor(1), beta = c.tensor(2);
    std::optional<double> eps = c.number(3, 1e-5);
    if (!x || !g || !beta || !eps)
      return std::nullopt;
    if (!(*eps > 0)) {
      c.e.error(c.ranges[3], "eps must be positive");
      return std::nullopt;
    }
    if (!c.check([&](RuleLoc l, llvm::SmallVectorImpl<Type> &t) {
          return inferLayerNormOp(l, tt(*x), tt(*g), tt(*beta), t);
        }))
      return std::nullopt;
    return c.result(
        b.create<lir::LayerNormOp>(at, *x, *g, *beta, b.getF64FloatAttr(*eps)));
  }
  if (name == "attention") {
    std::optional<Value> q = c.tensor(0), k = c.tensor(1), v = c.tensor(2);
    std::optional<bool> causal = c.flag(3, false);
    if (!q || !k || !v || !causal)
      return std::nullopt;
    FloatAttr scale;
    if (c.has(4)) {
      std::optional<double> s = c.number(4, 0);
      if (!s)
        return std::nullopt;
      if (!(*s > 0)) {
        c.e.error(c.ranges[4], "scale must be positive");
        return std::nullopt;
      }
      scale = b.getF64FloatAttr(*s);
    }
    if (!c.check([&](RuleLoc l, llvm::SmallVectorImpl<Type> &t) {
          return inferAttentionOp(l, tt(*q), tt(*k), tt(*v), *causal, t);
        }))
      return std::nullopt;
    return c.result(b.create<lir::AttentionOp>(at, *q, *k, *v, *causal, scale));
  }
  if (name == "conv2d") {
    std::optional<Value> x = c.tensor(0), w = c.tensor(1);
    auto strides = pair(c, 2, 1, false), padding = pair(c, 3, 0, true),
         dilations = pair(c, 4, 1, false);
    std::optional<int64_t> groups = c.integer(5, 1);
    if (!x || !w || !strides || !padding || !dilations || !groups)
      return std::nullopt;
    if (!c.check([&](RuleLoc l, llvm::SmallVectorImpl<Type> &t) {
          return inferConv2dOp(l, tt(*x), tt(*w), *strides, *padding,
                               *dilations, *groups, t);
        }))
      return std::nullopt;
    return c.result(b.create<lir::Conv2dOp>(at, *x, *w, *strides, *padding,
                                            *dilations, *groups));
  }
  if (name == "max_pool2d" || name == "avg_pool2d") {
    std::optional<Value> x = c.tensor(0);
    auto window = pair(c, 1, 1, false);
    if (!x || !window)
      return std::nullopt;
    auto strides = c.has(2) ? pair(c, 2, 1, false) : window;
    auto padding = pair(c, 3, 0, true);
    if (!strides || !padding)
      return std::nullopt;
    if (!c.check([&](RuleLoc l, llvm::SmallVectorImpl<Type> &t) {
          return inferPool2dOp(l, tt(*x), *window, *strides, *padding, t);
        }))
      return std::nullopt;
    auto kind = name == "max_pool2d" ? lir::PoolKind::max : lir::PoolKind::avg;
    return c.result(b.create<lir::Pool2dOp>(at, kind, *x, *window, *strides,
                                            *padding, false));
  }
  if (name == "dropout") {
    std::optional<Value> x = c.tensor(0);
    std::optional<double> rate = c.number(1, 0);
    if (!x || !rate)
      return std::nullopt;
    if (!(*rate >= 0 && *rate < 1)) {
      c.e.error(c.ranges[1], "dropout rate must lie in [0, 1)");
      return std::nullopt;
    }
    if (!isa<FloatType>(tt(*x).getElementType())) {
      c.e.error(c.call.range, "dropout needs a floating-point tensor");
      return std::nullopt;
    }
    // Dropout is the identity outside training and at rate 0.
    if (!c.e.training() || *rate == 0)
      return c.result(*x);
    return c.result(
        b.create<lir::DropoutOp>(at, *x, c.e.rngKey(), b.getF64FloatAttr(*rate),
                                 b.getI64IntegerAttr(c.e.nextDropoutStream())));
  }
  if (name == "zeros" || name == "ones" || name == "full") {
    std::optional<llvm::SmallVector<int64_t>> shape = c.ints(0);
    size_t dtypeIndex = name == "full" ? 2 : 1;
    std::optional<Type> et = c.dtype(dtypeIndex, b.getF32Type());
    std::optional<double> value =
        name == "full" ? c.number(1, 0) : std::optional<double>(name == "ones");
    if (!shape || !et || !value)
      return std::nullopt;
    if (!c.e.checkWrittenShape(*shape, *et, c.ranges[0], "the shape"))
      return std::nullopt;
    auto type = RankedTensorType::get(*shape, *et);
    Attribute v = isa<FloatType>(*et)
                      ? Attribute(FloatAttr::get(*et, *value))
                      : Attribute(IntegerAttr::get(*et, int64_t(*value)));
    return c.result(
        b.create<lir::ConstantOp>(at, DenseElementsAttr::get(type, v)));
  }
  if (name == "arange") {
    std::optional<int64_t> n = c.integer(0, 0);
    if (!n)
      return std::nullopt;
    if (!c.e.checkWrittenShape({*n}, b.getI32Type(), c.ranges[0], "the shape"))
      return std::nullopt;
    auto type = RankedTensorType::get({*n}, b.getI32Type());
    return c.result(b.create<lir::IotaOp>(at, type, 0));
  }
  if (name == "cross_entropy") {
    std::optional<Value> logits = c.tensor(0), labels = c.tensor(1);
    if (!logits || !labels)
      return std::nullopt;
    Type lt = tt(*labels).getElementType();
    if (!lt.isInteger(32) && !lt.isInteger(64)) {
      c.e.error(c.ranges[1], "cross_entropy's labels must be class indices "
                             "(i32 or i64), not " +
                                 Elaborator::typeStr(*labels));
      return std::nullopt;
    }
    if (!isa<FloatType>(tt(*logits).getElementType())) {
      c.e.error(c.ranges[0], "cross_entropy's logits must be floating-point");
      return std::nullopt;
    }
    // One label per row of logits: the labels never broadcast.
    RankedTensorType logitsType = tt(*logits);
    if (logitsType.getRank() >= 1 &&
        tt(*labels).getShape() != logitsType.getShape().drop_back()) {
      auto expected =
          RankedTensorType::get(logitsType.getShape().drop_back(), lt);
      c.e.error(c.call.range, "cross_entropy's labels " +
                                  Elaborator::typeStr(*labels) +
                                  " must have the shape of its logits " +
                                  Elaborator::typeStr(*logits) +
                                  " without the last (class) dimension: " +
                                  Elaborator::typeStr(expected));
      return std::nullopt;
    }
    if (!c.check([&](RuleLoc l, llvm::SmallVectorImpl<Type> &t) {
          return inferCrossEntropyOp(l, lir::LossReduction::mean, tt(*logits),
                                     tt(*labels), t);
        }))
      return std::nullopt;
    return c.result(b.create<lir::CrossEntropyOp>(at, lir::LossReduction::mean,
                                                  *logits, *labels));
  }
  if (name == "mse" || name == "mae" || name == "huber" || name == "bce") {
    std::optional<Value> p = c.tensor(0), t = c.tensor(1);
    if (!p || !t)
      return std::nullopt;
    double delta = 1.0;
    if (name == "huber") {
      std::optional<double> d = c.number(2, 1.0);
      if (!d)
        return std::nullopt;
      if (!(*d > 0) || !std::isfinite(*d)) {
        c.e.error(c.ranges[2], "huber's delta must be a finite number > 0");
        return std::nullopt;
      }
      delta = *d;
    }
    RankedTensorType pt = tt(*p), ty = tt(*t);
    Type ft = pt.getElementType();
    // bce also takes integer 0/1 labels (a binary classifier's `y`): of the
    // logits' shape, or of it without a last dimension of size 1.
    bool labels = name == "bce" && (ty.getElementType().isInteger(32) ||
                                    ty.getElementType().isInteger(64));
    if (!isa<FloatType>(ft) || (!labels && ft != ty.getElementType())) {
      c.e.error(c.call.range, name +
                                  " needs two floating-point tensors of "
                                  "one element type, not " +
                                  Elaborator::typeStr(*p) + " and " +
                                  Elaborator::typeStr(*t));
      return std::nullopt;
    }
    // Predictions and targets pair up one to one: a loss never broadcasts.
    bool dropsUnitDim = labels && pt.getRank() == ty.getRank() + 1 &&
                        pt.getShape().back() == 1 &&
                        pt.getShape().drop_back() == ty.getShape();
    if (pt.getShape() != ty.getShape() && !dropsUnitDim) {
      const char *what = name != "bce" ? "prediction" : "logits";
      const char *target = name != "bce" ? "target" : "targets";
      if (labels)
        c.e.error(c.call.range,
                  "bce's labels " + Elaborator::typeStr(*t) +
                      " must have the shape of its logits " +
                      Elaborator::typeStr(*p) +
                      ", or of the logits without a last dimension of size 1");
      else
        c.e.error(c.call.range,
                  name + "'s " + what + " " + Elaborator::typeStr(*p) +
                      " and " + target + " " + Elaborator::typeStr(*t) +
                      " differ in shape; a loss does not broadcast, so "
                      "reshape or broadcast_to one of them if you mean it");
      return std::nullopt;
    }
    if (labels) {
      t = b.create<lir::CastOp>(at, RankedTensorType::get(ty.getShape(), ft),
                                *t);
      if (dropsUnitDim)
        t = b.create<lir::ReshapeOp>(at, pt, *t);
    }
    Type et = tt(*p).getElementType();
    auto scalar = [&](double v) {
      return c.e.scalarConstant(Val::ofFloat(v), et, c.call.range);
    };
    Value perElement;
    if (name == "mse") {
      Value d = b.create<lir::SubOp>(at, *p, *t);
      perElement = b.create<lir::MulOp>(at, d, d);
    } else if (name == "mae") {
      perElement = b.create<lir::AbsOp>(at, b.create<lir::SubOp>(at, *p, *t));
    } else if (name == "huber") {
      // With a = |p - t|, q = min(a, delta): 0.5 q^2 + delta (a - q), which
      // is 0.5 a^2 within delta and delta (a - delta / 2) beyond it.
      Value a = b.create<lir::AbsOp>(at, b.create<lir::SubOp>(at, *p, *t));
      Value q = b.create<lir::MinOp>(at, a, scalar(delta));
      Value half =
          b.create<lir::MulOp>(at, scalar(0.5), b.create<lir::MulOp>(at, q, q));
      perElement = b.create<lir::AddOp>(
          at, half,
          b.create<lir::MulOp>(at, scalar(delta),
                               b.create<lir::SubOp>(at, a, q)));
    } else {
      // max(x, 0) - x*y + log(1 + exp(-|x|)): stable for large |x|.
      Value relu = b.create<lir::MaxOp>(at, *p, scalar(0.0));
      Value xy = b.create<lir::MulOp>(at, *p, *t);
      Value negAbs = b.create<lir::NegOp>(at, b.create<lir::AbsOp>(at, *p));
      Value log1p = b.create<lir::LogOp>(
          at, b.create<lir::AddOp>(at, scalar(1.0),
                                   b.create<lir::ExpOp>(at, negAbs)));
      perElement =
          b.create<lir::AddOp>(at, b.create<lir::SubOp>(at, relu, xy), log1p);
    }
    return c.result(reduceAll(b, at, lir::ReduceKind::mean, perElement));
  }
  if (name == "l1" || name == "l2")
    return c.e.penalty(c, name == "l2");
  c.e.error(c.call.range, "builtin '" + name + "' is not available here");
  return std::nullopt;
}
} // namespace mlir::loom
