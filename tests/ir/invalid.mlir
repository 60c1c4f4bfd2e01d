// RUN: loom-opt %s --split-input-file --verify-diagnostics
//
// Invalid loom ops: one case per verifier rule (ir/LoomOps.cpp), shape rule
// (ir/ShapeInference.cpp) and ODS trait, type or attribute constraint
// (ir/LoomOps.td, ir/LoomTypes.td), in LoomOps.td order, each named
// @<op>_<rule>. Every expected-error holds the full text that loom-opt
// prints. A shape rule that fails while an op checks its inferred result type
// is followed by "'loom.<op>' op failed to infer returned types"; a written
// result type that disagrees with the inferred one reports "'loom.<op>' op
// inferred type(s) ... are incompatible with return type(s) of operation ..."
// and then the same. Messages from verify() come before that check.
//
// Rules covered (message, then the cases that trigger it):
//   ShapeInference.cpp
//     "<attr> N is out of range for <operand> T of rank R":
//       concat_dim_out_of_range, gather_axis_out_of_range,
//       scatter_add_axis_out_of_range, reduce_dim_out_of_range,
//       softmax_dim_out_of_range, log_softmax_dim_out_of_range,
//       iota_dim_out_of_range, all_gather_dim_out_of_range,
//       reduce_scatter_dim_out_of_range
//     "element types differ: A is T but B is U": add_element_types,
//       compare_element_types, select_element_types, broadcast_element_types,
//       reshape_element_types, concat_element_types,
//       scatter_add_element_types, matmul_element_types,
//       conv2d_element_types, conv2d_backward_input_element_types,
//       conv2d_backward_filter_element_types, pool2d_backward_element_types,
//       layer_norm_element_types, attention_element_types
//     "<name> T must have rank 4 (..)" (the backward ops):
//       conv2d_backward_input_rank, conv2d_backward_filter_rank,
//       pool2d_backward_rank
//     "<attr> [..] has N entries but needs M (..)": slice_limit_size,
//       conv2d_padding_size, pool2d_window_size
//     "<attr> [..] has an entry below N": conv2d_dilation_not_positive,
//       pool2d_negative_padding
//     "operands are not broadcast-compatible: A T has .. where B U has ..":
//       add_not_broadcastable, compare_not_broadcastable,
//       select_not_broadcastable
//     broadcast: broadcast_rank, broadcast_dimension
//     reshape: reshape_element_count
//     transpose: transpose_perm_size, transpose_not_permutation
//     slice: slice_stride_not_positive, slice_out_of_bounds
//     concat: concat_no_inputs, concat_ranks, concat_other_dimension
//     scatter_add: scatter_add_updates_shape
//     reduce: reduce_mean_integer, reduce_repeated_dim
//     matmul: matmul_rank, matmul_contracting_dimension,
//       matmul_batch_dimensions
//     conv2d: conv2d_rank, conv2d_groups, conv2d_filter_channels,
//       conv2d_filter_span
//     conv2d_backward_input: conv2d_backward_input_groups (the forward's
//       rule on the result), conv2d_backward_input_grad_out_shape
//     conv2d_backward_filter: conv2d_backward_filter_filter_channels (the
//       forward's rule on the result), conv2d_backward_filter_grad_out_shape
//     pool2d: pool2d_rank, pool2d_padding_not_below_window,
//       pool2d_window_too_large
//     pool2d_backward: pool2d_backward_max_without_input,
//       pool2d_backward_avg_with_input, pool2d_backward_input_type,
//       pool2d_backward_padding_not_below_window (the forward's rule on the
//       result), pool2d_backward_grad_out_shape
//     layer_norm: layer_norm_scale_bias_types, layer_norm_trailing_dimensions
//     attention: attention_rank, attention_leading_dimensions,
//       attention_head_size, attention_sequence_length,
//       attention_causal_lengths; attention_with_lse_causal_lengths and
//       attention_backward_head_size (attention's rule)
//     attention_backward: attention_backward_output_type,
//       attention_backward_grad_out_type, attention_backward_lse_type
//     cross_entropy: cross_entropy_logits_rank, cross_entropy_labels_shape
//     "group_size N must be positive": all_reduce_group_size,
//       all_gather_group_size, reduce_scatter_group_size
//     "axes must name at least one mesh axis": all_reduce_no_axes,
//       reduce_scatter_no_axes
//     "axes has an empty axis name": all_reduce_empty_axis_name
//     "axes names 'x' twice": all_reduce_repeated_axis,
//       all_gather_repeated_axis
//     reduce_scatter: reduce_scatter_not_divisible
//   LoomOps.cpp
//     "expected a functional type with N operand types and 1 result type"
//       (custom<LoomTypes>): add_functional_type_arity
//     verify(): layer_norm_epsilon, attention_scale,
//       attention_with_lse_scale, attention_backward_scale, dropout_rate,
//       dropout_stream, all_reduce_mean_integer, reduce_scatter_mean_integer
//     "value must be a statically shaped tensor": constant_not_tensor
//   Written result type disagreeing with the inferred one: add_result_shape,
//     mul_result_element_type, compare_result_shape, select_result_shape,
//     transpose_result_shape, slice_result_shape, concat_result_shape,
//     gather_result_shape, scatter_add_result_type, reduce_result_shape,
//     matmul_result_shape, conv2d_result_shape, pool2d_result_shape,
//     layer_norm_result_type, attention_result_shape,
//     attention_with_lse_result_shape,
//     cross_entropy_result_shape, dropout_result_type, constant_result_type,
//     all_gather_result_shape, reduce_scatter_result_shape
//   ODS traits: add_one_operand (operand count), log_result_type and
//     all_reduce_result_type (SameOperandsAndResultType), cast_shape
//     (Elementwise)
//   ODS type constraints: numeric (neg_i1_operand, sub_i1_operands,
//     scatter_add_i1, matmul_i1_operands, iota_i1), loom element type
//     (abs_i16_operand, cast_to_i8, constant_i8), floating-point
//     (exp_integer_operand, gelu_integer_operand, pow_integer_operands,
//     conv2d_integer_operands, conv2d_backward_input_integer_operands,
//     pool2d_backward_integer_operand), static shape (sqrt_dynamic_shape,
//     tanh_unranked), tensor (relu_not_tensor), i1 (compare_result_not_i1,
//     select_condition_not_i1), integer (gather_float_indices,
//     cross_entropy_float_labels), tensor<2xi64> key (dropout_key_shape,
//     dropout_key_element_type)
//   ODS attribute constraints: missing (transpose_missing_perm,
//     gather_missing_axis, reduce_missing_dims, pool2d_missing_strides),
//     ill-typed (gelu_approximate_not_unit, transpose_perm_i32,
//     concat_dim_not_i64, conv2d_groups_not_i64, softmax_dim_not_i64,
//     dropout_rate_not_f64, all_reduce_axes_not_strings,
//     constant_not_elements), enum value out of range
//     (compare_predicate_out_of_range, reduce_kind_out_of_range,
//     cross_entropy_reduction_out_of_range)
//   Not covered, unreachable from textual IR: "<name> is missing" and
//   "<name> must be a statically shaped tensor, not T" (the operand-count
//   trait and the ODS type constraints reject such ops before inference runs)
//   and the bare "operands are not broadcast-compatible" (a conflict always
//   has an earlier operand to name, so the detailed message fires).

// Tests that loom.neg rejects an i1 operand, which is not numeric.
func.func @neg_i1_operand(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error@+1 {{'loom.neg' op operand #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'tensor<4xi1>'}}
  %0 = loom.neg %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that loom.abs rejects an element type outside the loom set (i16).
func.func @abs_i16_operand(%x: tensor<4xi16>) -> tensor<4xi16> {
  // expected-error@+1 {{'loom.abs' op operand #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'tensor<4xi16>'}}
  %0 = loom.abs %x : tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

// Tests that loom.exp, a floating-point op, rejects an i32 operand.
func.func @exp_integer_operand(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{'loom.exp' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<4xi32>'}}
  %0 = loom.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Tests that loom.sqrt rejects a tensor with a dynamic dimension.
func.func @sqrt_dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error@+1 {{'loom.sqrt' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<?x4xf32>'}}
  %0 = loom.sqrt %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that loom.tanh rejects an unranked tensor.
func.func @tanh_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{'loom.tanh' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<*xf32>'}}
  %0 = "loom.tanh"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that loom.relu rejects a value that is not a tensor.
func.func @relu_not_tensor(%x: f32) -> f32 {
  // expected-error@+1 {{'loom.relu' op operand #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'f32'}}
  %0 = "loom.relu"(%x) : (f32) -> f32
  return %0 : f32
}

// -----

// Tests that a unary op's result type must equal its operand type.
func.func @log_result_type(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error@+1 {{'loom.log' op requires the same type for all operands and results}}
  %0 = "loom.log"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Tests that loom.gelu's approximate flag must be a unit attribute.
func.func @gelu_approximate_not_unit(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.gelu' op attribute 'approximate' failed to satisfy constraint: unit attribute}}
  %0 = "loom.gelu"(%x) {approximate = 1 : i32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.gelu rejects an i64 operand.
func.func @gelu_integer_operand(%x: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error@+1 {{'loom.gelu' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<4xi64>'}}
  %0 = loom.gelu %x approximate : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Tests that a binary op needs two operands.
func.func @add_one_operand(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.add' op expected 2 operands, but found 1}}
  %0 = "loom.add"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a binary op's functional type lists exactly two operand types.
func.func @add_functional_type_arity(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{custom op 'loom.add' expected a functional type with 2 operand types and 1 result type}}
  %0 = loom.add %a, %b : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.add rejects operands of different element types.
func.func @add_element_types(%a: tensor<4xf32>, %b: tensor<4xf64>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.add' op element types differ: lhs is 'tensor<4xf32>' but rhs is 'tensor<4xf64>'}}
  // expected-error@+1 {{'loom.add' op failed to infer returned types}}
  %0 = loom.add %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.add rejects shapes that do not broadcast and names the
// conflicting dimensions.
func.func @add_not_broadcastable(%a: tensor<4x3xf32>, %b: tensor<5x1xf32>) -> tensor<4x3xf32> {
  // expected-error@+2 {{'loom.add' op operands are not broadcast-compatible: lhs 'tensor<4x3xf32>' has 4 at dimension 0 where rhs 'tensor<5x1xf32>' has 5 at dimension 0}}
  // expected-error@+1 {{'loom.add' op failed to infer returned types}}
  %0 = loom.add %a, %b : (tensor<4x3xf32>, tensor<5x1xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that loom.add rejects a written result shape other than the broadcast
// shape.
func.func @add_result_shape(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+2 {{'loom.add' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error@+1 {{'loom.add' op failed to infer returned types}}
  %0 = loom.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that loom.mul rejects a written result element type other than the
// operands'.
func.func @mul_result_element_type(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error@+2 {{'loom.mul' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf64>'}}
  // expected-error@+1 {{'loom.mul' op failed to infer returned types}}
  %0 = loom.mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Tests that loom.sub rejects i1 operands.
func.func @sub_i1_operands(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error@+1 {{'loom.sub' op operand #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'tensor<4xi1>'}}
  %0 = loom.sub %a, %b : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that loom.pow, a floating-point op, rejects i32 operands.
func.func @pow_integer_operands(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{'loom.pow' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<4xi32>'}}
  %0 = loom.pow %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Tests that loom.compare rejects operands of different element types.
func.func @compare_element_types(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xi1> {
  // expected-error@+2 {{'loom.compare' op element types differ: lhs is 'tensor<4xf32>' but rhs is 'tensor<4xi32>'}}
  // expected-error@+1 {{'loom.compare' op failed to infer returned types}}
  %0 = loom.compare lt, %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that loom.compare rejects shapes that do not broadcast.
func.func @compare_not_broadcastable(%a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xi1> {
  // expected-error@+2 {{'loom.compare' op operands are not broadcast-compatible: lhs 'tensor<4xf32>' has 4 at dimension 0 where rhs 'tensor<3xf32>' has 3 at dimension 0}}
  // expected-error@+1 {{'loom.compare' op failed to infer returned types}}
  %0 = loom.compare eq, %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that loom.compare yields i1 values.
func.func @compare_result_not_i1(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.compare' op result #0 must be statically shaped tensor of i1 values, but got 'tensor<4xf32>'}}
  %0 = loom.compare gt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.compare rejects a written result shape other than the
// broadcast shape.
func.func @compare_result_shape(%a: tensor<4x1xf32>, %b: tensor<3xf32>) -> tensor<4xi1> {
  // expected-error@+2 {{'loom.compare' op inferred type(s) 'tensor<4x3xi1>' are incompatible with return type(s) of operation 'tensor<4xi1>'}}
  // expected-error@+1 {{'loom.compare' op failed to infer returned types}}
  %0 = loom.compare ge, %a, %b : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that loom.compare's predicate must be one of the enum's values.
func.func @compare_predicate_out_of_range(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error@+1 {{'loom.compare' op attribute 'predicate' failed to satisfy constraint: comparison predicate}}
  %0 = "loom.compare"(%a, %b) {predicate = 6 : i32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that loom.select's condition must hold i1 values.
func.func @select_condition_not_i1(%c: tensor<4xf32>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.select' op operand #0 must be statically shaped tensor of i1 values, but got 'tensor<4xf32>'}}
  %0 = loom.select %c, %a, %b : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.select's branches must share their element type.
func.func @select_element_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.select' op element types differ: on_true is 'tensor<4xf32>' but on_false is 'tensor<4xf16>'}}
  // expected-error@+1 {{'loom.select' op failed to infer returned types}}
  %0 = loom.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.select names the two operands whose shapes conflict when
// the three do not broadcast together.
func.func @select_not_broadcastable(%c: tensor<2x1xi1>, %a: tensor<1x3xf32>, %b: tensor<5x1xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{'loom.select' op operands are not broadcast-compatible: condition 'tensor<2x1xi1>' has 2 at dimension 0 where on_false 'tensor<5x1xf32>' has 5 at dimension 0}}
  // expected-error@+1 {{'loom.select' op failed to infer returned types}}
  %0 = loom.select %c, %a, %b : (tensor<2x1xi1>, tensor<1x3xf32>, tensor<5x1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that loom.select rejects a written result shape other than the
// broadcast shape.
func.func @select_result_shape(%c: tensor<2x1xi1>, %a: tensor<1x3xf32>, %b: tensor<f32>) -> tensor<2x1xf32> {
  // expected-error@+2 {{'loom.select' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x1xf32>'}}
  // expected-error@+1 {{'loom.select' op failed to infer returned types}}
  %0 = loom.select %c, %a, %b : (tensor<2x1xi1>, tensor<1x3xf32>, tensor<f32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// Tests that loom.cast keeps the shape.
func.func @cast_shape(%x: tensor<4xf32>) -> tensor<5xbf16> {
  // expected-error@+1 {{'loom.cast' op all non-scalar operands/results must have the same shape and base type}}
  %0 = loom.cast %x : tensor<4xf32> to tensor<5xbf16>
  return %0 : tensor<5xbf16>
}

// -----

// Tests that loom.cast only converts to loom element types.
func.func @cast_to_i8(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error@+1 {{'loom.cast' op result #0 must be statically shaped tensor of f32, f64, bf16, f16, i32, i64 or i1 values, but got 'tensor<4xi8>'}}
  %0 = loom.cast %x : tensor<4xf32> to tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Tests that loom.broadcast keeps the element type.
func.func @broadcast_element_types(%x: tensor<4xf32>) -> tensor<2x4xf16> {
  // expected-error@+1 {{'loom.broadcast' op element types differ: input is 'tensor<4xf32>' but result is 'tensor<2x4xf16>'}}
  %0 = loom.broadcast %x : tensor<4xf32> to tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// Tests that loom.broadcast cannot lower the rank.
func.func @broadcast_rank(%x: tensor<2x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.broadcast' op input 'tensor<2x4xf32>' has rank 2, more than result 'tensor<4xf32>' of rank 1}}
  %0 = loom.broadcast %x : tensor<2x4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.broadcast rejects a dimension that is neither 1 nor the
// result's.
func.func @broadcast_dimension(%x: tensor<3x4xf32>) -> tensor<2x5x4xf32> {
  // expected-error@+1 {{'loom.broadcast' op input 'tensor<3x4xf32>' does not broadcast to result 'tensor<2x5x4xf32>': input dimension 0 is 3 but result dimension 1 is 5}}
  %0 = loom.broadcast %x : tensor<3x4xf32> to tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// Tests that loom.reshape keeps the element type.
func.func @reshape_element_types(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error@+1 {{'loom.reshape' op element types differ: input is 'tensor<2x3xf32>' but result is 'tensor<6xi32>'}}
  %0 = loom.reshape %x : tensor<2x3xf32> to tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

// Tests that loom.reshape keeps the number of elements.
func.func @reshape_element_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error@+1 {{'loom.reshape' op input 'tensor<2x3xf32>' has 6 elements but result 'tensor<7xf32>' has 7}}
  %0 = loom.reshape %x : tensor<2x3xf32> to tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Tests that loom.transpose needs one perm entry per input dimension.
func.func @transpose_perm_size(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error@+2 {{'loom.transpose' op perm [1, 0, 2] has 3 entries but input 'tensor<2x3xf32>' has rank 2}}
  // expected-error@+1 {{'loom.transpose' op failed to infer returned types}}
  %0 = loom.transpose %x, [1, 0, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that loom.transpose's perm must be a permutation.
func.func @transpose_not_permutation(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{'loom.transpose' op perm [0, 0] is not a permutation of [0, 2)}}
  // expected-error@+1 {{'loom.transpose' op failed to infer returned types}}
  %0 = loom.transpose %x, [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Tests that loom.transpose rejects a written result other than the permuted
// input.
func.func @transpose_result_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{'loom.transpose' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error@+1 {{'loom.transpose' op failed to infer returned types}}
  %0 = loom.transpose %x, [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that loom.transpose requires its perm attribute.
func.func @transpose_missing_perm(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'loom.transpose' op requires attribute 'perm'}}
  %0 = "loom.transpose"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that loom.transpose's perm must be an i64 dense array.
func.func @transpose_perm_i32(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error@+1 {{'loom.transpose' op attribute 'perm' failed to satisfy constraint: i64 dense array attribute}}
  %0 = "loom.transpose"(%x) {perm = array<i32: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that loom.slice needs one limit entry per input dimension.
func.func @slice_limit_size(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{'loom.slice' op limit [2] has 1 entry but needs 2 (the input's rank)}}
  // expected-error@+1 {{'loom.slice' op failed to infer returned types}}
  %0 = loom.slice %x start [0, 0] limit [2] stride [1, 1] : tensor<4x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Tests that loom.slice's strides must be positive.
func.func @slice_stride_not_positive(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{'loom.slice' op stride [1, 0] must be positive in dimension 1}}
  // expected-error@+1 {{'loom.slice' op failed to infer returned types}}
  %0 = loom.slice %x start [0, 0] limit [2, 2] stride [1, 0] : tensor<4x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Tests that loom.slice's bounds must lie inside the input.
func.func @slice_out_of_bounds(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{'loom.slice' op slice [3, 5) of dimension 1 is out of bounds for 'tensor<4x4xf32>' (need 0 <= start <= limit <= 4)}}
  // expected-error@+1 {{'loom.slice' op failed to infer returned types}}
  %0 = loom.slice %x start [0, 3] limit [2, 5] stride [1, 1] : tensor<4x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Tests that loom.slice rejects a written result other than the sliced shape.
func.func @slice_result_shape(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{'loom.slice' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x2xf32>'}}
  // expected-error@+1 {{'loom.slice' op failed to infer returned types}}
  %0 = loom.slice %x start [0, 0] limit [4, 4] stride [2, 1] : tensor<4x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Tests that loom.concat needs at least one input.
func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error@+2 {{'loom.concat' op needs at least one input}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat dim 0 : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that loom.concat's dim must index a dimension of the inputs.
func.func @concat_dim_out_of_range(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error@+2 {{'loom.concat' op dim 2 is out of range for input #0 'tensor<2x3xf32>' of rank 2}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat %a, %b dim 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Tests that loom.concat's inputs must share their element type.
func.func @concat_element_types(%a: tensor<2x3xf32>, %b: tensor<2x3xbf16>) -> tensor<2x6xf32> {
  // expected-error@+2 {{'loom.concat' op element types differ: input #0 is 'tensor<2x3xf32>' but input #1 is 'tensor<2x3xbf16>'}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat %a, %b dim 1 : (tensor<2x3xf32>, tensor<2x3xbf16>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Tests that loom.concat's inputs must share their rank.
func.func @concat_ranks(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x6xf32> {
  // expected-error@+2 {{'loom.concat' op ranks differ: input #0 is 'tensor<2x3xf32>' but input #1 is 'tensor<3xf32>'}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat %a, %b dim 0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Tests that loom.concat's inputs must agree outside the concatenation dim.
func.func @concat_other_dimension(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<2x4xf32>) -> tensor<6x3xf32> {
  // expected-error@+2 {{'loom.concat' op input #0 'tensor<2x3xf32>' and input #2 'tensor<2x4xf32>' differ in dimension 1, which is not the concatenation dim 0}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat %a, %b, %c dim 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<6x3xf32>
  return %0 : tensor<6x3xf32>
}

// -----

// Tests that loom.concat rejects a written result other than the joined
// shape.
func.func @concat_result_shape(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<4x3xf32> {
  // expected-error@+2 {{'loom.concat' op inferred type(s) 'tensor<2x8xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat %a, %b dim 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tests that loom.concat's dim must be a 64-bit integer attribute.
func.func @concat_dim_not_i64(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'loom.concat' op attribute 'dim' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "loom.concat"(%a) {dim = 0 : i32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that loom.gather's axis must index a dimension of the table.
func.func @gather_axis_out_of_range(%t: tensor<10x4xf32>, %i: tensor<3xi32>) -> tensor<10x3xf32> {
  // expected-error@+2 {{'loom.gather' op axis 2 is out of range for table 'tensor<10x4xf32>' of rank 2}}
  // expected-error@+1 {{'loom.gather' op failed to infer returned types}}
  %0 = loom.gather %t[%i] axis 2 : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<10x3xf32>
  return %0 : tensor<10x3xf32>
}

// -----

// Tests that loom.gather's indices must be integers.
func.func @gather_float_indices(%t: tensor<10x4xf32>, %i: tensor<3xf32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{'loom.gather' op operand #1 must be statically shaped tensor of i32 or i64 values, but got 'tensor<3xf32>'}}
  %0 = loom.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that loom.gather rejects a written result other than the gathered
// shape.
func.func @gather_result_shape(%t: tensor<10x4xf32>, %i: tensor<2x3xi64>) -> tensor<3x4xf32> {
  // expected-error@+2 {{'loom.gather' op inferred type(s) 'tensor<2x3x4xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error@+1 {{'loom.gather' op failed to infer returned types}}
  %0 = loom.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that loom.gather requires its axis attribute.
func.func @gather_missing_axis(%t: tensor<10x4xf32>, %i: tensor<3xi32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{'loom.gather' op requires attribute 'axis'}}
  %0 = "loom.gather"(%t, %i) : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that loom.scatter_add's axis must index a dimension of dest.
func.func @scatter_add_axis_out_of_range(%d: tensor<10x4xf32>, %i: tensor<3xi32>, %u: tensor<3x4xf32>) -> tensor<10x4xf32> {
  // expected-error@+2 {{'loom.scatter_add' op axis -1 is out of range for dest 'tensor<10x4xf32>' of rank 2}}
  // expected-error@+1 {{'loom.scatter_add' op failed to infer returned types}}
  %0 = loom.scatter_add %d[%i], %u axis -1 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Tests that loom.scatter_add's updates must have dest's element type.
func.func @scatter_add_element_types(%d: tensor<10x4xf32>, %i: tensor<3xi32>, %u: tensor<3x4xf64>) -> tensor<10x4xf32> {
  // expected-error@+2 {{'loom.scatter_add' op element types differ: dest is 'tensor<10x4xf32>' but updates is 'tensor<3x4xf64>'}}
  // expected-error@+1 {{'loom.scatter_add' op failed to infer returned types}}
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf64>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Tests that loom.scatter_add's updates must have the gathered shape.
func.func @scatter_add_updates_shape(%d: tensor<10x4xf32>, %i: tensor<3xi32>, %u: tensor<4x3xf32>) -> tensor<10x4xf32> {
  // expected-error@+2 {{'loom.scatter_add' op updates 'tensor<4x3xf32>' should have shape [3, 4] (dest 'tensor<10x4xf32>' with dimension 0 replaced by the shape of indices 'tensor<3xi32>')}}
  // expected-error@+1 {{'loom.scatter_add' op failed to infer returned types}}
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<4x3xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Tests that loom.scatter_add rejects a written result other than dest's type.
func.func @scatter_add_result_type(%d: tensor<10x4xf32>, %i: tensor<3xi32>, %u: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error@+2 {{'loom.scatter_add' op inferred type(s) 'tensor<10x4xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error@+1 {{'loom.scatter_add' op failed to infer returned types}}
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that loom.scatter_add rejects i1 values, which cannot be added.
func.func @scatter_add_i1(%d: tensor<10xi1>, %i: tensor<3xi32>, %u: tensor<3xi1>) -> tensor<10xi1> {
  // expected-error@+1 {{'loom.scatter_add' op operand #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'tensor<10xi1>'}}
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10xi1>, tensor<3xi32>, tensor<3xi1>) -> tensor<10xi1>
  return %0 : tensor<10xi1>
}

// -----

// Tests that a mean reduction needs a floating-point input.
func.func @reduce_mean_integer(%x: tensor<4x8xi32>) -> tensor<4xi32> {
  // expected-error@+2 {{'loom.reduce' op mean needs a floating-point input, not 'tensor<4x8xi32>'}}
  // expected-error@+1 {{'loom.reduce' op failed to infer returned types}}
  %0 = loom.reduce mean %x dims [1] : tensor<4x8xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Tests that loom.reduce's dims must index dimensions of the input.
func.func @reduce_dim_out_of_range(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.reduce' op dims entry 2 is out of range for input 'tensor<4x8xf32>' of rank 2}}
  // expected-error@+1 {{'loom.reduce' op failed to infer returned types}}
  %0 = loom.reduce sum %x dims [2] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.reduce's dims must be distinct.
func.func @reduce_repeated_dim(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.reduce' op dims [1, 1] repeats dimension 1}}
  // expected-error@+1 {{'loom.reduce' op failed to infer returned types}}
  %0 = loom.reduce max %x dims [1, 1] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.reduce with keep_dims rejects a result without the size-1
// dimensions.
func.func @reduce_result_shape(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.reduce' op inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error@+1 {{'loom.reduce' op failed to infer returned types}}
  %0 = loom.reduce min %x dims [1] keep_dims : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.reduce's kind must be one of the enum's values.
func.func @reduce_kind_out_of_range(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.reduce' op attribute 'kind' failed to satisfy constraint: reduction combiner}}
  %0 = "loom.reduce"(%x) {kind = 4 : i32, dims = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.reduce requires its dims attribute.
func.func @reduce_missing_dims(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.reduce' op requires attribute 'dims'}}
  %0 = "loom.reduce"(%x) {kind = 0 : i32} : (tensor<4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.matmul's operands must share their element type.
func.func @matmul_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xbf16>) -> tensor<2x4xf32> {
  // expected-error@+2 {{'loom.matmul' op element types differ: lhs is 'tensor<2x3xf32>' but rhs is 'tensor<3x4xbf16>'}}
  // expected-error@+1 {{'loom.matmul' op failed to infer returned types}}
  %0 = loom.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xbf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that loom.matmul's operands need rank 2 or more.
func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x4xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.matmul' op operands need rank >= 2, but lhs is 'tensor<3xf32>' and rhs is 'tensor<3x4xf32>'}}
  // expected-error@+1 {{'loom.matmul' op failed to infer returned types}}
  %0 = loom.matmul %a, %b : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.matmul's contracting dimensions must agree, reading a
// transposed operand's last two dimensions swapped.
func.func @matmul_contracting_dimension(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{'loom.matmul' op contracting dimensions differ: lhs 'tensor<2x3xf32>' has K = 3 but rhs 'tensor<4x5xf32>' (transposed) has K = 5}}
  // expected-error@+1 {{'loom.matmul' op failed to infer returned types}}
  %0 = loom.matmul %a, %b transpose_rhs : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that loom.matmul's batch dimensions must broadcast.
func.func @matmul_batch_dimensions(%a: tensor<5x2x3xf32>, %b: tensor<6x3x4xf32>) -> tensor<5x2x4xf32> {
  // expected-error@+2 {{'loom.matmul' op batch dimensions of lhs 'tensor<5x2x3xf32>' and rhs 'tensor<6x3x4xf32>' are not broadcast-compatible}}
  // expected-error@+1 {{'loom.matmul' op failed to infer returned types}}
  %0 = loom.matmul %a, %b : (tensor<5x2x3xf32>, tensor<6x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// Tests that loom.matmul rejects a written result other than [..., M, N].
func.func @matmul_result_shape(%a: tensor<8x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{'loom.matmul' op inferred type(s) 'tensor<8x2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error@+1 {{'loom.matmul' op failed to infer returned types}}
  %0 = loom.matmul %a, %b : (tensor<8x2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that loom.matmul rejects i1 operands.
func.func @matmul_i1_operands(%a: tensor<2x3xi1>, %b: tensor<3x4xi1>) -> tensor<2x4xi1> {
  // expected-error@+1 {{'loom.matmul' op operand #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'tensor<2x3xi1>'}}
  %0 = loom.matmul %a, %b : (tensor<2x3xi1>, tensor<3x4xi1>) -> tensor<2x4xi1>
  return %0 : tensor<2x4xi1>
}

// -----

// Tests that loom.conv2d needs rank-4 input and filter.
func.func @conv2d_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error@+2 {{'loom.conv2d' op input 'tensor<3x8x8xf32>' and filter 'tensor<4x3x3x3xf32>' must both have rank 4 (NCHW and OIHW)}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Tests that loom.conv2d's input and filter must share their element type.
func.func @conv2d_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32> {
  // expected-error@+2 {{'loom.conv2d' op element types differ: input is 'tensor<1x3x8x8xf32>' but filter is 'tensor<4x3x3x3xf16>'}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Tests that loom.conv2d's padding has four entries.
func.func @conv2d_padding_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error@+2 {{'loom.conv2d' op padding [1, 1] has 2 entries but needs 4 ([top, bottom, left, right])}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Tests that loom.conv2d's dilations must be positive.
func.func @conv2d_dilation_not_positive(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error@+2 {{'loom.conv2d' op dilations [0, 1] has an entry below 1}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {dilations = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Tests that loom.conv2d's groups must divide the channel counts.
func.func @conv2d_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error@+2 {{'loom.conv2d' op groups 4 must be positive and divide the input channels 4 and the output channels 6}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that loom.conv2d's filter must have C/groups input channels.
func.func @conv2d_filter_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error@+2 {{'loom.conv2d' op filter 'tensor<6x4x3x3xf32>' has 4 input channels per group but input 'tensor<1x4x8x8xf32>' with groups 2 needs 2}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that loom.conv2d's dilated filter must fit in the padded input.
func.func @conv2d_filter_span(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error@+2 {{'loom.conv2d' op filter 'tensor<4x3x3x3xf32>' with dilations [4, 1] spans 9 but the padded input 'tensor<1x3x8x8xf32>' has only 8 in dimension 2}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {dilations = array<i64: 4, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return %0 : tensor<1x4x1x1xf32>
}

// -----

// Tests that loom.conv2d rejects a written result other than [N, O, HO, WO].
func.func @conv2d_result_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error@+2 {{'loom.conv2d' op inferred type(s) 'tensor<1x4x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x4x8x8xf32>'}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Tests that loom.conv2d, a floating-point op, rejects i32 operands.
func.func @conv2d_integer_operands(%x: tensor<1x3x8x8xi32>, %w: tensor<4x3x3x3xi32>) -> tensor<1x4x6x6xi32> {
  // expected-error@+1 {{'loom.conv2d' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<1x3x8x8xi32>'}}
  %0 = loom.conv2d %x, %w : (tensor<1x3x8x8xi32>, tensor<4x3x3x3xi32>) -> tensor<1x4x6x6xi32>
  return %0 : tensor<1x4x6x6xi32>
}

// -----

// Tests that loom.conv2d's groups must be a 64-bit integer attribute.
func.func @conv2d_groups_not_i64(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error@+1 {{custom op 'loom.conv2d' 'loom.conv2d' op attribute 'groups' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = loom.conv2d %x, %w {groups = 2 : i32} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that loom.conv2d_backward_input needs rank-4 operands and result.
func.func @conv2d_backward_input_rank(%dy: tensor<1x4x6x6xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.conv2d_backward_input' op filter 'tensor<4x3x3xf32>' must have rank 4 (OIHW)}}
  %0 = loom.conv2d_backward_input %dy, %w : (tensor<1x4x6x6xf32>, tensor<4x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.conv2d_backward_input's operands and result share their
// element type.
func.func @conv2d_backward_input_element_types(%dy: tensor<1x4x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xbf16> {
  // expected-error@+1 {{'loom.conv2d_backward_input' op element types differ: grad_out is 'tensor<1x4x6x6xf32>' but result is 'tensor<1x3x8x8xbf16>'}}
  %0 = loom.conv2d_backward_input %dy, %w : (tensor<1x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xbf16>
  return %0 : tensor<1x3x8x8xbf16>
}

// -----

// Tests that loom.conv2d_backward_input checks the forward's rule on the
// result, the forward input's type: here, groups.
func.func @conv2d_backward_input_groups(%dy: tensor<1x6x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error@+1 {{'loom.conv2d_backward_input' op groups 4 must be positive and divide the input channels 4 and the output channels 6}}
  %0 = loom.conv2d_backward_input %dy, %w {groups = 4 : i64} : (tensor<1x6x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Tests that loom.conv2d_backward_input's grad_out is what the forward
// convolution of an input of the result type gives.
func.func @conv2d_backward_input_grad_out_shape(%dy: tensor<1x4x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.conv2d_backward_input' op grad_out 'tensor<1x4x6x6xf32>' is not the conv2d result 'tensor<1x4x3x3xf32>' of an input of the result type 'tensor<1x3x8x8xf32>' and filter 'tensor<4x3x3x3xf32>'}}
  %0 = loom.conv2d_backward_input %dy, %w {strides = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.conv2d_backward_input, a floating-point op, rejects i32.
func.func @conv2d_backward_input_integer_operands(%dy: tensor<1x4x6x6xi32>, %w: tensor<4x3x3x3xi32>) -> tensor<1x3x8x8xi32> {
  // expected-error@+1 {{'loom.conv2d_backward_input' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<1x4x6x6xi32>'}}
  %0 = loom.conv2d_backward_input %dy, %w : (tensor<1x4x6x6xi32>, tensor<4x3x3x3xi32>) -> tensor<1x3x8x8xi32>
  return %0 : tensor<1x3x8x8xi32>
}

// -----

// Tests that loom.conv2d_backward_filter needs rank-4 operands and result.
func.func @conv2d_backward_filter_rank(%x: tensor<1x3x8x8xf32>, %dy: tensor<4x6x6xf32>) -> tensor<4x3x3x3xf32> {
  // expected-error@+1 {{'loom.conv2d_backward_filter' op grad_out 'tensor<4x6x6xf32>' must have rank 4 (NCHW)}}
  %0 = loom.conv2d_backward_filter %x, %dy : (tensor<1x3x8x8xf32>, tensor<4x6x6xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}

// -----

// Tests that loom.conv2d_backward_filter's operands share their element type.
func.func @conv2d_backward_filter_element_types(%x: tensor<1x3x8x8xf16>, %dy: tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf16> {
  // expected-error@+1 {{'loom.conv2d_backward_filter' op element types differ: input is 'tensor<1x3x8x8xf16>' but grad_out is 'tensor<1x4x6x6xf32>'}}
  %0 = loom.conv2d_backward_filter %x, %dy : (tensor<1x3x8x8xf16>, tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf16>
  return %0 : tensor<4x3x3x3xf16>
}

// -----

// Tests that loom.conv2d_backward_filter checks the forward's rule on the
// result, the filter's type: here, its channels per group.
func.func @conv2d_backward_filter_filter_channels(%x: tensor<1x4x8x8xf32>, %dy: tensor<1x6x6x6xf32>) -> tensor<6x4x3x3xf32> {
  // expected-error@+1 {{'loom.conv2d_backward_filter' op filter 'tensor<6x4x3x3xf32>' has 4 input channels per group but input 'tensor<1x4x8x8xf32>' with groups 2 needs 2}}
  %0 = loom.conv2d_backward_filter %x, %dy {groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<1x6x6x6xf32>) -> tensor<6x4x3x3xf32>
  return %0 : tensor<6x4x3x3xf32>
}

// -----

// Tests that loom.conv2d_backward_filter's grad_out is what the forward
// convolution with a filter of the result type gives.
func.func @conv2d_backward_filter_grad_out_shape(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x6x6xf32>) -> tensor<4x3x2x2xf32> {
  // expected-error@+1 {{'loom.conv2d_backward_filter' op grad_out 'tensor<1x4x6x6xf32>' is not the conv2d result 'tensor<1x4x7x7xf32>' of input 'tensor<1x3x8x8xf32>' and a filter of the result type 'tensor<4x3x2x2xf32>'}}
  %0 = loom.conv2d_backward_filter %x, %dy : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x3x2x2xf32>
  return %0 : tensor<4x3x2x2xf32>
}

// -----

// Tests that loom.pool2d needs a rank-4 input.
func.func @pool2d_rank(%x: tensor<3x8x8xf32>) -> tensor<3x4x4xf32> {
  // expected-error@+2 {{'loom.pool2d' op input 'tensor<3x8x8xf32>' must have rank 4 (NCHW)}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d max %x window [2, 2] strides [2, 2] : tensor<3x8x8xf32> -> tensor<3x4x4xf32>
  return %0 : tensor<3x4x4xf32>
}

// -----

// Tests that loom.pool2d's window has two entries.
func.func @pool2d_window_size(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error@+2 {{'loom.pool2d' op window [2] has 1 entry but needs 2 ([h, w])}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d max %x window [2] strides [2, 2] : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Tests that loom.pool2d's padding must not be negative.
func.func @pool2d_negative_padding(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error@+2 {{'loom.pool2d' op padding [0, 0, -1, 0] has an entry below 0}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d avg %x window [2, 2] strides [2, 2] {padding = array<i64: 0, 0, -1, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Tests that loom.pool2d's padding must be smaller than the window.
func.func @pool2d_padding_not_below_window(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error@+2 {{'loom.pool2d' op padding [1, 1, 2, 0] must be smaller than window [2, 2] in dimension 3}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d max %x window [2, 2] strides [2, 2] {padding = array<i64: 1, 1, 2, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

// Tests that loom.pool2d's window must fit in the padded input.
func.func @pool2d_window_too_large(%x: tensor<1x3x2x8xf32>) -> tensor<1x3x1x2xf32> {
  // expected-error@+2 {{'loom.pool2d' op window [4, 4] is larger than the padded input 'tensor<1x3x2x8xf32>' (2) in dimension 2}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d max %x window [4, 4] strides [4, 4] : tensor<1x3x2x8xf32> -> tensor<1x3x1x2xf32>
  return %0 : tensor<1x3x1x2xf32>
}

// -----

// Tests that loom.pool2d rejects a written result other than [N, C, HO, WO].
func.func @pool2d_result_shape(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+2 {{'loom.pool2d' op inferred type(s) 'tensor<1x3x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x3x8x8xf32>'}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d max %x window [2, 2] strides [2, 2] : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d requires its strides attribute.
func.func @pool2d_missing_strides(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error@+1 {{'loom.pool2d' op requires attribute 'strides'}}
  %0 = "loom.pool2d"(%x) {kind = 0 : i32, window = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Tests that loom.pool2d_backward max needs the forward input.
func.func @pool2d_backward_max_without_input(%dy: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op max needs the forward input as its second operand}}
  %0 = loom.pool2d_backward max %dy window [2, 2] strides [2, 2] : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward avg takes no input.
func.func @pool2d_backward_avg_with_input(%dy: tensor<1x3x4x4xf32>, %x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op avg takes no input operand, only grad_out}}
  %0 = loom.pool2d_backward avg %dy, %x window [2, 2] strides [2, 2] : (tensor<1x3x4x4xf32>, tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward needs a rank-4 grad_out and result.
func.func @pool2d_backward_rank(%dy: tensor<3x4x4xf32>) -> tensor<3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op grad_out 'tensor<3x4x4xf32>' must have rank 4 (NCHW)}}
  %0 = loom.pool2d_backward avg %dy window [2, 2] strides [2, 2] : (tensor<3x4x4xf32>) -> tensor<3x8x8xf32>
  return %0 : tensor<3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward's grad_out and result share their element
// type.
func.func @pool2d_backward_element_types(%dy: tensor<1x3x4x4xf16>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op element types differ: grad_out is 'tensor<1x3x4x4xf16>' but result is 'tensor<1x3x8x8xf32>'}}
  %0 = loom.pool2d_backward avg %dy window [2, 2] strides [2, 2] : (tensor<1x3x4x4xf16>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward max's input has the result's type.
func.func @pool2d_backward_input_type(%dy: tensor<1x3x4x4xf32>, %x: tensor<1x3x9x9xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op input 'tensor<1x3x9x9xf32>' and result 'tensor<1x3x8x8xf32>' must have the same type}}
  %0 = loom.pool2d_backward max %dy, %x window [2, 2] strides [2, 2] : (tensor<1x3x4x4xf32>, tensor<1x3x9x9xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward checks the forward's rule on the result:
// here, padding below the window.
func.func @pool2d_backward_padding_not_below_window(%dy: tensor<1x3x5x5xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op padding [1, 1, 2, 0] must be smaller than window [2, 2] in dimension 3}}
  %0 = loom.pool2d_backward avg %dy window [2, 2] strides [2, 2] {padding = array<i64: 1, 1, 2, 0>} : (tensor<1x3x5x5xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward's grad_out is what pooling an input of the
// result type gives.
func.func @pool2d_backward_grad_out_shape(%dy: tensor<1x3x4x4xf32>, %x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error@+1 {{'loom.pool2d_backward' op grad_out 'tensor<1x3x4x4xf32>' is not the pool2d result 'tensor<1x3x7x7xf32>' of an input of the result type 'tensor<1x3x8x8xf32>'}}
  %0 = loom.pool2d_backward max %dy, %x window [2, 2] strides [1, 1] : (tensor<1x3x4x4xf32>, tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that loom.pool2d_backward, a floating-point op, rejects i32.
func.func @pool2d_backward_integer_operand(%dy: tensor<1x3x4x4xi32>) -> tensor<1x3x8x8xi32> {
  // expected-error@+1 {{'loom.pool2d_backward' op operand #0 must be statically shaped tensor of f32, f64, bf16 or f16 values, but got 'tensor<1x3x4x4xi32>'}}
  %0 = loom.pool2d_backward avg %dy window [2, 2] strides [2, 2] : (tensor<1x3x4x4xi32>) -> tensor<1x3x8x8xi32>
  return %0 : tensor<1x3x8x8xi32>
}

// -----

// Tests that loom.softmax's dim must index a dimension of the input.
func.func @softmax_dim_out_of_range(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error@+1 {{'loom.softmax' op dim 2 is out of range for input 'tensor<8x10xf32>' of rank 2}}
  %0 = loom.softmax %x dim 2 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// Tests that loom.softmax's dim must be a 64-bit integer attribute.
func.func @softmax_dim_not_i64(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error@+1 {{'loom.softmax' op attribute 'dim' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "loom.softmax"(%x) {dim = 1 : i32} : (tensor<8x10xf32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// Tests that loom.log_softmax's dim must index a dimension of the input.
func.func @log_softmax_dim_out_of_range(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error@+1 {{'loom.log_softmax' op dim -1 is out of range for input 'tensor<8x10xf32>' of rank 2}}
  %0 = loom.log_softmax %x dim -1 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// Tests that loom.layer_norm's scale and bias must have one type.
func.func @layer_norm_scale_bias_types(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+2 {{'loom.layer_norm' op scale 'tensor<8xf32>' and bias 'tensor<1x8xf32>' must have the same type}}
  // expected-error@+1 {{'loom.layer_norm' op failed to infer returned types}}
  %0 = loom.layer_norm %x, %g, %b : (tensor<4x8xf32>, tensor<8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that loom.layer_norm's scale must have the input's element type.
func.func @layer_norm_element_types(%x: tensor<4x8xf32>, %g: tensor<8xbf16>, %b: tensor<8xbf16>) -> tensor<4x8xf32> {
  // expected-error@+2 {{'loom.layer_norm' op element types differ: input is 'tensor<4x8xf32>' but scale is 'tensor<8xbf16>'}}
  // expected-error@+1 {{'loom.layer_norm' op failed to infer returned types}}
  %0 = loom.layer_norm %x, %g, %b : (tensor<4x8xf32>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that loom.layer_norm's scale must match the input's trailing
// dimensions.
func.func @layer_norm_trailing_dimensions(%x: tensor<4x8xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error@+2 {{'loom.layer_norm' op scale 'tensor<4xf32>' must match the trailing dimensions of input 'tensor<4x8xf32>'}}
  // expected-error@+1 {{'loom.layer_norm' op failed to infer returned types}}
  %0 = loom.layer_norm %x, %g, %b : (tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that loom.layer_norm's epsilon must be positive.
func.func @layer_norm_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loom.layer_norm' op epsilon 0.000000e+00 must be positive and finite}}
  %0 = loom.layer_norm %x, %g, %b {epsilon = 0.0 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that loom.layer_norm rejects a written result other than the input's
// type.
func.func @layer_norm_result_type(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error@+2 {{'loom.layer_norm' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  // expected-error@+1 {{'loom.layer_norm' op failed to infer returned types}}
  %0 = loom.layer_norm %x, %g, %b : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that loom.attention's operands must share their element type.
func.func @attention_element_types(%q: tensor<4x16xf32>, %k: tensor<4x16xf32>, %v: tensor<4x16xf16>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention' op element types differ: query is 'tensor<4x16xf32>' but value is 'tensor<4x16xf16>'}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v : (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf16>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention's operands must have one rank of at least 2.
func.func @attention_rank(%q: tensor<2x4x16xf32>, %k: tensor<4x16xf32>, %v: tensor<4x16xf32>) -> tensor<2x4x16xf32> {
  // expected-error@+2 {{'loom.attention' op query 'tensor<2x4x16xf32>', key 'tensor<4x16xf32>' and value 'tensor<4x16xf32>' must have one rank of at least 2}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v : (tensor<2x4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// Tests that loom.attention's leading (batch, head) dimensions must be equal.
func.func @attention_leading_dimensions(%q: tensor<2x4x16xf32>, %k: tensor<3x4x16xf32>, %v: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  // expected-error@+2 {{'loom.attention' op leading dimensions of query 'tensor<2x4x16xf32>', key 'tensor<3x4x16xf32>' and value 'tensor<2x4x16xf32>' must be equal}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v : (tensor<2x4x16xf32>, tensor<3x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// Tests that loom.attention's query and key must have one head size.
func.func @attention_head_size(%q: tensor<4x16xf32>, %k: tensor<4x8xf32>, %v: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention' op query 'tensor<4x16xf32>' and key 'tensor<4x8xf32>' must have the same head size D}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention's key and value must have one sequence length.
func.func @attention_sequence_length(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<5x16xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention' op key 'tensor<6x16xf32>' and value 'tensor<5x16xf32>' must have the same sequence length S}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<5x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that causal loom.attention needs as many queries as keys.
func.func @attention_causal_lengths(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<6x16xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention' op causal attention needs as many queries as keys, but query 'tensor<4x16xf32>' has T = 4 and key 'tensor<6x16xf32>' has S = 6}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v causal : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention's scale must be positive and finite.
func.func @attention_scale(%q: tensor<4x16xf32>, %k: tensor<4x16xf32>, %v: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error@+1 {{'loom.attention' op scale -2.500000e-01 must be positive and finite}}
  %0 = loom.attention %q, %k, %v {scale = -0.25 : f64} : (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention rejects a written result other than
// [..., T, DV].
func.func @attention_result_shape(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<6x32xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention' op inferred type(s) 'tensor<4x32xf32>' are incompatible with return type(s) of operation 'tensor<4x16xf32>'}}
  // expected-error@+1 {{'loom.attention' op failed to infer returned types}}
  %0 = loom.attention %q, %k, %v : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x32xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention_with_lse checks its operands by attention's rule.
func.func @attention_with_lse_causal_lengths(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<6x16xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention_with_lse' op causal attention needs as many queries as keys, but query 'tensor<4x16xf32>' has T = 4 and key 'tensor<6x16xf32>' has S = 6}}
  // expected-error@+1 {{'loom.attention_with_lse' op failed to infer returned types}}
  %0, %1 = loom.attention_with_lse %q, %k, %v causal : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x16xf32>) -> (tensor<4x16xf32>, tensor<4xf32>)
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention_with_lse's scale must be positive and finite.
func.func @attention_with_lse_scale(%q: tensor<4x16xf32>, %k: tensor<4x16xf32>, %v: tensor<4x16xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.attention_with_lse' op scale 0.000000e+00 must be positive and finite}}
  %0, %1 = loom.attention_with_lse %q, %k, %v {scale = 0.0 : f64} : (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4xf32>)
  return %1 : tensor<4xf32>
}

// -----

// Tests that loom.attention_with_lse's lse has one entry per query row.
func.func @attention_with_lse_result_shape(%q: tensor<2x4x16xf32>, %k: tensor<2x6x16xf32>, %v: tensor<2x6x16xf32>) -> tensor<2x6xf32> {
  // expected-error@+2 {{'loom.attention_with_lse' op inferred type(s) 'tensor<2x4x16xf32>', 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4x16xf32>', 'tensor<2x6xf32>'}}
  // expected-error@+1 {{'loom.attention_with_lse' op failed to infer returned types}}
  %0, %1 = loom.attention_with_lse %q, %k, %v : (tensor<2x4x16xf32>, tensor<2x6x16xf32>, tensor<2x6x16xf32>) -> (tensor<2x4x16xf32>, tensor<2x6xf32>)
  return %1 : tensor<2x6xf32>
}

// -----

// Tests that loom.attention_backward's output has attention's result type.
func.func @attention_backward_output_type(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<6x8xf32>, %o: tensor<4x16xf32>, %do: tensor<4x8xf32>, %lse: tensor<4xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention_backward' op output 'tensor<4x16xf32>' must have the attention's result type 'tensor<4x8xf32>'}}
  // expected-error@+1 {{'loom.attention_backward' op failed to infer returned types}}
  %0, %1, %2 = loom.attention_backward %q, %k, %v, %o, %do, %lse : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x8xf32>, tensor<4x16xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x8xf32>)
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention_backward's grad_out has attention's result type.
func.func @attention_backward_grad_out_type(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<6x8xf32>, %o: tensor<4x8xf32>, %do: tensor<4x8xf64>, %lse: tensor<4xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention_backward' op grad_out 'tensor<4x8xf64>' must have the attention's result type 'tensor<4x8xf32>'}}
  // expected-error@+1 {{'loom.attention_backward' op failed to infer returned types}}
  %0, %1, %2 = loom.attention_backward %q, %k, %v, %o, %do, %lse : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x8xf32>, tensor<4x8xf32>, tensor<4x8xf64>, tensor<4xf32>) -> (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x8xf32>)
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention_backward's lse has one entry per query row.
func.func @attention_backward_lse_type(%q: tensor<4x16xf32>, %k: tensor<6x16xf32>, %v: tensor<6x8xf32>, %o: tensor<4x8xf32>, %do: tensor<4x8xf32>, %lse: tensor<6xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention_backward' op lse 'tensor<6xf32>' must have type 'tensor<4xf32>' (one per query row)}}
  // expected-error@+1 {{'loom.attention_backward' op failed to infer returned types}}
  %0, %1, %2 = loom.attention_backward %q, %k, %v, %o, %do, %lse : (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<6xf32>) -> (tensor<4x16xf32>, tensor<6x16xf32>, tensor<6x8xf32>)
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention_backward checks q, k, v by attention's rule.
func.func @attention_backward_head_size(%q: tensor<4x16xf32>, %k: tensor<6x8xf32>, %v: tensor<6x8xf32>, %o: tensor<4x8xf32>, %do: tensor<4x8xf32>, %lse: tensor<4xf32>) -> tensor<4x16xf32> {
  // expected-error@+2 {{'loom.attention_backward' op query 'tensor<4x16xf32>' and key 'tensor<6x8xf32>' must have the same head size D}}
  // expected-error@+1 {{'loom.attention_backward' op failed to infer returned types}}
  %0, %1, %2 = loom.attention_backward %q, %k, %v, %o, %do, %lse : (tensor<4x16xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<4x16xf32>, tensor<6x8xf32>, tensor<6x8xf32>)
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.attention_backward's scale must be positive and finite.
func.func @attention_backward_scale(%q: tensor<4x16xf32>, %k: tensor<4x16xf32>, %v: tensor<4x16xf32>, %o: tensor<4x16xf32>, %do: tensor<4x16xf32>, %lse: tensor<4xf32>) -> tensor<4x16xf32> {
  // expected-error@+1 {{'loom.attention_backward' op scale -1.000000e+00 must be positive and finite}}
  %0, %1, %2 = loom.attention_backward %q, %k, %v, %o, %do, %lse {scale = -1.0 : f64} : (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>)
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that loom.cross_entropy's logits need a class dimension.
func.func @cross_entropy_logits_rank(%l: tensor<f32>, %y: tensor<i32>) -> tensor<f32> {
  // expected-error@+2 {{'loom.cross_entropy' op logits 'tensor<f32>' need a class dimension (rank >= 1)}}
  // expected-error@+1 {{'loom.cross_entropy' op failed to infer returned types}}
  %0 = loom.cross_entropy sum %l, %y : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that loom.cross_entropy's labels must have the logits' shape without
// the class dimension.
func.func @cross_entropy_labels_shape(%l: tensor<8x10xf32>, %y: tensor<8x10xi32>) -> tensor<f32> {
  // expected-error@+2 {{'loom.cross_entropy' op labels 'tensor<8x10xi32>' must have the shape of logits 'tensor<8x10xf32>' without its last (class) dimension}}
  // expected-error@+1 {{'loom.cross_entropy' op failed to infer returned types}}
  %0 = loom.cross_entropy mean %l, %y : (tensor<8x10xf32>, tensor<8x10xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that loom.cross_entropy's labels must be integers.
func.func @cross_entropy_float_labels(%l: tensor<8x10xf32>, %y: tensor<8xf32>) -> tensor<f32> {
  // expected-error@+1 {{'loom.cross_entropy' op operand #1 must be statically shaped tensor of i32 or i64 values, but got 'tensor<8xf32>'}}
  %0 = loom.cross_entropy mean %l, %y : (tensor<8x10xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that a reducing loom.cross_entropy rejects a per-example result.
func.func @cross_entropy_result_shape(%l: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<8xf32> {
  // expected-error@+2 {{'loom.cross_entropy' op inferred type(s) 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  // expected-error@+1 {{'loom.cross_entropy' op failed to infer returned types}}
  %0 = loom.cross_entropy mean %l, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that loom.cross_entropy's reduction must be one of the enum's values.
func.func @cross_entropy_reduction_out_of_range(%l: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<f32> {
  // expected-error@+1 {{'loom.cross_entropy' op attribute 'reduction' failed to satisfy constraint: how a loss combines per-example values}}
  %0 = "loom.cross_entropy"(%l, %y) {reduction = 3 : i32} : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that loom.dropout's key must be a tensor<2xi64>, not a longer one.
func.func @dropout_key_shape(%x: tensor<4xf32>, %k: tensor<3xi64>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.dropout' op operand #1 must be tensor<2xi64> (seed, step), but got 'tensor<3xi64>'}}
  %0 = loom.dropout %x, %k rate 0.5 stream 0 : (tensor<4xf32>, tensor<3xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.dropout's key must hold i64 values.
func.func @dropout_key_element_type(%x: tensor<4xf32>, %k: tensor<2xi32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.dropout' op operand #1 must be tensor<2xi64> (seed, step), but got 'tensor<2xi32>'}}
  %0 = loom.dropout %x, %k rate 0.5 stream 0 : (tensor<4xf32>, tensor<2xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.dropout's rate must lie in [0, 1).
func.func @dropout_rate(%x: tensor<4xf32>, %k: tensor<2xi64>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.dropout' op rate 1.000000e+00 must lie in [0, 1)}}
  %0 = loom.dropout %x, %k rate 1.0 stream 0 : (tensor<4xf32>, tensor<2xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.dropout's stream must not be negative.
func.func @dropout_stream(%x: tensor<4xf32>, %k: tensor<2xi64>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.dropout' op stream -1 must be non-negative}}
  %0 = loom.dropout %x, %k rate 0.5 stream -1 : (tensor<4xf32>, tensor<2xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.dropout's rate must be an f64 attribute.
func.func @dropout_rate_not_f64(%x: tensor<4xf32>, %k: tensor<2xi64>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.dropout' op attribute 'rate' failed to satisfy constraint: 64-bit float attribute}}
  %0 = "loom.dropout"(%x, %k) {rate = 5.0e-01 : f32, stream = 0 : i64} : (tensor<4xf32>, tensor<2xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.dropout rejects a written result other than the input's
// type.
func.func @dropout_result_type(%x: tensor<4xf32>, %k: tensor<2xi64>) -> tensor<4xf16> {
  // expected-error@+2 {{'loom.dropout' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf16>'}}
  // expected-error@+1 {{'loom.dropout' op failed to infer returned types}}
  %0 = loom.dropout %x, %k rate 0.5 stream 0 : (tensor<4xf32>, tensor<2xi64>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Tests that loom.constant's value must have a tensor type.
func.func @constant_not_tensor() {
  // expected-error@+1 {{'loom.constant' op value must be a statically shaped tensor}}
  %0 = loom.constant dense<1.0> : vector<2xf32>
  return
}

// -----

// Tests that loom.constant's value must be an elements attribute.
func.func @constant_not_elements() -> tensor<2xf32> {
  // expected-error@+1 {{'loom.constant' op attribute 'value' failed to satisfy constraint: constant vector/tensor attribute}}
  %0 = "loom.constant"() {value = 1.0 : f32} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that loom.constant's value must hold loom element types (not i8).
func.func @constant_i8() -> tensor<2xi8> {
  // expected-error@+1 {{'loom.constant' op result #0 must be statically shaped tensor of f32, f64, bf16, f16, i32, i64 or i1 values, but got 'tensor<2xi8>'}}
  %0 = loom.constant dense<1> : tensor<2xi8>
  return %0 : tensor<2xi8>
}

// -----

// Tests that loom.constant rejects a written result other than its value's
// type.
func.func @constant_result_type() -> tensor<3xf32> {
  // expected-error@+2 {{'loom.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error@+1 {{'loom.constant' op failed to infer returned types}}
  %0 = "loom.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that loom.iota's dim must index a dimension of the result.
func.func @iota_dim_out_of_range() -> tensor<4x8xi32> {
  // expected-error@+1 {{'loom.iota' op dim 2 is out of range for result 'tensor<4x8xi32>' of rank 2}}
  %0 = loom.iota dim 2 : tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

// Tests that loom.iota cannot yield i1 values.
func.func @iota_i1() -> tensor<4xi1> {
  // expected-error@+1 {{'loom.iota' op result #0 must be statically shaped tensor of f32, f64, bf16, f16, i32 or i64 values, but got 'tensor<4xi1>'}}
  %0 = loom.iota dim 0 : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Tests that a mean loom.all_reduce needs floating-point values.
func.func @all_reduce_mean_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{'loom.all_reduce' op mean needs a floating-point input, not 'tensor<4xi32>'}}
  %0 = loom.all_reduce mean %x over ["data"] group_size 2 : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Tests that loom.all_reduce's group_size must be positive.
func.func @all_reduce_group_size(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_reduce' op group_size 0 must be positive}}
  %0 = loom.all_reduce sum %x over ["data"] group_size 0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.all_reduce must name at least one mesh axis.
func.func @all_reduce_no_axes(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_reduce' op axes must name at least one mesh axis}}
  %0 = loom.all_reduce sum %x over [] group_size 2 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.all_reduce's mesh-axis names must not be empty.
func.func @all_reduce_empty_axis_name(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_reduce' op axes has an empty axis name}}
  %0 = loom.all_reduce sum %x over ["data", ""] group_size 2 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.all_reduce names each mesh axis once.
func.func @all_reduce_repeated_axis(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_reduce' op axes names 'data' twice}}
  %0 = loom.all_reduce sum %x over ["data", "data"] group_size 4 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.all_reduce's axes must be strings.
func.func @all_reduce_axes_not_strings(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_reduce' op attribute 'axes' failed to satisfy constraint: string array attribute}}
  %0 = "loom.all_reduce"(%x) {kind = 0 : i32, axes = [0], group_size = 2 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.all_reduce keeps the input's type.
func.func @all_reduce_result_type(%x: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error@+1 {{'loom.all_reduce' op requires the same type for all operands and results}}
  %0 = "loom.all_reduce"(%x) {kind = 0 : i32, axes = ["data"], group_size = 2 : i64} : (tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that loom.all_gather's group_size must be positive.
func.func @all_gather_group_size(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_gather' op group_size -2 must be positive}}
  %0 = loom.all_gather %x over ["model"] group_size -2 dim 0 : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.all_gather names each mesh axis once.
func.func @all_gather_repeated_axis(%x: tensor<4xf32>) -> tensor<16xf32> {
  // expected-error@+1 {{'loom.all_gather' op axes names 'model' twice}}
  %0 = loom.all_gather %x over ["model", "model"] group_size 4 dim 0 : tensor<4xf32> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// Tests that loom.all_gather's dim must index a dimension of the input.
func.func @all_gather_dim_out_of_range(%x: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error@+2 {{'loom.all_gather' op dim 1 is out of range for input 'tensor<4xf32>' of rank 1}}
  // expected-error@+1 {{'loom.all_gather' op failed to infer returned types}}
  %0 = loom.all_gather %x over ["model"] group_size 2 dim 1 : tensor<4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that loom.all_gather rejects a result whose dim did not grow
// group_size times.
func.func @all_gather_result_shape(%x: tensor<4x3xf32>) -> tensor<8x3xf32> {
  // expected-error@+2 {{'loom.all_gather' op inferred type(s) 'tensor<4x6xf32>' are incompatible with return type(s) of operation 'tensor<8x3xf32>'}}
  // expected-error@+1 {{'loom.all_gather' op failed to infer returned types}}
  %0 = loom.all_gather %x over ["model"] group_size 2 dim 1 : tensor<4x3xf32> -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

// Tests that a mean loom.reduce_scatter needs floating-point values.
func.func @reduce_scatter_mean_integer(%x: tensor<8xi64>) -> tensor<4xi64> {
  // expected-error@+1 {{'loom.reduce_scatter' op mean needs a floating-point input, not 'tensor<8xi64>'}}
  %0 = loom.reduce_scatter mean %x over ["data"] group_size 2 dim 0 : tensor<8xi64> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Tests that loom.reduce_scatter's group_size must be positive.
func.func @reduce_scatter_group_size(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error@+1 {{'loom.reduce_scatter' op group_size 0 must be positive}}
  %0 = loom.reduce_scatter sum %x over ["data"] group_size 0 dim 0 : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that loom.reduce_scatter must name at least one mesh axis.
func.func @reduce_scatter_no_axes(%x: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.reduce_scatter' op axes must name at least one mesh axis}}
  %0 = loom.reduce_scatter sum %x over [] group_size 2 dim 0 : tensor<8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.reduce_scatter's dim must index a dimension of the input.
func.func @reduce_scatter_dim_out_of_range(%x: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{'loom.reduce_scatter' op dim 1 is out of range for input 'tensor<8xf32>' of rank 1}}
  // expected-error@+1 {{'loom.reduce_scatter' op failed to infer returned types}}
  %0 = loom.reduce_scatter sum %x over ["data"] group_size 2 dim 1 : tensor<8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that loom.reduce_scatter's dim must split into group_size slices.
func.func @reduce_scatter_not_divisible(%x: tensor<6x4xf32>) -> tensor<1x4xf32> {
  // expected-error@+2 {{'loom.reduce_scatter' op dimension 0 of input 'tensor<6x4xf32>' (6) is not divisible by group_size 4}}
  // expected-error@+1 {{'loom.reduce_scatter' op failed to infer returned types}}
  %0 = loom.reduce_scatter max %x over ["data"] group_size 4 dim 0 : tensor<6x4xf32> -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// Tests that loom.reduce_scatter rejects a result whose dim did not shrink
// group_size times.
func.func @reduce_scatter_result_shape(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error@+2 {{'loom.reduce_scatter' op inferred type(s) 'tensor<4x4xf32>' are incompatible with return type(s) of operation 'tensor<8x4xf32>'}}
  // expected-error@+1 {{'loom.reduce_scatter' op failed to infer returned types}}
  %0 = loom.reduce_scatter min %x over ["data"] group_size 2 dim 0 : tensor<8x4xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Size arithmetic that would overflow int64
//===----------------------------------------------------------------------===//

// Tests that an all_gather whose gathered dimension (8 * 2^62) does not fit in
// int64 is rejected instead of wrapping around.
func.func @all_gather_overflow(%x: tensor<8xf32>) -> tensor<0xf32> {
  // expected-error@+2 {{'loom.all_gather' op the gathered dimension overflows a 64-bit size}}
  // expected-error@+1 {{'loom.all_gather' op failed to infer returned types}}
  %0 = loom.all_gather %x over ["data"] group_size 4611686018427387904 dim 0 : tensor<8xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// Tests that conv2d padding whose sum with the input size overflows int64 is
// rejected.
func.func @conv2d_padding_overflow(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x4x6xf32> {
  // expected-error@+2 {{'loom.conv2d' op the padded input overflows a 64-bit size}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {padding = array<i64: 9223372036854775807, 9223372036854775807, 0, 0>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// Tests that a conv2d dilation whose filter span overflows int64 is rejected.
func.func @conv2d_dilation_overflow(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error@+2 {{'loom.conv2d' op the dilated filter overflows a 64-bit size}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w {dilations = array<i64: 9223372036854775807, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

// Tests that pool2d padding whose sum with the input size overflows int64 is
// rejected.
func.func @pool2d_padding_overflow(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error@+2 {{'loom.pool2d' op the padded input overflows a 64-bit size}}
  // expected-error@+1 {{'loom.pool2d' op failed to infer returned types}}
  %0 = loom.pool2d max %x window [9223372036854775807, 1] strides [1, 1] {padding = array<i64: 9223372036854775806, 9223372036854775806, 0, 0>} : tensor<1x1x4x4xf32> -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

// Tests that concatenating inputs whose sizes add past int64 is rejected.
func.func @concat_overflow(%a: tensor<4611686018427387904xf32>, %b: tensor<4611686018427387904xf32>) -> tensor<1xf32> {
  // expected-error@+2 {{'loom.concat' op the concatenated dimension overflows a 64-bit size}}
  // expected-error@+1 {{'loom.concat' op failed to infer returned types}}
  %0 = loom.concat %a, %b dim 0 : (tensor<4611686018427387904xf32>, tensor<4611686018427387904xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Tests that a reshape whose element count does not fit in int64 is rejected
// rather than compared modulo 2^64.
func.func @reshape_overflow(%x: tensor<4294967296x4294967296xf32>) -> tensor<0xf32> {
  // expected-error@+1 {{'loom.reshape' op the element count of input 'tensor<4294967296x4294967296xf32>' overflows a 64-bit size}}
  %0 = loom.reshape %x : tensor<4294967296x4294967296xf32> to tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// Tests that a conv2d filter with a zero spatial size is rejected (it would
// make the output larger than the input).
func.func @conv2d_zero_kernel(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x0x3xf32>) -> tensor<1x1x6x3xf32> {
  // expected-error@+2 {{'loom.conv2d' op filter 'tensor<1x1x0x3xf32>' must have a positive kernel size (KH, KW)}}
  // expected-error@+1 {{'loom.conv2d' op failed to infer returned types}}
  %0 = loom.conv2d %x, %w : (tensor<1x1x5x5xf32>, tensor<1x1x0x3xf32>) -> tensor<1x1x6x3xf32>
  return %0 : tensor<1x1x6x3xf32>
}
