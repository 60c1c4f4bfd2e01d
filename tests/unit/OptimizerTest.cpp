//===- OptimizerTest.cpp - @train_step vs closed-form updates -------------===//
//
// Part of Loom. A tiny loss `sum(f * (w - x)^2)` (w trainable, f frozen, x
// the batch) with a hand-written `loom.train` recipe goes through
// --loom-autodiff and --loom-build-train-step; @train_step runs 5 times on
// the reference interpreter, its parameters and state fed back. After each
// step the new parameters, state, loss and learning rate are compared with
// the same step computed here in double from PyTorch's formulas. The IR
// computes in f32, so the tolerance is 1e-6 relative.
//
//===----------------------------------------------------------------------===//

#include "GradientTestSupport.h"

#include "backends/reference/Interpreter.h"
#include "ir/LoomDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::loom::reference;

namespace {

struct Opt {
  std::string kind;
  double lr = 0.1;
  double momentum = 0.0, weightDecay = 0.0;
  bool nesterov = false, centered = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, alpha = 0.99;
  std::optional<double> clipNorm;
};

struct Sched {
  std::string kind = "constant";
  double every = 0, gamma = 0, warmup = 0, minLr = 0;
  double lrScale = 1.0; ///< fed to reduce_on_plateau's %lr_scale
};

struct OptCase {
  const char *name;
  Opt opt;
  Sched sched;
  int64_t totalSteps = 8;
};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17e", v);
  return buf;
}

std::string buildModule(const OptCase &c) {
  const Opt &o = c.opt;
  std::string opt = "kind = \"" + o.kind + "\", lr = " + num(o.lr);
  if (o.kind == "sgd")
    opt += ", momentum = " + num(o.momentum) +
           ", nesterov = " + (o.nesterov ? "true" : "false") +
           ", weight_decay = " + num(o.weightDecay);
  if (o.kind == "adam" || o.kind == "adamw")
    opt += ", betas = [" + std::to_string(o.beta1) + ", " +
           std::to_string(o.beta2) + "], eps = " + num(o.eps) +
           ", weight_decay = " + num(o.weightDecay);
  if (o.kind == "rmsprop")
    opt += ", alpha = " + num(o.alpha) + ", eps = " + num(o.eps) +
           ", momentum = " + num(o.momentum) +
           ", centered = " + (o.centered ? "true" : "false") +
           ", weight_decay = " + num(o.weightDecay);
  if (o.clipNorm)
    opt += ", clip_norm = " + num(*o.clipNorm);
  const Sched &s = c.sched;
  std::string sched = "kind = \"" + s.kind + "\"";
  if (s.kind == "step")
    sched += ", every = " + std::to_string(int64_t(s.every)) +
             ", gamma = " + num(s.gamma);
  if (s.kind == "exponential")
    sched += ", gamma = " + num(s.gamma);
  if (s.kind == "warmup_cosine")
    sched += ", warmup = " + std::to_string(int64_t(s.warmup)) +
             ", min_lr = " + num(s.minLr);
  if (s.kind == "reduce_on_plateau")
    sched += ", factor = 5.0e-01, patience = 2";
  return "module attributes {loom.train = #loom.recipe<name = \"t\", data = "
         "<kind = \"idx\", images = \"x\", labels = \"y\">, batch = 1, "
         "steps = " +
         std::to_string(c.totalSteps) + ", optimizer = <" + opt +
         ">, schedule = <" + sched + ">>} {\n" +
         R"(  func.func @loss(%w: tensor<3xf32> {loom.param = "w"},
                   %f: tensor<3xf32> {loom.param = "f", loom.frozen},
                   %x: tensor<3xf32> {loom.input = "x"}) -> tensor<f32> {
    %d = loom.sub %w, %x : tensor<3xf32>
    %sq = loom.mul %d, %d : tensor<3xf32>
    %fsq = loom.mul %f, %sq : tensor<3xf32>
    %l = loom.reduce sum %fsq dims [0] : tensor<3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
)";
}

/// The schedule's learning rate at 0-based step `t`.
double lrAt(const OptCase &c, int64_t t) {
  const Sched &s = c.sched;
  double lr = c.opt.lr;
  if (s.kind == "step")
    return lr * std::pow(s.gamma, std::floor(t / s.every));
  if (s.kind == "exponential")
    return lr * std::pow(s.gamma, t);
  if (s.kind == "warmup_cosine") {
    if (t < s.warmup)
      return lr * (t + 1) / s.warmup;
    double progress =
        std::min(1.0, (t - s.warmup) / (double(c.totalSteps) - s.warmup));
    return s.minLr + 0.5 * (lr - s.minLr) * (1 + std::cos(M_PI * progress));
  }
  if (s.kind == "reduce_on_plateau")
    return lr * s.lrScale;
  return lr;
}

using Vec = std::vector<double>;

/// The state slots of `o`, in @train_step's order.
std::vector<std::string> slotsOf(const Opt &o) {
  if (o.kind == "sgd")
    return o.momentum > 0 ? std::vector<std::string>{"momentum_buffer"}
                          : std::vector<std::string>{};
  if (o.kind == "adam" || o.kind == "adamw")
    return {"exp_avg", "exp_avg_sq"};
  std::vector<std::string> slots = {"square_avg"};
  if (o.momentum > 0)
    slots.push_back("momentum_buffer");
  if (o.centered)
    slots.push_back("grad_avg");
  return slots;
}

/// One step of PyTorch's optimizer on `w` in double; updates `w`, `state`.
void referenceStep(const OptCase &c, int64_t t, const Vec &f, const Vec &x,
                   Vec &w, std::vector<Vec> &state) {
  const Opt &o = c.opt;
  double lr = lrAt(c, t);
  size_t n = w.size();
  Vec g(n);
  for (size_t i = 0; i < n; ++i)
    g[i] = 2 * f[i] * (w[i] - x[i]);
  if (o.clipNorm) {
    double sq = 0;
    for (double v : g)
      sq += v * v;
    double coef = std::min(1.0, *o.clipNorm / (std::sqrt(sq) + 1e-6));
    for (double &v : g)
      v *= coef;
  }
  for (size_t i = 0; i < n; ++i) {
    double gi = g[i], p = w[i];
    if (o.kind == "sgd") {
      gi += o.weightDecay * p;
      double d = gi;
      if (o.momentum > 0) {
        double &buf = state[0][i];
        buf = t == 0 ? gi : o.momentum * buf + gi;
        d = o.nesterov ? gi + o.momentum * buf : buf;
      }
      w[i] = p - lr * d;
    } else if (o.kind == "adam" || o.kind == "adamw") {
      if (o.kind == "adamw")
        p *= 1 - lr * o.weightDecay;
      else
        gi += o.weightDecay * p;
      double &m = state[0][i], &v = state[1][i];
      m = o.beta1 * m + (1 - o.beta1) * gi;
      v = o.beta2 * v + (1 - o.beta2) * gi * gi;
      double mHat = m / (1 - std::pow(o.beta1, t + 1));
      double vHat = v / (1 - std::pow(o.beta2, t + 1));
      w[i] = p - lr * mHat / (std::sqrt(vHat) + o.eps);
    } else {
      gi += o.weightDecay * p;
      size_t slot = 0;
      double &sq = state[slot++][i];
      sq = o.alpha * sq + (1 - o.alpha) * gi * gi;
      double *buf = o.momentum > 0 ? &state[slot++][i] : nullptr;
      double avg;
      if (o.centered) {
        double &ga = state[slot++][i];
        ga = o.alpha * ga + (1 - o.alpha) * gi;
        avg = std::sqrt(sq - ga * ga) + o.eps;
      } else {
        avg = std::sqrt(sq) + o.eps;
      }
      if (buf) {
        *buf = o.momentum * *buf + gi / avg;
        w[i] = p - lr * *buf;
      } else {
        w[i] = p - lr * gi / avg;
      }
    }
  }
}

/// |got - want| <= 1e-6 max(|want|, |before|): an update `p - lr d` that
/// nearly cancels keeps only the f32 precision of its operands, so the
/// tolerance is relative to the larger of the old and the new value.
void expectClose(const Vec &got, const Vec &want, const std::string &what,
                 const Vec *before = nullptr) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    double scale = std::abs(want[i]);
    if (before)
      scale = std::max(scale, std::abs((*before)[i]));
    EXPECT_LE(std::abs(got[i] - want[i]), 1e-6 * scale + 1e-12)
        << what << "[" << i << "]: " << got[i] << " vs " << want[i];
  }
}

void PrintTo(const OptCase &c, std::ostream *os) { *os << c.name; }

class Optimizer : public ::testing::TestWithParam<OptCase> {};

TEST_P(Optimizer, MatchesClosedForm) {
  const OptCase &c = GetParam();
  ::loom::testing::TestContext t;
  std::string &errors = t.errors;
  std::string ir = buildModule(c);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &t.ctx);
  ASSERT_TRUE(module) << errors << ir;
  ASSERT_TRUE(t.runPasses(*module,
                          [](PassManager &pm) {
                            pm.addPass(mlir::loom::createLoomAutodiff());
                            pm.addPass(mlir::loom::createLoomBuildTrainStep());
                          }))
      << errors << ir;
  auto step = module->lookupSymbol<func::FuncOp>("train_step");
  ASSERT_TRUE(step);

  std::vector<std::string> slots = slotsOf(c.opt);
  bool plateau = c.sched.kind == "reduce_on_plateau";
  // w, f, state..., x, step[, lr_scale] -> w, f, state..., loss, lr, norm
  ASSERT_EQ(step.getNumArguments(), 2 + slots.size() + 2 + plateau);
  ASSERT_EQ(step.getNumResults(), 2 + slots.size() + 3);
  for (size_t s = 0; s < slots.size(); ++s) {
    auto name = step.getArgAttrOfType<StringAttr>(2 + s, "loom.opt_state");
    ASSERT_TRUE(name);
    EXPECT_EQ(name.getValue(), "w." + slots[s]);
  }

  auto f32 = [](Vec v) {
    int64_t n = v.size();
    Tensor t(DType::F32, {n}, std::move(v));
    roundToType(t);
    return t;
  };
  Tensor w = f32({0.3, 0.7, -1.2}), f = f32({1.0, 2.0, 0.5}),
         x = f32({1.0, -2.0, 0.5});
  std::vector<Tensor> state(slots.size(), f32({0, 0, 0}));
  for (int64_t t = 0; t < 5; ++t) {
    std::vector<Tensor> args = {w, f};
    args.insert(args.end(), state.begin(), state.end());
    args.push_back(x);
    args.push_back(Tensor(DType::I64, {}, {double(t)}));
    if (plateau)
      args.push_back(Tensor(DType::F32, {}, {c.sched.lrScale}));
    auto out = runFunction(step, args);
    ASSERT_TRUE(out) << errors;
    ASSERT_EQ(out->size(), 2 + slots.size() + 3);

    // The same step in double, from the same inputs.
    Vec wantW = w.data;
    std::vector<Vec> wantState;
    for (const Tensor &s : state)
      wantState.push_back(s.data);
    double wantLoss = 0, wantNorm = 0;
    for (size_t i = 0; i < 3; ++i) {
      double d = w.data[i] - x.data[i];
      wantLoss += f.data[i] * d * d;
      wantNorm += (2 * f.data[i] * d) * (2 * f.data[i] * d);
    }
    wantNorm = std::sqrt(wantNorm);
    referenceStep(c, t, f.data, x.data, wantW, wantState);

    std::string at = std::string(c.name) + " step " + std::to_string(t);
    expectClose((*out)[0].data, wantW, at + " w", &w.data);
    EXPECT_EQ((*out)[1].data, f.data) << at << ": the frozen f changed";
    for (size_t s = 0; s < slots.size(); ++s)
      expectClose((*out)[2 + s].data, wantState[s], at + " " + slots[s],
                  &state[s].data);
    expectClose((*out)[2 + slots.size()].data, {wantLoss}, at + " loss");
    expectClose((*out)[3 + slots.size()].data, {lrAt(c, t)}, at + " lr");
    expectClose((*out)[4 + slots.size()].data, {wantNorm}, at + " norm");

    w = (*out)[0];
    for (size_t s = 0; s < slots.size(); ++s)
      state[s] = (*out)[2 + s];
  }
}

Opt sgd(double momentum = 0, bool nesterov = false, double wd = 0) {
  Opt o;
  o.kind = "sgd";
  o.lr = 0.05;
  o.momentum = momentum;
  o.nesterov = nesterov;
  o.weightDecay = wd;
  return o;
}

Opt adam(const char *kind, double wd) {
  Opt o;
  o.kind = kind;
  o.lr = 0.01;
  o.beta1 = 0.8;
  o.beta2 = 0.95;
  o.eps = 1e-8;
  o.weightDecay = wd;
  return o;
}

Opt rmsprop(double momentum, bool centered, double wd) {
  Opt o;
  o.kind = "rmsprop";
  o.lr = 0.01;
  o.alpha = 0.9;
  o.eps = 1e-8;
  o.momentum = momentum;
  o.centered = centered;
  o.weightDecay = wd;
  return o;
}

Opt clipped(Opt o, double clipNorm) {
  o.clipNorm = clipNorm;
  return o;
}

Sched schedule(const char *kind, double a = 0, double b = 0) {
  Sched s;
  s.kind = kind;
  if (s.kind == "step") {
    s.every = a;
    s.gamma = b;
  } else if (s.kind == "exponential") {
    s.gamma = a;
  } else if (s.kind == "warmup_cosine") {
    s.warmup = a;
    s.minLr = b;
  } else if (s.kind == "reduce_on_plateau") {
    s.lrScale = a;
  }
  return s;
}

// The gradient at the start is [-1.4, 10.8, -1.7], of norm ~11.
const OptCase kCases[] = {
    {"sgd", sgd(), schedule("constant")},
    {"sgd_momentum", sgd(0.9), schedule("constant")},
    {"sgd_nesterov_weight_decay", sgd(0.9, true, 0.1), schedule("constant")},
    {"adam_weight_decay", adam("adam", 0.1), schedule("constant")},
    {"adamw", adam("adamw", 0.1), schedule("constant")},
    {"rmsprop", rmsprop(0, false, 0), schedule("constant")},
    {"rmsprop_centered_momentum", rmsprop(0.9, true, 0.01),
     schedule("constant")},
    {"schedule_step", sgd(), schedule("step", 2, 0.5)},
    {"schedule_exponential", sgd(), schedule("exponential", 0.9)},
    // warmup over steps 0-1, cosine over 2-4 of 6 steps.
    {"schedule_warmup_cosine", sgd(), schedule("warmup_cosine", 2, 0.001), 6},
    {"schedule_reduce_on_plateau", sgd(), schedule("reduce_on_plateau", 0.5)},
    {"clip_active", clipped(sgd(0.9), 1.0), schedule("constant")},
    {"clip_inactive", clipped(sgd(0.9), 100.0), schedule("constant")},
    {"adamw_clip_warmup_cosine", clipped(adam("adamw", 0.1), 1.0),
     schedule("warmup_cosine", 2, 0.001), 4},
};

INSTANTIATE_TEST_SUITE_P(Loom, Optimizer, ::testing::ValuesIn(kCases),
                         [](const auto &info) {
                           return std::string(info.param.name);
                         });

} // namespace
