// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-shard-optimizer

// Tests that the pass needs a recipe, which gives the ranks.

// expected-error@+1 {{--loom-shard-optimizer needs the module's loom.train recipe (the ranks of the data axis)}}
module {
}

// -----

// Tests that the pass needs the step of --loom-build-train-step.

// expected-error@+1 {{--loom-shard-optimizer needs @train_step; run --loom-build-train-step first}}
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2, shard_optimizer = true>} {
}

// -----

// Tests that the pass needs the gradients' all-reduces of
// --loom-data-parallel.

module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2, shard_optimizer = true>} {
  // expected-error@+1 {{--loom-shard-optimizer needs the gradients' all-reduces; run --loom-data-parallel first}}
  func.func @train_step(%w: tensor<3xf32> {loom.param = "w"}) -> (tensor<3xf32> {loom.param = "w"}, tensor<f32>, tensor<f32>, tensor<f32>) {
    %0 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
    return %w, %0, %0, %0 : tensor<3xf32>, tensor<f32>, tensor<f32>, tensor<f32>
  }
}

// -----

// Tests that an op that reads a gradient and is neither elementwise nor a
// sum of every element is an error there.

module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2, shard_optimizer = true>} {
  func.func @train_step(%w: tensor<2x2xf32> {loom.param = "w"}, %x: tensor<2x2xf32> {loom.input = "x"}) -> (tensor<2x2xf32> {loom.param = "w"}, tensor<f32>, tensor<f32>, tensor<f32>) {
    %g0 = loom.mul %x, %w : tensor<2x2xf32>
    %g = loom.all_reduce mean %g0 over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<2x2xf32>
    // expected-error@+1 {{'loom.matmul' op reads a gradient averaged over the data axis but is neither elementwise nor a sum of every element: --loom-shard-optimizer cannot shard the update}}
    %m = loom.matmul %g, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %0 = loom.reduce sum %m dims [0, 1] : tensor<2x2xf32> -> tensor<f32>
    return %m, %0, %0, %0 : tensor<2x2xf32>, tensor<f32>, tensor<f32>, tensor<f32>
  }
}

// -----

// Tests that an update that broadcasts a gradient to another shape is an
// error there.

module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2, shard_optimizer = true>} {
  func.func @train_step(%w: tensor<2xf32> {loom.param = "w"}, %x: tensor<3x2xf32> {loom.input = "x"}) -> (tensor<2xf32> {loom.param = "w"}, tensor<f32>, tensor<f32>, tensor<f32>) {
    %g0 = loom.mul %w, %w : tensor<2xf32>
    %g = loom.all_reduce mean %g0 over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<2xf32>
    // expected-error@+1 {{'loom.add' op updates a sharded tensor of type 'tensor<2xf32>' with one of type 'tensor<3x2xf32>', which --loom-shard-optimizer cannot slice alike}}
    %b = loom.add %g, %x : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %0 = loom.reduce sum %b dims [0, 1] : tensor<3x2xf32> -> tensor<f32>
    return %w, %0, %0, %0 : tensor<2xf32>, tensor<f32>, tensor<f32>, tensor<f32>
  }
}
