// RUN: loom-opt %s --split-input-file --verify-diagnostics

// Tests that an unknown optimizer kind is an error naming the kinds.
// expected-error@+2 {{unknown optimizer kind 'lamb' (one of sgd, adam, adamw, rmsprop)}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "lamb", lr = 0.1>>} {
}

// -----

// Tests that an unknown schedule kind is an error naming the kinds.
// expected-error@+2 {{unknown schedule kind 'linear' (one of constant, step, exponential, warmup_cosine, reduce_on_plateau)}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'schedule' which is to be a `ScheduleAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "adam", lr = 0.1, betas = [0.9, 0.999], eps = 1.0e-8, weight_decay = 0.0>, schedule = <kind = "linear">>} {
}

// -----

// Tests that an unknown data kind is an error naming the kinds.
// expected-error@+2 {{unknown data kind 'parquet' (one of tokens, csv, idx)}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "parquet", path = "x">, batch = 1, steps = 10, optimizer = <kind = "adam", lr = 0.1, betas = [0.9, 0.999], eps = 1.0e-8, weight_decay = 0.0>>} {
}

// -----

// Tests that a field the kind takes cannot be missing.
// expected-error@+2 {{optimizer 'adam' needs 'eps'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "adam", lr = 0.1, betas = [0.9, 0.999], weight_decay = 0.0>>} {
}

// -----

// Tests that a schedule's field cannot be missing.
// expected-error@+2 {{schedule 'step' needs 'every'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'schedule' which is to be a `ScheduleAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>, schedule = <kind = "step", gamma = 0.5>>} {
}

// -----

// Tests that a field of another kind is refused.
// expected-error@+2 {{optimizer 'sgd' takes no 'betas'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, betas = [0.9, 0.999], weight_decay = 0.0>>} {
}

// -----

// Tests that a data kind's file cannot be missing.
// expected-error@+2 {{data 'idx' needs 'labels'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a csv has its label column or its regression target.
// expected-error@+2 {{data 'csv' needs one of 'label' and 'target'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that `classes` says "numbers" or "names" or lists the names.
// expected-error@+2 {{data 'classes' must be one of numbers, names, not 'ints'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv", label = "y", classes = "ints">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a list of class names names each class once.
// expected-error@+2 {{data 'classes' names 'cat' twice}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv", label = "y", classes = ["cat", "cat"]>, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a regression target has no classes.
// expected-error@+2 {{data 'classes' is for a 'label' column, not a regression 'target'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv", target = "y", classes = "names">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that the test set reads its labels as the training data does.
// expected-error@+1 {{recipe's test set reads its labels as 'names', its data as 'numbers'}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv", label = "y">, test = <kind = "csv", path = "t.csv", label = "y", classes = "names">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a regression target is evaluated by its loss only.
// expected-error@+1 {{recipe evaluates "accuracy", a class metric, on a regression target}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv", target = "y">, batch = 1, steps = 10, eval = <every = 1, unit = "steps", on = "val", metrics = ["loss", "accuracy"]>, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a csv takes no field of another kind (idx's labels file).
// expected-error@+2 {{data 'csv' takes no 'labels'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "csv", path = "x.csv", label = "y", labels = "ints">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that the optimizer, a required field of the recipe, cannot be
// missing.
// expected-error@+1 {{struct is missing required parameter: optimizer}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10>} {
}

// -----

// Tests that a recipe trains for steps or epochs, not both.
// expected-error@+1 {{recipe needs exactly one of 'steps' and 'epochs'}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, epochs = 2, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that the learning rate is positive.
// expected-error@+2 {{optimizer 'lr' must be a finite number > 0, not -1}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = -1.0, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that an eval cadence names known metrics.
// expected-error@+2 {{cadence 'metrics' holds "auc", not one of loss, accuracy, precision, recall, f1, perplexity, mae, rmse, r2}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'eval' which is to be a `CadenceAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, eval = <every = 1, unit = "steps", on = "val", metrics = ["auc"]>, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that the module's `loom.train` must be a recipe.
// expected-error@+1 {{'builtin.module' op attribute 'loom.train' must be a #loom.recipe, not {steps = 10 : i64}}}
module attributes {loom.train = {steps = 10 : i64}} {
}

// -----

// Tests that a remat policy is one of recipeRematPolicies().
// expected-error@+1 {{recipe 'remat' must be one of none, blocks, dots, not 'all'}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "adam", lr = 0.1, betas = [0.9, 0.999], eps = 1.0e-8, weight_decay = 0.0>, remat = "all">} {
}
