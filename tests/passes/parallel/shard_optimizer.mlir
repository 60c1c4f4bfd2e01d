// RUN: loom-opt %s --split-input-file --loom-autodiff --loom-data-parallel --loom-build-train-step --loom-shard-optimizer --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s

// Tests ZeRO-1 on 2 data ranks with AdamW and clipping: both gradients
// (a: 3 elements, b: 2x3) are flattened, padded to a multiple of 2 (a
// only) before their bucket's first collective, and reduce-scattered in
// bucket 1, adjacent, at their parameters' .loom locations; clipping's norm
// adds the slices' sums of squares and sums that over the ranks, once; the moments are slices (2 and
// 3 elements) in the arguments and the results; each parameter's slice is
// row %rank of its padded 2 x S form; the new parameters are all-gathered
// in one new bucket (2), adjacent, then unpadded and reshaped; no whole
// moment is left.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[A:[a-z0-9]+]]: tensor<3xf32> {loom.param = "a"}
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<2x3xf32> {loom.param = "b"}
// CHECK-SAME: tensor<2xf32> {loom.opt_state = "a.exp_avg"}
// CHECK-SAME: tensor<2xf32> {loom.opt_state = "a.exp_avg_sq"}
// CHECK-SAME: tensor<3xf32> {loom.opt_state = "b.exp_avg"}
// CHECK-SAME: tensor<3xf32> {loom.opt_state = "b.exp_avg_sq"}
// CHECK-SAME: %[[RANK:[a-z0-9]+]]: tensor<1xi32> {loom.input = "rank"}
// CHECK-SAME: -> (tensor<3xf32> {loom.param = "a"}, tensor<2x3xf32> {loom.param = "b"}, tensor<2xf32> {loom.opt_state = "a.exp_avg"}, tensor<2xf32> {loom.opt_state = "a.exp_avg_sq"}, tensor<3xf32> {loom.opt_state = "b.exp_avg"}, tensor<3xf32> {loom.opt_state = "b.exp_avg_sq"}, tensor<f32>, tensor<f32>, tensor<f32>)
// CHECK: %[[L:.*]] = loom.all_reduce mean %{{.*}} {loom.bucket = 0 : i64} : tensor<f32>
// CHECK: %[[PADA:.*]] = loom.concat %{{.*}}, %{{.*}} dim 0 : (tensor<3xf32>, tensor<1xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[FLATB:.*]] = loom.reshape %{{.*}} : tensor<2x3xf32> to tensor<6xf32>
// CHECK-NEXT: %[[GA:.*]] = loom.reduce_scatter mean %[[PADA]] over ["data"] group_size 2 dim 0 {loom.bucket = 1 : i64} : tensor<4xf32> -> tensor<2xf32> loc("m.loom":2:3)
// CHECK-NEXT: %[[GB:.*]] = loom.reduce_scatter mean %[[FLATB]] over ["data"] group_size 2 dim 0 {loom.bucket = 1 : i64} : tensor<6xf32> -> tensor<3xf32> loc("m.loom":3:3)
// CHECK: %[[SQA:.*]] = loom.mul %[[GA]], %[[GA]] : tensor<2xf32>
// CHECK-NEXT: %[[SUMA:.*]] = loom.reduce sum %[[SQA]] dims [0] : tensor<2xf32> -> tensor<f32>
// CHECK-NEXT: %[[SQB:.*]] = loom.mul %[[GB]], %[[GB]] : tensor<3xf32>
// CHECK-NEXT: %[[SUMB:.*]] = loom.reduce sum %[[SQB]] dims [0] : tensor<3xf32> -> tensor<f32>
// CHECK-NEXT: %[[SUM:.*]] = loom.add %[[SUMA]], %[[SUMB]] : tensor<f32>
// CHECK-NEXT: %[[TOTAL:.*]] = loom.all_reduce sum %[[SUM]] over ["data"] group_size 2 : tensor<f32>
// CHECK-NEXT: %[[NORM:.*]] = loom.sqrt %[[TOTAL]] : tensor<f32>
// CHECK: %[[PA:.*]] = loom.concat %[[A]], %{{.*}} dim 0 : (tensor<3xf32>, tensor<1xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[RA:.*]] = loom.reshape %[[PA]] : tensor<4xf32> to tensor<2x2xf32>
// CHECK-NEXT: %[[ROWA:.*]] = loom.gather %[[RA]][%[[RANK]]] axis 0 : (tensor<2x2xf32>, tensor<1xi32>) -> tensor<1x2xf32>
// CHECK-NEXT: loom.reshape %[[ROWA]] : tensor<1x2xf32> to tensor<2xf32>
// CHECK: %[[NEWA:.*]] = loom.sub %{{.*}}, %{{.*}} : tensor<2xf32>
// CHECK: %[[FB:.*]] = loom.reshape %[[B]] : tensor<2x3xf32> to tensor<6xf32>
// CHECK-NEXT: %[[RB:.*]] = loom.reshape %[[FB]] : tensor<6xf32> to tensor<2x3xf32>
// CHECK-NEXT: loom.gather %[[RB]][%[[RANK]]] axis 0 : (tensor<2x3xf32>, tensor<1xi32>) -> tensor<1x3xf32>
// CHECK: %[[NEWB:.*]] = loom.sub %{{.*}}, %{{.*}} : tensor<3xf32>
// CHECK-NEXT: %[[WA:.*]] = loom.all_gather %[[NEWA]] over ["data"] group_size 2 dim 0 {loom.bucket = 2 : i64} : tensor<2xf32> -> tensor<4xf32> loc("m.loom":2:3)
// CHECK-NEXT: %[[WB:.*]] = loom.all_gather %[[NEWB]] over ["data"] group_size 2 dim 0 {loom.bucket = 2 : i64} : tensor<3xf32> -> tensor<6xf32> loc("m.loom":3:3)
// CHECK-NEXT: %[[UA:.*]] = loom.slice %[[WA]] start [0] limit [3] stride [1] : tensor<4xf32> -> tensor<3xf32>
// CHECK-NEXT: %[[OB:.*]] = loom.reshape %[[WB]] : tensor<6xf32> to tensor<2x3xf32>
// CHECK-NEXT: return %[[UA]], %[[OB]], {{.*}}, %[[L]], %{{.*}}, %[[NORM]] :
// CHECK-NOT: tensor<2x3xf32> {loom.opt_state
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "adamw", lr = 1.000000e-03, betas = [9.000000e-01, 9.500000e-01], eps = 1.000000e-08, weight_decay = 1.000000e-01, clip_norm = 1.000000e+00>, data_ranks = 2, shard_optimizer = true>} {
  func.func @loss(%a: tensor<3xf32> {loom.param = "a"} loc("m.loom":2:3), %b: tensor<2x3xf32> {loom.param = "b"} loc("m.loom":3:3), %x: tensor<2x3xf32> {loom.input = "x"}) -> tensor<f32> {
    %0 = loom.mul %x, %b : tensor<2x3xf32>
    %1 = loom.add %0, %a : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %2 = loom.reduce mean %1 dims [0, 1] : tensor<2x3xf32> -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// -----

// Tests that a recipe on one data rank is left as it is.

// CHECK-LABEL: func.func @train_step(
// CHECK-NOT: loom.reduce_scatter
// CHECK-NOT: loom.input = "rank"
// CHECK: return
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 9.000000e-01, nesterov = false, weight_decay = 0.000000e+00>>} {
  func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
    %0 = loom.mul %w, %w : tensor<3xf32>
    %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
    return %1 : tensor<f32>
  }
}
