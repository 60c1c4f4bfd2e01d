// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-data-parallel

// Tests that the pass needs the gradients of --loom-autodiff.

// expected-error@+1 {{--loom-data-parallel needs @loss_grad; run --loom-autodiff first}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2>} {
  func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
    %0 = loom.mul %w, %w : tensor<3xf32>
    %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
    return %1 : tensor<f32>
  }
}

// -----

// Tests that the pass needs a recipe, which gives the ranks.

// expected-error@+1 {{--loom-data-parallel needs the module's loom.train recipe (the ranks of the data axis)}}
module {
}

// -----

// Tests that a recipe's global batch splits evenly over its data ranks.

// expected-error@+1 {{recipe 'batch' (5) must be divisible by 'data_ranks' (2)}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 5, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2>} {
}


// -----

// Tests that every result of @loss_grad after the loss is a gradient.

module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2>} {
  // expected-error@+1 {{--loom-data-parallel: result 1 of @loss_grad is not a gradient (no loom.grad)}}
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<f32>, tensor<3xf32>) {
    %0 = loom.mul %w, %w : tensor<3xf32>
    %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
    return %1, %0 : tensor<f32>, tensor<3xf32>
  }
}

// -----

// Tests that dropout, whose masks repeat on every rank, gets a warning.

module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2>} {
  func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}, %key: tensor<2xi64> {loom.input = "rng"}) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
    // expected-warning@+1 {{draws the same masks on every rank of the data axis (those of the first 2 examples of the global batch), so the run does not follow the loss curve of one process}}
    %0 = loom.dropout %w, %key rate 1.000000e-01 stream 0 : (tensor<3xf32>, tensor<2xi64>) -> tensor<3xf32>
    %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
    return %1, %0 : tensor<f32>, tensor<3xf32>
  }
}
