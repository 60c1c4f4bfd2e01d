// RUN: loom-opt %s --split-input-file --loom-fuse --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s

// Tests an elementwise chain with a broadcast input (the bias) and a cloned
// constant: one group at the last member, yielding the one value read
// outside; the group's location fuses its members' distinct locations.
// CHECK-LABEL: func.func @chain
// CHECK: %[[G:.*]] = loom.fusion_group elementwise(%arg0, %arg1) : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<8x16xf32> {{.*}}, %[[B:.*]]: tensor<16xf32> {{.*}}):
// CHECK-NEXT: %[[H:.*]] = loom.constant dense<5.000000e-01>
// CHECK-NEXT: %[[S:.*]] = loom.add %[[X]], %[[B]]
// CHECK-NEXT: %[[R:.*]] = loom.relu %[[S]]
// CHECK-NEXT: %[[M:.*]] = loom.mul %[[R]], %[[H]]
// CHECK-NEXT: loom.yield %[[M]] : tensor<8x16xf32>
// CHECK-NEXT: } loc(fused<"fusion_group">["a.loom":1:1, "a.loom":2:1, "a.loom":3:1])
// CHECK-NEXT: return %[[G]]
func.func @chain(%x: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %s = loom.add %x, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32> loc("a.loom":1:1)
  %r = loom.relu %s : tensor<8x16xf32> loc("a.loom":2:1)
  %h = loom.constant dense<0.5> : tensor<f32> loc("a.loom":3:1)
  %m = loom.mul %r, %h : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32> loc("a.loom":3:1)
  return %m : tensor<8x16xf32>
}

// -----

// Tests that an op joining two chains (Adam's m / (sqrt(v) + eps)) merges
// their groups: one group, whose results are the values read outside.
// CHECK-LABEL: func.func @two_chains
// CHECK: %[[G:.*]]:3 = loom.fusion_group elementwise(%arg0, %arg2, %arg1) : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>)
// CHECK-COUNT-6: loom.
// CHECK: loom.yield
// CHECK-NOT: loom.fusion_group
// CHECK: return %[[G]]#0, %[[G]]#1, %[[G]]#2
func.func @two_chains(%m: tensor<4x4xf32>, %v: tensor<4x4xf32>, %g: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %m1 = loom.add %m, %g : tensor<4x4xf32>
  %g2 = loom.mul %g, %g : tensor<4x4xf32>
  %v1 = loom.add %v, %g2 : tensor<4x4xf32>
  %s = loom.sqrt %v1 : tensor<4x4xf32>
  %e = loom.constant dense<1.0e-8> : tensor<f32>
  %d = loom.add %s, %e : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %u = loom.div %m1, %d : tensor<4x4xf32>
  return %m1, %v1, %u : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Tests a reduction with its elementwise producers (a squared norm): one
// reduction group that yields the reduced value alone.
// CHECK-LABEL: func.func @norm
// CHECK: %[[G:.*]] = loom.fusion_group reduction(%arg0) : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: loom.mul
// CHECK: loom.reduce sum
// CHECK: loom.yield
// CHECK: loom.sqrt %[[G]]
func.func @norm(%g: tensor<4x8xf32>) -> tensor<f32> {
  %h = loom.constant dense<2.0> : tensor<f32>
  %a = loom.mul %g, %h : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %sq = loom.mul %a, %a : tensor<4x8xf32>
  %s = loom.reduce sum %sq dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
  %n = loom.sqrt %s : tensor<f32>
  return %n : tensor<f32>
}

// -----

// Tests that a reduction does not take a group whose value is also read
// elsewhere (a fused reduction yields the reduced value alone): the
// elementwise group stays, the reduction is a kernel of its own.
// CHECK-LABEL: func.func @shared_square
// CHECK: %[[G:.*]] = loom.fusion_group elementwise
// CHECK: loom.yield
// CHECK-NEXT: }
// CHECK-NEXT: loom.reduce sum %[[G]]
// CHECK-NOT: loom.fusion_group
func.func @shared_square(%g: tensor<4x8xf32>) -> (tensor<f32>, tensor<4x8xf32>) {
  %a = loom.neg %g : tensor<4x8xf32>
  %sq = loom.mul %a, %a : tensor<4x8xf32>
  %s = loom.reduce sum %sq dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %s, %sq : tensor<f32>, tensor<4x8xf32>
}

// -----

// Tests that a group an op outside reads stands before that op: no later op
// joins it (it would need a value computed after it), so the chain after
// the matmul is a group of its own (not the matmul's epilogue: a sub that
// reads the matmul's value as its rhs has no post-op).
// CHECK-LABEL: func.func @sealed
// CHECK: %[[A:.*]] = loom.fusion_group elementwise(%arg0)
// CHECK: %[[P:.*]] = loom.matmul %[[A]], %[[A]]
// CHECK: loom.fusion_group elementwise(%[[A]], %[[P]])
// CHECK-NOT: loom.fusion_group
func.func @sealed(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = loom.neg %x : tensor<4x4xf32>
  %b = loom.exp %a : tensor<4x4xf32>
  %p = loom.matmul %b, %b : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = loom.sub %b, %p : tensor<4x4xf32>
  %d = loom.tanh %c : tensor<4x4xf32>
  return %d : tensor<4x4xf32>
}

// -----

// Tests that a value of a smaller shape is not broadcast inside a group (it
// would be recomputed for every element it is spread over): the row sums'
// chain and the full-size chain are separate groups.
// CHECK-LABEL: func.func @no_broadcast_inside
// CHECK: %[[R:.*]] = loom.fusion_group elementwise(%arg1) : (tensor<8xf32>) -> tensor<8xf32>
// CHECK: loom.fusion_group elementwise(%arg0, %[[R]]) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
func.func @no_broadcast_inside(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %e = loom.exp %b : tensor<8xf32>
  %l = loom.log %e : tensor<8xf32>
  %y = loom.mul %x, %l : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %z = loom.neg %y : tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// Tests what is never fused: a collective (side effects), dropout (random
// numbers), a matmul and a single elementwise op (a group of one is no
// group).
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: loom.fusion_group
// CHECK: loom.all_reduce
// CHECK: loom.dropout
// CHECK: loom.matmul
// CHECK: loom.neg
// CHECK-NOT: loom.fusion_group
func.func @not_fused(%x: tensor<4x4xf32>, %key: tensor<2xi64>) -> tensor<4x4xf32> {
  %a = loom.all_reduce sum %x over ["data"] group_size 2 : tensor<4x4xf32>
  %d = loom.dropout %a, %key rate 5.000000e-01 stream 0 : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<4x4xf32>
  %p = loom.matmul %d, %d : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %n = loom.neg %p : tensor<4x4xf32>
  return %n : tensor<4x4xf32>
}

// -----

// Tests that an iota (no operands) fuses like an elementwise op: the one-hot
// of cross-entropy's gradient (compare with the labels, cast, subtract from
// the probabilities, scale) computes it inside its group instead of reading
// a [rows, classes] tensor of indices. An iota that only a non-fusable op
// reads (a gather's position ids) stays alone.
// CHECK-LABEL: func.func @one_hot
// CHECK: %[[G:.*]] = loom.fusion_group elementwise(%arg1, %arg0) : (tensor<4x1xi32>, tensor<4x10xf32>) -> tensor<4x10xf32> {
// CHECK-NEXT: ^bb0(%[[L:.*]]: tensor<4x1xi32> {{.*}}, %[[P:.*]]: tensor<4x10xf32> {{.*}}):
// CHECK-NEXT: loom.constant
// CHECK-NEXT: %[[I:.*]] = loom.iota dim 1 : tensor<4x10xi32>
// CHECK-NEXT: %[[E:.*]] = loom.compare eq, %[[I]], %[[L]]
// CHECK-NEXT: %[[F:.*]] = loom.cast %[[E]]
// CHECK-NEXT: %[[D:.*]] = loom.sub %[[P]], %[[F]]
// CHECK-NEXT: loom.mul %[[D]]
// CHECK: loom.yield
// CHECK: %[[POS:.*]] = loom.iota dim 0 : tensor<4xi32>
// CHECK-NEXT: loom.gather %arg2[%[[POS]]]
func.func @one_hot(%p: tensor<4x10xf32>, %labels: tensor<4x1xi32>, %table: tensor<8x3xf32>) -> (tensor<4x10xf32>, tensor<4x3xf32>) {
  %i = loom.iota dim 1 : tensor<4x10xi32>
  %e = loom.compare eq, %i, %labels : (tensor<4x10xi32>, tensor<4x1xi32>) -> tensor<4x10xi1>
  %f = loom.cast %e : tensor<4x10xi1> to tensor<4x10xf32>
  %d = loom.sub %p, %f : tensor<4x10xf32>
  %s = loom.constant dense<0.25> : tensor<f32>
  %g = loom.mul %d, %s : (tensor<4x10xf32>, tensor<f32>) -> tensor<4x10xf32>
  %pos = loom.iota dim 0 : tensor<4xi32>
  %rows = loom.gather %table[%pos] axis 0 : (tensor<8x3xf32>, tensor<4xi32>) -> tensor<4x3xf32>
  return %g, %rows : tensor<4x10xf32>, tensor<4x3xf32>
}
