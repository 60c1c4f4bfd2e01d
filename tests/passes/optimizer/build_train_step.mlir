// RUN: loom-opt %s --split-input-file --loom-autodiff --loom-build-train-step | FileCheck %s

// Tests that sgd with momentum gets one `momentum_buffer` per trainable
// parameter, that the frozen parameter passes through with no state, that
// the batch follows the state and the step counter comes last, that the
// first step takes the gradient as the buffer, and that the gradient norm
// is the last result.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3xf32> {loom.param = "w"},
// CHECK-SAME: %[[F:[^:]*]]: tensor<3xf32> {loom.frozen, loom.param = "f"},
// CHECK-SAME: %[[BUF:[^:]*]]: tensor<3xf32> {loom.opt_state = "w.momentum_buffer"},
// CHECK-SAME: %[[X:[^:]*]]: tensor<3xf32> {loom.input = "x"},
// CHECK-SAME: %[[STEP:[^:]*]]: tensor<i64> {loom.input = "step"})
// CHECK-SAME: -> (tensor<3xf32> {loom.param = "w"}, tensor<3xf32> {loom.param = "f"},
// CHECK-SAME: tensor<3xf32> {loom.opt_state = "w.momentum_buffer"}, tensor<f32>, tensor<f32>, tensor<f32>)
// CHECK-NOT: call
// CHECK: %[[LR:.*]] = loom.constant dense<1.000000e-01> : tensor<f32>
// CHECK: %[[FIRST:.*]] = loom.compare eq, %[[STEP]], %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i1>
// CHECK: %[[NEWBUF:.*]] = loom.select %[[FIRST]], %{{.*}}, %{{.*}} : (tensor<i1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[STEPPED:.*]] = loom.mul %[[LR]], %[[NEWBUF]]
// CHECK: %[[NEWW:.*]] = loom.sub %[[W]], %[[STEPPED]]
// CHECK: return %[[NEWW]], %[[F]], %[[NEWBUF]], %{{.*}}, %[[LR]], %{{.*}} :
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 9.000000e-01, nesterov = false, weight_decay = 0.000000e+00>, schedule = <kind = "constant">>} {
  func.func @loss(%w: tensor<3xf32> {loom.param = "w"}, %f: tensor<3xf32> {loom.param = "f", loom.frozen}, %x: tensor<3xf32> {loom.input = "x"}) -> tensor<f32> {
    %0 = loom.sub %w, %x : tensor<3xf32>
    %1 = loom.mul %0, %f : tensor<3xf32>
    %2 = loom.mul %1, %1 : tensor<3xf32>
    %3 = loom.reduce sum %2 dims [0] : tensor<3xf32> -> tensor<f32>
    return %3 : tensor<f32>
  }
}

// -----

// Tests adamw with clip_norm and warmup_cosine: two state slots per
// trainable parameter, the global norm summed over every gradient, the
// clipping factor min(1, clip / (norm + 1e-6)), the warmup/cosine select,
// and the decoupled decay p * (1 - lr wd).

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: {loom.param = "a"}
// CHECK-SAME: {loom.param = "b"}
// CHECK-SAME: {loom.opt_state = "a.exp_avg"}
// CHECK-SAME: {loom.opt_state = "a.exp_avg_sq"}
// CHECK-SAME: {loom.opt_state = "b.exp_avg"}
// CHECK-SAME: {loom.opt_state = "b.exp_avg_sq"}
// CHECK-SAME: %[[STEP:[^:]*]]: tensor<i64> {loom.input = "step"})
// CHECK-SAME: -> (tensor<3xf32> {loom.param = "a"}, tensor<2x3xf32> {loom.param = "b"},
// CHECK-SAME: tensor<3xf32> {loom.opt_state = "a.exp_avg"}, tensor<3xf32> {loom.opt_state = "a.exp_avg_sq"},
// CHECK-SAME: tensor<2x3xf32> {loom.opt_state = "b.exp_avg"}, tensor<2x3xf32> {loom.opt_state = "b.exp_avg_sq"},
// CHECK-SAME: tensor<f32>, tensor<f32>)
// CHECK: %[[STEPF:.*]] = loom.cast %[[STEP]] : tensor<i64> to tensor<f32>
// CHECK: %[[COS:.*]] = loom.cos
// CHECK: %[[WARM:.*]] = loom.compare lt, %[[STEPF]]
// CHECK: %[[LR:.*]] = loom.select %[[WARM]]
// CHECK: %[[SQA:.*]] = loom.mul %[[GA:[^ ,]*]], %[[GA]] : tensor<3xf32>
// CHECK: loom.reduce sum %[[SQA]] dims [0] : tensor<3xf32> -> tensor<f32>
// CHECK: %[[SQB:.*]] = loom.mul %[[GB:[^ ,]*]], %[[GB]] : tensor<2x3xf32>
// CHECK: loom.reduce sum %[[SQB]] dims [0, 1] : tensor<2x3xf32> -> tensor<f32>
// CHECK: %[[NORM:.*]] = loom.sqrt
// CHECK: %[[EPS:.*]] = loom.constant dense<9.99999997E-7> : tensor<f32>
// CHECK: %[[DEN:.*]] = loom.add %[[NORM]], %[[EPS]]
// CHECK: %[[RATIO:.*]] = loom.div %{{.*}}, %[[DEN]]
// CHECK: %[[COEF:.*]] = loom.min %{{.*}}, %[[RATIO]]
// CHECK: loom.mul %[[GA]], %[[COEF]] : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
// CHECK: loom.mul %[[GB]], %[[COEF]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK: %[[LRWD:.*]] = loom.mul %[[LR]], %{{.*}} : tensor<f32>
// CHECK: %[[DECAY:.*]] = loom.sub %{{.*}}, %[[LRWD]] : tensor<f32>
// CHECK: loom.mul %{{.*}}, %[[DECAY]] : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
// CHECK: return {{.*}}, %[[LR]], %[[NORM]] :
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 1000, optimizer = <kind = "adamw", lr = 1.000000e-03, betas = [9.000000e-01, 9.500000e-01], eps = 1.000000e-08, weight_decay = 1.000000e-01, clip_norm = 1.000000e+00>, schedule = <kind = "warmup_cosine", warmup = 100, min_lr = 1.000000e-04>>} {
  func.func @loss(%a: tensor<3xf32> {loom.param = "a"}, %b: tensor<2x3xf32> {loom.param = "b"}, %x: tensor<2x3xf32> {loom.input = "x"}) -> tensor<f32> {
    %0 = loom.mul %x, %b : tensor<2x3xf32>
    %1 = loom.add %0, %a : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %2 = loom.reduce mean %1 dims [0, 1] : tensor<2x3xf32> -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// -----

// Tests that reduce_on_plateau scales the rate by a %lr_scale input after
// the step counter, and that plain sgd has no state.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3xf32> {loom.param = "w"},
// CHECK-SAME: %{{[^:]*}}: tensor<i64> {loom.input = "step"},
// CHECK-SAME: %[[SCALE:[^:]*]]: tensor<f32> {loom.input = "lr_scale"})
// CHECK-SAME: -> (tensor<3xf32> {loom.param = "w"}, tensor<f32>, tensor<f32>, tensor<f32>)
// CHECK: %[[LR:.*]] = loom.mul %{{.*}}, %[[SCALE]] : tensor<f32>
// CHECK: return {{.*}}, %[[LR]], %{{.*}} :
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, epochs = 3, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, schedule = <kind = "reduce_on_plateau", factor = 5.000000e-01, patience = 10>>} {
  func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
    %0 = loom.mul %w, %w : tensor<3xf32>
    %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
    return %1 : tensor<f32>
  }
}
