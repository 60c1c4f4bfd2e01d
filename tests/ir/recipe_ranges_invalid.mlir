// RUN: loom-opt %s --split-input-file --verify-diagnostics

// Tests that the verifiers hold every numeric field to its range in
// ir/RecipeSchema.cpp's table, the one the frontend checks train blocks
// against: a recipe written as IR gets the frontend's ranges.

// expected-error@+2 {{optimizer 'momentum' must be a number in [0, 1), not 5}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 5.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// expected-error@+2 {{optimizer 'clip_norm' must be a finite number > 0, not 0}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0, clip_norm = 0.0>>} {
}

// -----

// Tests that both betas are in range.
// expected-error@+2 {{optimizer 'betas' must be two numbers in [0, 1), not (0.9, 1)}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "adam", lr = 0.1, betas = [0.9, 1.0], eps = 1.0e-8, weight_decay = 0.0>>} {
}

// -----

// expected-error@+2 {{optimizer 'betas' must hold two numbers, not 1}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'optimizer' which is to be a `OptimizerAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "adam", lr = 0.1, betas = [0.9], eps = 1.0e-8, weight_decay = 0.0>>} {
}

// -----

// expected-error@+2 {{schedule 'every' must be an integer >= 1, not 0}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'schedule' which is to be a `ScheduleAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>, schedule = <kind = "step", every = 0, gamma = 0.5>>} {
}

// -----

// expected-error@+2 {{schedule 'patience' must be an integer >= 0, not -1}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'schedule' which is to be a `ScheduleAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>, schedule = <kind = "reduce_on_plateau", factor = 0.5, patience = -1>>} {
}

// -----

// expected-error@+2 {{data 'seq' must be an integer >= 1, not 0}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "tokens", path = "x.bin", seq = 0, dtype = "u16">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}

// -----

// Tests that a string field with allowed values takes one of them.
// expected-error@+2 {{data 'dtype' must be one of u16, u32, not 'u8'}}
// expected-error@+1 {{failed to parse Loom_RecipeAttr parameter 'data' which is to be a `DataAttr`}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "tokens", path = "x.bin", seq = 8, dtype = "u8">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>>} {
}
