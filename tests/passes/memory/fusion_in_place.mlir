// RUN: loom-opt %s --split-input-file --loom-fuse --loom-print-memory-plan -o /dev/null | FileCheck %s

// Tests that an elementwise fusion group (one loop nest) writes the new
// parameter and moment over the old ones, which it reads at the same index:
// a whole momentum update in place, no copy after the step.
// CHECK-LABEL: memory plan of @momentum_group: 1 ops
// CHECK: update result #0: {{.*}} -> %arg0 "w" in place
// CHECK-NEXT: update result #1: {{.*}} -> %arg1 "w.m" in place
func.func @momentum_group(%w: tensor<16xf32> {loom.param = "w"}, %m: tensor<16xf32> {loom.opt_state = "w.m"},
                          %g: tensor<16xf32> {loom.input = "g"})
    -> (tensor<16xf32> {loom.param = "w"}, tensor<16xf32> {loom.opt_state = "w.m"}) {
  %beta = loom.constant dense<0.9> : tensor<f32>
  %lr = loom.constant dense<0.1> : tensor<f32>
  %0 = loom.mul %m, %beta : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  %1 = loom.add %0, %g : tensor<16xf32>
  %2 = loom.mul %1, %lr : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  %3 = loom.sub %w, %2 : tensor<16xf32>
  return %3, %1 : tensor<16xf32>, tensor<16xf32>
}

// -----

// Tests that a reduction group never writes over an input (its loops need
// not read an element before writing the same index): its new value is
// copied after the step.
// CHECK-LABEL: memory plan of @reduction_group
// CHECK: update result #0: {{.*}} -> %arg0 "s" copied after the step: op 0 (loom.fusion_group) reads argument #0 and cannot write its result over it
func.func @reduction_group(%s: tensor<4x1xf32> {loom.param = "s"})
    -> (tensor<4x1xf32> {loom.param = "s"}) {
  %sq = loom.mul %s, %s : tensor<4x1xf32>
  %r = loom.reduce sum %sq dims [1] keep_dims : tensor<4x1xf32> -> tensor<4x1xf32>
  return %r : tensor<4x1xf32>
}

// -----

// Tests that a multi_tensor group writes a member's result over an input
// that member alone reads (v), but not over one another member reads too
// (w, read by both: the other member's nest may run after the write), which
// is copied after the step.
// CHECK-LABEL: memory plan of @multi_tensor_group: 1 ops
// CHECK: update result #0: {{.*}} -> %arg0 "w" copied after the step: op 0 (loom.multi_tensor_group) reads argument #0 and cannot write its result over it
// CHECK-NEXT: update result #1: {{.*}} -> %arg1 "v" in place
func.func @multi_tensor_group(%w: tensor<16xf32> {loom.param = "w"}, %v: tensor<16xf32> {loom.param = "v"},
                              %g: tensor<16xf32> {loom.input = "g"})
    -> (tensor<16xf32> {loom.param = "w"}, tensor<16xf32> {loom.param = "v"}) {
  %lr = loom.constant dense<0.1> : tensor<f32>
  %0 = loom.mul %g, %lr : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  %1 = loom.sub %w, %0 : tensor<16xf32>
  %2 = loom.mul %w, %lr : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  %3 = loom.sub %v, %2 : tensor<16xf32>
  return %1, %3 : tensor<16xf32>, tensor<16xf32>
}
