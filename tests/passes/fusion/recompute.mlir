// RUN: loom-opt %s --split-input-file --loom-fuse=multi-tensor-bytes=0 | FileCheck %s

// Tests that g*g, read by the gradient norm's reduction and by the update
// (which reads g already), is computed in both groups instead of stored:
// the reduction becomes a group reading g, the update computes g*g itself.
// CHECK-LABEL: func.func @norm_and_update
// CHECK: %[[N:.*]] = loom.fusion_group reduction(%arg0) : (tensor<4x8xf32>) -> tensor<f32> {
// CHECK-NEXT: ^bb0(%[[G:.*]]: tensor<4x8xf32>):
// CHECK-NEXT: %[[SQ:.*]] = loom.mul %[[G]], %[[G]]
// CHECK-NEXT: loom.reduce sum %[[SQ]]
// CHECK: loom.fusion_group elementwise(%arg1, %arg0, %arg2) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<4x8xf32>, %[[G2:[^:]*]]: tensor<4x8xf32>, %{{.*}}: tensor<4x8xf32>):
// CHECK-NEXT: loom.add
// CHECK-NEXT: loom.mul %[[G2]], %[[G2]] : tensor<4x8xf32>
// CHECK-NOT: loom.fusion_group
func.func @norm_and_update(%g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>) -> (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %sq = loom.mul %g, %g : tensor<4x8xf32>
  %n = loom.reduce sum %sq dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
  %m1 = loom.add %m, %g : tensor<4x8xf32>
  %v1 = loom.add %v, %sq : tensor<4x8xf32>
  %u = loom.div %m1, %v1 : tensor<4x8xf32>
  return %n, %m1, %v1, %u : tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Tests the tied embedding's gradient: g = a + b is read by a later group,
// so the reduction cannot take g's group; it takes a copy of g*g instead,
// and g's group keeps the add alone (one op: no group).
// CHECK-LABEL: func.func @tied
// CHECK: %[[G:.*]] = loom.add %arg0, %arg1
// CHECK-NEXT: loom.fusion_group reduction(%[[G]])
// CHECK: loom.mul
// CHECK-NEXT: loom.reduce sum
// CHECK: loom.fusion_group elementwise(%arg2, %[[G]])
func.func @tied(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %p: tensor<4x8xf32>) -> (tensor<f32>, tensor<4x8xf32>) {
  %g = loom.add %a, %b : tensor<4x8xf32>
  %sq = loom.mul %g, %g : tensor<4x8xf32>
  %n = loom.reduce sum %sq dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
  %e = loom.exp %n : tensor<f32>
  %u = loom.sub %p, %g : tensor<4x8xf32>
  %w = loom.neg %u : tensor<4x8xf32>
  return %e, %w : tensor<f32>, tensor<4x8xf32>
}

// -----

// Tests that an expensive producer (exp) is not recomputed, though the
// second group reads its operand x already: its value is stored by the
// first group and read by the second.
// CHECK-LABEL: func.func @expensive
// CHECK: %[[G:.*]]:2 = loom.fusion_group elementwise(%arg0)
// CHECK: loom.exp
// CHECK: loom.matmul
// CHECK: loom.fusion_group elementwise(%[[G]]#0, %arg0)
// CHECK-NOT: loom.exp
func.func @expensive(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>, %z: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = loom.exp %x : tensor<4x4xf32>
  %a = loom.add %e, %x : tensor<4x4xf32>
  %b = loom.neg %a : tensor<4x4xf32>
  %p = loom.matmul %b, %b : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = loom.mul %e, %x : tensor<4x4xf32>
  %d = loom.neg %c : tensor<4x4xf32>
  return %p, %d : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Tests that a cheap producer whose operands a reading group does not read
// is not recomputed (the copy would read more than the value): x*y is
// stored, and the second group reads it.
// CHECK-LABEL: func.func @inputs_not_read
// CHECK: %[[G:.*]]:2 = loom.fusion_group elementwise(%arg0, %arg1)
// CHECK: loom.matmul
// CHECK: loom.fusion_group elementwise(%[[G]]#0, %arg2)
// CHECK-NOT: loom.mul %arg0, %arg1
func.func @inputs_not_read(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>, %z: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %s = loom.mul %x, %y : tensor<4x4xf32>
  %a = loom.neg %s : tensor<4x4xf32>
  %p = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = loom.add %s, %z : tensor<4x4xf32>
  %d = loom.neg %c : tensor<4x4xf32>
  return %p, %d : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Tests that a value also read by an op outside any group (here the
// return) is stored, not recomputed anywhere.
// CHECK-LABEL: func.func @returned
// CHECK: %[[SQ:.*]] = loom.mul %arg0, %arg0
// CHECK-NEXT: loom.reduce sum %[[SQ]]
// CHECK-NOT: loom.fusion_group
func.func @returned(%g: tensor<4x8xf32>) -> (tensor<f32>, tensor<4x8xf32>) {
  %sq = loom.mul %g, %g : tensor<4x8xf32>
  %n = loom.reduce sum %sq dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %n, %sq : tensor<f32>, tensor<4x8xf32>
}
