// RUN: loom-opt %s --split-input-file --loom-override-recipe="steps=3 lr=0.5 seed=7" 2> %t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=NOTE < %t.err
// RUN: loom-opt %s --split-input-file --loom-override-recipe="lr=0.25" 2>&1 | FileCheck %s --check-prefix=LR --implicit-check-not=note
// RUN: loom-opt %s --split-input-file --loom-override-recipe 2>&1 | FileCheck %s --check-prefix=NONE --implicit-check-not=note

// Tests that steps, lr and seed replace the recipe's; a warmup_cosine
// schedule's warm-up of 10 steps does not fit in 3 and is shortened to the
// recipe's fraction of the run (10 of 100 steps: 0.3 of 3, at least 1),
// with a note at the schedule. The other fields are as they were. An
// option not given leaves its field (LR); none given, nothing changes
// (NONE).
// CHECK-LABEL: module attributes {loom.train = #loom.recipe<name = "lm",
// CHECK-SAME: batch = 2, steps = 3,
// CHECK-SAME: seed = 7,
// CHECK-SAME: optimizer = <kind = "adam", lr = 5.000000e-01, betas = [9.000000e-01, 9.990000e-01], eps = 1.000000e-08, weight_decay = 0.000000e+00>,
// CHECK-SAME: schedule = <kind = "warmup_cosine", warmup = 1, min_lr = 0.000000e+00, loc = #{{.*}}>>}
// NOTE: lm.loom:9:15: remark: warm-up shortened from 10 steps to 1 step to fit --steps 3 (the recipe warms up for 10% of its 100 steps)
// LR-LABEL: module attributes {loom.train = #loom.recipe<name = "lm",
// LR-SAME: batch = 2, steps = 100, seed = 1,
// LR-SAME: optimizer = <kind = "adam", lr = 2.500000e-01,
// LR-SAME: schedule = <kind = "warmup_cosine", warmup = 10,
// NONE-LABEL: module attributes {loom.train = #loom.recipe<name = "lm",
// NONE-SAME: batch = 2, steps = 100, seed = 1,
// NONE-SAME: optimizer = <kind = "adam", lr = 1.000000e-03,
// NONE-SAME: schedule = <kind = "warmup_cosine", warmup = 10,
module attributes {loom.train = #loom.recipe<name = "lm",
    data = <kind = "tokens", path = "train.bin", seq = 8, dtype = "u16">,
    batch = 2, steps = 100, seed = 1,
    optimizer = <kind = "adam", lr = 1.0e-3, betas = [0.9, 0.999], eps = 1.0e-8, weight_decay = 0.0>,
    schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 0.0, loc = loc("lm.loom":9:15)>>} {
}

// -----

// Tests that steps replaces epochs; without a step count to take the
// fraction from, the warm-up is the longest that leaves a step to decay.
// CHECK-LABEL: module attributes {loom.train = #loom.recipe<name = "e",
// CHECK-SAME: batch = 4, steps = 3,
// CHECK-NOT: epochs
// CHECK-SAME: schedule = <kind = "warmup_cosine", warmup = 2,
// NOTE-NEXT: e.loom:7:15: remark: warm-up shortened from 10 steps to 2 steps to fit --steps 3 (the longest that leaves a step to decay)
// LR-LABEL: module attributes {loom.train = #loom.recipe<name = "e",
// LR-SAME: epochs = 2,
// NONE-LABEL: module attributes {loom.train = #loom.recipe<name = "e",
// NONE-SAME: epochs = 2,
module attributes {loom.train = #loom.recipe<name = "e",
    data = <kind = "idx", images = "x.gz", labels = "y.gz">, batch = 4, epochs = 2,
    optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>,
    schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 0.0, loc = loc("e.loom":7:15)>>} {
}
