// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s

// Tests that max pooling is linalg.pooling_nchw_max from -inf over a
// window-shaped tensor.empty.
// CHECK-LABEL: func.func @pool2d_max
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%arg0, %[[WIN]] : tensor<1x2x6x6xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x3x3xf32>)
// CHECK-NEXT: return %[[Y]]
func.func @pool2d_max(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = loom.pool2d max %x window [2, 2] strides [2, 2] : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Tests that average pooling sums the zero-padded input and divides by each
// window's in-bounds count, min(start + 3, 5) - max(start, 0) per dim.
// CHECK-LABEL: func.func @pool2d_avg
// CHECK: %[[P:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 2, 5, 5] [1, 1, 1, 1]
// CHECK: %[[S:.*]] = linalg.pooling_nchw_sum {{.*}} ins(%[[P]], %{{.*}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<1x2x3x3xf32>)
// CHECK: linalg.index 2 : index
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: linalg.index 3 : index
// CHECK: %[[N:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
func.func @pool2d_avg(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = loom.pool2d avg %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Tests the adjoint of max pooling: a two-result reduction finds each
// window's maximum and its row-major window position, then a gather sums,
// for each input element, the spread gradients whose position is its own.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[SPREAD:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 - d4 + 1, d3 - d5 + 1)>
// CHECK-LABEL: func.func @pool2d_backward_max
// CHECK: %[[ARG:.*]]:2 = linalg.generic {indexing_maps = [#[[X]], #[[WIN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%arg1, %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>) outs(%{{.*}}, %{{.*}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi32>)
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i32
// CHECK: %[[DY:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xf32> into tensor<1x2x7x7xf32>
// CHECK: %[[AT:.*]] = tensor.insert_slice %[[ARG]]#1 into %{{.*}}[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xi32> into tensor<1x2x7x7xi32>
// CHECK: linalg.generic {indexing_maps = [#[[SPREAD]], #[[SPREAD]], #[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[DY]], %[[AT]], %{{.*}} : tensor<1x2x7x7xf32>, tensor<1x2x7x7xi32>, tensor<2x2xf32>)
// CHECK: %[[HIT:.*]] = arith.cmpi eq
// CHECK: %[[SUM:.*]] = arith.addf
// CHECK: arith.select %[[HIT]], %[[SUM]]
func.func @pool2d_backward_max(%dy: tensor<1x2x3x3xf32>, %x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %0 = loom.pool2d_backward max %dy, %x window [2, 2] strides [2, 2] : (tensor<1x2x3x3xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests the adjoint of average pooling under count_include_pad: dy / KH*KW,
// spread, then summed over each input element's windows.
// CHECK-LABEL: func.func @pool2d_backward_avg
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: arith.divf
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 2, 2]
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.addf
func.func @pool2d_backward_avg(%dy: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = loom.pool2d_backward avg %dy window [2, 2] strides [2, 2] {count_include_pad} : (tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}
