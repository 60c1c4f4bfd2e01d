//===- BuildDecodeStep.cpp - One token of a language model, with a cache --===//
//
// Part of Loom. --loom-build-decode-step: @decode_step, the batch-1 @forward
// of a sequence model specialized to one position, with the keys and values
// of every causal attention kept in caches across calls. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/Decompose.h"
#include "ir/GradientHelpers.h"
#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>
#include <string>

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMBUILDDECODESTEP
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using grad::scalar;
using grad::tensorType;

namespace {

/// No sequence dimension: the value is the same at every position.
constexpr int64_t kNone = -1;

/// Builds @decode_step from @forward, one op at a time, tracking which
/// dimension of each value runs over the positions of the sequence.
class DecodeBuilder {
public:
  explicit DecodeBuilder(ModuleOp module)
      : module(module), b(module.getContext()) {}

  /// The first reason the forward cannot be decoded, at `where`.
  Operation *where = nullptr;
  std::string why;

  FailureOr<func::FuncOp> build() {
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward)
      return fail(module, "--loom-build-decode-step needs @forward (lower a "
                          "train block first)");
    if (module.lookupSymbol("decode_step"))
      return fail(module, "the module already has @decode_step");
    if (forward.getNumArguments() == 0)
      return fail(forward, "a decoding program needs the batch-1 forward of "
                           "a sequence model: token ids [1, T] in");
    Block &fwd = forward.getBody().front();
    unsigned numParams = forward.getNumArguments() - 1;
    BlockArgument x = fwd.getArgument(numParams);
    RankedTensorType xt = tensorType(x);
    if (xt.getRank() != 2 || xt.getDimSize(0) != 1 ||
        !isa<IntegerType>(xt.getElementType()) || xt.getDimSize(1) < 2)
      return fail(forward, "a decoding program needs the batch-1 forward of "
                           "a sequence model: token ids [1, T] in");
    window = xt.getDimSize(1);

    b.setInsertionPointAfter(forward);
    decode = b.create<func::FuncOp>(forward.getLoc(), "decode_step",
                                    b.getFunctionType({}, {}));
    Block *body = decode.addEntryBlock();
    auto addArg = [&](Type type, DictionaryAttr attrs, Location loc) {
      argAttrs.push_back(attrs);
      return body->addArgument(type, loc);
    };
    IRMapping map;
    for (unsigned i = 0; i < numParams; ++i) {
      BlockArgument p = fwd.getArgument(i);
      map.map(p, addArg(p.getType(), forward.getArgAttrDict(i), p.getLoc()));
      seq[p] = kNone;
    }
    Value token = addArg(RankedTensorType::get({1, 1}, xt.getElementType()),
                         inputAttr("token"), x.getLoc());
    map.map(x, token);
    seq[x] = 1;
    pos = addArg(RankedTensorType::get({1}, b.getI32Type()), inputAttr("pos"),
                 x.getLoc());

    b.setInsertionPointToStart(body);
    for (Operation &op : fwd.without_terminator())
      if (failed(rewrite(op, map)))
        return failure();
    Value out = fwd.getTerminator()->getOperand(0);
    if (seqOf(out) == kNone)
      return fail(fwd.getTerminator(), "the forward's result does not run "
                                       "over the positions of its input");

    // The cache arguments follow the token and the position; the results
    // are the output at the position, then every updated cache.
    SmallVector<Value> results = {map.lookup(out)};
    SmallVector<DictionaryAttr> resultAttrs = {outputAttr("output")};
    for (Cache &c : caches) {
      results.push_back(c.updated);
      resultAttrs.push_back(stateAttr(c.role));
    }
    b.create<func::ReturnOp>(fwd.getTerminator()->getLoc(), results);
    // Position-free ops whose row at `pos` is read from their source (a
    // slice of positions) are dead.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
      if (isOpTriviallyDead(&op))
        op.erase();
    decode.setType(b.getFunctionType(body->getArgumentTypes(),
                                     ValueRange(results).getTypes()));
    for (auto [i, attrs] : llvm::enumerate(argAttrs))
      if (attrs)
        decode.setArgAttrs(i, attrs);
    for (auto [i, attrs] : llvm::enumerate(resultAttrs))
      decode.setResultAttrs(i, attrs);
    return decode;
  }

  /// Erases the half-built @decode_step after a failure.
  void discard() {
    if (decode)
      decode.erase();
  }

private:
  struct Cache {
    std::string role;
    Value updated;
  };

  LogicalResult fail(Operation *op, const Twine &message) {
    if (!where) {
      where = op;
      why = message.str();
    }
    return failure();
  }

  DictionaryAttr inputAttr(StringRef role) {
    return b.getDictionaryAttr(
        b.getNamedAttr("loom.input", b.getStringAttr(role)));
  }
  DictionaryAttr outputAttr(StringRef role) {
    return b.getDictionaryAttr(
        b.getNamedAttr("loom.output", b.getStringAttr(role)));
  }
  /// What the program keeps between its runs (memory/MemoryPlan.h): an
  /// argument and the result that is its new value.
  DictionaryAttr stateAttr(StringRef name) {
    return b.getDictionaryAttr(
        b.getNamedAttr("loom.state", b.getStringAttr(name)));
  }

  /// The dimension of forward value `v` that runs over the positions.
  int64_t seqOf(Value v) const {
    auto it = seq.find(v);
    return it == seq.end() ? kNone : it->second;
  }

  /// `type` with dimension `dim` of size 1 (the one position).
  static RankedTensorType atOnePosition(Type type, int64_t dim) {
    auto t = cast<RankedTensorType>(type);
    SmallVector<int64_t> shape(t.getShape());
    shape[dim] = 1;
    return RankedTensorType::get(shape, t.getElementType());
  }

  /// The row of position-free `v` at the position, along `dim` (a table of
  /// positions such as `wpe[0:T]`): a gather at `pos`, from the slice's
  /// source when `v` is a slice that starts at row 0.
  Value rowAtPosition(Location loc, Value v, int64_t dim) {
    if (auto slice = v.getDefiningOp<SliceOp>()) {
      RankedTensorType in = tensorType(slice.getInput());
      bool whole = true;
      for (int64_t d = 0; d < in.getRank(); ++d)
        whole &= slice.getStart()[d] == 0 && slice.getStride()[d] == 1 &&
                 (d == dim || slice.getLimit()[d] == in.getDimSize(d));
      if (whole)
        v = slice.getInput();
    }
    return b.create<GatherOp>(loc, v, pos, dim);
  }

  /// Where the operands of a broadcasting op run over the positions in a
  /// result of rank `rank`; position-free operands that still have the
  /// window's extent there are tables of positions and take their row.
  LogicalResult alignOperands(Operation *op, ValueRange operands, int64_t rank,
                              SmallVectorImpl<Value> &mapped,
                              int64_t &resultSeq) {
    resultSeq = kNone;
    for (Value v : operands) {
      int64_t s = seqOf(v);
      if (s == kNone)
        continue;
      int64_t aligned = s + rank - tensorType(v).getRank();
      if (resultSeq != kNone && resultSeq != aligned)
        return fail(op, "'" + op->getName().getStringRef() +
                            "' combines different positions of its operands");
      resultSeq = aligned;
    }
    for (auto [v, m] : llvm::zip(operands, mapped)) {
      if (resultSeq == kNone || seqOf(v) != kNone)
        continue;
      int64_t d = resultSeq - (rank - tensorType(v).getRank());
      if (d >= 0 && tensorType(v).getDimSize(d) != 1)
        m = rowAtPosition(op->getLoc(), m, d);
    }
    return success();
  }

  /// The dimension of `op`'s result that runs over the positions, given its
  /// operands'; a failure says why the op mixes positions.
  FailureOr<int64_t> resultSeqDim(Operation *op, SmallVectorImpl<Value> &ops) {
    auto seqAt = [&](unsigned i) { return seqOf(op->getOperand(i)); };
    auto mixes = [&](const Twine &how) -> FailureOr<int64_t> {
      return fail(op, "'" + op->getName().getStringRef() + "' " + how +
                          "; a decoding program computes one position at a "
                          "time");
    };
    int64_t rank = tensorType(op->getResult(0)).getRank();
    return TypeSwitch<Operation *, FailureOr<int64_t>>(op)
        .Case<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, CompareOp,
              SelectOp, BroadcastOp>([&](Operation *) -> FailureOr<int64_t> {
          int64_t s;
          if (failed(alignOperands(op, op->getOperands(), rank, ops, s)))
            return failure();
          return s;
        })
        .Case<SoftmaxOp, LogSoftmaxOp>([&](auto o) -> FailureOr<int64_t> {
          if (int64_t(o.getDim()) == seqAt(0))
            return mixes("normalizes over the positions");
          return seqAt(0);
        })
        .Case<LayerNormOp>([&](LayerNormOp o) -> FailureOr<int64_t> {
          if (seqAt(1) != kNone || seqAt(2) != kNone ||
              seqAt(0) >= rank - tensorType(o.getScale()).getRank())
            return mixes("normalizes over the positions");
          return seqAt(0);
        })
        .Case<MatmulOp>([&](MatmulOp o) -> FailureOr<int64_t> {
          int64_t l = seqAt(0), r = seqAt(1);
          int64_t lr = tensorType(o.getLhs()).getRank();
          int64_t rr = tensorType(o.getRhs()).getRank();
          // [..., M, K] x [..., K, N]: positions may run over the batch
          // dims, M of the lhs or N of the rhs, never over K.
          int64_t lM = o.getTransposeLhs() ? lr - 1 : lr - 2;
          int64_t rN = o.getTransposeRhs() ? rr - 2 : rr - 1;
          if (l != kNone && r != kNone)
            return mixes("multiplies positions with positions");
          // A batch dimension of positions pairs with the other operand's
          // batch dimension there, which must broadcast.
          auto batch = [&](Value other, int64_t d) -> FailureOr<int64_t> {
            RankedTensorType t = tensorType(other);
            int64_t at = d - (rank - t.getRank());
            if (at >= 0 && at < t.getRank() - 2 && t.getDimSize(at) != 1)
              return mixes("pairs the positions with a table of them");
            return d;
          };
          if (l != kNone) {
            if (l == lM)
              return rank - 2;
            if (l < lr - 2)
              return batch(o.getRhs(), l + rank - lr);
            return mixes("sums over the positions");
          }
          if (r == rN)
            return rank - 1;
          if (r < rr - 2)
            return batch(o.getLhs(), r + rank - rr);
          return mixes("sums over the positions");
        })
        .Case<ReshapeOp>([&](ReshapeOp o) -> FailureOr<int64_t> {
          // The positions stay one whole dimension: the same product of
          // dimensions before it.
          ArrayRef<int64_t> in = tensorType(o.getInput()).getShape();
          ArrayRef<int64_t> out = tensorType(o.getResult()).getShape();
          int64_t s = seqAt(0), before = 1;
          for (int64_t d = 0; d < s; ++d)
            before *= in[d];
          int64_t prefix = 1;
          for (int64_t d = 0; d < int64_t(out.size()); ++d) {
            if (prefix == before && out[d] == in[s])
              return d;
            prefix *= out[d];
          }
          return mixes("merges the positions with another dimension");
        })
        .Case<TransposeOp>([&](TransposeOp o) -> FailureOr<int64_t> {
          ArrayRef<int64_t> perm = o.getPerm();
          return int64_t(llvm::find(perm, seqAt(0)) - perm.begin());
        })
        .Case<SliceOp>([&](SliceOp o) -> FailureOr<int64_t> {
          int64_t s = seqAt(0);
          if (o.getStart()[s] != 0 || o.getLimit()[s] != window ||
              o.getStride()[s] != 1)
            return mixes("takes some of the positions");
          return s;
        })
        .Case<GatherOp>([&](GatherOp o) -> FailureOr<int64_t> {
          int64_t t = seqAt(0), i = seqAt(1), axis = o.getAxis();
          int64_t ir = tensorType(o.getIndices()).getRank();
          if (t != kNone && i != kNone)
            return mixes("indexes positions with positions");
          if (i != kNone)
            return axis + i;
          if (t == axis)
            return mixes("picks positions by index");
          return t < axis ? t : t + ir - 1;
        })
        .Case<ReduceOp>([&](ReduceOp o) -> FailureOr<int64_t> {
          int64_t s = seqAt(0);
          if (llvm::is_contained(o.getDims(), s))
            return mixes("reduces over the positions");
          if (o.getKeepDims())
            return s;
          return s -
                 llvm::count_if(o.getDims(), [&](int64_t d) { return d < s; });
        })
        .Default([&](Operation *) -> FailureOr<int64_t> {
          // Elementwise ops keep the shape of their single tensor operand.
          if ((op->hasTrait<OpTrait::Elementwise>() ||
               op->hasTrait<OpTrait::SameOperandsAndResultShape>()) &&
              op->getNumOperands() == 1)
            return seqAt(0);
          return mixes("has no rule for decoding one position");
        });
  }

  /// The attention of the one query at `pos` over the cached keys and
  /// values, after writing this position's key and value into the caches:
  ///   k' = select(iota == pos, k, cache_k)           [..., T, D]
  ///   p  = softmax(select(iota <= pos, q k'^T * scale, -inf))
  ///   y  = p v'                                      [..., 1, DV]
  /// Cached rows past `pos` get no weight (exp(-inf) = 0).
  LogicalResult rewriteAttention(AttentionOp op, IRMapping &map) {
    if (!op.getCausal())
      return fail(op, "'loom.attention' without 'causal' lets every position "
                      "see later ones; a decoding program computes one "
                      "position at a time");
    int64_t rank = tensorType(op.getQuery()).getRank();
    for (Value v : op->getOperands())
      if (seqOf(v) != rank - 2)
        return fail(op, "the positions of 'loom.attention' must be its "
                        "operands' second-to-last dimension");
    Location loc = op.getLoc();
    unsigned layer = caches.size() / 2;
    auto cacheOf = [&](Value v, StringRef kind) {
      std::string role = "cache." + std::to_string(layer) + "." + kind.str();
      Block *body = &decode.getBody().front();
      Value arg = body->addArgument(v.getType(), loc);
      argAttrs.push_back(stateAttr(role));
      auto column = RankedTensorType::get({window, 1}, b.getI32Type());
      Value here = b.create<CompareOp>(loc, ComparePredicate::eq,
                                       b.create<IotaOp>(loc, column, 0), pos);
      Value updated = b.create<SelectOp>(loc, here, map.lookup(v), arg);
      caches.push_back({role, updated});
      return updated;
    };
    Value k = cacheOf(op.getKey(), "k"), v = cacheOf(op.getValue(), "v");
    Value q = map.lookup(op.getQuery());
    // One statement per op: the order of the IR must not depend on the
    // compiler's order of evaluating arguments.
    Value scale = scalar(b, loc, q, attentionScale(op));
    Value raw = b.create<MatmulOp>(loc, q, k, false, true);
    Value scores = b.create<MulOp>(loc, raw, scale);
    auto row = RankedTensorType::get({1, window}, b.getI32Type());
    Value seen = b.create<CompareOp>(loc, ComparePredicate::le,
                                     b.create<IotaOp>(loc, row, 1), pos);
    scores = b.create<SelectOp>(
        loc, seen, scores,
        scalar(b, loc, q, -std::numeric_limits<double>::infinity()));
    Value p = b.create<SoftmaxOp>(loc, scores, rank - 1);
    Value y = b.create<MatmulOp>(loc, p, v, false, false);
    map.map(op.getResult(), y);
    seq[op.getResult()] = rank - 2;
    return success();
  }

  LogicalResult rewrite(Operation &op, IRMapping &map) {
    bool positional = llvm::any_of(op.getOperands(),
                                   [&](Value v) { return seqOf(v) != kNone; });
    if (auto attention = dyn_cast<AttentionOp>(op); attention && positional)
      return rewriteAttention(attention, map);
    // Position-free ops (on parameters and constants) stay as they are.
    if (!positional || op.getNumResults() != 1) {
      if (positional)
        return fail(&op, "'" + op.getName().getStringRef() +
                             "' has no rule for decoding one position");
      b.clone(op, map);
      for (Value r : op.getResults())
        seq[r] = kNone;
      return success();
    }
    SmallVector<Value> operands = llvm::map_to_vector(
        op.getOperands(), [&](Value v) { return map.lookup(v); });
    FailureOr<int64_t> s = resultSeqDim(&op, operands);
    if (failed(s))
      return failure();
    Operation *copy = b.clone(op, map);
    copy->setOperands(operands);
    Value result = op.getResult(0);
    if (*s != kNone) {
      copy->getResult(0).setType(atOnePosition(result.getType(), *s));
      if (auto slice = dyn_cast<SliceOp>(copy)) {
        SmallVector<int64_t> limit(slice.getLimit());
        limit[*s] = slice.getStart()[*s] + 1;
        slice.setLimit(limit);
      }
    }
    map.map(result, copy->getResult(0));
    seq[result] = *s;
    return success();
  }

  ModuleOp module;
  OpBuilder b;
  func::FuncOp decode;
  SmallVector<DictionaryAttr> argAttrs;
  Value pos;
  int64_t window = 0;
  /// The dimension of each value of @forward that runs over the positions.
  DenseMap<Value, int64_t> seq;
  SmallVector<Cache> caches;
};

struct BuildDecodeStepPass
    : mlir::loom::impl::LoomBuildDecodeStepBase<BuildDecodeStepPass> {
  using LoomBuildDecodeStepBase::LoomBuildDecodeStepBase;

  void runOnOperation() override {
    DecodeBuilder builder(getOperation());
    FailureOr<func::FuncOp> decode = builder.build();
    if (succeeded(decode)) {
      // The layers' position masks are the same ops: build them once.
      OpPassManager pm(func::FuncOp::getOperationName());
      pm.addPass(createCSEPass());
      if (failed(verify(*decode)) || failed(runPipeline(pm, *decode)))
        signalPassFailure();
      return;
    }
    builder.discard();
    Operation *at = builder.where ? builder.where : getOperation();
    if (optional) {
      at->emitRemark("no decoding program: ") << builder.why;
      return;
    }
    at->emitError("cannot build a decoding program: ") << builder.why;
    signalPassFailure();
  }
};

} // namespace
