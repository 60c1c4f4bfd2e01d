// RUN: loom-opt %s --split-input-file --loom-build-train-step --verify-diagnostics

// Tests that the pass needs @loss_grad.
// expected-error@+1 {{--loom-build-train-step needs @loss_grad; run --loom-autodiff first}}
module attributes {loom.train = {optimizer = {kind = "sgd", lr = 1.000000e-01 : f64}, steps = 10 : i64}} {
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

// Tests that the recipe needs an optimizer.
// expected-error@+1 {{the 'loom.train' recipe has no optimizer}}
module attributes {loom.train = {steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that an unknown optimizer kind is reported.
// expected-error@+1 {{unknown optimizer 'lamb' (one of sgd, adam, adamw, rmsprop)}}
module attributes {loom.train = {optimizer = {kind = "lamb", lr = 1.000000e-01 : f64}, steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that an unknown schedule kind is reported.
// expected-error@+1 {{unknown schedule 'linear' (one of constant, step, exponential, warmup_cosine, reduce_on_plateau)}}
module attributes {loom.train = {optimizer = {kind = "sgd", lr = 1.000000e-01 : f64}, schedule = {kind = "linear"}, steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that the optimizer needs a learning rate.
// expected-error@+1 {{optimizer 'adam' needs a numeric 'lr'}}
module attributes {loom.train = {optimizer = {kind = "adam"}, steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that warmup_cosine needs the total step count, not epochs.
// expected-error@+1 {{schedule 'warmup_cosine' needs the recipe's total 'steps' (the recipe counts 'epochs')}}
module attributes {loom.train = {optimizer = {kind = "sgd", lr = 1.000000e-01 : f64}, schedule = {kind = "warmup_cosine", warmup = 10 : i64}, epochs = 3 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that warmup_cosine needs more steps than warmup steps.
// expected-error@+1 {{schedule 'warmup_cosine' needs 'steps' (10) > 'warmup' (10)}}
module attributes {loom.train = {optimizer = {kind = "sgd", lr = 1.000000e-01 : f64}, schedule = {kind = "warmup_cosine", warmup = 10 : i64}, steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that a schedule's missing argument is reported.
// expected-error@+1 {{schedule 'step' needs a numeric 'every'}}
module attributes {loom.train = {optimizer = {kind = "sgd", lr = 1.000000e-01 : f64}, schedule = {kind = "step", gamma = 5.000000e-01 : f64}, steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that an existing @train_step is not overwritten.
// expected-error@+1 {{the module already has a @train_step}}
module attributes {loom.train = {optimizer = {kind = "sgd", lr = 1.000000e-01 : f64}, steps = 10 : i64}} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    %1 = loom.constant dense<1.0> : tensor<3xf32>
    return %0, %1 : tensor<f32>, tensor<3xf32>
  }
  func.func @train_step() {
    return
  }
}
