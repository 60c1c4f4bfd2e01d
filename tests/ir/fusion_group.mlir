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
