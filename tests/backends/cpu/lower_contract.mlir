// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s

// Tests that activations times a stored-transposed weight merge their rows
// into one linalg.matmul_transpose_b from a zero-filled tensor.empty.
// CHECK-LABEL: func.func @matmul_rows
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<8x16x32xf32> into tensor<128x32xf32>
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<128x64xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<128x64xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul_transpose_b ins(%[[X]], %arg1 : tensor<128x32xf32>, tensor<64x32xf32>) outs(%[[INIT]] : tensor<128x64xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2]] output_shape [8, 16, 64]
func.func @matmul_rows(%x: tensor<8x16x32xf32>, %w: tensor<64x32xf32>) -> tensor<8x16x64xf32> {
  %0 = loom.matmul %x, %w transpose_rhs : (tensor<8x16x32xf32>, tensor<64x32xf32>) -> tensor<8x16x64xf32>
  return %0 : tensor<8x16x64xf32>
}

// -----

// Tests rank-2 matmuls: transpose_lhs is linalg.matmul_transpose_a; both
// transposed reads rhs through a linalg.transpose.
// CHECK-LABEL: func.func @matmul_transposes
// CHECK: linalg.matmul_transpose_a ins(%arg0, %arg1 : tensor<3x2xf32>, tensor<3x4xf32>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%arg2 : tensor<4x3xf32>) outs(%{{.*}} : tensor<3x4xf32>) permutation = [1, 0]
// CHECK: linalg.matmul_transpose_a ins(%arg0, %[[T]] : tensor<3x2xf32>, tensor<3x4xf32>)
func.func @matmul_transposes(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>, %c: tensor<4x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = loom.matmul %a, %b transpose_lhs : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = loom.matmul %a, %c transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Tests that equal batch dims merge into one linalg.batch_matmul; bf16
// operands accumulate in f32 (the named op extends them) and round once.
// CHECK-LABEL: func.func @matmul_batch_bf16
// CHECK: %[[A:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xbf16> into tensor<6x4x5xbf16>
// CHECK: %[[B:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x6xbf16> into tensor<6x5x6xbf16>
// CHECK: %[[MM:.*]] = linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<6x4x5xbf16>, tensor<6x5x6xbf16>) outs(%{{.*}} : tensor<6x4x6xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MM]] {{.*}} into tensor<2x3x4x6xf32>
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<2x3x4x6xf32>) outs(%{{.*}} : tensor<2x3x4x6xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @matmul_batch_bf16(%a: tensor<2x3x4x5xbf16>, %b: tensor<2x3x5x6xbf16>) -> tensor<2x3x4x6xbf16> {
  %0 = loom.matmul %a, %b : (tensor<2x3x4x5xbf16>, tensor<2x3x5x6xbf16>) -> tensor<2x3x4x6xbf16>
  return %0 : tensor<2x3x4x6xbf16>
}

// -----

// Tests that batch dims that broadcast make one contraction linalg.generic
// whose maps broadcast each operand's batch dims.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d4, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: %[[P:.*]] = arith.mulf
// CHECK: arith.addf %{{.*}}, %[[P]]
func.func @matmul_broadcast(%a: tensor<2x4x5xf32>, %b: tensor<3x1x5x6xf32>) -> tensor<3x2x4x6xf32> {
  %0 = loom.matmul %a, %b : (tensor<2x4x5xf32>, tensor<3x1x5x6xf32>) -> tensor<3x2x4x6xf32>
  return %0 : tensor<3x2x4x6xf32>
}

// -----

// Tests conv2d: zero padding by fill and insert_slice, then
// linalg.conv_2d_nchw_fchw with the strides and dilations.
// CHECK-LABEL: func.func @conv2d
// CHECK: %[[P:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : tensor<1x3x8x8xf32> into tensor<1x3x10x10xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %arg1 : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = loom.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Tests that a grouped conv2d is linalg.conv_2d_ngchw_gfchw on the channels
// split into (groups, channels per group).
// CHECK-LABEL: func.func @conv2d_grouped
// CHECK-DAG: %[[X:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8]
// CHECK-DAG: %[[W:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[Y:.*]] = linalg.conv_2d_ngchw_gfchw {{.*}} ins(%[[X]], %[[W]] : tensor<1x2x2x8x8xf32>, tensor<2x3x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x6x6xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
func.func @conv2d_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = loom.conv2d %x, %w {groups = 2} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests conv2d_backward_input as a gather: dy spread (stride 2, offset
// dilation * (KH - 1) - pad) into zeros, then one linalg.generic reading it
// at iy + 2 - ky.
// CHECK-DAG: #[[Z:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 - d6 + 2, d4 - d7 + 2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv2d_backward_input
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 4, 4, 4] [1, 1, 2, 2] : tensor<1x4x4x4xf32> into tensor<1x4x10x10xf32>
// CHECK: linalg.generic {indexing_maps = [#[[Z]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x3x8x8xf32>)
func.func @conv2d_backward_input(%dy: tensor<1x4x4x4xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  %0 = loom.conv2d_backward_input %dy, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests conv2d_backward_filter as one linalg.generic reducing over
// (n, oy, ox) and reading the padded input at oy * stride + ky * dilation.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 * 2 + d3, d7 * 2 + d4)>
// CHECK-DAG: #[[DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>
// CHECK-LABEL: func.func @conv2d_backward_filter
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[DY]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<1x4x3x3x3xf32>)
func.func @conv2d_backward_filter(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x4x4xf32>) -> tensor<4x3x3x3xf32> {
  %0 = loom.conv2d_backward_filter %x, %dy {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<1x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}
