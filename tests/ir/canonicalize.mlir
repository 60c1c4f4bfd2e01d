// RUN: loom-opt %s --split-input-file --canonicalize | FileCheck %s
// RUN: loom-opt %s --split-input-file --canonicalize --cse | FileCheck %s --check-prefix=CSE
// RUN: loom-opt %s --split-input-file --canonicalize --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// The folders of ir/LoomFolders.cpp, each with the cases it must fold and the
// cases it must leave alone, in LoomOps.td order; then constant merging and
// what --cse may and may not merge.

// Tests that neg(neg(x)) folds to x.

// CHECK-LABEL: func.func @neg_neg(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @neg_neg(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = loom.neg %x : tensor<4x8xf32>
  %1 = loom.neg %0 : tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// Tests that neg(neg(neg(x))) folds to a single neg of x.

// CHECK-LABEL: func.func @neg_neg_neg(
// CHECK-SAME:    %[[X:.*]]: tensor<8xi32>)
// CHECK-NEXT:    %[[R:.*]] = loom.neg %[[X]] : tensor<8xi32>
// CHECK-NEXT:    return %[[R]] : tensor<8xi32>
func.func @neg_neg_neg(%x: tensor<8xi32>) -> tensor<8xi32> {
  %0 = loom.neg %x : tensor<8xi32>
  %1 = loom.neg %0 : tensor<8xi32>
  %2 = loom.neg %1 : tensor<8xi32>
  return %2 : tensor<8xi32>
}

// -----

// Tests that a single neg does not fold.

// CHECK-LABEL: func.func @neg_single(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.neg %[[X]] : tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
func.func @neg_single(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = loom.neg %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that x + 0.0 folds to x.

// CHECK-LABEL: func.func @add_zero_rhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @add_zero_rhs(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = loom.constant dense<0.0> : tensor<4x8xf32>
  %0 = loom.add %x, %zero : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that x + (-0.0) folds to x.

// CHECK-LABEL: func.func @add_negative_zero_rhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @add_negative_zero_rhs(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = loom.constant dense<-0.0> : tensor<4x8xf32>
  %0 = loom.add %x, %zero : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that 0.0 + x folds to x.

// CHECK-LABEL: func.func @add_zero_lhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xbf16>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xbf16>
func.func @add_zero_lhs(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %zero = loom.constant dense<0.0> : tensor<4x8xbf16>
  %0 = loom.add %zero, %x : tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

// Tests that (-0.0) + x folds to x.

// CHECK-LABEL: func.func @add_negative_zero_lhs(
// CHECK-SAME:    %[[X:.*]]: tensor<16xf16>)
// CHECK-NEXT:    return %[[X]] : tensor<16xf16>
func.func @add_negative_zero_lhs(%x: tensor<16xf16>) -> tensor<16xf16> {
  %zero = loom.constant dense<-0.0> : tensor<16xf16>
  %0 = loom.add %zero, %x : tensor<16xf16>
  return %0 : tensor<16xf16>
}

// -----

// Tests that x + 0 and 0 + x fold to x for integers.

// CHECK-LABEL: func.func @add_zero_int(
// CHECK-SAME:    %[[X:.*]]: tensor<16xi32>, %[[Y:.*]]: tensor<2x2xi64>)
// CHECK-NEXT:    return %[[X]], %[[Y]] : tensor<16xi32>, tensor<2x2xi64>
func.func @add_zero_int(%x: tensor<16xi32>, %y: tensor<2x2xi64>) -> (tensor<16xi32>, tensor<2x2xi64>) {
  %zero32 = loom.constant dense<0> : tensor<16xi32>
  %zero64 = loom.constant dense<0> : tensor<2x2xi64>
  %0 = loom.add %x, %zero32 : tensor<16xi32>
  %1 = loom.add %zero64, %y : tensor<2x2xi64>
  return %0, %1 : tensor<16xi32>, tensor<2x2xi64>
}

// -----

// Tests that x + 0 folds to x when the zero is a smaller shape that broadcasts
// to x's, so that the result type is x's.

// CHECK-LABEL: func.func @add_zero_scalar(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf64>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf64>
func.func @add_zero_scalar(%x: tensor<4x8xf64>) -> tensor<4x8xf64> {
  %zero = loom.constant dense<0.0> : tensor<f64>
  %0 = loom.add %x, %zero : (tensor<4x8xf64>, tensor<f64>) -> tensor<4x8xf64>
  return %0 : tensor<4x8xf64>
}

// -----

// Tests that x + 0 does not fold when the zero broadcasts x to a bigger shape.

// CHECK-LABEL: func.func @add_zero_broadcasts_x(
// CHECK-SAME:    %[[X:.*]]: tensor<8xf32>)
// CHECK-NEXT:    %[[ZERO:.*]] = loom.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[ZERO]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
func.func @add_zero_broadcasts_x(%x: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = loom.constant dense<0.0> : tensor<4x8xf32>
  %0 = loom.add %x, %zero : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that 0 + x does not fold when the zero broadcasts x to a bigger shape
// (4x1 and 1x8 give 4x8); the commutative add only moves the constant right.

// CHECK-LABEL: func.func @add_zero_lhs_broadcasts_x(
// CHECK-SAME:    %[[X:.*]]: tensor<4x1xi32>)
// CHECK-NEXT:    %[[ZERO:.*]] = loom.constant dense<0> : tensor<1x8xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[ZERO]] : (tensor<4x1xi32>, tensor<1x8xi32>) -> tensor<4x8xi32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xi32>
func.func @add_zero_lhs_broadcasts_x(%x: tensor<4x1xi32>) -> tensor<4x8xi32> {
  %zero = loom.constant dense<0> : tensor<1x8xi32>
  %0 = loom.add %zero, %x : (tensor<1x8xi32>, tensor<4x1xi32>) -> tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

// Tests that x + 1 does not fold.

// CHECK-LABEL: func.func @add_one(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT:    %[[ONE:.*]] = loom.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[ONE]] : tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
func.func @add_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = loom.constant dense<1.0> : tensor<4xf32>
  %0 = loom.add %x, %one : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a gradient plus a scatter_add into zeros (a gather's gradient)
// becomes one scatter_add into that gradient, whichever side the scatter is
// on, with the scatter's location first.

// CHECK-LABEL: func.func @add_scatter_add_zeros(
// CHECK-SAME:    %[[G:.*]]: tensor<10x4xf32>, %[[I:.*]]: tensor<3xi32>, %[[U:.*]]: tensor<3x4xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.scatter_add %[[G]][%[[I]]], %[[U]] axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>
// CHECK-NEXT:    %[[R2:.*]] = loom.scatter_add %[[R]][%[[I]]], %[[U]] axis 0
// CHECK-NEXT:    return %[[R2]] : tensor<10x4xf32>
// LOC: #[[GATHER:loc[0-9]+]] = loc("gather.loom":3:5)
// LOC: #[[ADD:loc[0-9]+]] = loc("add.loom":7:1)
// LOC: = loc(fused[#[[GATHER]], #[[ADD]]])
func.func @add_scatter_add_zeros(%g: tensor<10x4xf32>, %i: tensor<3xi32>, %u: tensor<3x4xf32>) -> tensor<10x4xf32> {
  %zero = loom.constant dense<0.0> : tensor<10x4xf32>
  %s = loom.scatter_add %zero[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32> loc("gather.loom":3:5)
  %0 = loom.add %g, %s : tensor<10x4xf32> loc("add.loom":7:1)
  %s2 = loom.scatter_add %zero[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>
  %1 = loom.add %s2, %0 : tensor<10x4xf32>
  return %1 : tensor<10x4xf32>
}

// -----

// Tests that the add stays when the scatter_add has another use (rewriting
// would scatter twice), starts from no zeros, or when the other operand is
// broadcast.

// CHECK-LABEL: func.func @add_scatter_add_kept(
// CHECK:         %[[S:.*]] = loom.scatter_add
// CHECK-NEXT:    loom.add %{{.*}}, %[[S]]
// CHECK-NEXT:    %[[T:.*]] = loom.scatter_add
// CHECK-NEXT:    loom.add %{{.*}}, %[[T]]
// CHECK-NEXT:    %[[V:.*]] = loom.scatter_add
// CHECK-NEXT:    loom.add %{{.*}}, %[[V]]
func.func @add_scatter_add_kept(%g: tensor<10x4xf32>, %b: tensor<4xf32>, %i: tensor<3xi32>, %u: tensor<3x4xf32>) -> (tensor<10x4xf32>, tensor<10x4xf32>, tensor<10x4xf32>, tensor<10x4xf32>) {
  %zero = loom.constant dense<0.0> : tensor<10x4xf32>
  %one = loom.constant dense<1.0> : tensor<10x4xf32>
  %s = loom.scatter_add %zero[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>
  %0 = loom.add %g, %s : tensor<10x4xf32>
  %t = loom.scatter_add %one[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>
  %1 = loom.add %g, %t : tensor<10x4xf32>
  %v = loom.scatter_add %zero[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>
  %2 = loom.add %b, %v : (tensor<4xf32>, tensor<10x4xf32>) -> tensor<10x4xf32>
  return %0, %s, %1, %2 : tensor<10x4xf32>, tensor<10x4xf32>, tensor<10x4xf32>, tensor<10x4xf32>
}

// -----

// Tests that x + c does not fold when c is zero in some elements only.

// CHECK-LABEL: func.func @add_non_splat(
// CHECK-SAME:    %[[X:.*]]: tensor<2xi64>)
// CHECK-NEXT:    %[[C:.*]] = loom.constant dense<[0, 1]> : tensor<2xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[C]] : tensor<2xi64>
// CHECK-NEXT:    return %[[R]] : tensor<2xi64>
func.func @add_non_splat(%x: tensor<2xi64>) -> tensor<2xi64> {
  %c = loom.constant dense<[0, 1]> : tensor<2xi64>
  %0 = loom.add %x, %c : tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Tests that x - 0 folds to x for either sign of float zero and for integers.

// CHECK-LABEL: func.func @sub_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xi64>)
// CHECK-NEXT:    return %[[X]], %[[X]], %[[Y]] : tensor<4xf32>, tensor<4xf32>, tensor<4xi64>
func.func @sub_zero(%x: tensor<4xf32>, %y: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi64>) {
  %zero = loom.constant dense<0.0> : tensor<4xf32>
  %nzero = loom.constant dense<-0.0> : tensor<4xf32>
  %izero = loom.constant dense<0> : tensor<4xi64>
  %0 = loom.sub %x, %zero : tensor<4xf32>
  %1 = loom.sub %x, %nzero : tensor<4xf32>
  %2 = loom.sub %y, %izero : tensor<4xi64>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi64>
}

// -----

// Tests that 0 - x does not fold: it is -x, not x.

// CHECK-LABEL: func.func @sub_zero_lhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT:    %[[ZERO:.*]] = loom.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.sub %[[ZERO]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
func.func @sub_zero_lhs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = loom.constant dense<0.0> : tensor<4xf32>
  %0 = loom.sub %zero, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that x - 0 does not fold when the zero broadcasts x to a bigger shape.

// CHECK-LABEL: func.func @sub_zero_broadcasts_x(
// CHECK-SAME:    %[[X:.*]]: tensor<1xf32>)
// CHECK-NEXT:    %[[ZERO:.*]] = loom.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.sub %[[X]], %[[ZERO]] : (tensor<1xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT:    return %[[R]] : tensor<3xf32>
func.func @sub_zero_broadcasts_x(%x: tensor<1xf32>) -> tensor<3xf32> {
  %zero = loom.constant dense<0.0> : tensor<3xf32>
  %0 = loom.sub %x, %zero : (tensor<1xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that x * 1 folds to x.

// CHECK-LABEL: func.func @mul_one_rhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @mul_one_rhs(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = loom.constant dense<1.0> : tensor<4x8xf32>
  %0 = loom.mul %x, %one : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that 1 * x folds to x.

// CHECK-LABEL: func.func @mul_one_lhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xbf16>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xbf16>
func.func @mul_one_lhs(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %one = loom.constant dense<1.0> : tensor<4x8xbf16>
  %0 = loom.mul %one, %x : tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

// Tests that x * 1 and 1 * x fold to x for integers, with a one that
// broadcasts to x's shape.

// CHECK-LABEL: func.func @mul_one_int(
// CHECK-SAME:    %[[X:.*]]: tensor<3x4xi32>, %[[Y:.*]]: tensor<5xi64>)
// CHECK-NEXT:    return %[[X]], %[[Y]] : tensor<3x4xi32>, tensor<5xi64>
func.func @mul_one_int(%x: tensor<3x4xi32>, %y: tensor<5xi64>) -> (tensor<3x4xi32>, tensor<5xi64>) {
  %one32 = loom.constant dense<1> : tensor<i32>
  %one64 = loom.constant dense<1> : tensor<1xi64>
  %0 = loom.mul %x, %one32 : (tensor<3x4xi32>, tensor<i32>) -> tensor<3x4xi32>
  %1 = loom.mul %one64, %y : (tensor<1xi64>, tensor<5xi64>) -> tensor<5xi64>
  return %0, %1 : tensor<3x4xi32>, tensor<5xi64>
}

// -----

// Tests that x * 0, x * -1 and x * 2 do not fold.

// CHECK-LABEL: func.func @mul_not_one(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = loom.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-DAG:     %[[MONE:.*]] = loom.constant dense<-1.000000e+00> : tensor<4xf32>
// CHECK-DAG:     %[[TWO:.*]] = loom.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK:         %[[R0:.*]] = loom.mul %[[X]], %[[ZERO]] : tensor<4xf32>
// CHECK-NEXT:    %[[R1:.*]] = loom.mul %[[X]], %[[MONE]] : tensor<4xf32>
// CHECK-NEXT:    %[[R2:.*]] = loom.mul %[[X]], %[[TWO]] : tensor<4xf32>
// CHECK-NEXT:    return %[[R0]], %[[R1]], %[[R2]]
func.func @mul_not_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = loom.constant dense<0.0> : tensor<4xf32>
  %mone = loom.constant dense<-1.0> : tensor<4xf32>
  %two = loom.constant dense<2.0> : tensor<4xf32>
  %0 = loom.mul %x, %zero : tensor<4xf32>
  %1 = loom.mul %x, %mone : tensor<4xf32>
  %2 = loom.mul %x, %two : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that x * 1 does not fold when the one broadcasts x to a bigger shape.

// CHECK-LABEL: func.func @mul_one_broadcasts_x(
// CHECK-SAME:    %[[X:.*]]: tensor<f16>)
// CHECK-NEXT:    %[[ONE:.*]] = loom.constant dense<1.000000e+00> : tensor<2x2xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.mul %[[X]], %[[ONE]] : (tensor<f16>, tensor<2x2xf16>) -> tensor<2x2xf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x2xf16>
func.func @mul_one_broadcasts_x(%x: tensor<f16>) -> tensor<2x2xf16> {
  %one = loom.constant dense<1.0> : tensor<2x2xf16>
  %0 = loom.mul %x, %one : (tensor<f16>, tensor<2x2xf16>) -> tensor<2x2xf16>
  return %0 : tensor<2x2xf16>
}

// -----

// Tests that x / 1 folds to x for floats and integers.

// CHECK-LABEL: func.func @div_one(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf64>, %[[Y:.*]]: tensor<8xi32>)
// CHECK-NEXT:    return %[[X]], %[[Y]] : tensor<4x8xf64>, tensor<8xi32>
func.func @div_one(%x: tensor<4x8xf64>, %y: tensor<8xi32>) -> (tensor<4x8xf64>, tensor<8xi32>) {
  %one = loom.constant dense<1.0> : tensor<4x8xf64>
  %ione = loom.constant dense<1> : tensor<8xi32>
  %0 = loom.div %x, %one : tensor<4x8xf64>
  %1 = loom.div %y, %ione : tensor<8xi32>
  return %0, %1 : tensor<4x8xf64>, tensor<8xi32>
}

// -----

// Tests that 1 / x does not fold: it is the reciprocal, not x.

// CHECK-LABEL: func.func @div_one_lhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT:    %[[ONE:.*]] = loom.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.div %[[ONE]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
func.func @div_one_lhs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = loom.constant dense<1.0> : tensor<4xf32>
  %0 = loom.div %one, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a cast to the operand's own type folds to the operand.

// CHECK-LABEL: func.func @cast_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @cast_same_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = loom.cast %x : tensor<4x8xf32> to tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that a cast that changes the element type does not fold.

// CHECK-LABEL: func.func @cast_other_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xbf16>
func.func @cast_other_type(%x: tensor<4x8xf32>) -> tensor<4x8xbf16> {
  %0 = loom.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

// Tests that a broadcast to the operand's own type folds to the operand.

// CHECK-LABEL: func.func @broadcast_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @broadcast_same_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = loom.broadcast %x : tensor<4x8xf32> to tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that broadcasting a splat constant folds to a splat of the result type.

// CHECK-LABEL: func.func @broadcast_splat(
// CHECK-NEXT:    %[[C:.*]] = loom.constant dense<7> : tensor<4x8xi32>
// CHECK-NEXT:    return %[[C]] : tensor<4x8xi32>
func.func @broadcast_splat() -> tensor<4x8xi32> {
  %c = loom.constant dense<7> : tensor<8xi32>
  %0 = loom.broadcast %c : tensor<8xi32> to tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

// Tests that broadcast(broadcast(x)) becomes one broadcast of x.

// CHECK-LABEL: func.func @broadcast_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<8xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.broadcast %[[X]] : tensor<8xf32> to tensor<2x4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8xf32>
func.func @broadcast_broadcast(%x: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %0 = loom.broadcast %x : tensor<8xf32> to tensor<4x8xf32>
  %1 = loom.broadcast %0 : tensor<4x8xf32> to tensor<2x4x8xf32>
  return %1 : tensor<2x4x8xf32>
}

// -----

// Tests that broadcasting a non-splat constant does not fold.

// CHECK-LABEL: func.func @broadcast_non_splat(
// CHECK-NEXT:    %[[C:.*]] = loom.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.broadcast %[[C]] : tensor<2xf32> to tensor<3x2xf32>
// CHECK-NEXT:    return %[[R]] : tensor<3x2xf32>
func.func @broadcast_non_splat() -> tensor<3x2xf32> {
  %c = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = loom.broadcast %c : tensor<2xf32> to tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that adding a zero broadcast from a scalar folds away: the broadcast
// folds to a splat zero of x's type, then x + 0 folds to x.

// CHECK-LABEL: func.func @add_broadcast_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @add_broadcast_zero(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = loom.constant dense<0.0> : tensor<f32>
  %b = loom.broadcast %zero : tensor<f32> to tensor<4x8xf32>
  %0 = loom.add %x, %b : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that a reshape to the operand's own type folds to the operand.

// CHECK-LABEL: func.func @reshape_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @reshape_same_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = loom.reshape %x : tensor<4x8xf32> to tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that reshaping a splat constant folds to a splat of the result type.

// CHECK-LABEL: func.func @reshape_splat(
// CHECK-NEXT:    %[[C:.*]] = loom.constant dense<2.500000e+00> : tensor<2x3xf16>
// CHECK-NEXT:    return %[[C]] : tensor<2x3xf16>
func.func @reshape_splat() -> tensor<2x3xf16> {
  %c = loom.constant dense<2.5> : tensor<6xf16>
  %0 = loom.reshape %c : tensor<6xf16> to tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// Tests that reshape(reshape(x)) becomes one reshape of x.

// CHECK-LABEL: func.func @reshape_reshape(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.reshape %[[X]] : tensor<8x256x768xf32> to tensor<2048x12x64xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2048x12x64xf32>
func.func @reshape_reshape(%x: tensor<8x256x768xf32>) -> tensor<2048x12x64xf32> {
  %0 = loom.reshape %x : tensor<8x256x768xf32> to tensor<2048x768xf32>
  %1 = loom.reshape %0 : tensor<2048x768xf32> to tensor<2048x12x64xf32>
  return %1 : tensor<2048x12x64xf32>
}

// -----

// Tests that reshape(reshape(x)) back to x's type folds to x.

// CHECK-LABEL: func.func @reshape_reshape_back(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xi64>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xi64>
func.func @reshape_reshape_back(%x: tensor<4x8xi64>) -> tensor<4x8xi64> {
  %0 = loom.reshape %x : tensor<4x8xi64> to tensor<32xi64>
  %1 = loom.reshape %0 : tensor<32xi64> to tensor<4x8xi64>
  return %1 : tensor<4x8xi64>
}

// -----

// Tests that reshaping a non-splat constant does not fold.

// CHECK-LABEL: func.func @reshape_non_splat(
// CHECK-NEXT:    %[[C:.*]] = loom.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.reshape %[[C]] : tensor<4xi32> to tensor<2x2xi32>
// CHECK-NEXT:    return %[[R]] : tensor<2x2xi32>
func.func @reshape_non_splat() -> tensor<2x2xi32> {
  %c = loom.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %0 = loom.reshape %c : tensor<4xi32> to tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// Tests that an identity transpose folds to its operand.

// CHECK-LABEL: func.func @transpose_identity(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<2x3x4xf32>
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = loom.transpose %x, [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that a non-identity transpose does not fold, even one that keeps the
// type.

// CHECK-LABEL: func.func @transpose_square(
// CHECK-SAME:    %[[X:.*]]: tensor<4x4xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.transpose %[[X]], [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x4xf32>
func.func @transpose_square(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = loom.transpose %x, [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that a transpose of the inverse transpose folds to x.

// CHECK-LABEL: func.func @transpose_transpose_inverse(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<2x3x4xf32>
func.func @transpose_transpose_inverse(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = loom.transpose %x, [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = loom.transpose %0, [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// Tests that two transposes that are not inverses compose into one transpose
// of x with perm[i] = inner[outer[i]]: inner [0, 2, 1, 3] then outer
// [3, 0, 1, 2] give [3, 0, 2, 1] (composing the other way round would give
// [3, 1, 0, 2]).

// CHECK-LABEL: func.func @transpose_transpose_compose(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x4x5xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.transpose %[[X]], [3, 0, 2, 1] : tensor<2x3x4x5xf32> -> tensor<5x2x4x3xf32>
// CHECK-NEXT:    return %[[R]] : tensor<5x2x4x3xf32>
func.func @transpose_transpose_compose(%x: tensor<2x3x4x5xf32>) -> tensor<5x2x4x3xf32> {
  %0 = loom.transpose %x, [0, 2, 1, 3] : tensor<2x3x4x5xf32> -> tensor<2x4x3x5xf32>
  %1 = loom.transpose %0, [3, 0, 1, 2] : tensor<2x4x3x5xf32> -> tensor<5x2x4x3xf32>
  return %1 : tensor<5x2x4x3xf32>
}

// -----

// Tests that a slice of the whole input folds to the input.

// CHECK-LABEL: func.func @slice_whole(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x8xf32>
func.func @slice_whole(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = loom.slice %x start [0, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that strided (stride 2), offset and partial slices do not fold.

// CHECK-LABEL: func.func @slice_not_whole(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT:    %[[R0:.*]] = loom.slice %[[X]] start [0, 0] limit [4, 8] stride [1, 2] : tensor<4x8xf32> -> tensor<4x4xf32>
// CHECK-NEXT:    %[[R1:.*]] = loom.slice %[[X]] start [1, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<3x8xf32>
// CHECK-NEXT:    %[[R2:.*]] = loom.slice %[[X]] start [0, 0] limit [4, 6] stride [1, 1] : tensor<4x8xf32> -> tensor<4x6xf32>
// CHECK-NEXT:    return %[[R0]], %[[R1]], %[[R2]]
func.func @slice_not_whole(%x: tensor<4x8xf32>) -> (tensor<4x4xf32>, tensor<3x8xf32>, tensor<4x6xf32>) {
  %0 = loom.slice %x start [0, 0] limit [4, 8] stride [1, 2] : tensor<4x8xf32> -> tensor<4x4xf32>
  %1 = loom.slice %x start [1, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<3x8xf32>
  %2 = loom.slice %x start [0, 0] limit [4, 6] stride [1, 1] : tensor<4x8xf32> -> tensor<4x6xf32>
  return %0, %1, %2 : tensor<4x4xf32>, tensor<3x8xf32>, tensor<4x6xf32>
}

// -----

// Tests that a concat of one input folds to the input.

// CHECK-LABEL: func.func @concat_one(
// CHECK-SAME:    %[[X:.*]]: tensor<4x3xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<4x3xf32>
func.func @concat_one(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = loom.concat %x dim 1 : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that a concat of two inputs does not fold, even of one value twice.

// CHECK-LABEL: func.func @concat_two(
// CHECK-SAME:    %[[X:.*]]: tensor<4x3xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.concat %[[X]], %[[X]] dim 1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x6xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x6xf32>
func.func @concat_two(%x: tensor<4x3xf32>) -> tensor<4x6xf32> {
  %0 = loom.concat %x, %x dim 1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// Tests that identical constants are merged into one.

// CHECK-LABEL: func.func @constant_dedup(
// CHECK-NEXT:    %[[C:.*]] = loom.constant dense<3.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    return %[[C]], %[[C]] : tensor<4xf32>, tensor<4xf32>
func.func @constant_dedup() -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = loom.constant dense<3.0> : tensor<4xf32>
  %1 = loom.constant dense<3.0> : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that --cse merges duplicate pure ops but never two identical
// loom.all_reduce ops, which have side effects; --canonicalize alone merges
// neither, and neither pass erases an unused all_reduce.

// CHECK-LABEL: func.func @cse_pure_not_collective(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT:    %[[E0:.*]] = loom.exp %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[E1:.*]] = loom.exp %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[A0:.*]] = loom.all_reduce sum %[[X]] over ["data"] group_size 2 : tensor<4xf32>
// CHECK-NEXT:    %[[A1:.*]] = loom.all_reduce sum %[[X]] over ["data"] group_size 2 : tensor<4xf32>
// CHECK-NEXT:    loom.all_reduce sum %[[X]] over ["data"] group_size 2 : tensor<4xf32>
// CHECK-NEXT:    return %[[E0]], %[[E1]], %[[A0]], %[[A1]]

// CSE-LABEL: func.func @cse_pure_not_collective(
// CSE-SAME:    %[[X:.*]]: tensor<4xf32>)
// CSE-NEXT:    %[[E:.*]] = loom.exp %[[X]] : tensor<4xf32>
// CSE-NEXT:    %[[A0:.*]] = loom.all_reduce sum %[[X]] over ["data"] group_size 2 : tensor<4xf32>
// CSE-NEXT:    %[[A1:.*]] = loom.all_reduce sum %[[X]] over ["data"] group_size 2 : tensor<4xf32>
// CSE-NEXT:    loom.all_reduce sum %[[X]] over ["data"] group_size 2 : tensor<4xf32>
// CSE-NEXT:    return %[[E]], %[[E]], %[[A0]], %[[A1]]
func.func @cse_pure_not_collective(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = loom.exp %x : tensor<4xf32>
  %1 = loom.exp %x : tensor<4xf32>
  %2 = loom.all_reduce sum %x over ["data"] group_size 2 : tensor<4xf32>
  %3 = loom.all_reduce sum %x over ["data"] group_size 2 : tensor<4xf32>
  %4 = loom.all_reduce sum %x over ["data"] group_size 2 : tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
