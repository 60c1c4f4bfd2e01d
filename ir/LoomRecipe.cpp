//===- LoomRecipe.cpp - The training recipe attribute ---------------------===//
//
// Part of Loom. This file implements the recipe attributes of LoomRecipe.td:
// the schema of each setting's kinds (recipeKinds), the verifiers that hold
// every attribute to it, the construction of a setting from its named
// arguments (what the frontend evaluated), and the check that a module's
// `loom.train` attribute is a recipe.
//
//===----------------------------------------------------------------------===//

#include "ir/LoomRecipe.h"
#include "ir/LoomDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

#define GET_ATTRDEF_CLASSES
#include "ir/LoomRecipe.cpp.inc"

void LoomDialect::registerRecipeAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ir/LoomRecipe.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// The schema
//===----------------------------------------------------------------------===//

const std::vector<RecipeKind> &mlir::loom::recipeKinds() {
  using T = RecipeArgType;
  static const std::vector<RecipeKind> all = {
      {"data",
       "tokens",
       {{"path", T::String, ""},
        {"seq", T::I64, ""},
        {"dtype", T::String, "\"u16\"", {"u16", "u32"}}}},
      // `label` (a column of classes, written as `classes` says) or
      // `target` (a column of regression targets), one of them.
      {"data",
       "csv",
       {{"path", T::String, ""},
        {"label", T::String, "-"},
        {"target", T::String, "-"},
        {"classes", T::StringOrStrings, "-"}}},
      {"data", "idx", {{"images", T::String, ""}, {"labels", T::String, ""}}},
      {"optimizer",
       "sgd",
       {{"lr", T::F64, ""},
        {"momentum", T::F64, "0.0"},
        {"nesterov", T::Bool, "false"},
        {"weight_decay", T::F64, "0.0"},
        {"clip_norm", T::F64, "-"}}},
      {"optimizer",
       "adam",
       {{"lr", T::F64, ""},
        {"betas", T::F64Pair, "(0.9, 0.999)"},
        {"eps", T::F64, "1e-8"},
        {"weight_decay", T::F64, "0.0"},
        {"clip_norm", T::F64, "-"}}},
      {"optimizer",
       "adamw",
       {{"lr", T::F64, ""},
        {"betas", T::F64Pair, "(0.9, 0.999)"},
        {"eps", T::F64, "1e-8"},
        {"weight_decay", T::F64, "0.01"},
        {"clip_norm", T::F64, "-"}}},
      {"optimizer",
       "rmsprop",
       {{"lr", T::F64, ""},
        {"alpha", T::F64, "0.99"},
        {"eps", T::F64, "1e-8"},
        {"momentum", T::F64, "0.0"},
        {"centered", T::Bool, "false"},
        {"weight_decay", T::F64, "0.0"},
        {"clip_norm", T::F64, "-"}}},
      {"schedule", "constant", {}},
      {"schedule", "step", {{"every", T::I64, ""}, {"gamma", T::F64, "0.1"}}},
      {"schedule", "exponential", {{"gamma", T::F64, ""}}},
      {"schedule",
       "warmup_cosine",
       {{"warmup", T::I64, ""}, {"min_lr", T::F64, "0.0"}}},
      {"schedule",
       "reduce_on_plateau",
       {{"factor", T::F64, "0.1"}, {"patience", T::I64, "10"}}},
  };
  return all;
}

const RecipeKind *mlir::loom::findRecipeKind(StringRef setting,
                                             StringRef kind) {
  for (const RecipeKind &k : recipeKinds())
    if (setting == k.setting && kind == k.kind)
      return &k;
  return nullptr;
}

ArrayRef<StringRef> mlir::loom::recipeMetrics() {
  static const StringRef metrics[] = {"loss",   "accuracy", "precision",
                                      "recall", "f1",       "perplexity"};
  return metrics;
}

namespace {

/// Checks the fields of a setting of kind `kind` against the schema: the
/// kind exists, every field it takes is present (`clip_norm`-like optional
/// ones may be absent) and no other is. `fields` pairs each field of the
/// attribute with whether it is present.
LogicalResult verifyKind(function_ref<InFlightDiagnostic()> emitError,
                         StringRef setting, StringRef kind,
                         ArrayRef<std::pair<StringRef, bool>> fields) {
  const RecipeKind *k = findRecipeKind(setting, kind);
  if (!k) {
    SmallVector<StringRef> kinds;
    for (const RecipeKind &r : recipeKinds())
      if (setting == r.setting)
        kinds.push_back(r.kind);
    return emitError() << "unknown " << setting << " kind '" << kind
                       << "' (one of " << llvm::join(kinds, ", ") << ")";
  }
  for (const std::pair<StringRef, bool> &field : fields) {
    StringRef name = field.first;
    bool present = field.second;
    auto arg = llvm::find_if(
        k->args, [&](const RecipeArg &a) { return name == a.name; });
    if (present && arg == k->args.end())
      return emitError() << setting << " '" << kind << "' takes no '" << name
                         << "'";
    if (!present && arg != k->args.end() && StringRef(arg->dflt) != "-")
      return emitError() << setting << " '" << kind << "' needs '" << name
                         << "'";
  }
  return success();
}

LogicalResult oneOf(function_ref<InFlightDiagnostic()> emitError,
                    StringRef what, StringRef value,
                    ArrayRef<StringRef> allowed) {
  if (llvm::is_contained(allowed, value))
    return success();
  return emitError() << what << " must be one of " << llvm::join(allowed, ", ")
                     << ", not '" << value << "'";
}

} // namespace

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult DataAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringRef kind, StringRef path,
                               std::optional<int64_t> seq, StringRef dtype,
                               StringRef label, StringRef target,
                               Attribute classes, StringRef labels,
                               StringRef images) {
  if (failed(verifyKind(emitError, "data", kind,
                        {{"path", !path.empty()},
                         {"seq", seq.has_value()},
                         {"dtype", !dtype.empty()},
                         {"label", !label.empty()},
                         {"target", !target.empty()},
                         {"classes", static_cast<bool>(classes)},
                         {"labels", !labels.empty()},
                         {"images", !images.empty()}})))
    return failure();
  if (seq && *seq < 1)
    return emitError() << "data 'seq' must be at least 1, not " << *seq;
  if (kind == "tokens")
    for (const RecipeArg &arg : findRecipeKind("data", kind)->args)
      if (StringRef(arg.name) == "dtype")
        return oneOf(emitError, "data 'dtype'", dtype, arg.values);
  if (kind != "csv")
    return success();
  // The label column, or the regression target.
  if (label.empty() == target.empty())
    return emitError() << "data 'csv' needs one of 'label' and 'target'";
  if (!classes)
    return success();
  if (!target.empty())
    return emitError() << "data 'classes' is for a 'label' column, not a "
                          "regression 'target'";
  if (auto how = llvm::dyn_cast<StringAttr>(classes))
    return oneOf(emitError, "data 'classes'", how.getValue(),
                 {"numbers", "names"});
  auto names = llvm::dyn_cast<ArrayAttr>(classes);
  llvm::StringSet<> seen;
  if (names && !names.empty())
    for (Attribute n : names) {
      auto name = llvm::dyn_cast<StringAttr>(n);
      if (!name || name.getValue().empty())
        return emitError() << "data 'classes' holds " << n
                           << ", not a class name";
      if (!seen.insert(name.getValue()).second)
        return emitError() << "data 'classes' names '" << name.getValue()
                           << "' twice";
    }
  else
    return emitError() << "data 'classes' must be \"numbers\", \"names\" "
                          "or a list of class names, not "
                       << classes;
  return success();
}

StringRef mlir::loom::labelKind(DataAttr data) {
  if (!data || data.getKind() != "csv")
    return "";
  if (!data.getTarget().empty())
    return "target";
  if (llvm::isa_and_nonnull<ArrayAttr>(data.getClasses()))
    return "names";
  if (auto how = llvm::dyn_cast_or_null<StringAttr>(data.getClasses()))
    return how.getValue();
  return "numbers";
}

LogicalResult SplitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                F64 fraction, int64_t) {
  if (!(fraction > 0.0 && fraction < 1.0))
    return emitError() << "split 'fraction' must be in (0, 1), not "
                       << double(fraction);
  return success();
}

LogicalResult CadenceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t every, StringRef unit, StringRef on,
                                  ArrayAttr metrics,
                                  std::optional<int64_t> keep) {
  if (every < 1)
    return emitError() << "cadence 'every' must be at least 1, not " << every;
  if (failed(oneOf(emitError, "cadence 'unit'", unit, {"steps", "epochs"})))
    return failure();
  if (!on.empty() &&
      failed(oneOf(emitError, "cadence 'on'", on, {"val", "test", "train"})))
    return failure();
  if (keep && *keep < 1)
    return emitError() << "cadence 'keep' must be at least 1, not " << *keep;
  if (metrics)
    for (Attribute m : metrics) {
      auto name = llvm::dyn_cast<StringAttr>(m);
      if (!name || !llvm::is_contained(recipeMetrics(), name.getValue()))
        return emitError() << "cadence 'metrics' holds " << m << ", not one of "
                           << llvm::join(recipeMetrics(), ", ");
    }
  return success();
}

LogicalResult OptimizerAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef kind, F64 lr,
    std::optional<F64> momentum, std::optional<bool> nesterov,
    DenseF64ArrayAttr betas, std::optional<F64> eps, std::optional<F64> alpha,
    std::optional<bool> centered, std::optional<F64> weightDecay,
    std::optional<F64> clipNorm, LocationAttr) {
  if (failed(verifyKind(emitError, "optimizer", kind,
                        {{"lr", true},
                         {"momentum", momentum.has_value()},
                         {"nesterov", nesterov.has_value()},
                         {"betas", static_cast<bool>(betas)},
                         {"eps", eps.has_value()},
                         {"alpha", alpha.has_value()},
                         {"centered", centered.has_value()},
                         {"weight_decay", weightDecay.has_value()},
                         {"clip_norm", clipNorm.has_value()}})))
    return failure();
  if (!(std::isfinite(double(lr)) && lr > 0.0))
    return emitError() << "optimizer 'lr' must be a finite number > 0, not "
                       << double(lr);
  if (betas && betas.size() != 2)
    return emitError() << "optimizer 'betas' must hold two numbers, not "
                       << betas.size();
  return success();
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     StringRef kind, std::optional<int64_t> every,
                     std::optional<F64> gamma, std::optional<int64_t> warmup,
                     std::optional<F64> minLr, std::optional<F64> factor,
                     std::optional<int64_t> patience, LocationAttr) {
  if (failed(verifyKind(emitError, "schedule", kind,
                        {{"every", every.has_value()},
                         {"gamma", gamma.has_value()},
                         {"warmup", warmup.has_value()},
                         {"min_lr", minLr.has_value()},
                         {"factor", factor.has_value()},
                         {"patience", patience.has_value()}})))
    return failure();
  if (every && *every < 1)
    return emitError() << "schedule 'every' must be at least 1, not " << *every;
  return success();
}

LogicalResult
RecipeAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                   DataAttr data, DataAttr test, SplitAttr, int64_t batch,
                   std::optional<int64_t> steps, std::optional<int64_t> epochs,
                   CadenceAttr eval, CadenceAttr checkpoint, int64_t,
                   OptimizerAttr, ScheduleAttr, StringRef, ArrayAttr freeze) {
  if (name.empty())
    return emitError() << "recipe 'name' must not be empty";
  if (batch < 1)
    return emitError() << "recipe 'batch' must be at least 1, not " << batch;
  if (steps.has_value() == epochs.has_value())
    return emitError() << "recipe needs exactly one of 'steps' and 'epochs'";
  if ((steps && *steps < 1) || (epochs && *epochs < 1))
    return emitError() << "recipe '" << (steps ? "steps" : "epochs")
                       << "' must be at least 1";
  if (eval && eval.getKeep())
    return emitError() << "recipe 'eval' takes no 'keep'";
  if (checkpoint && (!checkpoint.getOn().empty() || checkpoint.getMetrics()))
    return emitError() << "recipe 'checkpoint' takes no 'on' or 'metrics'";
  if (freeze && !llvm::all_of(freeze, llvm::IsaPred<StringAttr>))
    return emitError() << "recipe 'freeze' must hold strings";
  // A test set is labelled as the training data is; a regression target
  // has a loss and no class metrics.
  if (test && labelKind(test) != labelKind(data))
    return emitError() << "recipe's test set reads its labels as '"
                       << labelKind(test) << "', its data as '"
                       << labelKind(data) << "'";
  if (labelKind(data) == "target" && eval && eval.getMetrics())
    for (Attribute m : eval.getMetrics())
      if (llvm::cast<StringAttr>(m).getValue() != "loss")
        return emitError() << "recipe evaluates " << m
                           << ", a class metric, on a regression target";
  return success();
}

//===----------------------------------------------------------------------===//
// Copies with a field changed
//===----------------------------------------------------------------------===//

OptimizerAttr OptimizerAttr::withLr(double lr) const {
  return get(getContext(), getKind(), lr, getMomentum(), getNesterov(),
             getBetas(), getEps(), getAlpha(), getCentered(), getWeightDecay(),
             getClipNorm(), getLoc());
}

ScheduleAttr ScheduleAttr::withWarmup(int64_t warmup) const {
  return get(getContext(), getKind(), getEvery(), getGamma(), warmup,
             getMinLr(), getFactor(), getPatience(), getLoc());
}

RecipeAttr RecipeAttr::withSteps(int64_t steps) const {
  return get(getContext(), getName(), getData(), getTest(), getSplit(),
             getBatch(), steps, std::nullopt, getEval(), getCheckpoint(),
             getSeed(), getOptimizer(), getSchedule(), getInitFrom(),
             getFreeze());
}

RecipeAttr RecipeAttr::withSeed(int64_t seed) const {
  return get(getContext(), getName(), getData(), getTest(), getSplit(),
             getBatch(), getSteps(), getEpochs(), getEval(), getCheckpoint(),
             seed, getOptimizer(), getSchedule(), getInitFrom(), getFreeze());
}

RecipeAttr RecipeAttr::withOptimizer(OptimizerAttr optimizer,
                                     ScheduleAttr schedule) const {
  return get(getContext(), getName(), getData(), getTest(), getSplit(),
             getBatch(), getSteps(), getEpochs(), getEval(), getCheckpoint(),
             getSeed(), optimizer, schedule, getInitFrom(), getFreeze());
}

//===----------------------------------------------------------------------===//
// Settings from named arguments
//===----------------------------------------------------------------------===//

Attribute mlir::loom::buildRecipeSetting(
    function_ref<InFlightDiagnostic()> emitError, MLIRContext *ctx,
    StringRef setting, StringRef kind, DictionaryAttr args, LocationAttr loc) {
  auto f64 = [&](StringRef name) -> std::optional<F64> {
    Attribute a = args.get(name);
    if (auto f = dyn_cast_or_null<FloatAttr>(a))
      return f.getValueAsDouble();
    if (auto i = dyn_cast_or_null<IntegerAttr>(a))
      return static_cast<double>(i.getValue().getSExtValue());
    return std::nullopt;
  };
  auto i64 = [&](StringRef name) -> std::optional<int64_t> {
    if (auto i = args.getAs<IntegerAttr>(name))
      return i.getValue().getSExtValue();
    return std::nullopt;
  };
  auto flag = [&](StringRef name) -> std::optional<bool> {
    if (auto b = args.getAs<BoolAttr>(name))
      return b.getValue();
    return std::nullopt;
  };
  auto str = [&](StringRef name) -> StringRef {
    auto s = args.getAs<StringAttr>(name);
    return s ? s.getValue() : StringRef();
  };
  if (setting == "data")
    return DataAttr::getChecked(emitError, ctx, kind, str("path"), i64("seq"),
                                str("dtype"), str("label"), str("target"),
                                args.get("classes"), str("labels"),
                                str("images"));
  if (setting == "schedule")
    return ScheduleAttr::getChecked(emitError, ctx, kind, i64("every"),
                                    f64("gamma"), i64("warmup"), f64("min_lr"),
                                    f64("factor"), i64("patience"), loc);
  DenseF64ArrayAttr betas;
  if (auto pair = args.getAs<ArrayAttr>("betas")) {
    SmallVector<double> values;
    for (Attribute e : pair) {
      if (auto f = dyn_cast<FloatAttr>(e))
        values.push_back(f.getValueAsDouble());
      else if (auto i = dyn_cast<IntegerAttr>(e))
        values.push_back(static_cast<double>(i.getValue().getSExtValue()));
    }
    betas = DenseF64ArrayAttr::get(ctx, values);
  }
  return OptimizerAttr::getChecked(
      emitError, ctx, kind, f64("lr").value_or(0.0), f64("momentum"),
      flag("nesterov"), betas, f64("eps"), f64("alpha"), flag("centered"),
      f64("weight_decay"), f64("clip_norm"), loc);
}

//===----------------------------------------------------------------------===//
// The module's recipe
//===----------------------------------------------------------------------===//

LogicalResult LoomDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() != "loom.train")
    return success();
  if (!isa<RecipeAttr>(attr.getValue()))
    return op->emitOpError("attribute 'loom.train' must be a #loom.recipe, "
                           "not ")
           << attr.getValue();
  return success();
}
