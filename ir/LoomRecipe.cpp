//===- LoomRecipe.cpp - The training recipe attribute ---------------------===//
//
// Part of Loom. This file implements the recipe attributes of LoomRecipe.td:
// the verifiers that hold every attribute to the schema (RecipeSchema.cpp's
// recipeSettings and recipeKinds), the construction of a setting from its
// named arguments (what the frontend evaluated), and the check that a
// module's `loom.train` attribute is a recipe.
//
//===----------------------------------------------------------------------===//

#include "ir/LoomRecipe.h"
#include "ir/LoomDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/ErrorHandling.h"

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

namespace {

LogicalResult oneOf(function_ref<InFlightDiagnostic()> emitError,
                    StringRef what, StringRef value,
                    ArrayRef<StringRef> allowed) {
  if (llvm::is_contained(allowed, value))
    return success();
  return emitError() << what << " must be one of " << llvm::join(allowed, ", ")
                     << ", not '" << value << "'";
}

/// A field of a setting's attribute as its verifier sees it: absent or
/// present, with its numbers (F64, I64, F64Pair) or its string.
struct FieldValue {
  bool present = false;
  SmallVector<double, 2> numbers;
  std::optional<int64_t> integer; ///< an I64 field's value, for messages
  StringRef string;

  FieldValue(std::optional<F64> v) : present(v.has_value()) {
    if (v)
      numbers.push_back(*v);
  }
  FieldValue(F64 v) : FieldValue(std::optional<F64>(v)) {}
  FieldValue(std::optional<int64_t> v) : present(v.has_value()), integer(v) {
    if (v)
      numbers.push_back(static_cast<double>(*v));
  }
  FieldValue(std::optional<bool> v) : present(v.has_value()) {}
  FieldValue(StringRef v) : present(!v.empty()), string(v) {}
  FieldValue(Attribute v) : present(static_cast<bool>(v)) {}
  FieldValue(DenseF64ArrayAttr v) : present(static_cast<bool>(v)) {
    if (v)
      numbers.append(v.asArrayRef().begin(), v.asArrayRef().end());
  }
};

/// Checks the fields of a setting of kind `kind` against the schema: the
/// kind exists, every field it takes is present (`clip_norm`-like optional
/// ones may be absent) and no other is; then each present field's range or
/// allowed values. `values` holds the attribute's fields in the order of
/// recipeSettings().
LogicalResult verifyFields(function_ref<InFlightDiagnostic()> emitError,
                           StringRef setting, StringRef kind,
                           ArrayRef<FieldValue> values) {
  const RecipeSetting *s = findRecipeSetting(setting);
  if (!s || s->fields.size() != values.size())
    llvm::report_fatal_error(llvm::Twine("the verifier of ") + setting +
                             " passes other fields than recipeSettings()");
  const RecipeKind *k = findRecipeKind(setting, kind);
  if (!k) {
    SmallVector<StringRef> kinds;
    for (const RecipeKind &r : recipeKinds())
      if (setting == r.setting)
        kinds.push_back(r.kind);
    return emitError() << "unknown " << setting << " kind '" << kind
                       << "' (one of " << llvm::join(kinds, ", ") << ")";
  }
  for (auto [field, value] : llvm::zip_equal(s->fields, values)) {
    StringRef name = field.name;
    auto arg = llvm::find_if(
        k->args, [&](const RecipeArg &a) { return name == a.name; });
    if (value.present && arg == k->args.end())
      return emitError() << setting << " '" << kind << "' takes no '" << name
                         << "'";
    if (!value.present && arg != k->args.end() && StringRef(arg->dflt) != "-")
      return emitError() << setting << " '" << kind << "' needs '" << name
                         << "'";
  }
  for (auto [field, value] : llvm::zip_equal(s->fields, values)) {
    if (!value.present)
      continue;
    if (!field.values.empty() &&
        failed(oneOf(emitError, (setting + " '" + field.name + "'").str(),
                     value.string, field.values)))
      return failure();
    if (field.type == RecipeArgType::F64Pair && value.numbers.size() != 2)
      return emitError() << setting << " '" << field.name
                         << "' must hold two numbers, not "
                         << value.numbers.size();
    const std::optional<RecipeRange> &range = field.range;
    if (!range || llvm::all_of(value.numbers,
                               [&](double x) { return range->contains(x); }))
      continue;
    InFlightDiagnostic diag = emitError();
    diag << setting << " '" << field.name << "' must be "
         << describeRecipeRange(field) << ", not ";
    if (value.integer)
      diag << *value.integer;
    else if (value.numbers.size() == 1)
      diag << formatRecipeNumber(value.numbers.front());
    else
      diag << "(" << formatRecipeNumber(value.numbers[0]) << ", "
           << formatRecipeNumber(value.numbers[1]) << ")";
    return diag;
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult DataAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringRef kind, StringRef path,
                               std::optional<int64_t> seq, StringRef dtype,
                               StringRef label, Attribute target,
                               Attribute classes, StringRef labels,
                               StringRef images) {
  if (failed(verifyFields(
          emitError, "data", kind,
          {path, seq, dtype, label, target, classes, labels, images})))
    return failure();
  if (kind != "csv")
    return success();
  // The label column, or the regression target column(s).
  if (label.empty() == !target)
    return emitError() << "data 'csv' needs one of 'label' and 'target'";
  if (target) {
    auto one = llvm::dyn_cast<StringAttr>(target);
    auto many = llvm::dyn_cast<ArrayAttr>(target);
    llvm::StringSet<> seen;
    bool ok = one ? !one.getValue().empty() : many && !many.empty();
    for (Attribute c : many ? many.getValue() : ArrayRef<Attribute>()) {
      auto name = llvm::dyn_cast<StringAttr>(c);
      ok = ok && name && !name.getValue().empty() &&
           seen.insert(name.getValue()).second;
    }
    if (!ok)
      return emitError() << "data 'target' must be a column name or a list "
                            "of distinct column names, not "
                         << target;
  }
  if (!classes)
    return success();
  if (target)
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

SmallVector<StringRef> mlir::loom::targetColumns(DataAttr data) {
  SmallVector<StringRef> columns;
  Attribute target = data ? data.getTarget() : Attribute();
  if (auto one = llvm::dyn_cast_or_null<StringAttr>(target))
    columns.push_back(one.getValue());
  else if (auto many = llvm::dyn_cast_or_null<ArrayAttr>(target))
    for (Attribute c : many)
      columns.push_back(llvm::cast<StringAttr>(c).getValue());
  return columns;
}

StringRef mlir::loom::labelKind(DataAttr data) {
  if (!data || data.getKind() != "csv")
    return "";
  if (data.getTarget())
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
  return verifyFields(emitError, "optimizer", kind,
                      {lr, momentum, nesterov, betas, eps, alpha, centered,
                       weightDecay, clipNorm});
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     StringRef kind, std::optional<int64_t> every,
                     std::optional<F64> gamma, std::optional<int64_t> warmup,
                     std::optional<F64> minLr, std::optional<F64> factor,
                     std::optional<int64_t> patience, LocationAttr) {
  return verifyFields(emitError, "schedule", kind,
                      {every, gamma, warmup, minLr, factor, patience});
}

LogicalResult
RecipeAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                   DataAttr data, DataAttr test, SplitAttr, int64_t batch,
                   std::optional<int64_t> steps, std::optional<int64_t> epochs,
                   CadenceAttr eval, CadenceAttr checkpoint, int64_t,
                   OptimizerAttr, ScheduleAttr, StringRef, ArrayAttr freeze,
                   StringRef remat, StringRef prep, int64_t dataRanks, bool) {
  if (name.empty())
    return emitError() << "recipe 'name' must not be empty";
  if (batch < 1)
    return emitError() << "recipe 'batch' must be at least 1, not " << batch;
  if (dataRanks < 1)
    return emitError() << "recipe 'data_ranks' must be at least 1, not "
                       << dataRanks;
  if (batch % dataRanks != 0)
    return emitError() << "recipe 'batch' (" << batch
                       << ") must be divisible by 'data_ranks' (" << dataRanks
                       << ")";
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
  if (!remat.empty() && !llvm::is_contained(recipeRematPolicies(), remat))
    return emitError() << "recipe 'remat' must be one of "
                       << llvm::join(recipeRematPolicies(), ", ") << ", not '"
                       << remat << "'";
  if (!prep.empty() && data.getKind() != "csv")
    return emitError() << "recipe 'prep' applies to csv data, not '"
                       << data.getKind() << "'";
  // A test set is labelled as the training data is; a regression target
  // has a loss and no class metrics.
  if (test && labelKind(test) != labelKind(data))
    return emitError() << "recipe's test set reads its labels as '"
                       << labelKind(test) << "', its data as '"
                       << labelKind(data) << "'";
  if (labelKind(data) == "target" && eval && eval.getMetrics())
    for (Attribute m : eval.getMetrics())
      if (!isRegressionMetric(llvm::cast<StringAttr>(m).getValue()))
        return emitError() << "recipe evaluates " << m
                           << ", a class metric, on a regression target";
  if (labelKind(data) != "target" && eval && eval.getMetrics())
    for (Attribute m : eval.getMetrics())
      if (llvm::cast<StringAttr>(m).getValue() != "loss" &&
          isRegressionMetric(llvm::cast<StringAttr>(m).getValue()))
        return emitError() << "recipe evaluates " << m
                           << ", a regression metric, on class labels";
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
             getFreeze(), getRemat(), getPrep(), getDataRanks(),
             getShardOptimizer());
}

RecipeAttr RecipeAttr::withSeed(int64_t seed) const {
  return get(getContext(), getName(), getData(), getTest(), getSplit(),
             getBatch(), getSteps(), getEpochs(), getEval(), getCheckpoint(),
             seed, getOptimizer(), getSchedule(), getInitFrom(), getFreeze(),
             getRemat(), getPrep(), getDataRanks(), getShardOptimizer());
}

RecipeAttr RecipeAttr::withOptimizer(OptimizerAttr optimizer,
                                     ScheduleAttr schedule) const {
  return get(getContext(), getName(), getData(), getTest(), getSplit(),
             getBatch(), getSteps(), getEpochs(), getEval(), getCheckpoint(),
             getSeed(), optimizer, schedule, getInitFrom(), getFreeze(),
             getRemat(), getPrep(), getDataRanks(), getShardOptimizer());
}

StringRef RecipeAttr::getRematPolicy() const {
  return getRemat().empty() ? StringRef("none") : getRemat();
}

//===----------------------------------------------------------------------===//
// Settings from named arguments
//===----------------------------------------------------------------------===//

Attribute mlir::loom::buildRecipeSetting(
    function_ref<InFlightDiagnostic()> emitError, MLIRContext *ctx,
    StringRef setting, StringRef kind, DictionaryAttr args, LocationAttr loc) {
  // Field `i` of the setting in recipeSettings()' order, which is the
  // order of the attribute's parameters.
  const RecipeSetting *s = findRecipeSetting(setting);
  if (!s)
    llvm::report_fatal_error(llvm::Twine("buildRecipeSetting: '") + setting +
                             "' is no recipe setting with kinds");
  auto field = [&](size_t i) { return args.get(s->fields[i].name); };
  auto f64 = [&](size_t i) -> std::optional<F64> {
    Attribute a = field(i);
    if (auto f = dyn_cast_or_null<FloatAttr>(a))
      return f.getValueAsDouble();
    if (auto n = dyn_cast_or_null<IntegerAttr>(a))
      return static_cast<double>(n.getValue().getSExtValue());
    return std::nullopt;
  };
  auto i64 = [&](size_t i) -> std::optional<int64_t> {
    if (auto n = dyn_cast_or_null<IntegerAttr>(field(i)))
      return n.getValue().getSExtValue();
    return std::nullopt;
  };
  auto flag = [&](size_t i) -> std::optional<bool> {
    if (auto b = dyn_cast_or_null<BoolAttr>(field(i)))
      return b.getValue();
    return std::nullopt;
  };
  auto str = [&](size_t i) -> StringRef {
    auto v = dyn_cast_or_null<StringAttr>(field(i));
    return v ? v.getValue() : StringRef();
  };
  auto pair = [&](size_t i) -> DenseF64ArrayAttr {
    auto elems = dyn_cast_or_null<ArrayAttr>(field(i));
    if (!elems)
      return nullptr;
    SmallVector<double> values;
    for (Attribute e : elems) {
      if (auto f = dyn_cast<FloatAttr>(e))
        values.push_back(f.getValueAsDouble());
      else if (auto n = dyn_cast<IntegerAttr>(e))
        values.push_back(static_cast<double>(n.getValue().getSExtValue()));
    }
    return DenseF64ArrayAttr::get(ctx, values);
  };
  if (setting == "data")
    return DataAttr::getChecked(emitError, ctx, kind, str(0), i64(1), str(2),
                                str(3), field(4), field(5), str(6), str(7));
  if (setting == "schedule")
    return ScheduleAttr::getChecked(emitError, ctx, kind, i64(0), f64(1),
                                    i64(2), f64(3), f64(4), i64(5), loc);
  return OptimizerAttr::getChecked(emitError, ctx, kind, f64(0).value_or(0.0),
                                   f64(1), flag(2), pair(3), f64(4), f64(5),
                                   flag(6), f64(7), f64(8), loc);
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
