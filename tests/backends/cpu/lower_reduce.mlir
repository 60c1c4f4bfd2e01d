// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s

// Tests that reduce max is a linalg.generic with a reduction iterator from
// -inf, NaN-propagating (arith.maximumf), and that keep_dims expands the
// result back.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_max_keep_dims
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[E]] : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[X]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[M]] : f32
// CHECK: tensor.expand_shape %[[R]] {{\[\[}}0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
func.func @reduce_max_keep_dims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = loom.reduce max %x dims [1] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Tests the identities of min on integers and of sum.
// CHECK-LABEL: func.func @reduce_identities
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
// CHECK: arith.constant 0 : i64
// CHECK: arith.addi
func.func @reduce_identities(%x: tensor<4x5xi32>, %y: tensor<4x5xi64>) -> (tensor<5xi32>, tensor<i64>) {
  %0 = loom.reduce min %x dims [0] : tensor<4x5xi32> -> tensor<5xi32>
  %1 = loom.reduce sum %y dims [0, 1] : tensor<4x5xi64> -> tensor<i64>
  return %0, %1 : tensor<5xi32>, tensor<i64>
}

// -----

// Tests that a bf16 mean accumulates in f32, then divides and rounds once
// in one elementwise generic.
// CHECK-LABEL: func.func @reduce_mean_bf16
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x3xbf16>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf32>) outs(%{{.*}} : tensor<3xbf16>)
// CHECK: %[[D:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %[[D]] : f32 to bf16
func.func @reduce_mean_bf16(%x: tensor<2x3xbf16>) -> tensor<3xbf16> {
  %0 = loom.reduce mean %x dims [0] : tensor<2x3xbf16> -> tensor<3xbf16>
  return %0 : tensor<3xbf16>
}

// -----

// Tests the stable softmax: max, then sum of exp(x - max), then
// exp(x - max) / sum; log_softmax ends in x - max - log(sum).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK: %[[M:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%arg0, %[[M]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]], #[[ROWS]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%arg0, %[[M]], %[[S]] : tensor<2x8xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: %[[SH:.*]] = arith.subf
// CHECK: %[[EX:.*]] = math.exp %[[SH]]
// CHECK: arith.divf %[[EX]]
// CHECK-LABEL: func.func @log_softmax
// CHECK: %[[SH:.*]] = arith.subf
// CHECK: %[[LOG:.*]] = math.log
// CHECK: arith.subf %[[SH]], %[[LOG]]
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = loom.softmax %x dim 1 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
func.func @log_softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = loom.log_softmax %x dim 1 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests layer_norm: mean and biased variance over the trailing dims that
// scale has, rstd = 1 / sqrt(var + eps), then (x - mean) * rstd * scale + bias
// with scale and bias read through trailing broadcast maps.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[TRAIL:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.divf %{{.*}}, %cst{{.*}} : f32
// CHECK: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.sqrt
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]], #[[ROWS]], #[[TRAIL]], #[[TRAIL]], #[[ID]]]
func.func @layer_norm(%x: tensor<4x2x8xf32>, %g: tensor<2x8xf32>, %b: tensor<2x8xf32>) -> tensor<4x2x8xf32> {
  %0 = loom.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<4x2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<4x2x8xf32>
  return %0 : tensor<4x2x8xf32>
}

// -----

// Tests cross_entropy: a label range check, logsumexp over the classes, the
// label's logit read with tensor.extract, then the mean over examples.
// CHECK-LABEL: func.func @cross_entropy
// CHECK: cf.assert %{{.*}}, "loom.cross_entropy label out of range [0, 10)"
// CHECK: %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[S]], %arg1 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>)
// CHECK: %[[E:.*]] = linalg.index 0 : index
// CHECK: %[[C:.*]] = arith.minsi
// CHECK: %[[PICK:.*]] = tensor.extract %arg0[%[[E]], %[[C]]] : tensor<4x10xf32>
// CHECK: %[[LOG:.*]] = math.log
// CHECK: %[[LSE:.*]] = arith.addf %{{.*}}, %[[LOG]]
// CHECK: arith.subf %[[LSE]], %[[PICK]]
// CHECK: %[[T:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[L]] : tensor<4xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: linalg.generic {{.*}} ins(%[[T]] : tensor<f32>) outs(%{{.*}} : tensor<f32>)
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: arith.divf
func.func @cross_entropy(%x: tensor<4x10xf32>, %l: tensor<4xi32>) -> tensor<f32> {
  %0 = loom.cross_entropy mean %x, %l : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}
