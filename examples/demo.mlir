// The loss of a two-layer MLP classifier (784 -> 128 -> 10) on a batch of 8,
// written directly in the loom dialect. `make demo` runs it through
// `loom-opt --canonicalize --cse`, which verifies it, folds the redundant
// transpose pair and the added zero bias, and merges the duplicated
// activation.
func.func @loss(%x: tensor<8x784xf32>, %labels: tensor<8xi32>,
                %w1: tensor<128x784xf32>, %b1: tensor<128xf32>,
                %w2: tensor<10x128xf32>) -> tensor<f32> {
  // Layer 1: weights stored [out, in], read transposed.
  %h = loom.matmul %x, %w1 transpose_rhs : (tensor<8x784xf32>, tensor<128x784xf32>) -> tensor<8x128xf32>
  %hb = loom.add %h, %b1 : (tensor<8x128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  %a = loom.gelu %hb : tensor<8x128xf32>
  %a_again = loom.gelu %hb : tensor<8x128xf32>
  %a_sum = loom.add %a, %a_again : tensor<8x128xf32>
  %half = loom.constant dense<5.000000e-01> : tensor<f32>
  %act = loom.mul %a_sum, %half : (tensor<8x128xf32>, tensor<f32>) -> tensor<8x128xf32>
  // Layer 2: a transpose pair that cancels, and a zero bias.
  %w2t = loom.transpose %w2, [1, 0] : tensor<10x128xf32> -> tensor<128x10xf32>
  %w2tt = loom.transpose %w2t, [1, 0] : tensor<128x10xf32> -> tensor<10x128xf32>
  %logits = loom.matmul %act, %w2tt transpose_rhs : (tensor<8x128xf32>, tensor<10x128xf32>) -> tensor<8x10xf32>
  %zero = loom.constant dense<0.000000e+00> : tensor<8x10xf32>
  %biased = loom.add %logits, %zero : tensor<8x10xf32>
  %loss = loom.cross_entropy mean %biased, %labels : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
