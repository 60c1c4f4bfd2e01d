//===- OverrideRecipe.cpp - loom train's overrides of the recipe ----------===//
//
// Part of Loom. --loom-override-recipe: the recipe's steps, learning rate
// and seed as `loom train --steps --lr --seed` give them. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/LoomRecipe.h"

#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMOVERRIDERECIPE
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

std::string stepsText(int64_t n) {
  return std::to_string(n) + (n == 1 ? " step" : " steps");
}

/// Fits a warmup_cosine schedule of `recipe` to a run of `steps`: a warm-up
/// that fits is kept (the cosine decays over the rest), a longer one is
/// shortened to the fraction of the run the recipe gives it (at least 1
/// step, and less than `steps`), with a note at `loc`.
ScheduleAttr fitWarmup(RecipeAttr recipe, int64_t steps, Location loc) {
  ScheduleAttr schedule = recipe.getSchedule();
  if (!schedule || schedule.getKind() != "warmup_cosine" ||
      *schedule.getWarmup() < steps)
    return schedule;
  int64_t warmup = *schedule.getWarmup();
  std::optional<int64_t> total = recipe.getSteps();
  int64_t fitted = steps - 1;
  std::string why = "the longest that leaves a step to decay";
  if (total && *total > warmup) {
    fitted = std::clamp<int64_t>(
        std::llround(static_cast<double>(warmup) * steps / *total),
        std::min<int64_t>(1, steps - 1), steps - 1);
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.3g",
                  100.0 * warmup / static_cast<double>(*total));
    why = "the recipe warms up for " + std::string(percent) + "% of its " +
          stepsText(*total);
  }
  if (LocationAttr at = schedule.getLoc())
    loc = at;
  loc.getContext()->getDiagEngine().emit(loc, DiagnosticSeverity::Remark)
      << "warm-up shortened from " << stepsText(warmup) << " to "
      << (fitted ? stepsText(fitted) : std::string("none"))
      << " to fit --steps " << steps << " (" << why << ")";
  return schedule.withWarmup(fitted);
}

struct OverrideRecipePass
    : mlir::loom::impl::LoomOverrideRecipeBase<OverrideRecipePass> {
  using Base::Base;

  /// Gives the options in `overrides` (setting an option marks it given).
  void set(const RecipeOverrides &overrides) {
    if (overrides.steps)
      steps = *overrides.steps;
    if (overrides.lr)
      lr = *overrides.lr;
    if (overrides.seed)
      seed = *overrides.seed;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto recipe = module->getAttrOfType<RecipeAttr>("loom.train");
    if (!recipe) {
      module.emitError("--loom-override-recipe rewrites the module's "
                       "loom.train recipe, which this module lacks");
      return signalPassFailure();
    }
    // The checks loom train makes of its flags, in their words.
    if (steps.hasValue() && steps < 1) {
      module.emitError() << "--steps must be at least 1, not "
                         << static_cast<int64_t>(steps);
      return signalPassFailure();
    }
    if (lr.hasValue())
      if (std::string range = recipeRangeViolation(
              "optimizer", recipe.getOptimizer().getKind(), "lr", lr);
          !range.empty()) {
        module.emitError() << "--lr must be " << range << ", not "
                           << formatRecipeNumber(lr);
        return signalPassFailure();
      }
    if (steps.hasValue()) {
      ScheduleAttr schedule = fitWarmup(recipe, steps, module.getLoc());
      recipe = recipe.withOptimizer(recipe.getOptimizer(), schedule)
                   .withSteps(steps);
    }
    if (seed.hasValue())
      recipe = recipe.withSeed(seed);
    if (lr.hasValue())
      recipe = recipe.withOptimizer(recipe.getOptimizer().withLr(lr),
                                    recipe.getSchedule());
    module->setAttr("loom.train", recipe);
  }
};

} // namespace

std::unique_ptr<Pass>
mlir::loom::createLoomOverrideRecipe(const RecipeOverrides &overrides) {
  auto pass = std::make_unique<OverrideRecipePass>();
  pass->set(overrides);
  return pass;
}
