// RUN: loom-opt %s --split-input-file | FileCheck %s
// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s

// Tests that a fusion group round-trips: its kind, inputs (a broadcast one
// included), body arguments, a cloned constant and several results.
// CHECK-LABEL: func.func @elementwise
// CHECK: %[[R:.*]]:2 = loom.fusion_group elementwise(%{{.*}}, %{{.*}}) : (tensor<8x16xf32>, tensor<16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<8x16xf32>, %[[C:.*]]: tensor<16xf32>):
// CHECK-NEXT: %[[H:.*]] = loom.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[S:.*]] = loom.add %[[A]], %[[C]]
// CHECK-NEXT: %[[T:.*]] = loom.mul %[[S]], %[[H]]
// CHECK-NEXT: loom.yield %[[S]], %[[T]] : tensor<8x16xf32>, tensor<8x16xf32>
// CHECK: return %[[R]]#1
func.func @elementwise(%x: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %r:2 = loom.fusion_group elementwise (%x, %b) : (tensor<8x16xf32>, tensor<16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  ^bb0(%a: tensor<8x16xf32>, %c: tensor<16xf32>):
    %h = loom.constant dense<0.5> : tensor<f32>
    %s = loom.add %a, %c : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
    %t = loom.mul %s, %h : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
    loom.yield %s, %t : tensor<8x16xf32>, tensor<8x16xf32>
  }
  return %r#1 : tensor<8x16xf32>
}

// -----

// Tests that a reduction group ends in its reduction.
// CHECK-LABEL: func.func @reduction
// CHECK: loom.fusion_group reduction(%{{.*}}) : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: loom.reduce sum
func.func @reduction(%g: tensor<4x8xf32>) -> tensor<f32> {
  %r = loom.fusion_group reduction (%g) : (tensor<4x8xf32>) -> tensor<f32> {
  ^bb0(%a: tensor<4x8xf32>):
    %sq = loom.mul %a, %a : tensor<4x8xf32>
    %s = loom.reduce sum %sq dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
    loom.yield %s : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

// Tests that a multi_tensor group round-trips: independent member groups of
// different shapes and kinds in one body, yielding their results.
// CHECK-LABEL: func.func @multi_tensor
// CHECK: %[[R:.*]]:2 = loom.multi_tensor_group(%{{.*}}, %{{.*}}) : (tensor<64xf32>, tensor<8x8xf32>) -> (tensor<64xf32>, tensor<f32>) {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<64xf32>, %[[Y:.*]]: tensor<8x8xf32>):
// CHECK-NEXT: %[[P:.*]] = loom.fusion_group elementwise(%[[X]]) : (tensor<64xf32>) -> tensor<64xf32> {
// CHECK: %[[Q:.*]] = loom.fusion_group reduction(%[[Y]]) : (tensor<8x8xf32>) -> tensor<f32> {
// CHECK: loom.yield %[[P]], %[[Q]] : tensor<64xf32>, tensor<f32>
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @multi_tensor(%a: tensor<64xf32>, %b: tensor<8x8xf32>) -> (tensor<64xf32>, tensor<f32>) {
  %r:2 = loom.multi_tensor_group (%a, %b) : (tensor<64xf32>, tensor<8x8xf32>) -> (tensor<64xf32>, tensor<f32>) {
  ^bb0(%x: tensor<64xf32>, %y: tensor<8x8xf32>):
    %p = loom.fusion_group elementwise (%x) : (tensor<64xf32>) -> tensor<64xf32> {
    ^bb0(%u: tensor<64xf32>):
      %n = loom.neg %u : tensor<64xf32>
      %e = loom.exp %n : tensor<64xf32>
      loom.yield %e : tensor<64xf32>
    }
    %q = loom.fusion_group reduction (%y) : (tensor<8x8xf32>) -> tensor<f32> {
    ^bb0(%v: tensor<8x8xf32>):
      %s = loom.mul %v, %v : tensor<8x8xf32>
      %t = loom.reduce sum %s dims [0, 1] : tensor<8x8xf32> -> tensor<f32>
      loom.yield %t : tensor<f32>
    }
    loom.yield %p, %q : tensor<64xf32>, tensor<f32>
  }
  return %r#0, %r#1 : tensor<64xf32>, tensor<f32>
}
