// RUN: not loom-opt %s --split-input-file 2>&1 | FileCheck %s --implicit-check-not=error:
//
// Malformed textual IR: loom-opt reports each problem as a located parse
// error, exits non-zero and never crashes. Every split holds one error; the
// last split is a file cut off in the middle of an op.
//
// Locations: with --split-input-file, LLVM 19's MLIR names each split
// "within split at <file>:<N> offset " and counts lines from line N of the
// file, so an error on line A of this file is printed as ":<A-N+1>:<col>:".
// Each case captures N in SPLIT, then checks on the same output line that the
// error sits on the line below the check (A = @LINE+1, so A-N+1 is
// @LINE+2-SPLIT) at the exact column. Notes are checked the same way, from
// below the line they point at. The implicit check-not makes any error that
// no check names a failure.

// Tests that an op the loom dialect does not define is reported at its name.
func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:8: error: custom op 'loom.frobnicate' is unknown
  %0 = loom.frobnicate %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a binary op missing its second operand is reported where the
// ',' should be.
func.func @add_missing_operand(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:19: error: expected ','
  %0 = loom.add %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that an operand list ending in ',' is reported where the operand
// should be.
func.func @add_empty_operand(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:20: error: expected SSA operand
  %0 = loom.add %a, : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a misspelled keyword of a custom format is reported at the
// misspelling.
func.func @reduce_wrong_keyword(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:27: error: custom op 'loom.reduce' expected 'dims'
  %0 = loom.reduce sum %x dimz [0] : tensor<4x8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that an unknown reduce kind is reported with the valid kinds.
func.func @reduce_unknown_kind(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:20: error: custom op 'loom.reduce' expected string or keyword containing one of the following enum values for attribute 'kind' [sum, max, min, mean]
  %0 = loom.reduce avg %x dims [0] : tensor<4x8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that an unknown compare predicate is reported with the valid ones.
func.func @compare_unknown_predicate(%a: tensor<2xf32>) -> tensor<2xi1> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:21: error: custom op 'loom.compare' expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]
  %0 = loom.compare gte, %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// Tests that a binary op's functional type with one operand type is reported
// at the type.
func.func @add_functional_type_one_operand(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:26: error: custom op 'loom.add' expected a functional type with 2 operand types and 1 result type
  %0 = loom.add %a, %b : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that a binary op's functional type with two result types is reported
// at the type.
func.func @add_functional_type_two_results(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:26: error: custom op 'loom.add' expected a functional type with 2 operand types and 1 result type
  %0 = loom.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0 : tensor<2xf32>
}

// -----

// Tests that loom.select's functional type needs three operand types.
func.func @select_functional_type_arity(%c: tensor<2xi1>, %a: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:33: error: custom op 'loom.select' expected a functional type with 3 operand types and 1 result type
  %0 = loom.select %c, %a, %a : (tensor<2xi1>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that an unterminated dense attribute is reported where its ']'
// should be.
func.func @constant_unterminated_dense() -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:37: error: expected ']'
  %0 = loom.constant dense<[1.0, 2.0 : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that a dense literal with more elements than its type is reported at
// the type.
func.func @constant_element_count() -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:45: error: inferred shape of elements literal ([3]) does not match type ([2])
  %0 = loom.constant dense<[1.0, 2.0, 3.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that an unterminated perm array is reported where its ']' should be.
func.func @transpose_unterminated_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:32: error: expected ']'
  %0 = loom.transpose %x, [1, 0 : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that an integer attribute given a string is reported at the string.
func.func @softmax_dim_string(%x: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:28: error: custom op 'loom.softmax' invalid kind of attribute specified
  %0 = loom.softmax %x dim "one" : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that the custom form rejects an unranked tensor type, which is not a
// RankedTensorType, at the type.
func.func @exp_unranked_type(%x: tensor<*xf32>) -> tensor<*xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:22: error: custom op 'loom.exp' invalid kind of type specified
  %0 = loom.exp %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that an op without its ': type' is reported after its operands.
func.func @neg_missing_type(%x: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:19: error: expected ':'
  %0 = loom.neg %x
  return %0 : tensor<2xf32>
}

// -----

// Tests that a use of an undefined value is reported at the use.
func.func @neg_undefined_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:17: error: use of undeclared SSA value name
  %0 = loom.neg %y : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that an operand used with a type other than its own is reported at
// the use, with a note at its definition.
func.func @neg_operand_type_conflict(%x: tensor<4xf32>) -> tensor<8xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:17: error: use of value '%x' expects different type than prior uses: 'tensor<8xf32>' vs 'tensor<4xf32>'
  %0 = loom.neg %x : tensor<8xf32>
  // CHECK: parse_errors.mlir:[[#SPLIT]] offset :[[#@LINE-3-SPLIT]]:38: note: prior use here
  return %0 : tensor<8xf32>
}

// -----

// Tests that a redefined value is reported at the second definition, with a
// note at the first.
func.func @abs_redefined_value(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = loom.neg %x : tensor<2xf32>
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+2-SPLIT]]:3: error: redefinition of SSA value '%0'
  %0 = loom.abs %x : tensor<2xf32>
  // CHECK: parse_errors.mlir:[[#SPLIT]] offset :[[#@LINE-3-SPLIT]]:3: note: previously defined here
  return %0 : tensor<2xf32>
}

// -----

// Tests that a file cut off inside an op's type is reported at the end of
// the file.
func.func @matmul_truncated(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: parse_errors.mlir:[[#SPLIT:]] offset
  // CHECK-SAME: :[[#@LINE+4-SPLIT]]:60: error: expected non-function type
  // CHECK-NOT: Stack dump
  // CHECK-NOT: PLEASE submit a bug report
  %0 = loom.matmul %a, %b transpose_rhs : (tensor<2x3xf32>,
