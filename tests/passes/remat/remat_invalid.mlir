// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-remat="policy=blocks"
// RUN: not loom-opt %s --split-input-file --loom-remat="policy=all" 2>&1 | FileCheck %s --check-prefix=POLICY

// Tests that a function whose every result is a new parameter or optimizer
// state has no loss, so no forward to recompute: an error at the function.
module {
  // expected-error@+1 {{has no loss to recompute the forward of: every result is a new parameter or optimizer state}}
  func.func @train_step(%w: tensor<4xf32> {loom.param = "w"})
      -> (tensor<4xf32> {loom.param = "w"}) {
    %0 = loom.neg %w : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// Tests that the function to recompute must exist (--loom-remat's `func`,
// @train_step by default).
// expected-error@+1 {{--loom-remat: no function @train_step}}
module {
  func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
    %0 = loom.reduce sum %w dims [0] : tensor<4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// Tests that an unknown policy is an error at the module naming the
// policies (POLICY; every case of this file gets it).
// POLICY: error: --loom-remat: unknown policy 'all' (one of none, blocks, dots)
module {
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %0 = loom.reduce sum %x dims [0] : tensor<4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}
