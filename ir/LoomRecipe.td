//===- LoomRecipe.td - The training recipe attribute -------*- tablegen -*-===//
//
// Part of Loom. The training recipe of a train block as typed attributes:
// `#loom.recipe<...>`, the module's `loom.train` attribute, with its data,
// split, cadences, optimizer and schedule. ir/README.md says how to add a
// field.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RECIPE_TD
#define LOOM_RECIPE_TD

include "ir/LoomDialect.td"
include "mlir/IR/AttrTypeBase.td"

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// A double (mlir::loom::F64), printed so that it parses back to the same
/// value.
class Loom_F64Param<string desc>
    : AttrOrTypeParameter<"::mlir::loom::F64", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::mlir::loom::F64> {
    double value = 0;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::mlir::loom::F64(value);
  }() }];
  let printer = [{ $_printer.printFloat(::llvm::APFloat(double($_self))) }];
}

/// An optional double.
class Loom_OptF64Param<string desc>
    : OptionalParameter<"std::optional<::mlir::loom::F64>", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<std::optional<::mlir::loom::F64>> {
    double value = 0;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return std::optional<::mlir::loom::F64>(value);
  }() }];
  let printer = [{ $_printer.printFloat(::llvm::APFloat(double(*$_self))) }];
}

/// An optional int64_t.
class Loom_OptI64Param<string desc>
    : OptionalParameter<"std::optional<int64_t>", desc> {
  let printer = [{ $_printer << *$_self }];
}

/// An optional bool, spelled `true` or `false`.
class Loom_OptBoolParam<string desc>
    : OptionalParameter<"std::optional<bool>", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<std::optional<bool>> {
    ::llvm::StringRef word;
    if ($_parser.parseKeyword(&word))
      return ::mlir::failure();
    if (word != "true" && word != "false")
      return ::mlir::FailureOr<std::optional<bool>>(
          $_parser.emitError($_parser.getCurrentLocation(),
                             "expected true or false"));
    return std::optional<bool>(word == "true");
  }() }];
  let printer = [{ $_printer << (*$_self ? "true" : "false") }];
}

/// An optional string; "" when absent.
class Loom_OptStringParam<string desc> : StringRefParameter<desc, "\"\"">;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class Loom_RecipeAttrDef<string name, string attrMnemonic>
    : AttrDef<Loom_Dialect, name> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Loom_DataAttr : Loom_RecipeAttrDef<"Data", "data"> {
  let summary = "the data a recipe trains or tests on";
  let description = [{
    One of the data kinds of `mlir::loom::recipeKinds()` with its arguments:
    `tokens(path, seq, dtype)`, `csv(path, label, target, classes)` or
    `idx(images, labels)`. Every argument of the kind is present (the
    frontend fills in the defaults) and no other, except the optional ones:
    a csv has its `label` column (classes, written as `classes` says:
    "numbers" when absent, "names", or the list of class names) or its
    regression `target` column (a string), or columns (an array of them).

    ```mlir
    #loom.data<kind = "csv", path = "iris.csv", label = "species", classes = "names">
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the kind: tokens, csv or idx">:$kind,
    Loom_OptStringParam<"tokens, csv: the file">:$path,
    Loom_OptI64Param<"tokens: the window length">:$seq,
    Loom_OptStringParam<"tokens: u16 or u32">:$dtype,
    Loom_OptStringParam<"csv: the label column">:$label,
    OptionalParameter<"::mlir::Attribute", "csv: the regression target "
                      "column (a string), or several (an array of "
                      "strings)">:$target,
    OptionalParameter<"::mlir::Attribute", "csv with a label: \"numbers\", "
                      "\"names\" or an array of class names">:$classes,
    Loom_OptStringParam<"idx: the labels file">:$labels,
    Loom_OptStringParam<"idx: the images file">:$images
  );
}

def Loom_SplitAttr : Loom_RecipeAttrDef<"Split", "split"> {
  let summary = "the training fraction of a recipe's data and its seed";
  let description = [{
    ```mlir
    #loom.split<fraction = 0.9, seed = 1>
    ```
  }];
  let parameters = (ins
    Loom_F64Param<"the training fraction, in (0, 1)">:$fraction,
    DefaultValuedParameter<"int64_t", "0", "the split's seed">:$seed
  );
}

def Loom_CadenceAttr : Loom_RecipeAttrDef<"Cadence", "cadence"> {
  let summary = "how often a recipe evaluates or checkpoints";
  let description = [{
    `eval` takes `on` (val, test or train) and `metrics`, `checkpoint` takes
    `keep`.

    ```mlir
    #loom.cadence<every = 250, unit = "steps", on = "val", metrics = ["loss"]>
    ```
  }];
  let parameters = (ins
    AttrParameter<"int64_t", "the count of units">:$every,
    StringRefParameter<"steps or epochs">:$unit,
    Loom_OptStringParam<"eval: val, test or train">:$on,
    OptionalParameter<"::mlir::ArrayAttr", "eval: metric names">:$metrics,
    Loom_OptI64Param<"checkpoint: how many to keep">:$keep
  );
}

def Loom_OptimizerAttr : Loom_RecipeAttrDef<"Optimizer", "optimizer"> {
  let summary = "a recipe's optimizer";
  let description = [{
    One of the optimizers of `mlir::loom::recipeKinds()` (sgd, adam, adamw,
    rmsprop) with every argument of its kind; `clip_norm` may be absent.
    `loc` is where the setting was written: the update's ops carry it.

    ```mlir
    #loom.optimizer<kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"sgd, adam, adamw or rmsprop">:$kind,
    Loom_F64Param<"the learning rate">:$lr,
    Loom_OptF64Param<"sgd, rmsprop">:$momentum,
    Loom_OptBoolParam<"sgd">:$nesterov,
    OptionalParameter<"::mlir::DenseF64ArrayAttr", "adam, adamw">:$betas,
    Loom_OptF64Param<"adam, adamw, rmsprop">:$eps,
    Loom_OptF64Param<"rmsprop">:$alpha,
    Loom_OptBoolParam<"rmsprop">:$centered,
    Loom_OptF64Param<"every optimizer">:$weight_decay,
    Loom_OptF64Param<"the global gradient-norm limit; none when absent">:$clip_norm,
    OptionalParameter<"::mlir::LocationAttr", "the setting">:$loc
  );
  let extraClassDeclaration = [{
    /// This optimizer with learning rate `lr`.
    OptimizerAttr withLr(double lr) const;
  }];
}

def Loom_ScheduleAttr : Loom_RecipeAttrDef<"Schedule", "schedule"> {
  let summary = "a recipe's learning-rate schedule";
  let description = [{
    One of the schedules of `mlir::loom::recipeKinds()` (constant, step,
    exponential, warmup_cosine, reduce_on_plateau) with every argument of
    its kind. `loc` is where the setting was written.

    ```mlir
    #loom.schedule<kind = "step", every = 10, gamma = 5.000000e-01>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the kind">:$kind,
    Loom_OptI64Param<"step">:$every,
    Loom_OptF64Param<"step, exponential">:$gamma,
    Loom_OptI64Param<"warmup_cosine">:$warmup,
    Loom_OptF64Param<"warmup_cosine">:$min_lr,
    Loom_OptF64Param<"reduce_on_plateau">:$factor,
    Loom_OptI64Param<"reduce_on_plateau">:$patience,
    OptionalParameter<"::mlir::LocationAttr", "the setting">:$loc
  );
  let extraClassDeclaration = [{
    /// This schedule with `warmup` steps of warm-up.
    ScheduleAttr withWarmup(int64_t warmup) const;
  }];
}

def Loom_RecipeAttr : Loom_RecipeAttrDef<"Recipe", "recipe"> {
  let summary = "the training recipe of a train block";
  let description = [{
    The module attribute `loom.train`: what the passes build the training
    step from (optimizer, schedule, steps) and what the artifact's JSON
    recipe records for the runtime (backends/cpu/emit/Recipe.cpp converts
    it to `loom::train::Recipe`). Exactly one of `steps` and `epochs` is
    set.

    ```mlir
    module attributes {loom.train = #loom.recipe<name = "mlp",
        data = <kind = "idx", images = "x.gz", labels = "y.gz">, batch = 32,
        steps = 100, optimizer = <kind = "sgd", lr = 1.000000e-01,
        momentum = 0.000000e+00, nesterov = false,
        weight_decay = 0.000000e+00>>} {
    }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the train block's name">:$name,
    AttrParameter<"DataAttr", "the training data">:$data,
    OptionalParameter<"DataAttr", "the held-out test set">:$test,
    OptionalParameter<"SplitAttr", "the train/val split; all trains when absent">:$split,
    AttrParameter<"int64_t", "the global batch size, over every rank">:$batch,
    Loom_OptI64Param<"the steps to train">:$steps,
    Loom_OptI64Param<"the epochs to train">:$epochs,
    OptionalParameter<"CadenceAttr", "the evaluation cadence">:$eval,
    OptionalParameter<"CadenceAttr", "the checkpoint cadence">:$checkpoint,
    DefaultValuedParameter<"int64_t", "0", "the seed">:$seed,
    AttrParameter<"OptimizerAttr", "the optimizer">:$optimizer,
    OptionalParameter<"ScheduleAttr", "constant when absent">:$schedule,
    Loom_OptStringParam<"a checkpoint to start from">:$init_from,
    OptionalParameter<"::mlir::ArrayAttr",
                      "parameter patterns kept frozen">:$freeze,
    Loom_OptStringParam<"what the step recomputes instead of keeping for "
                        "the backward: one of recipeRematPolicies(); none "
                        "when absent">:$remat,
    Loom_OptStringParam<"the prep steps the CSV data goes through "
                        "(runtime/data/TablePrep.h's syntax); none when "
                        "absent">:$prep,
    DefaultValuedParameter<"int64_t", "1", "the ranks of the mesh's data "
                           "axis (`mesh = (data = D)`); each step runs "
                           "batch / D examples on each rank">:$data_ranks,
    DefaultValuedParameter<"bool", "false", "ZeRO-1 (`shard_optimizer = "
                           "true`): each of the data_ranks ranks keeps and "
                           "updates 1/D of the optimizer state "
                           "(--loom-shard-optimizer)">:$shard_optimizer
  );
  let extraClassDeclaration = [{
    /// This recipe training for `steps` steps (no epochs).
    RecipeAttr withSteps(int64_t steps) const;
    /// This recipe with seed `seed`.
    RecipeAttr withSeed(int64_t seed) const;
    /// The batch each rank runs: batch / data_ranks.
    int64_t getLocalBatch() const { return getBatch() / getDataRanks(); }
    /// This recipe with `optimizer` and `schedule`.
    RecipeAttr withOptimizer(OptimizerAttr optimizer,
                             ScheduleAttr schedule) const;
    /// The `remat` policy, "none" when absent.
    ::llvm::StringRef getRematPolicy() const;
  }];
}

#endif // LOOM_RECIPE_TD
