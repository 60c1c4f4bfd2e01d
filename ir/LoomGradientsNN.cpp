//===- LoomGradientsNN.cpp - Gradient rules of reductions and nn ops ------===//
//
// Part of Loom. The vector-Jacobian products of reduce, matmul, conv2d (and
// its backward ops, for second order), pool2d, softmax, log_softmax,
// layer_norm, attention, cross_entropy and dropout, in loom ops, in
// LoomOps.td order. Ops kept whole in the forward (layer_norm) recompute
// what their backward needs rather than keep it alive; attention keeps one
// number per query row (its log-sum-exp) and recomputes the rest; conv2d and
// pool2d map to dedicated backward ops, as oneDNN and XLA have them.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientHelpers.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::grad;

/// `v`, which lost the dims `dims` of `full` in a reduction, reshaped to keep
/// them as size-1 dims, then broadcast to `full`.
static Value expandTo(OpBuilder &b, Location loc, Value v,
                      RankedTensorType full, ArrayRef<int64_t> dims,
                      bool keptDims) {
  SmallVector<int64_t> kept(full.getShape());
  for (int64_t d : dims)
    kept[d] = 1;
  auto et = tensorType(v).getElementType();
  if (!keptDims)
    v = b.create<ReshapeOp>(loc, RankedTensorType::get(kept, et), v);
  return b.create<BroadcastOp>(loc, RankedTensorType::get(full.getShape(), et),
                               v);
}

//===----------------------------------------------------------------------===//
// loom.reduce
//===----------------------------------------------------------------------===//

// sum: dx = broadcast(dy); mean: dx = broadcast(dy) / n;
// max/min: dy shared evenly by the elements equal to the result.
LogicalResult ReduceOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  RankedTensorType x = getInput().getType();
  if (!isa<FloatType>(x.getElementType())) {
    grads.push_back(nullptr);
    return success();
  }
  ArrayRef<int64_t> dims = getDims();
  Value dy = expandTo(b, loc, dys[0], x, dims, getKeepDims());
  switch (getKind()) {
  case ReduceKind::sum:
    grads.push_back(dy);
    return success();
  case ReduceKind::mean: {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= x.getDimSize(d);
    grads.push_back(b.create<DivOp>(loc, dy, scalar(b, loc, dy, double(n))));
    return success();
  }
  case ReduceKind::max:
  case ReduceKind::min: {
    Value y = expandTo(b, loc, getResult(), x, dims, getKeepDims());
    Value hit = b.create<CompareOp>(loc, ComparePredicate::eq, getInput(), y);
    Value ones = b.create<CastOp>(loc, x, hit);
    Value count = b.create<ReduceOp>(loc, ReduceKind::sum, ones, dims, true);
    Value share = b.create<DivOp>(loc, ones, count);
    grads.push_back(b.create<MulOp>(loc, dy, share));
    return success();
  }
  }
  return failure();
}

//===----------------------------------------------------------------------===//
// loom.matmul
//===----------------------------------------------------------------------===//

/// `v` of shape [..., R, C] as the matrix [prod(...) * R, C] (a view).
static Value flattenBatch(OpBuilder &b, Location loc, Value v) {
  RankedTensorType type = tensorType(v);
  int64_t cols = type.getShape().back();
  return b.create<ReshapeOp>(
      loc,
      RankedTensorType::get(
          {type.getNumElements() / std::max<int64_t>(cols, 1), cols},
          type.getElementType()),
      v);
}

// C = A' @ B' with A' = op(A), B' = op(B):
//   dA' = dC @ B'^T          dB' = A'^T @ dC
// and, for an operand stored transposed, the transpose of that; batch dims
// that were broadcast are summed back.
//
// A weight (rank 2) times a batch of activations A [..., M, K] stored
// untransposed, the common case (x @ transpose(w)), sums over the batch
// inside one GEMM instead: with A2 = A as [prod(...) * M, K] and dC2 = dC
// as [prod(...) * M, N] (views),
//   dB' = A2^T @ dC2
// and no [..., K, N] product per batch element is materialized and then
// reduced (589 MiB for GPT-2's tied head at batch 4).
LogicalResult MatmulOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value a = getLhs(), w = getRhs(), dc = dys[0];
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  Value da = ta ? b.create<MatmulOp>(loc, w, dc, tb, true)
                : b.create<MatmulOp>(loc, dc, w, false, !tb);
  grads.push_back(sumToShape(b, loc, da, tensorType(a)));
  if (tensorType(w).getRank() == 2 && tensorType(a).getRank() > 2 && !ta) {
    Value a2 = flattenBatch(b, loc, a), dc2 = flattenBatch(b, loc, dc);
    grads.push_back(tb ? b.create<MatmulOp>(loc, dc2, a2, true, false)
                       : b.create<MatmulOp>(loc, a2, dc2, true, false));
    return success();
  }
  Value db = tb ? b.create<MatmulOp>(loc, dc, a, true, ta)
                : b.create<MatmulOp>(loc, a, dc, !ta, false);
  grads.push_back(sumToShape(b, loc, db, tensorType(w)));
  return success();
}

//===----------------------------------------------------------------------===//
// loom.conv2d, loom.conv2d_backward_input, loom.conv2d_backward_filter
//===----------------------------------------------------------------------===//

// y = conv(x, w) is bilinear: <dy, conv(x, w)> = <bwd_input(dy, w), x>
// = <bwd_filter(x, dy), w>, so
//   dx = conv2d_backward_input(dy, w)   dw = conv2d_backward_filter(x, dy)
// with the forward's strides, padding, dilations and groups.
LogicalResult Conv2dOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value x = getInput(), w = getFilter(), dy = dys[0];
  grads.push_back(b.create<Conv2dBackwardInputOp>(loc, x.getType(), dy, w,
                                                  getStrides(), getPadding(),
                                                  getDilations(), getGroups()));
  grads.push_back(b.create<Conv2dBackwardFilterOp>(
      loc, w.getType(), x, dy, getStrides(), getPadding(), getDilations(),
      getGroups()));
  return success();
}

// gx = bwd_input(g, w) is bilinear too; with dgx its result's adjoint,
// <dgx, bwd_input(g, w)> = <conv(dgx, w), g> = <bwd_filter(dgx, g), w>:
//   dg = conv2d(dgx, w)   dw = conv2d_backward_filter(dgx, g)
LogicalResult
Conv2dBackwardInputOp::buildGradient(OpBuilder &b, ValueRange dys,
                                     SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value g = getGradOut(), w = getFilter(), dgx = dys[0];
  grads.push_back(b.create<Conv2dOp>(loc, dgx, w, getStrides(), getPadding(),
                                     getDilations(), getGroups()));
  grads.push_back(b.create<Conv2dBackwardFilterOp>(
      loc, w.getType(), dgx, g, getStrides(), getPadding(), getDilations(),
      getGroups()));
  return success();
}

// gw = bwd_filter(x, g); with dgw its result's adjoint,
// <dgw, bwd_filter(x, g)> = <conv(x, dgw), g> = <bwd_input(g, dgw), x>:
//   dx = conv2d_backward_input(g, dgw)   dg = conv2d(x, dgw)
LogicalResult
Conv2dBackwardFilterOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value x = getInput(), g = getGradOut(), dgw = dys[0];
  grads.push_back(b.create<Conv2dBackwardInputOp>(loc, x.getType(), g, dgw,
                                                  getStrides(), getPadding(),
                                                  getDilations(), getGroups()));
  grads.push_back(b.create<Conv2dOp>(loc, x, dgw, getStrides(), getPadding(),
                                     getDilations(), getGroups()));
  return success();
}

//===----------------------------------------------------------------------===//
// loom.pool2d
//===----------------------------------------------------------------------===//

// max: dy goes to each window's (recomputed) argmax; avg: dy spread evenly
// over each window, by the forward's divisor. loom.pool2d_backward itself
// has no rule (second order through pooling is not needed to train).
LogicalResult Pool2dOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Value x = getInput();
  Value input = getKind() == PoolKind::max ? x : Value();
  grads.push_back(b.create<Pool2dBackwardOp>(
      getLoc(), x.getType(), getKindAttr(), dys[0], input, getWindowAttr(),
      getStridesAttr(), getPaddingAttr(), getCountIncludePadAttr()));
  return success();
}

//===----------------------------------------------------------------------===//
// loom.softmax, loom.log_softmax
//===----------------------------------------------------------------------===//

// dx = y * (dy - sum(dy * y))
LogicalResult SoftmaxOp::buildGradient(OpBuilder &b, ValueRange dys,
                                       SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value s =
      b.create<ReduceOp>(loc, ReduceKind::sum, b.create<MulOp>(loc, dys[0], y),
                         ArrayRef<int64_t>{int64_t(getDim())}, true);
  grads.push_back(b.create<MulOp>(loc, y, b.create<SubOp>(loc, dys[0], s)));
  return success();
}

// dx = dy - e^y * sum(dy)
LogicalResult LogSoftmaxOp::buildGradient(OpBuilder &b, ValueRange dys,
                                          SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value s = b.create<ReduceOp>(loc, ReduceKind::sum, dys[0],
                               ArrayRef<int64_t>{int64_t(getDim())}, true);
  Value p = b.create<ExpOp>(loc, getResult());
  grads.push_back(b.create<SubOp>(loc, dys[0], b.create<MulOp>(loc, p, s)));
  return success();
}

//===----------------------------------------------------------------------===//
// loom.layer_norm
//===----------------------------------------------------------------------===//

// With xhat = (x - mean) * rstd over the normalized dims:
//   dxhat = dy * scale
//   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
//   dscale = sum(dy * xhat), dbias = sum(dy) over the other dims
LogicalResult LayerNormOp::buildGradient(OpBuilder &b, ValueRange dys,
                                         SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value x = getInput(), dy = dys[0];
  int64_t rank = tensorType(x).getRank();
  int64_t k = getScale().getType().getRank();
  SmallVector<int64_t> dims =
      llvm::to_vector(llvm::seq<int64_t>(rank - k, rank));
  auto mean = [&](Value v) {
    return b.create<ReduceOp>(loc, ReduceKind::mean, v, dims, true).getResult();
  };
  Value xc = b.create<SubOp>(loc, x, mean(x));
  Value var = mean(b.create<MulOp>(loc, xc, xc));
  Value rstd = b.create<RsqrtOp>(
      loc, b.create<AddOp>(loc, var,
                           scalar(b, loc, x, getEpsilon().convertToDouble())));
  Value xhat = b.create<MulOp>(loc, xc, rstd);
  Value dxhat = b.create<MulOp>(loc, dy, getScale());
  Value inner = b.create<SubOp>(
      loc, b.create<SubOp>(loc, dxhat, mean(dxhat)),
      b.create<MulOp>(loc, xhat, mean(b.create<MulOp>(loc, dxhat, xhat))));
  grads.push_back(b.create<MulOp>(loc, rstd, inner));
  grads.push_back(
      sumToShape(b, loc, b.create<MulOp>(loc, dy, xhat), getScale().getType()));
  grads.push_back(sumToShape(b, loc, dy, getBias().getType()));
  return success();
}

//===----------------------------------------------------------------------===//
// loom.attention
//===----------------------------------------------------------------------===//

// d(softmax(q k^T s [+ mask]) v), FlashAttention-2's way: the backward keeps
// no probabilities but the row log-sum-exp lse of the scores, and
// loom.attention_backward recomputes P = exp(q k^T s - lse) from it. The lse
// comes from loom.attention_with_lse, the forward once more: a backend that
// computes the forward that way (the CPU's flash kernel) shares it by CSE,
// one that decomposes both ops recomputes P as the primitive ops of
// ir/Decompose.h and shares those.
LogicalResult AttentionOp::buildGradient(OpBuilder &b, ValueRange dys,
                                         SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value q = getQuery(), k = getKey(), v = getValue();
  auto forward = b.create<AttentionWithLseOp>(loc, q, k, v, getCausalAttr(),
                                              getScaleAttr());
  auto backward = b.create<AttentionBackwardOp>(
      loc, q, k, v, getResult(), dys[0], forward.getLse(), getCausalAttr(),
      getScaleAttr());
  grads.push_back(backward.getGradQuery());
  grads.push_back(backward.getGradKey());
  grads.push_back(backward.getGradValue());
  return success();
}

//===----------------------------------------------------------------------===//
// loom.cross_entropy
//===----------------------------------------------------------------------===//

// dlogits = (softmax(logits) - onehot(labels)) * g, with g = dy per example
// (none), dy (sum) or dy / examples (mean); labels get none.
LogicalResult CrossEntropyOp::buildGradient(OpBuilder &b, ValueRange dys,
                                            SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value logits = getLogits(), labels = getLabels();
  RankedTensorType lt = tensorType(logits), yt = tensorType(labels);
  int64_t rank = lt.getRank();
  Value p = b.create<SoftmaxOp>(loc, logits, rank - 1);
  SmallVector<int64_t> expanded(yt.getShape());
  expanded.push_back(1);
  Value column = b.create<ReshapeOp>(
      loc, RankedTensorType::get(expanded, yt.getElementType()), labels);
  Value classes = b.create<IotaOp>(
      loc, RankedTensorType::get(lt.getShape(), yt.getElementType()), rank - 1);
  Value hit = b.create<CompareOp>(loc, ComparePredicate::eq, classes, column);
  Value onehot = b.create<CastOp>(loc, lt, hit);
  Value diff = b.create<SubOp>(loc, p, onehot);
  Value g = dys[0];
  switch (getReduction()) {
  case LossReduction::none:
    g = b.create<ReshapeOp>(
        loc, RankedTensorType::get(expanded, lt.getElementType()), g);
    break;
  case LossReduction::sum:
    break;
  case LossReduction::mean:
    g = b.create<DivOp>(loc, g, scalar(b, loc, g, double(yt.getNumElements())));
    break;
  }
  grads.push_back(b.create<MulOp>(loc, diff, g));
  grads.push_back(nullptr);
  return success();
}

//===----------------------------------------------------------------------===//
// loom.dropout
//===----------------------------------------------------------------------===//

// dx = dropout(dy) with the same key and stream: the same mask and scale.
LogicalResult DropoutOp::buildGradient(OpBuilder &b, ValueRange dys,
                                       SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<DropoutOp>(getLoc(), dys[0], getKey(), getRateAttr(),
                                      getStreamAttr()));
  grads.push_back(nullptr);
  return success();
}
