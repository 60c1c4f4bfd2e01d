// RUN: loom-opt %s --split-input-file --loom-fuse --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s

// Tests a Linear with its bias, GELU and residual add: the matmul and the
// three ops after it are one contraction group at the last member, whose
// location fuses the members' locations.
// CHECK-LABEL: func.func @linear_gelu_residual
// CHECK: %[[G:.*]] = loom.fusion_group contraction(%arg0, %arg1, %arg2, %arg3) : (tensor<8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32> {
// CHECK-NEXT: ^bb0(%[[X:[^:]*]]: tensor<8x16xf32> {{.*}}, %[[W:[^:]*]]: tensor<32x16xf32> {{.*}}, %[[B:[^:]*]]: tensor<32xf32> {{.*}}, %[[R:[^:]*]]: tensor<8x32xf32> {{.*}}):
// CHECK-NEXT: %[[M:.*]] = loom.matmul %[[X]], %[[W]] transpose_rhs
// CHECK-NEXT: %[[S:.*]] = loom.add %[[M]], %[[B]]
// CHECK-NEXT: %[[A:.*]] = loom.gelu %[[S]]
// CHECK-NEXT: %[[T:.*]] = loom.add %[[R]], %[[A]]
// CHECK-NEXT: loom.yield %[[T]] : tensor<8x32xf32>
// CHECK-NEXT: } loc(fused<"contraction_group">["a.loom":1:1, "a.loom":2:1, "a.loom":3:1, "a.loom":4:1])
// CHECK-NEXT: return %[[G]]
func.func @linear_gelu_residual(%x: tensor<8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<32xf32>, %r: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = loom.matmul %x, %w transpose_rhs : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32> loc("a.loom":1:1)
  %s = loom.add %m, %b : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> loc("a.loom":2:1)
  %g = loom.gelu %s : tensor<8x32xf32> loc("a.loom":3:1)
  %t = loom.add %r, %g : tensor<8x32xf32> loc("a.loom":4:1)
  return %t : tensor<8x32xf32>
}

// -----

// Tests that a value another op reads ends the epilogue: the pre-activation
// that a backward keeps is the group's result, and the GELU after it is
// left to the elementwise rule (a post-op's input is never stored).
// CHECK-LABEL: func.func @pre_activation_kept
// CHECK: %[[G:.*]] = loom.fusion_group contraction(%arg0, %arg1, %arg2)
// CHECK: loom.matmul
// CHECK-NEXT: %[[S:.*]] = loom.add
// CHECK-NEXT: loom.yield %[[S]]
// CHECK: %[[A:.*]] = loom.gelu %[[G]]
// CHECK: return %[[A]], %[[G]]
func.func @pre_activation_kept(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %b: tensor<32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %m = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %s = loom.add %m, %b : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %g = loom.gelu %s : tensor<8x32xf32>
  return %g, %s : tensor<8x32xf32>, tensor<8x32xf32>
}

// -----

// Tests that the matmul's own value read by another op makes no group, and
// that its consumers then fuse as an elementwise group.
// CHECK-LABEL: func.func @matmul_read_twice
// CHECK: %[[M:.*]] = loom.matmul
// CHECK: loom.fusion_group elementwise(%[[M]], %arg2)
// CHECK-NOT: contraction
func.func @matmul_read_twice(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %b: tensor<32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %m = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %s = loom.add %m, %b : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %r = loom.relu %s : tensor<8x32xf32>
  return %r, %m : tensor<8x32xf32>, tensor<8x32xf32>
}

// -----

// Tests that a consumer without a post-op (exp) ends the epilogue: the group
// is the matmul and its ReLU; the exp is a kernel of its own.
// CHECK-LABEL: func.func @no_post_op
// CHECK: %[[G:.*]] = loom.fusion_group contraction(%arg0, %arg1)
// CHECK: loom.relu
// CHECK-NEXT: loom.yield
// CHECK: loom.exp %[[G]]
func.func @no_post_op(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>) -> tensor<8x32xf32> {
  %m = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %r = loom.relu %m : tensor<8x32xf32>
  %e = loom.exp %r : tensor<8x32xf32>
  return %e : tensor<8x32xf32>
}

// -----

// Tests the operands a binary post-op cannot read: a column bias ([M, 1]
// broadcasts along the rows, not as a row), a constant (no storage), an
// operand the result broadcasts (the result would not be the matmul's
// shape), and the matmul's value as the rhs of a sub. None makes a group.
// CHECK-LABEL: func.func @not_post_op_operands
// CHECK-NOT: contraction
// CHECK: return
func.func @not_post_op_operands(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %col: tensor<8x1xf32>, %big: tensor<2x8x32xf32>, %y: tensor<8x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>, tensor<2x8x32xf32>, tensor<8x32xf32>) {
  %m0 = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %a0 = loom.add %m0, %col : (tensor<8x32xf32>, tensor<8x1xf32>) -> tensor<8x32xf32>
  %m1 = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %c = loom.constant dense<0.5> : tensor<32xf32>
  %a1 = loom.add %m1, %c : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %m2 = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %a2 = loom.add %m2, %big : (tensor<8x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %m3 = loom.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %a3 = loom.sub %y, %m3 : tensor<8x32xf32>
  return %a0, %a1, %a2, %a3 : tensor<8x32xf32>, tensor<8x32xf32>, tensor<2x8x32xf32>, tensor<8x32xf32>
}

// -----

// Tests the operands a binary post-op can read besides a bias: a row after
// another post-op, a same-shaped tensor as the lhs of a sub and one element;
// and the matmul's value on either side of a commutative op.
// CHECK-LABEL: func.func @post_op_operands
// CHECK: loom.fusion_group contraction(%arg0, %arg1, %arg2, %arg3, %arg4)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: loom.matmul
// CHECK-NEXT: loom.tanh
// CHECK-NEXT: loom.mul
// CHECK-NEXT: loom.sub
// CHECK-NEXT: loom.div
// CHECK-NEXT: loom.yield
func.func @post_op_operands(%x: tensor<2x8x16xf32>, %w: tensor<16x32xf32>, %row: tensor<1x32xf32>, %y: tensor<2x8x32xf32>, %s: tensor<1x1x1xf32>) -> tensor<2x8x32xf32> {
  %m = loom.matmul %x, %w : (tensor<2x8x16xf32>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
  %t = loom.tanh %m : tensor<2x8x32xf32>
  %a = loom.mul %row, %t : (tensor<1x32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %b = loom.sub %a, %y : tensor<2x8x32xf32>
  %c = loom.div %b, %s : (tensor<2x8x32xf32>, tensor<1x1x1xf32>) -> tensor<2x8x32xf32>
  return %c : tensor<2x8x32xf32>
}

// -----

// Tests that a matmul of integers, or of a constant operand, takes no
// epilogue (post-ops compute in f32 on values with storage).
// CHECK-LABEL: func.func @not_heads
// CHECK-NOT: contraction
// CHECK: return
func.func @not_heads(%x: tensor<8x16xi32>, %w: tensor<16x32xi32>, %b: tensor<32xi32>, %xf: tensor<8x16xf32>, %bf: tensor<32xf32>) -> (tensor<8x32xi32>, tensor<8x32xf32>) {
  %m = loom.matmul %x, %w : (tensor<8x16xi32>, tensor<16x32xi32>) -> tensor<8x32xi32>
  %s = loom.add %m, %b : (tensor<8x32xi32>, tensor<32xi32>) -> tensor<8x32xi32>
  %wc = loom.constant dense<1.0> : tensor<16x32xf32>
  %mf = loom.matmul %xf, %wc : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %sf = loom.add %mf, %bf : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %s, %sf : tensor<8x32xi32>, tensor<8x32xf32>
}
