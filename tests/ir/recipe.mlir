// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s

// Tests that a recipe with every setting prints and parses back: the data
// kinds, split, test set, both cadences, optimizer with a clip_norm and a
// location, schedule, init_from, freeze and remat.
// CHECK: #[[OPT:loc[0-9]*]] = loc("train.loom":3:5)
// CHECK-LABEL: module attributes {loom.train = #loom.recipe<name = "lm",
// CHECK-SAME: data = <kind = "tokens", path = "train.bin", seq = 64, dtype = "u32">,
// CHECK-SAME: test = <kind = "tokens", path = "test.bin", seq = 64, dtype = "u32">,
// CHECK-SAME: split = <fraction = 7.500000e-01, seed = 7>, batch = 8, steps = 100,
// CHECK-SAME: eval = <every = 10, unit = "steps", on = "test", metrics = ["loss", "perplexity"]>,
// CHECK-SAME: checkpoint = <every = 2, unit = "epochs", keep = 3>, seed = 42,
// CHECK-SAME: optimizer = <kind = "rmsprop", lr = 1.000000e-01, momentum = 5.000000e-01, eps = 9.9999999999999995E-7, alpha = 9.000000e-01, centered = true, weight_decay = 0.000000e+00, clip_norm = 1.500000e+00, loc = #[[OPT]]>,
// CHECK-SAME: schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 1.000000e-04>,
// CHECK-SAME: init_from = "a.safetensors", freeze = ["body.*"], remat = "blocks">}
module attributes {loom.train = #loom.recipe<name = "lm",
    data = <kind = "tokens", path = "train.bin", seq = 64, dtype = "u32">,
    test = <kind = "tokens", path = "test.bin", seq = 64, dtype = "u32">,
    split = <fraction = 0.75, seed = 7>, batch = 8, steps = 100,
    eval = <every = 10, unit = "steps", on = "test", metrics = ["loss", "perplexity"]>,
    checkpoint = <every = 2, unit = "epochs", keep = 3>, seed = 42,
    optimizer = <kind = "rmsprop", lr = 0.1, alpha = 0.9, eps = 1.0e-6,
                 momentum = 0.5, centered = true, weight_decay = 0.0,
                 clip_norm = 1.5, loc = loc("train.loom":3:5)>,
    schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 1.0e-4>,
    init_from = "a.safetensors", freeze = ["body.*"], remat = "blocks">} {
}

// -----

// Tests the smallest recipe: idx data, epochs, adam, no schedule; the
// defaults (seed 0, no split) are not printed.
// CHECK-LABEL: module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", labels = "y.gz", images = "x.gz">, batch = 1, epochs = 2, optimizer = <kind = "adam", lr = 1.000000e-03, betas = [9.000000e-01, 9.990000e-01], eps = 1.000000e-08, weight_decay = 0.000000e+00>>}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x.gz", labels = "y.gz">, batch = 1, epochs = 2, seed = 0, optimizer = <kind = "adam", lr = 1.0e-3, betas = [0.9, 0.999], eps = 1.0e-8, weight_decay = 0.0>>} {
}

// -----

// Tests the ways a csv reads its label column: class names listed in order
// (the test set the same), and a regression target.
// CHECK-LABEL: module attributes {loom.train = #loom.recipe<name = "c", data = <kind = "csv", path = "x.csv", label = "y", classes = ["cat", "dog"]>, test = <kind = "csv", path = "t.csv", label = "y", classes = ["cat", "dog"]>, batch = 2, steps = 5,
module attributes {loom.train = #loom.recipe<name = "c", data = <kind = "csv", path = "x.csv", label = "y", classes = ["cat", "dog"]>, test = <kind = "csv", path = "t.csv", label = "y", classes = ["cat", "dog"]>, batch = 2, steps = 5, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// CHECK-LABEL: module attributes {loom.train = #loom.recipe<name = "r", data = <kind = "csv", path = "x.csv", target = "price">, batch = 2, steps = 5, eval = <every = 1, unit = "steps", on = "val", metrics = ["loss"]>,
module attributes {loom.train = #loom.recipe<name = "r", data = <kind = "csv", path = "x.csv", target = "price">, batch = 2, steps = 5, eval = <every = 1, unit = "steps", on = "val", metrics = ["loss"]>, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}
