//===- Interpreter.cpp - Running loom IR on the reference kernels ---------===//
//
// Part of Loom. This file implements the interpreter: one case per loom op,
// in LoomOps.td order, each calling its kernel from Kernels.h.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Interpreter.h"
#include "backends/reference/Kernels.h"

#include "ir/LoomOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom::reference;
namespace lir = mlir::loom;

namespace mlir::loom::reference {
std::optional<Tensor> fromAttr(DenseElementsAttr attr) {
  auto type = mlir::cast<RankedTensorType>(attr.getType());
  std::optional<DType> dtype = toDType(type.getElementType());
  if (!dtype)
    return std::nullopt;
  Tensor t(*dtype, std::vector<int64_t>(type.getShape().begin(),
                                        type.getShape().end()));
  if (isFloat(*dtype)) {
    int64_t i = 0;
    for (APFloat v : attr.getValues<APFloat>()) {
      bool lost = false;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      t.data[i++] = v.convertToDouble();
    }
  } else {
    int64_t i = 0;
    for (APInt v : attr.getValues<APInt>())
      t.data[i++] = *dtype == DType::I1 ? double(v.getBoolValue())
                                        : double(v.getSExtValue());
  }
  return t;
}
} // namespace mlir::loom::reference

static std::vector<int64_t> vec(ArrayRef<int64_t> a) {
  return std::vector<int64_t>(a.begin(), a.end());
}

namespace {
/// Evaluates the ops of one function body.
class Evaluator {
public:
  std::optional<std::vector<Tensor>> run(func::FuncOp func,
                                         const std::vector<Tensor> &args) {
    Block &entry = func.getBody().front();
    if (args.size() != entry.getNumArguments()) {
      func.emitError("the reference interpreter got ")
          << args.size() << " arguments for " << entry.getNumArguments()
          << " parameters";
      return std::nullopt;
    }
    for (auto [arg, t] : llvm::zip(entry.getArguments(), args))
      values[arg] = t;
    for (Operation &op : entry) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        std::vector<Tensor> results;
        for (Value v : ret.getOperands())
          results.push_back(values.lookup(v));
        return results;
      }
      if (failed(eval(&op)))
        return std::nullopt;
    }
    func.emitError("the function has no return");
    return std::nullopt;
  }

private:
  const Tensor &in(Value v) { return values[v]; }
  LogicalResult set(Operation *op, Tensor t) {
    return setAll(op, {std::move(t)});
  }
  /// Sets result i of `op` to ts[i], rounded to its element type.
  LogicalResult setAll(Operation *op, std::vector<Tensor> ts) {
    for (auto [r, t] : llvm::zip(op->getResults(), ts)) {
      auto type = cast<RankedTensorType>(r.getType());
      std::optional<DType> dtype = toDType(type.getElementType());
      if (!dtype)
        return op->emitError("the reference interpreter does not support ")
               << type.getElementType();
      t.dtype = *dtype;
      roundToType(t);
      values[r] = std::move(t);
    }
    return success();
  }
  LogicalResult fail(Operation *op, const std::string &error) {
    return op->emitError("run-time error: ") << error;
  }

  template <typename Op> LogicalResult unaryOp(Op op, UnaryKind kind) {
    return set(op, unary(kind, in(op.getOperand())));
  }
  template <typename Op> LogicalResult binaryOp(Op op, BinaryKind kind) {
    return set(op, binary(kind, in(op.getLhs()), in(op.getRhs())));
  }
  /// Collectives over one rank are the identity; more need the runtime.
  LogicalResult oneRank(Operation *op, int64_t groupSize, Value input) {
    if (groupSize != 1)
      return fail(op, "the reference interpreter runs one rank, but this "
                      "collective spans " +
                          std::to_string(groupSize));
    return set(op, in(input));
  }

  LogicalResult eval(Operation *op) {
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        // Elementwise unary.
        .Case([&](lir::NegOp o) { return unaryOp(o, UnaryKind::Neg); })
        .Case([&](lir::AbsOp o) { return unaryOp(o, UnaryKind::Abs); })
        .Case([&](lir::SignOp o) { return unaryOp(o, UnaryKind::Sign); })
        .Case([&](lir::ExpOp o) { return unaryOp(o, UnaryKind::Exp); })
        .Case([&](lir::LogOp o) { return unaryOp(o, UnaryKind::Log); })
        .Case([&](lir::SqrtOp o) { return unaryOp(o, UnaryKind::Sqrt); })
        .Case([&](lir::RsqrtOp o) { return unaryOp(o, UnaryKind::Rsqrt); })
        .Case([&](lir::TanhOp o) { return unaryOp(o, UnaryKind::Tanh); })
        .Case([&](lir::CosOp o) { return unaryOp(o, UnaryKind::Cos); })
        .Case([&](lir::SinOp o) { return unaryOp(o, UnaryKind::Sin); })
        .Case([&](lir::SigmoidOp o) { return unaryOp(o, UnaryKind::Sigmoid); })
        .Case([&](lir::ReluOp o) { return unaryOp(o, UnaryKind::Relu); })
        .Case([&](lir::ErfOp o) { return unaryOp(o, UnaryKind::Erf); })
        .Case([&](lir::GeluOp o) {
          return unaryOp(o, o.getApproximate() ? UnaryKind::GeluTanh
                                               : UnaryKind::Gelu);
        })
        // Elementwise binary.
        .Case([&](lir::AddOp o) { return binaryOp(o, BinaryKind::Add); })
        .Case([&](lir::SubOp o) { return binaryOp(o, BinaryKind::Sub); })
        .Case([&](lir::MulOp o) { return binaryOp(o, BinaryKind::Mul); })
        .Case([&](lir::DivOp o) { return binaryOp(o, BinaryKind::Div); })
        .Case([&](lir::MaxOp o) { return binaryOp(o, BinaryKind::Max); })
        .Case([&](lir::MinOp o) { return binaryOp(o, BinaryKind::Min); })
        .Case([&](lir::PowOp o) { return binaryOp(o, BinaryKind::Pow); })
        // Compare, select, cast.
        .Case([&](lir::CompareOp o) {
          CompareKind kind = CompareKind::Eq;
          switch (o.getPredicate()) {
          case lir::ComparePredicate::eq:
            kind = CompareKind::Eq;
            break;
          case lir::ComparePredicate::ne:
            kind = CompareKind::Ne;
            break;
          case lir::ComparePredicate::lt:
            kind = CompareKind::Lt;
            break;
          case lir::ComparePredicate::le:
            kind = CompareKind::Le;
            break;
          case lir::ComparePredicate::gt:
            kind = CompareKind::Gt;
            break;
          case lir::ComparePredicate::ge:
            kind = CompareKind::Ge;
            break;
          }
          return set(o, compare(kind, in(o.getLhs()), in(o.getRhs())));
        })
        .Case([&](lir::SelectOp o) {
          return set(o, select(in(o.getCondition()), in(o.getOnTrue()),
                               in(o.getOnFalse())));
        })
        .Case([&](lir::CastOp o) {
          return set(o, cast(in(o.getInput()),
                             *toDType(o.getType().getElementType())));
        })
        // Data movement.
        .Case([&](lir::BroadcastOp o) {
          return set(
              o, broadcastTo(in(o.getInput()), vec(o.getType().getShape())));
        })
        .Case([&](lir::ReshapeOp o) {
          return set(o, reshape(in(o.getInput()), vec(o.getType().getShape())));
        })
        .Case([&](lir::TransposeOp o) {
          return set(o, transpose(in(o.getInput()), vec(o.getPerm())));
        })
        .Case([&](lir::SliceOp o) {
          return set(o, slice(in(o.getInput()), vec(o.getStart()),
                              vec(o.getLimit()), vec(o.getStride())));
        })
        .Case([&](lir::ConcatOp o) {
          std::vector<Tensor> inputs;
          for (Value v : o.getInputs())
            inputs.push_back(in(v));
          return set(o, concat(inputs, o.getDim()));
        })
        .Case([&](lir::GatherOp o) {
          Tensor r;
          std::string error;
          if (!gather(in(o.getTable()), in(o.getIndices()), o.getAxis(), r,
                      error))
            return fail(o, error);
          return set(o, std::move(r));
        })
        .Case([&](lir::ScatterAddOp o) {
          Tensor r;
          std::string error;
          if (!scatterAdd(in(o.getDest()), in(o.getIndices()),
                          in(o.getUpdates()), o.getAxis(), r, error))
            return fail(o, error);
          return set(o, std::move(r));
        })
        // Reductions and contractions.
        .Case([&](lir::ReduceOp o) {
          ReduceKind kind = ReduceKind::Sum;
          switch (o.getKind()) {
          case lir::ReduceKind::sum:
            kind = ReduceKind::Sum;
            break;
          case lir::ReduceKind::max:
            kind = ReduceKind::Max;
            break;
          case lir::ReduceKind::min:
            kind = ReduceKind::Min;
            break;
          case lir::ReduceKind::mean:
            kind = ReduceKind::Mean;
            break;
          }
          return set(o, reduce(kind, in(o.getInput()), vec(o.getDims()),
                               o.getKeepDims()));
        })
        .Case([&](lir::MatmulOp o) {
          return set(o, matmul(in(o.getLhs()), in(o.getRhs()),
                               o.getTransposeLhs(), o.getTransposeRhs()));
        })
        .Case([&](lir::Conv2dOp o) {
          auto s = o.getStrides(), p = o.getPadding(), d = o.getDilations();
          return set(o, conv2d(in(o.getInput()), in(o.getFilter()),
                               {s[0], s[1]}, {p[0], p[1], p[2], p[3]},
                               {d[0], d[1]}, o.getGroups()));
        })
        .Case([&](lir::Conv2dBackwardInputOp o) {
          auto s = o.getStrides(), p = o.getPadding(), d = o.getDilations();
          return set(o,
                     conv2dBackwardInput(in(o.getGradOut()), in(o.getFilter()),
                                         vec(o.getType().getShape()),
                                         {s[0], s[1]}, {p[0], p[1], p[2], p[3]},
                                         {d[0], d[1]}, o.getGroups()));
        })
        .Case([&](lir::Conv2dBackwardFilterOp o) {
          auto s = o.getStrides(), p = o.getPadding(), d = o.getDilations();
          return set(
              o, conv2dBackwardFilter(in(o.getInput()), in(o.getGradOut()),
                                      vec(o.getType().getShape()), {s[0], s[1]},
                                      {p[0], p[1], p[2], p[3]}, {d[0], d[1]},
                                      o.getGroups()));
        })
        .Case([&](lir::Pool2dOp o) {
          auto w = o.getWindow(), s = o.getStrides(), p = o.getPadding();
          return set(o,
                     pool2d(o.getKind() == lir::PoolKind::max, in(o.getInput()),
                            {w[0], w[1]}, {s[0], s[1]},
                            {p[0], p[1], p[2], p[3]}, o.getCountIncludePad()));
        })
        .Case([&](lir::Pool2dBackwardOp o) {
          auto w = o.getWindow(), s = o.getStrides(), p = o.getPadding();
          const Tensor *x = o.getInput() ? &in(o.getInput()) : nullptr;
          return set(o, pool2dBackward(
                            o.getKind() == lir::PoolKind::max,
                            in(o.getGradOut()), x, vec(o.getType().getShape()),
                            {w[0], w[1]}, {s[0], s[1]},
                            {p[0], p[1], p[2], p[3]}, o.getCountIncludePad()));
        })
        // Normalization and attention.
        .Case([&](lir::SoftmaxOp o) {
          return set(o, softmax(in(o.getInput()), o.getDim()));
        })
        .Case([&](lir::LogSoftmaxOp o) {
          return set(o, logSoftmax(in(o.getInput()), o.getDim()));
        })
        .Case([&](lir::LayerNormOp o) {
          return set(o, layerNorm(in(o.getInput()), in(o.getScale()),
                                  in(o.getBias()),
                                  o.getEpsilon().convertToDouble()));
        })
        .Case([&](lir::AttentionOp o) {
          std::optional<double> scale;
          if (auto s = o.getScale())
            scale = s->convertToDouble();
          return set(o, attention(in(o.getQuery()), in(o.getKey()),
                                  in(o.getValue()), o.getCausal(), scale));
        })
        .Case([&](lir::AttentionWithLseOp o) {
          std::optional<double> scale;
          if (auto s = o.getScale())
            scale = s->convertToDouble();
          auto [out, lse] =
              attentionWithLse(in(o.getQuery()), in(o.getKey()),
                               in(o.getValue()), o.getCausal(), scale);
          return setAll(o, {std::move(out), std::move(lse)});
        })
        .Case([&](lir::AttentionBackwardOp o) {
          std::optional<double> scale;
          if (auto s = o.getScale())
            scale = s->convertToDouble();
          return setAll(o,
                        attentionBackward(in(o.getQuery()), in(o.getKey()),
                                          in(o.getValue()), in(o.getOutput()),
                                          in(o.getGradOut()), in(o.getLse()),
                                          o.getCausal(), scale));
        })
        // Losses and randomness.
        .Case([&](lir::CrossEntropyOp o) {
          LossReduction r = LossReduction::Mean;
          if (o.getReduction() == lir::LossReduction::none)
            r = LossReduction::None;
          else if (o.getReduction() == lir::LossReduction::sum)
            r = LossReduction::Sum;
          Tensor result;
          std::string error;
          if (!crossEntropy(r, in(o.getLogits()), in(o.getLabels()), result,
                            error))
            return fail(o, error);
          return set(o, std::move(result));
        })
        .Case([&](lir::DropoutOp o) {
          const Tensor &key = in(o.getKey());
          return set(o, dropout(in(o.getInput()),
                                static_cast<uint64_t>(int64_t(key.data[0])),
                                static_cast<uint64_t>(int64_t(key.data[1])),
                                o.getRate().convertToDouble(),
                                uint64_t(o.getStreamAttr().getInt())));
        })
        // Constants.
        .Case([&](lir::ConstantOp o) -> LogicalResult {
          auto dense = dyn_cast<DenseElementsAttr>(o.getValue());
          std::optional<Tensor> t = dense ? fromAttr(dense) : std::nullopt;
          if (!t)
            return o.emitError("the reference interpreter needs a dense "
                               "constant of a supported type");
          return set(o, std::move(*t));
        })
        .Case([&](lir::IotaOp o) {
          return set(o, iota(*toDType(o.getType().getElementType()),
                             vec(o.getType().getShape()),
                             o.getDimAttr().getInt()));
        })
        // Collectives, on one rank.
        .Case([&](lir::AllReduceOp o) {
          return oneRank(o, o.getGroupSizeAttr().getInt(), o.getInput());
        })
        .Case([&](lir::AllGatherOp o) {
          return oneRank(o, o.getGroupSizeAttr().getInt(), o.getInput());
        })
        .Case([&](lir::ReduceScatterOp o) {
          return oneRank(o, o.getGroupSizeAttr().getInt(), o.getInput());
        })
        // A fusion group computes what its body does, op by op; a
        // multi_tensor group runs its member groups the same way.
        .Case<lir::FusionGroupOp, lir::MultiTensorGroupOp>(
            [&](auto o) -> LogicalResult {
              Block &body = o.getBodyBlock();
              for (auto [arg, input] :
                   llvm::zip(body.getArguments(), o.getInputs()))
                values[arg] = in(input);
              for (Operation &inner : body.without_terminator())
                if (failed(eval(&inner)))
                  return failure();
              auto yield = cast<lir::YieldOp>(body.getTerminator());
              for (auto [r, y] : llvm::zip(o.getResults(), yield.getValues()))
                values[r] = in(y);
              return success();
            })
        .Default([&](Operation *other) {
          return other->emitError("the reference interpreter cannot run '")
                 << other->getName() << "'";
        });
  }

  llvm::DenseMap<Value, Tensor> values;
};
} // namespace

namespace mlir::loom::reference {
std::optional<std::vector<Tensor>>
runFunction(func::FuncOp func, const std::vector<Tensor> &args) {
  return Evaluator().run(func, args);
}
} // namespace mlir::loom::reference
