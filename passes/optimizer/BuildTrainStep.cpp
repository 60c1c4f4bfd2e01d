//===- BuildTrainStep.cpp - The training step as IR -----------------------===//
//
// Part of Loom. This file implements --loom-build-train-step (see
// Passes.td): it inlines `@loss_grad` into `@train_step` and appends, in loom
// ops, the learning-rate schedule, global gradient-norm clipping and the
// optimizer update of the module's `loom.train` recipe, so that fusion sees
// the whole step. The formulas are PyTorch's (torch.optim.SGD, Adam, AdamW,
// RMSprop; clip_grad_norm_ with its 1e-6).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/GradientHelpers.h"
#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <optional>

#define DEBUG_TYPE "loom-build-train-step"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMBUILDTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using grad::scalar;

namespace {

/// Where a recipe setting was written (its `loc`), or `otherwise`.
Location settingLoc(LocationAttr loc, Location otherwise) {
  return loc ? Location(loc) : otherwise;
}

/// Builds the update ops at one insertion point and location.
struct StepBuilder {
  OpBuilder &b;
  Location loc;

  RankedTensorType f32Scalar() const {
    return RankedTensorType::get({}, b.getF32Type());
  }
  Value f32(double v) {
    return b.create<ConstantOp>(
        loc, DenseElementsAttr::get(f32Scalar(), b.getF32FloatAttr(v)));
  }
  Value i64(int64_t v) {
    auto type = RankedTensorType::get({}, b.getI64Type());
    return b.create<ConstantOp>(
        loc, DenseElementsAttr::get(type, b.getI64IntegerAttr(v)));
  }
  /// A scalar of `like`'s element type.
  Value c(Value like, double v) { return scalar(b, loc, like, v); }
  /// The f32 scalar `s` converted to `like`'s element type.
  Value as(Value s, Value like) {
    Type et = grad::tensorType(like).getElementType();
    if (grad::tensorType(s).getElementType() == et)
      return s;
    return b.create<CastOp>(loc, RankedTensorType::get({}, et), s);
  }
  Value toF32(Value v) {
    auto t = grad::tensorType(v);
    if (t.getElementType().isF32())
      return v;
    return b.create<CastOp>(
        loc, RankedTensorType::get(t.getShape(), b.getF32Type()), v);
  }
  Value add(Value x, Value y) { return b.create<AddOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<SubOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<MulOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<DivOp>(loc, x, y); }
  Value sqrt(Value x) { return b.create<SqrtOp>(loc, x); }
  /// a*x + (1-a)*y, the exponential moving average.
  Value ema(double a, Value x, Value y) {
    return add(mul(c(x, a), x), mul(c(y, 1.0 - a), y));
  }
  /// The sum of every element, as an f32 scalar.
  Value sumAll(Value x) {
    int64_t rank = grad::tensorType(x).getRank();
    auto dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    return toF32(b.create<ReduceOp>(loc, ReduceKind::sum, x, dims, false));
  }
};

struct BuildTrainStepPass
    : mlir::loom::impl::LoomBuildTrainStepBase<BuildTrainStepPass> {
  using LoomBuildTrainStepBase::LoomBuildTrainStepBase;

  void runOnOperation() override {
    if (failed(build(getOperation())))
      signalPassFailure();
  }

  /// One parameter of @train_step: its argument in @loss_grad, and (when
  /// trainable) its gradient and optimizer state slots.
  struct Param {
    BlockArgument arg;
    StringAttr path;
    bool trainable = false;
    Value grad;
    SmallVector<std::string> slots;
    SmallVector<Value> state;    ///< the state arguments of @train_step
    SmallVector<Value> newState; ///< the updated state, in slot order
    Value newValue;
  };

  LogicalResult build(ModuleOp module) {
    auto lossGrad = module.lookupSymbol<func::FuncOp>("loss_grad");
    if (!lossGrad)
      return module.emitError("--loom-build-train-step needs @loss_grad; run "
                              "--loom-autodiff first");
    if (module.lookupSymbol("train_step"))
      return module.emitError("the module already has a @train_step");
    auto recipe = module->getAttrOfType<RecipeAttr>("loom.train");
    if (!recipe)
      return module.emitError("--loom-build-train-step needs the module's "
                              "'loom.train' recipe");
    OptimizerAttr optimizer = recipe.getOptimizer();
    ScheduleAttr schedule = recipe.getSchedule();
    StringRef schedKind = schedule ? schedule.getKind() : "constant";
    double lr = optimizer.getLr();
    std::optional<double> clipNorm;
    if (std::optional<F64> c = optimizer.getClipNorm())
      clipNorm = *c;

    // The update, clipping and gradient norm point at the `optimizer =`
    // setting, the learning rate at `schedule =` (the recipe's `loc`), so
    // that a NaN or the time of an update is not blamed on the loss.
    Location loc = settingLoc(optimizer.getLoc(), lossGrad.getLoc());
    Location scheduleLoc =
        settingLoc(schedule ? schedule.getLoc() : LocationAttr(), loc);
    OpBuilder b(module.getContext());
    Block &gradBody = lossGrad.getBody().front();
    auto gradRet = cast<func::ReturnOp>(gradBody.getTerminator());

    // Parameters (trainable and frozen) and the batch, in argument order.
    SmallVector<Param> params;
    SmallVector<BlockArgument> batch;
    for (BlockArgument arg : gradBody.getArguments()) {
      auto path = lossGrad.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                        "loom.param");
      if (!path) {
        batch.push_back(arg);
        continue;
      }
      Param p;
      p.arg = arg;
      p.path = path;
      p.trainable = !lossGrad.getArgAttr(arg.getArgNumber(), "loom.frozen");
      params.push_back(p);
    }
    unsigned numTrainable =
        llvm::count_if(params, [](const Param &p) { return p.trainable; });
    if (gradRet.getNumOperands() != numTrainable + 1)
      return lossGrad.emitError("@loss_grad returns ")
             << gradRet.getNumOperands() << " values, not the loss and "
             << numTrainable << " gradients";

    // State slots, by optimizer.
    StringRef opt = optimizer.getKind();
    // Absent where the optimizer takes none (the verifier holds each kind
    // to its arguments).
    double momentum = optimizer.getMomentum().value_or(0.0);
    bool centered = optimizer.getCentered().value_or(false);
    for (Param &p : params) {
      if (!p.trainable)
        continue;
      if (opt == "sgd" && momentum > 0)
        p.slots = {"momentum_buffer"};
      if (opt == "adam" || opt == "adamw")
        p.slots = {"exp_avg", "exp_avg_sq"};
      if (opt == "rmsprop") {
        p.slots = {"square_avg"};
        if (momentum > 0)
          p.slots.push_back("momentum_buffer");
        if (centered)
          p.slots.push_back("grad_avg");
      }
    }

    // The signature: params, state, batch, step[, lr_scale].
    SmallVector<Type> argTypes;
    SmallVector<DictionaryAttr> argAttrs;
    for (Param &p : params) {
      argTypes.push_back(p.arg.getType());
      argAttrs.push_back(lossGrad.getArgAttrDict(p.arg.getArgNumber()));
    }
    for (Param &p : params)
      for (const std::string &slot : p.slots) {
        argTypes.push_back(p.arg.getType());
        argAttrs.push_back(b.getDictionaryAttr(
            b.getNamedAttr("loom.opt_state",
                           b.getStringAttr(p.path.getValue() + "." + slot))));
      }
    for (BlockArgument arg : batch) {
      argTypes.push_back(arg.getType());
      argAttrs.push_back(lossGrad.getArgAttrDict(arg.getArgNumber()));
    }
    auto inputAttr = [&](StringRef name) {
      return b.getDictionaryAttr(
          b.getNamedAttr("loom.input", b.getStringAttr(name)));
    };
    argTypes.push_back(RankedTensorType::get({}, b.getI64Type()));
    argAttrs.push_back(inputAttr("step"));
    bool plateau = schedKind == "reduce_on_plateau";
    if (plateau) {
      argTypes.push_back(RankedTensorType::get({}, b.getF32Type()));
      argAttrs.push_back(inputAttr("lr_scale"));
    }

    b.setInsertionPointAfter(lossGrad);
    auto step = b.create<func::FuncOp>(lossGrad.getLoc(), "train_step",
                                       b.getFunctionType(argTypes, {}));
    Block *body = step.addEntryBlock();
    for (auto [i, attrs] : llvm::enumerate(argAttrs))
      if (attrs)
        step.setArgAttrs(i, attrs);

    // The forward and backward pass, inlined.
    IRMapping mapping;
    unsigned next = 0;
    for (Param &p : params)
      mapping.map(p.arg, body->getArgument(next++));
    for (Param &p : params)
      for (size_t s = 0; s < p.slots.size(); ++s)
        p.state.push_back(body->getArgument(next++));
    for (BlockArgument arg : batch)
      mapping.map(arg, body->getArgument(next++));
    Value stepArg = body->getArgument(next++);
    Value lrScale = plateau ? body->getArgument(next++) : Value();
    b.setInsertionPointToStart(body);
    for (Operation &op : gradBody.without_terminator())
      b.clone(op, mapping);
    Value loss = mapping.lookupOrDefault(gradRet.getOperand(0));
    unsigned g = 1;
    for (Param &p : params)
      if (p.trainable)
        p.grad = mapping.lookupOrDefault(gradRet.getOperand(g++));

    StepBuilder sb{b, loc};
    StepBuilder scheduleBuilder{b, scheduleLoc};
    FailureOr<Value> lrValue =
        buildSchedule(module, scheduleBuilder, recipe, schedule, schedKind, lr,
                      stepArg, lrScale);
    if (failed(lrValue))
      return failure();

    // The global gradient norm, which the runtime logs and checks for
    // NaN/Inf, and with clip_norm the clipping of
    // torch.nn.utils.clip_grad_norm_: g *= min(1, clip_norm / (||g||_2 +
    // 1e-6)).
    Value norm;
    if (numTrainable > 0) {
      Value sq;
      for (Param &p : params)
        if (p.trainable) {
          Value s = sb.sumAll(sb.mul(p.grad, p.grad));
          sq = sq ? sb.add(sq, s) : s;
        }
      norm = sb.sqrt(sq);
    } else {
      norm = sb.f32(0.0);
    }
    if (clipNorm && numTrainable > 0) {
      Value coef = b.create<MinOp>(
          loc, sb.f32(1.0),
          sb.div(sb.f32(*clipNorm), sb.add(norm, sb.f32(1e-6))));
      for (Param &p : params)
        if (p.trainable)
          p.grad = sb.mul(p.grad, sb.as(coef, p.grad));
    }

    for (Param &p : params) {
      if (!p.trainable) {
        p.newValue = mapping.lookup(p.arg);
        continue;
      }
      Value value = mapping.lookup(p.arg);
      if (opt == "sgd")
        updateSgd(sb, optimizer, p, value, *lrValue, stepArg);
      else if (opt == "adam" || opt == "adamw")
        updateAdam(sb, optimizer, opt == "adamw", p, value, *lrValue, stepArg);
      else
        updateRmsprop(sb, optimizer, p, value, *lrValue);
    }

    // Results: params, state, loss, lr, gradient norm.
    SmallVector<Value> results;
    SmallVector<DictionaryAttr> resultAttrs;
    for (Param &p : params) {
      results.push_back(p.newValue);
      resultAttrs.push_back(
          b.getDictionaryAttr(b.getNamedAttr("loom.param", p.path)));
    }
    for (Param &p : params)
      for (auto [slot, v] : llvm::zip(p.slots, p.newState)) {
        results.push_back(v);
        resultAttrs.push_back(b.getDictionaryAttr(
            b.getNamedAttr("loom.opt_state",
                           b.getStringAttr(p.path.getValue() + "." + slot))));
      }
    results.push_back(loss);
    resultAttrs.push_back(DictionaryAttr());
    results.push_back(*lrValue);
    resultAttrs.push_back(DictionaryAttr());
    results.push_back(norm);
    resultAttrs.push_back(DictionaryAttr());
    b.create<func::ReturnOp>(loc, results);
    step.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (auto [i, attrs] : llvm::enumerate(resultAttrs))
      if (attrs)
        step.setResultAttrs(i, attrs);
    return success();
  }

  /// The learning rate of step `step` (0-based), an f32 scalar.
  FailureOr<Value> buildSchedule(ModuleOp module, StepBuilder &sb,
                                 RecipeAttr recipe, ScheduleAttr schedule,
                                 StringRef kind, double lr, Value stepArg,
                                 Value lrScale) {
    OpBuilder &b = sb.b;
    Location loc = sb.loc;
    Value base = sb.f32(lr);
    if (kind == "constant")
      return base;
    if (kind == "reduce_on_plateau")
      return sb.mul(base, lrScale);
    Value stepF = b.create<CastOp>(loc, sb.f32Scalar(), stepArg);
    if (kind == "exponential") {
      // lr * gamma^step
      double gamma = schedule.getGamma().value();
      return sb.mul(base, b.create<PowOp>(loc, sb.f32(gamma), stepF));
    }
    if (kind == "step") {
      // lr * gamma^floor(step / every), the division in integers.
      int64_t every = schedule.getEvery().value();
      double gamma = schedule.getGamma().value();
      Value k =
          b.create<CastOp>(loc, sb.f32Scalar(), sb.div(stepArg, sb.i64(every)));
      return sb.mul(base, b.create<PowOp>(loc, sb.f32(gamma), k));
    }
    // warmup_cosine: linear warmup over `warmup` steps, then a cosine decay
    // to min_lr at the recipe's last step.
    double warmup = static_cast<double>(schedule.getWarmup().value());
    double minLr = schedule.getMinLr().value();
    if (!recipe.getSteps())
      return module.emitError("schedule 'warmup_cosine' needs the recipe's "
                              "total 'steps' (the recipe counts 'epochs')");
    double total = static_cast<double>(*recipe.getSteps());
    if (total <= warmup)
      return module.emitError("schedule 'warmup_cosine' needs 'steps' (")
             << static_cast<int64_t>(total) << ") > 'warmup' ("
             << static_cast<int64_t>(warmup) << ")";
    // step < warmup: lr * (step + 1) / warmup
    Value warm =
        sb.div(sb.mul(base, sb.add(stepF, sb.f32(1.0))), sb.f32(warmup));
    // else: min_lr + 0.5 (lr - min_lr) (1 + cos(pi min(1, progress)))
    Value progress = b.create<MinOp>(
        loc, sb.f32(1.0),
        sb.div(sb.sub(stepF, sb.f32(warmup)), sb.f32(total - warmup)));
    Value cosine = b.create<CosOp>(loc, sb.mul(sb.f32(M_PI), progress));
    Value decayed = sb.add(sb.f32(minLr), sb.mul(sb.f32(0.5 * (lr - minLr)),
                                                 sb.add(sb.f32(1.0), cosine)));
    Value inWarmup =
        b.create<CompareOp>(loc, ComparePredicate::lt, stepF, sb.f32(warmup));
    return Value(b.create<SelectOp>(loc, inWarmup, warm, decayed));
  }

  /// torch.optim.SGD: g += wd p; buf = step == 0 ? g : m buf + g;
  /// p -= lr (nesterov ? g + m buf : buf), or p -= lr g without momentum.
  void updateSgd(StepBuilder &sb, OptimizerAttr o, Param &p, Value value,
                 Value lr, Value stepArg) {
    double wd = o.getWeightDecay().value();
    double m = o.getMomentum().value();
    Value g = p.grad;
    if (wd != 0)
      g = sb.add(g, sb.mul(sb.c(value, wd), value));
    Value dir = g;
    if (m > 0) {
      Value first = sb.b.create<CompareOp>(sb.loc, ComparePredicate::eq,
                                           stepArg, sb.i64(0));
      Value buf = sb.b.create<SelectOp>(
          sb.loc, first, g, sb.add(sb.mul(sb.c(value, m), p.state[0]), g));
      p.newState.push_back(buf);
      dir = o.getNesterov().value() ? sb.add(g, sb.mul(sb.c(value, m), buf))
                                    : buf;
    }
    p.newValue = sb.sub(value, sb.mul(sb.as(lr, value), dir));
  }

  /// torch.optim.Adam / AdamW, t = step + 1:
  ///   adam:  g += wd p;  adamw: p *= 1 - lr wd
  ///   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
  ///   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
  void updateAdam(StepBuilder &sb, OptimizerAttr o, bool decoupled, Param &p,
                  Value value, Value lr, Value stepArg) {
    double wd = o.getWeightDecay().value();
    double beta1 = o.getBetas()[0], beta2 = o.getBetas()[1];
    double eps = o.getEps().value();
    Value lrP = sb.as(lr, value);
    Value g = p.grad;
    if (wd != 0) {
      if (decoupled)
        value = sb.mul(value,
                       sb.sub(sb.c(value, 1.0), sb.mul(lrP, sb.c(value, wd))));
      else
        g = sb.add(g, sb.mul(sb.c(value, wd), value));
    }
    Value m = sb.ema(beta1, p.state[0], g);
    Value v = sb.ema(beta2, p.state[1], sb.mul(g, g));
    p.newState = {m, v};
    Value t =
        sb.b.create<CastOp>(sb.loc, sb.f32Scalar(), sb.add(stepArg, sb.i64(1)));
    auto correction = [&](double beta) {
      Value powT = sb.b.create<PowOp>(sb.loc, sb.f32(beta), t);
      return sb.as(sb.sub(sb.f32(1.0), powT), value);
    };
    Value mHat = sb.div(m, correction(beta1));
    Value vHat = sb.div(v, correction(beta2));
    Value update = sb.div(mHat, sb.add(sb.sqrt(vHat), sb.c(value, eps)));
    p.newValue = sb.sub(value, sb.mul(lrP, update));
  }

  /// torch.optim.RMSprop: g += wd p; sq = a sq + (1-a) g^2;
  /// centered: ga = a ga + (1-a) g, avg = sqrt(sq - ga^2) + eps, else
  /// avg = sqrt(sq) + eps; momentum: buf = m buf + g / avg, p -= lr buf;
  /// else p -= lr g / avg.
  void updateRmsprop(StepBuilder &sb, OptimizerAttr o, Param &p, Value value,
                     Value lr) {
    double wd = o.getWeightDecay().value();
    double alpha = o.getAlpha().value();
    double eps = o.getEps().value();
    double m = o.getMomentum().value();
    bool centered = o.getCentered().value();
    Value g = p.grad;
    if (wd != 0)
      g = sb.add(g, sb.mul(sb.c(value, wd), value));
    unsigned slot = 0;
    Value sq = sb.ema(alpha, p.state[slot++], sb.mul(g, g));
    p.newState.push_back(sq);
    Value bufIn = m > 0 ? p.state[slot++] : Value();
    Value centeredSq = sq;
    Value ga;
    if (centered) {
      ga = sb.ema(alpha, p.state[slot++], g);
      centeredSq = sb.sub(sq, sb.mul(ga, ga));
    }
    Value avg = sb.add(sb.sqrt(centeredSq), sb.c(value, eps));
    Value dir = sb.div(g, avg);
    if (m > 0) {
      dir = sb.add(sb.mul(sb.c(value, m), bufIn), dir);
      p.newState.push_back(dir);
    }
    if (centered)
      p.newState.push_back(ga);
    p.newValue = sb.sub(value, sb.mul(sb.as(lr, value), dir));
  }
};

} // namespace
