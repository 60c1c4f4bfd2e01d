// RUN: loom-opt %s --split-input-file --loom-results-to-out-params | FileCheck %s

// Tests that each result becomes an out-parameter after the inputs, written
// by a restrict, writable materialize_in_destination, and that the function
// then returns nothing; a declaration is left alone.
// CHECK-LABEL: func.func @two_results(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>, %[[O0:.*]]: memref<4xf32>, %[[O1:.*]]: memref<2x2xi32>) {
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: %[[B:.*]] = tensor.empty() : tensor<2x2xi32>
// CHECK-NEXT: bufferization.materialize_in_destination %[[A]] in restrict writable %[[O0]] : (tensor<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: bufferization.materialize_in_destination %[[B]] in restrict writable %[[O1]] : (tensor<2x2xi32>, memref<2x2xi32>) -> ()
// CHECK-NEXT: return
// CHECK-NEXT: }
// CHECK: func.func private @external(tensor<4xf32>) -> tensor<4xf32>
func.func @two_results(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<2x2xi32>) {
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  %b = tensor.empty() : tensor<2x2xi32>
  return %a, %b : tensor<4xf32>, tensor<2x2xi32>
}
func.func private @external(tensor<4xf32>) -> tensor<4xf32>

// -----

// Tests that a result that is an input is still materialized (bufferization
// copies it).
// CHECK-LABEL: func.func @identity(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[O:.*]]: memref<3xf32>) {
// CHECK-NEXT: bufferization.materialize_in_destination %[[X]] in restrict writable %[[O]]
func.func @identity(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}
