// RUN: loom-opt %s --split-input-file --loom-decompose-attention | FileCheck %s --check-prefixes=CHECK,FLASH
// RUN: loom-opt %s --split-input-file --loom-decompose-attention=flash=false | FileCheck %s --check-prefixes=CHECK,NOFLASH

// Tests that f32 causal attention becomes loom.attention_with_lse for the
// flash kernel (its lse unused here), and without flash P @ v with
// P = softmax(select(col <= row, q k^T / sqrt(D), -inf)), the ops oneDNN
// runs, with the scale 1/sqrt(8).
// CHECK-LABEL: func.func @attention_f32(
// CHECK-SAME: %[[Q:.*]]: tensor<1x2x4x8xf32>, %[[K:.*]]: tensor<1x2x4x8xf32>, %[[V:.*]]: tensor<1x2x4x8xf32>)
// FLASH-NEXT: %[[O:.*]], %{{.*}} = loom.attention_with_lse %[[Q]], %[[K]], %[[V]] causal : {{.*}} -> (tensor<1x2x4x8xf32>, tensor<1x2x4xf32>)
// FLASH-NEXT: return %[[O]]
// NOFLASH: %[[SCALE:.*]] = loom.constant dense<0.353553385> : tensor<f32>
// NOFLASH: %[[S:.*]] = loom.matmul %[[Q]], %[[K]] transpose_rhs
// NOFLASH: %[[M:.*]] = loom.mul %[[S]], %[[SCALE]]
// NOFLASH: %[[ROW:.*]] = loom.iota dim 0 : tensor<4x4xi64>
// NOFLASH: %[[COL:.*]] = loom.iota dim 1 : tensor<4x4xi64>
// NOFLASH: %[[ALLOWED:.*]] = loom.compare le, %[[COL]], %[[ROW]]
// NOFLASH: %[[NEGINF:.*]] = loom.constant dense<0xFF800000> : tensor<f32>
// NOFLASH: %[[A:.*]] = loom.select %[[ALLOWED]], %[[M]], %[[NEGINF]]
// NOFLASH: %[[P:.*]] = loom.softmax %[[A]] dim 3
// NOFLASH: %[[O:.*]] = loom.matmul %[[P]], %[[V]] :
// NOFLASH: return %[[O]]
// CHECK-NOT: loom.attention
func.func @attention_f32(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %r = loom.attention %q, %k, %v causal : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %r : tensor<1x2x4x8xf32>
}

// -----

// Tests that the gradient's pair (attention_with_lse for the lse, then
// attention_backward) is kept whole for the flash kernels, and without
// flash becomes the probabilities recomputed and the gradient's matmuls,
// the attention_with_lse that only the backward read erased.
// CHECK-LABEL: func.func @attention_backward_f32(
// FLASH: %[[O:.*]], %[[LSE:.*]] = loom.attention_with_lse %arg0, %arg1, %arg2 causal
// FLASH: = loom.attention_backward %arg0, %arg1, %arg2, %arg3, %arg4, %[[LSE]] causal
// NOFLASH-NOT: loom.attention
// NOFLASH: %[[P:.*]] = loom.softmax %{{.*}} dim 2
// NOFLASH: %[[DV:.*]] = loom.matmul %[[P]], %arg4 transpose_lhs
// NOFLASH: %[[DP:.*]] = loom.matmul %arg4, %arg2 transpose_rhs
// NOFLASH: %[[PROD:.*]] = loom.mul %[[DP]], %[[P]]
// NOFLASH: %[[SUM:.*]] = loom.reduce sum %[[PROD]] dims [2] keep_dims
// NOFLASH: %[[C:.*]] = loom.sub %[[DP]], %[[SUM]]
// NOFLASH: %[[DS:.*]] = loom.mul %[[P]], %[[C]]
// NOFLASH: %[[DSK:.*]] = loom.matmul %[[DS]], %arg1 :
// NOFLASH: %[[DQ:.*]] = loom.mul %[[DSK]],
// NOFLASH: %[[DSQ:.*]] = loom.matmul %[[DS]], %arg0 transpose_lhs
// NOFLASH: %[[DK:.*]] = loom.mul %[[DSQ]],
// NOFLASH: return %[[DQ]], %[[DK]], %[[DV]]
// CHECK-NOT: loom.attention
func.func @attention_backward_f32(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>, %o: tensor<2x4x8xf32>, %do: tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %o2, %lse = loom.attention_with_lse %q, %k, %v causal : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>)
  %dq, %dk, %dv = loom.attention_backward %q, %k, %v, %o, %do, %lse causal : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>)
  return %dq, %dk, %dv : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>
}

// -----

// Tests that an attention_with_lse whose lse is used is spelled out without
// flash, the lse as max + log(sum(exp(scores - max))) over the keys, with
// the op's scale.
// CHECK-LABEL: func.func @attention_with_lse_used(
// FLASH-NEXT: loom.attention_with_lse %arg0, %arg1, %arg2 {scale = 5.000000e-01 : f64}
// NOFLASH: %[[HALF:.*]] = loom.constant dense<5.000000e-01> : tensor<f32>
// NOFLASH: %[[RAW:.*]] = loom.matmul %arg0, %arg1 transpose_rhs
// NOFLASH: %[[S:.*]] = loom.mul %[[RAW]], %[[HALF]]
// NOFLASH: %[[P:.*]] = loom.softmax %[[S]] dim 1
// NOFLASH: %[[O:.*]] = loom.matmul %[[P]], %arg2 :
// NOFLASH: %[[M:.*]] = loom.reduce max %[[S]] dims [1] keep_dims
// NOFLASH: %[[SH:.*]] = loom.sub %[[S]], %[[M]]
// NOFLASH: %[[E:.*]] = loom.exp %[[SH]]
// NOFLASH: %[[SUM:.*]] = loom.reduce sum %[[E]] dims [1] keep_dims
// NOFLASH: %[[LOG:.*]] = loom.log %[[SUM]]
// NOFLASH: %[[L:.*]] = loom.add %[[LOG]], %[[M]]
// NOFLASH: %[[LSE:.*]] = loom.reshape %[[L]] : tensor<4x1xf32> to tensor<4xf32>
// NOFLASH: return %[[O]], %[[LSE]]
func.func @attention_with_lse_used(%q: tensor<4x8xf32>, %k: tensor<6x8xf32>, %v: tensor<6x3xf32>) -> (tensor<4x3xf32>, tensor<4xf32>) {
  %o, %lse = loom.attention_with_lse %q, %k, %v {scale = 0.5 : f64} : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6x3xf32>) -> (tensor<4x3xf32>, tensor<4xf32>)
  return %o, %lse : tensor<4x3xf32>, tensor<4xf32>
}

// -----

// Tests that attention on bf16, which neither oneDNN nor the flash kernels
// run here, is kept whole for a generated kernel, and that its gradient's
// pair is spelled out in either mode.
// CHECK-LABEL: func.func @attention_bf16(
// CHECK-NEXT: %[[R:.*]] = loom.attention
// CHECK-NEXT: return %[[R]]
func.func @attention_bf16(%q: tensor<2x4x8xbf16>, %k: tensor<2x4x8xbf16>, %v: tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16> {
  %r = loom.attention %q, %k, %v : (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16>
  return %r : tensor<2x4x8xbf16>
}
// CHECK-LABEL: func.func @attention_backward_bf16(
// CHECK-NOT: loom.attention
// CHECK: loom.softmax
// CHECK-NOT: loom.attention
// CHECK: return
func.func @attention_backward_bf16(%q: tensor<2x4x8xbf16>, %k: tensor<2x4x8xbf16>, %v: tensor<2x4x8xbf16>, %o: tensor<2x4x8xbf16>, %do: tensor<2x4x8xbf16>) -> (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>) {
  %o2, %lse = loom.attention_with_lse %q, %k, %v : (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>) -> (tensor<2x4x8xbf16>, tensor<2x4xbf16>)
  %dq, %dk, %dv = loom.attention_backward %q, %k, %v, %o, %do, %lse : (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4xbf16>) -> (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>)
  return %dq, %dk, %dv : tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>
}
