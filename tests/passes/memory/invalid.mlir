// RUN: loom-opt %s --split-input-file --loom-plan-memory --verify-diagnostics

// Tests that a tensor without a static shape cannot be planned.
// expected-error@+1 {{memory planning needs statically shaped tensors of integers or floats, not 'tensor<?xf32>'}}
func.func @dynamic_shape(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// Tests that a value that is no tensor cannot be planned.
// expected-error@+1 {{memory planning needs statically shaped tensors of integers or floats, not 'i64'}}
func.func @not_a_tensor(%x: i64) -> i64 {
  return %x : i64
}

// -----

// Tests that one argument gets at most one new value.
// expected-error@+1 {{memory planning: results #0 and #1 are both the new value of argument #0}}
func.func @two_updates(%w: tensor<16xf32> {loom.param = "w"})
    -> (tensor<16xf32> {loom.param = "w"}, tensor<16xf32> {loom.param = "w"}) {
  %0 = loom.neg %w : tensor<16xf32>
  %1 = loom.exp %w : tensor<16xf32>
  return %0, %1 : tensor<16xf32>, tensor<16xf32>
}

// -----

// Tests that parameters whose new values are each other's old values (a
// swap) are an error, not a wrong copy: each copy would overwrite the
// other's source.
// expected-error@+1 {{memory planning: the new values of the parameters and optimizer state read each other's bytes in a cycle (argument #0); copying needs a temporary}}
func.func @swap(%a: tensor<16xf32> {loom.param = "a"}, %b: tensor<16xf32> {loom.param = "b"})
    -> (tensor<16xf32> {loom.param = "a"}, tensor<16xf32> {loom.param = "b"}) {
  return %b, %a : tensor<16xf32>, tensor<16xf32>
}
