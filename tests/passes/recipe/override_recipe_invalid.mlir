// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-override-recipe="lr=inf"
// RUN: not loom-opt %s --split-input-file --loom-override-recipe="lr=0 steps=3" 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not loom-opt %s --split-input-file --loom-override-recipe="steps=0" 2>&1 | FileCheck %s --check-prefix=STEPS
// RUN: not loom-opt %s --split-input-file --loom-override-recipe="lr=nan" 2>&1 | FileCheck %s --check-prefix=NAN

// Tests that a learning rate outside the range a train block's lr has is
// an error at the module, worded as `loom train --lr`'s (numeric_flags.test);
// steps below 1 and NaN the same.
// ZERO: error: --lr must be a finite number > 0, not 0
// STEPS: error: --steps must be at least 1, not 0
// NAN: error: --lr must be a finite number > 0, not nan
// expected-error@+1 {{--lr must be a finite number > 0, not inf}}
module attributes {loom.train = #loom.recipe<name = "t",
    data = <kind = "idx", images = "x.gz", labels = "y.gz">, batch = 4, steps = 2,
    optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a module without a recipe is an error.
// expected-error@+1 {{--loom-override-recipe rewrites the module's loom.train recipe, which this module lacks}}
module {
}
