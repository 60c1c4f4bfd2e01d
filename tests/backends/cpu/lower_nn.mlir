// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s

// Tests attention's decomposition with (batch, head) dims merged:
// batch_matmul_transpose_b, scale 1/sqrt(16) and the causal mask (s > t
// gets -inf), a stable softmax over s, batch_matmul with v.
// CHECK-LABEL: func.func @attention_causal
// CHECK: %[[Q:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x4x8x16xf32> into tensor<8x8x16xf32>
// CHECK: %[[K:.*]] = tensor.collapse_shape %arg1
// CHECK: %[[V:.*]] = tensor.collapse_shape %arg2
// CHECK: %[[S:.*]] = linalg.batch_matmul_transpose_b ins(%[[Q]], %[[K]] : tensor<8x8x16xf32>, tensor<8x8x16xf32>) outs(%{{.*}} : tensor<8x8x8xf32>)
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<8x8x8xf32>)
// CHECK: %[[SC:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[T:.*]] = linalg.index 1 : index
// CHECK: %[[SI:.*]] = linalg.index 2 : index
// CHECK: %[[FUT:.*]] = arith.cmpi sgt, %[[SI]], %[[T]] : index
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: arith.select %[[FUT]], %[[NEGINF]], %[[SC]] : f32
// CHECK: %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[L]] : tensor<8x8x8xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[L]], %[[M]] : tensor<8x8x8xf32>, tensor<8x8xf32>)
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[L]], %[[M]], %[[SUM]] : tensor<8x8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>)
// CHECK: %[[O:.*]] = linalg.batch_matmul ins(%[[P]], %[[V]] : tensor<8x8x8xf32>, tensor<8x8x16xf32>) outs(%{{.*}} : tensor<8x8x16xf32>)
// CHECK: tensor.expand_shape %[[O]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 8, 16]
func.func @attention_causal(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %0 = loom.attention %q, %k, %v causal : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %0 : tensor<2x4x8x16xf32>
}

// -----

// Tests attention on rank-2 operands with an explicit scale and no mask.
// CHECK-LABEL: func.func @attention_scale
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK-NOT: linalg.index
// CHECK: linalg.batch_matmul
func.func @attention_scale(%q: tensor<4x8xf32>, %k: tensor<6x8xf32>, %v: tensor<6x2xf32>) -> tensor<4x2xf32> {
  %0 = loom.attention %q, %k, %v {scale = 5.000000e-01 : f64} : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Tests dropout: the round keys of Philox-4x32-10 from the key tensor's
// seed outside the loop, then per element the counter (flat index / 4 in
// two words, stream, step), ten rounds of arith.mului_extended, the lane
// (flat index % 4), a 24-bit uniform compared with the rate, and the
// scaling by 1 / (1 - rate) in f64.
// CHECK-LABEL: func.func @dropout
// CHECK: %[[SEED:.*]] = tensor.extract %arg1[%c0] : tensor<2xi64>
// CHECK: %[[STEP:.*]] = tensor.extract %arg1[%c1] : tensor<2xi64>
// CHECK: %[[K0:.*]] = arith.trunci %[[SEED]] : i64 to i32
// CHECK: %[[HI:.*]] = arith.shrui %[[SEED]], %c32_i64 : i64
// CHECK: %[[K1:.*]] = arith.trunci %[[HI]] : i64 to i32
// CHECK: %[[K0R1:.*]] = arith.addi %[[K0]], %c-1640531527_i32
// CHECK: arith.trunci %[[STEP]] : i64 to i32
// CHECK: linalg.generic
// CHECK: %[[I0:.*]] = linalg.index 0 : index
// CHECK: %[[I1:.*]] = linalg.index 1 : index
// CHECK: %[[FLAT:.*]] = arith.index_castui %{{.*}} : index to i64
// CHECK: %[[BLOCK:.*]] = arith.shrui %[[FLAT]], %c2_i64 : i64
// CHECK: %[[LANE:.*]] = arith.andi %[[FLAT]], %c3_i64 : i64
// CHECK: %c3_i32 = arith.constant 3 : i32
// CHECK-COUNT-20: arith.mului_extended
// CHECK: %[[BITS:.*]] = arith.shrui %{{.*}}, %c8_i32 : i32
// CHECK: %[[U24:.*]] = arith.uitofp %[[BITS]] : i32 to f64
// CHECK: %[[U:.*]] = arith.mulf %[[U24]], %cst{{.*}} : f64
// CHECK: %[[KEEP:.*]] = arith.cmpf oge, %[[U]], %cst{{.*}} : f64
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[Y:.*]] = arith.mulf %[[X]], %cst{{.*}} : f64
// CHECK: %[[R:.*]] = arith.select %[[KEEP]], %[[Y]], %cst{{.*}} : f64
// CHECK: arith.truncf %[[R]] : f64 to f32
func.func @dropout(%x: tensor<4x8xf32>, %key: tensor<2xi64>) -> tensor<4x8xf32> {
  %0 = loom.dropout %x, %key rate 1.000000e-01 stream 3 : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that dropout with rate 0 is the identity.
// CHECK-LABEL: func.func @dropout_rate_zero
// CHECK-NEXT: return %arg0
func.func @dropout_rate_zero(%x: tensor<4x8xf32>, %key: tensor<2xi64>) -> tensor<4x8xf32> {
  %0 = loom.dropout %x, %key rate 0.000000e+00 stream 3 : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
