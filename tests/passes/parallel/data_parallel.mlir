// RUN: loom-opt %s --split-input-file --loom-autodiff --loom-data-parallel --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-autodiff --loom-data-parallel=bucket-bytes=12 --mlir-print-local-scope | FileCheck %s --check-prefix=SMALL
// RUN: loom-opt %s --split-input-file --loom-autodiff --loom-data-parallel --loom-build-train-step | FileCheck %s --check-prefix=STEP
// RUN: loom-opt %s --split-input-file --loom-train-step-pipeline=data-parallel | FileCheck %s --check-prefix=STEP
// RUN: loom-opt %s --split-input-file --loom-train-step-pipeline | FileCheck %s --check-prefix=NONE

// Tests that on 2 data ranks the loss and both gradients become their mean
// over the data axis: the loss alone in bucket 0 right after the forward
// computes it (without the pipeline's data-parallel option, nothing is
// averaged), both gradients (36 bytes, under the default 25 MiB) in
// bucket 1 after the op that produces the last of them, each located at
// its parameter's .loom declaration; the return reads the averages.
// With 12-byte buckets, `a`'s gradient (12 bytes) closes bucket 1 right
// after its producer and `b`'s opens bucket 2. In the step, clipping's
// norm and the update read the averaged gradients.

// CHECK-LABEL: func.func @loss_grad(
// CHECK: %[[LOSS:.*]] = loom.reduce mean
// CHECK-NEXT: %[[L:.*]] = loom.all_reduce mean %[[LOSS]] over ["data"] group_size 2 {loom.bucket = 0 : i64} : tensor<f32>
// CHECK: %[[DA:.*]] = loom.reduce sum
// CHECK-NEXT: %[[DB:.*]] = loom.mul
// CHECK-NEXT: %[[GA:.*]] = loom.all_reduce mean %[[DA]] over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<3xf32> loc("m.loom":2:3)
// CHECK-NEXT: %[[GB:.*]] = loom.all_reduce mean %[[DB]] over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<2x3xf32> loc("m.loom":3:3)
// CHECK-NEXT: return %[[L]], %[[GA]], %[[GB]] :

// SMALL-LABEL: func.func @loss_grad(
// SMALL: loom.all_reduce mean %{{.*}} {loom.bucket = 0 : i64} : tensor<f32>
// SMALL: %[[DA:.*]] = loom.reduce sum
// SMALL-NEXT: %[[GA:.*]] = loom.all_reduce mean %[[DA]] over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<3xf32>
// SMALL-NEXT: %[[DB:.*]] = loom.mul
// SMALL-NEXT: %[[GB:.*]] = loom.all_reduce mean %[[DB]] over ["data"] group_size 2 {loom.bucket = 2 : i64} : tensor<2x3xf32>
// SMALL-NEXT: return

// STEP-LABEL: func.func @train_step(
// STEP: %[[L:.*]] = loom.all_reduce mean %{{.*}} {loom.bucket = 0 : i64} : tensor<f32>
// STEP: %[[GA:.*]] = loom.all_reduce mean %{{.*}} {loom.bucket = 1 : i64} : tensor<3xf32>
// STEP: %[[GB:.*]] = loom.all_reduce mean %{{.*}} {loom.bucket = 1 : i64} : tensor<2x3xf32>
// STEP-NOT: loom.all_reduce
// STEP: loom.mul %[[GA]], %[[GA]] : tensor<3xf32>
// STEP: loom.mul %[[GB]], %[[GB]] : tensor<2x3xf32>
// STEP: %[[NORM:.*]] = loom.sqrt
// STEP: loom.mul %[[GA]], %{{.*}} : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
// STEP: loom.mul %[[GB]], %{{.*}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// STEP: return {{.*}}, %[[L]], %{{.*}}, %[[NORM]] :
// NONE-LABEL: func.func @train_step(
// NONE-NOT: loom.all_reduce
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "adamw", lr = 1.000000e-03, betas = [9.000000e-01, 9.500000e-01], eps = 1.000000e-08, weight_decay = 1.000000e-01, clip_norm = 1.000000e+00>, data_ranks = 2>} {
  func.func @loss(%a: tensor<3xf32> {loom.param = "a"} loc("m.loom":2:3), %b: tensor<2x3xf32> {loom.param = "b"} loc("m.loom":3:3), %x: tensor<2x3xf32> {loom.input = "x"}) -> tensor<f32> {
    %0 = loom.mul %x, %b : tensor<2x3xf32>
    %1 = loom.add %0, %a : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %2 = loom.reduce mean %1 dims [0, 1] : tensor<2x3xf32> -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// -----

// Tests that a recipe on one data rank (the default) is left as it is.

// CHECK-LABEL: func.func @loss_grad(
// CHECK-NOT: loom.all_reduce
// CHECK: return
// SMALL-LABEL: func.func @loss_grad(
// SMALL-NOT: loom.all_reduce
// STEP-LABEL: func.func @train_step(
// STEP-NOT: loom.all_reduce
// NONE-LABEL: func.func @train_step(
// NONE-NOT: loom.all_reduce
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>>} {
  func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
    %0 = loom.mul %w, %w : tensor<3xf32>
    %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
    return %1 : tensor<f32>
  }
}
