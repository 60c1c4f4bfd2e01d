// RUN: loom-opt %s --split-input-file --loom-build-train-step --verify-diagnostics
// (What the recipe itself must hold, the attribute's verifier checks:
// tests/ir/recipe_invalid.mlir.)

// Tests that the pass needs @loss_grad.
// expected-error@+1 {{--loom-build-train-step needs @loss_grad; run --loom-autodiff first}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>>} {
  func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// Tests that the pass needs the module's recipe.
// expected-error@+1 {{--loom-build-train-step needs the module's 'loom.train' recipe}}
module {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that warmup_cosine needs the total step count, not epochs.
// expected-error@+1 {{schedule 'warmup_cosine' needs the recipe's total 'steps' (the recipe counts 'epochs')}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, epochs = 3, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 0.000000e+00>>} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that warmup_cosine needs more steps than warmup steps.
// expected-error@+1 {{schedule 'warmup_cosine' needs 'steps' (10) > 'warmup' (10)}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 0.000000e+00>>} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that an existing @train_step is not overwritten.
// expected-error@+1 {{the module already has a @train_step}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>>} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
  func.func @train_step() {
    return
  }
}
