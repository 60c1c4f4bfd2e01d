// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-results-to-out-params

// Tests that a kernel calling another one that has results is refused (the
// call would still expect them).
func.func @callee(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func @caller(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'func.call' op calls @callee, whose results become out-parameters; a kernel calls no other kernel}}
  %0 = call @callee(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a result that is not a ranked tensor is refused.
// expected-error@+1 {{'func.func' op returns 'f32'; a kernel returns ranked tensors only}}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}
