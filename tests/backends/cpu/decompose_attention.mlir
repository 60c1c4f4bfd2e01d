// RUN: loom-opt %s --split-input-file --loom-decompose-attention | FileCheck %s

// Tests that f32 causal attention becomes P @ v with
// P = softmax(select(col <= row, q k^T / sqrt(D), -inf)), the ops oneDNN
// runs, with the scale 1/sqrt(8).
// CHECK-LABEL: func.func @attention_f32(
// CHECK-SAME: %[[Q:.*]]: tensor<1x2x4x8xf32>, %[[K:.*]]: tensor<1x2x4x8xf32>, %[[V:.*]]: tensor<1x2x4x8xf32>)
// CHECK: %[[SCALE:.*]] = loom.constant dense<0.353553385> : tensor<f32>
// CHECK: %[[S:.*]] = loom.matmul %[[Q]], %[[K]] transpose_rhs
// CHECK: %[[M:.*]] = loom.mul %[[S]], %[[SCALE]]
// CHECK: %[[ROW:.*]] = loom.iota dim 0 : tensor<4x4xi64>
// CHECK: %[[COL:.*]] = loom.iota dim 1 : tensor<4x4xi64>
// CHECK: %[[ALLOWED:.*]] = loom.compare le, %[[COL]], %[[ROW]]
// CHECK: %[[NEGINF:.*]] = loom.constant dense<0xFF800000> : tensor<f32>
// CHECK: %[[A:.*]] = loom.select %[[ALLOWED]], %[[M]], %[[NEGINF]]
// CHECK: %[[P:.*]] = loom.softmax %[[A]] dim 3
// CHECK: %[[O:.*]] = loom.matmul %[[P]], %[[V]] :
// CHECK: return %[[O]]
// CHECK-NOT: loom.attention
func.func @attention_f32(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %r = loom.attention %q, %k, %v causal : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %r : tensor<1x2x4x8xf32>
}

// -----

// Tests that attention on bf16, which oneDNN does not run here, is kept
// whole for a generated kernel.
// CHECK-LABEL: func.func @attention_bf16(
// CHECK-NEXT: %[[R:.*]] = loom.attention
// CHECK-NEXT: return %[[R]]
func.func @attention_bf16(%q: tensor<2x4x8xbf16>, %k: tensor<2x4x8xbf16>, %v: tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16> {
  %r = loom.attention %q, %k, %v : (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16>
  return %r : tensor<2x4x8xbf16>
}
