// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s

// Tests that broadcast is a copy through a broadcasting indexing map.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @broadcast(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = loom.broadcast %x : tensor<3xf32> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that reshapes are one collapse_shape or expand_shape where one
// suffices, a collapse to rank 1 and an expand otherwise, and a collapse to
// rank 0.
// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0], [1], [2, 3]] output_shape [2, 3, 2, 2] : tensor<2x3x4xf32> into tensor<2x3x2x2xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1x1xf32> into tensor<f32>
func.func @reshape(%x: tensor<2x3x4xf32>, %y: tensor<1x1xf32>) -> (tensor<6x4xf32>, tensor<2x3x2x2xf32>, tensor<4x6xf32>, tensor<f32>) {
  %0 = loom.reshape %x : tensor<2x3x4xf32> to tensor<6x4xf32>
  %1 = loom.reshape %x : tensor<2x3x4xf32> to tensor<2x3x2x2xf32>
  %2 = loom.reshape %x : tensor<2x3x4xf32> to tensor<4x6xf32>
  %3 = loom.reshape %y : tensor<1x1xf32> to tensor<f32>
  return %0, %1, %2, %3 : tensor<6x4xf32>, tensor<2x3x2x2xf32>, tensor<4x6xf32>, tensor<f32>
}

// -----

// Tests that transpose keeps its permutation on linalg.transpose.
// CHECK-LABEL: func.func @transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = loom.transpose %x, [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Tests that a transpose that moves only dimensions of size 1 is a reshape
// (the elements keep their order), and that one that also swaps two larger
// dimensions stays a linalg.transpose.
// CHECK-LABEL: func.func @transpose_unit_dims
// CHECK: %[[F:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2, 3]] : tensor<1x2x1x3xf32> into tensor<6xf32>
// CHECK: %[[U:.*]] = tensor.expand_shape %[[F]] {{\[}}[0, 1, 2, 3]] output_shape [1, 1, 2, 3] : tensor<6xf32> into tensor<1x1x2x3xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.transpose ins(%arg0 : tensor<1x2x1x3xf32>) outs(%{{.*}} : tensor<1x3x1x2xf32>) permutation = [2, 3, 0, 1]
// CHECK: return %[[U]], %{{.*}} :
func.func @transpose_unit_dims(%x: tensor<1x2x1x3xf32>) -> (tensor<1x1x2x3xf32>, tensor<1x3x1x2xf32>) {
  %0 = loom.transpose %x, [0, 2, 1, 3] : tensor<1x2x1x3xf32> -> tensor<1x1x2x3xf32>
  %1 = loom.transpose %x, [2, 3, 0, 1] : tensor<1x2x1x3xf32> -> tensor<1x3x1x2xf32>
  return %0, %1 : tensor<1x1x2x3xf32>, tensor<1x3x1x2xf32>
}

// -----

// Tests that a strided slice is a tensor.extract_slice (a view once
// bufferized).
// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %arg0[1, 0] [3, 2] [3, 4] : tensor<8x6xf32> to tensor<3x2xf32>
func.func @slice(%x: tensor<8x6xf32>) -> tensor<3x2xf32> {
  %0 = loom.slice %x start [1, 0] limit [8, 6] stride [3, 4] : tensor<8x6xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that concat inserts each input into one tensor.empty at its offset.
// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[A]][0, 3] [2, 5] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = loom.concat %a, %b dim 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
