// RUN: loom-opt --loom-build-decode-step %s --split-input-file --verify-diagnostics | FileCheck %s

// Tests that @decode_step computes one position of a one-layer language
// model: the token's embedding plus the row of the position table at %pos (a
// gather from the sliced table's source), the key and value written into
// their caches at row %pos, the query attending over the cached rows up to
// %pos, and the updated caches returned as the program's state. The slice
// of the position table is gone; @forward is unchanged.
// CHECK-LABEL: func.func @forward(
// CHECK:         loom.attention
// CHECK-LABEL: func.func @decode_step(
// CHECK-SAME:    %[[WTE:[^:]*]]: tensor<5x4xf32> {loom.param = "wte"},
// CHECK-SAME:    %[[WPE:[^:]*]]: tensor<8x4xf32> {loom.param = "wpe"},
// CHECK-SAME:    %[[TOK:[^:]*]]: tensor<1x1xi32> {loom.input = "token"},
// CHECK-SAME:    %[[POS:[^:]*]]: tensor<1xi32> {loom.input = "pos"},
// CHECK-SAME:    %[[CK:[^:]*]]: tensor<1x3x4xf32> {loom.state = "cache.0.k"},
// CHECK-SAME:    %[[CV:[^:]*]]: tensor<1x3x4xf32> {loom.state = "cache.0.v"})
// CHECK-SAME:    -> (tensor<1x1x5xf32> {loom.output = "output"}, tensor<1x3x4xf32> {loom.state = "cache.0.k"}, tensor<1x3x4xf32> {loom.state = "cache.0.v"})
// CHECK-NEXT:    %[[E:.*]] = loom.gather %[[WTE]][%[[TOK]]] axis 0 : (tensor<5x4xf32>, tensor<1x1xi32>) -> tensor<1x1x4xf32>
// CHECK-NEXT:    %[[P:.*]] = loom.gather %[[WPE]][%[[POS]]] axis 0 : (tensor<8x4xf32>, tensor<1xi32>) -> tensor<1x4xf32>
// CHECK-NEXT:    %[[X:.*]] = loom.add %[[E]], %[[P]] : (tensor<1x1x4xf32>, tensor<1x4xf32>) -> tensor<1x1x4xf32>
// CHECK-NEXT:    %[[ROWS:.*]] = loom.iota dim 0 : tensor<3x1xi32>
// CHECK-NEXT:    %[[HERE:.*]] = loom.compare eq, %[[ROWS]], %[[POS]] : (tensor<3x1xi32>, tensor<1xi32>) -> tensor<3x1xi1>
// CHECK-NEXT:    %[[K:.*]] = loom.select %[[HERE]], %[[X]], %[[CK]] : (tensor<3x1xi1>, tensor<1x1x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
// CHECK:         %[[V:.*]] = loom.select %{{.*}}, %[[X]], %[[CV]] : (tensor<3x1xi1>, tensor<1x1x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
// CHECK:         %[[S:.*]] = loom.matmul %[[X]], %[[K]] transpose_rhs : (tensor<1x1x4xf32>, tensor<1x3x4xf32>) -> tensor<1x1x3xf32>
// CHECK-NEXT:    %[[SS:.*]] = loom.mul %[[S]], %{{.*}} : (tensor<1x1x3xf32>, tensor<f32>) -> tensor<1x1x3xf32>
// CHECK-NEXT:    %[[COLS:.*]] = loom.iota dim 1 : tensor<1x3xi32>
// CHECK-NEXT:    %[[SEEN:.*]] = loom.compare le, %[[COLS]], %[[POS]] : (tensor<1x3xi32>, tensor<1xi32>) -> tensor<1x3xi1>
// CHECK:         %[[M:.*]] = loom.select %[[SEEN]], %[[SS]], %{{.*}} : (tensor<1x3xi1>, tensor<1x1x3xf32>, tensor<f32>) -> tensor<1x1x3xf32>
// CHECK-NEXT:    %[[PR:.*]] = loom.softmax %[[M]] dim 2 : tensor<1x1x3xf32>
// CHECK-NEXT:    %[[A:.*]] = loom.matmul %[[PR]], %[[V]] : (tensor<1x1x3xf32>, tensor<1x3x4xf32>) -> tensor<1x1x4xf32>
// CHECK-NEXT:    %[[O:.*]] = loom.matmul %[[A]], %[[WTE]] transpose_rhs : (tensor<1x1x4xf32>, tensor<5x4xf32>) -> tensor<1x1x5xf32>
// CHECK-NEXT:    return %[[O]], %[[K]], %[[V]]
// CHECK-NOT:   loom.slice
module {
  func.func @forward(%wte: tensor<5x4xf32> {loom.param = "wte"}, %wpe: tensor<8x4xf32> {loom.param = "wpe"},
                     %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x3x5xf32> {
    %e = loom.gather %wte[%x] axis 0 : (tensor<5x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    %p = loom.slice %wpe start [0, 0] limit [3, 4] stride [1, 1] : tensor<8x4xf32> -> tensor<3x4xf32>
    %h = loom.add %e, %p : (tensor<1x3x4xf32>, tensor<3x4xf32>) -> tensor<1x3x4xf32>
    %a = loom.attention %h, %h, %h causal : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
    %o = loom.matmul %a, %wte transpose_rhs : (tensor<1x3x4xf32>, tensor<5x4xf32>) -> tensor<1x3x5xf32>
    return %o : tensor<1x3x5xf32>
  }
}

// -----

// Tests the per-position ops: layer_norm and softmax over the features,
// reshape and transpose that keep the positions one dimension, a reduction
// over the features, and a position-free op on a parameter that stays whole.
// CHECK-LABEL: func.func @decode_step(
// CHECK:         %[[WT:.*]] = loom.transpose %{{.*}}, [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
// CHECK:         loom.layer_norm {{.*}} -> tensor<1x1x6xf32>
// CHECK-NEXT:    loom.softmax %{{.*}} dim 2 : tensor<1x1x6xf32>
// CHECK-NEXT:    loom.reshape %{{.*}} : tensor<1x1x6xf32> to tensor<1x1x2x3xf32>
// CHECK-NEXT:    loom.transpose %{{.*}}, [0, 2, 1, 3] : tensor<1x1x2x3xf32> -> tensor<1x2x1x3xf32>
// CHECK-NEXT:    loom.reduce sum %{{.*}} dims [1, 3] : tensor<1x2x1x3xf32> -> tensor<1x1xf32>
// CHECK-NEXT:    return {{.*}} : tensor<1x1xf32>
module {
  func.func @forward(%w: tensor<6x4xf32> {loom.param = "w"}, %g: tensor<6xf32> {loom.param = "g"},
                     %x: tensor<1x5xi32> {loom.input = "x"}) -> tensor<1x5xf32> {
    %wt = loom.transpose %w, [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
    %e = loom.gather %wt[%x] axis 0 : (tensor<4x6xf32>, tensor<1x5xi32>) -> tensor<1x5x6xf32>
    %n = loom.layer_norm %e, %g, %g : (tensor<1x5x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x5x6xf32>
    %s = loom.softmax %n dim 2 : tensor<1x5x6xf32>
    %r = loom.reshape %s : tensor<1x5x6xf32> to tensor<1x5x2x3xf32>
    %t = loom.transpose %r, [0, 2, 1, 3] : tensor<1x5x2x3xf32> -> tensor<1x2x5x3xf32>
    %y = loom.reduce sum %t dims [1, 3] : tensor<1x2x5x3xf32> -> tensor<1x5xf32>
    return %y : tensor<1x5xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x3x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.attention' without 'causal' lets every position see later ones; a decoding program computes one position at a time}}
    %a = loom.attention %e, %e, %e : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
    return %a : tensor<1x3x4xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.reduce' reduces over the positions; a decoding program computes one position at a time}}
    %m = loom.reduce mean %e dims [1] : tensor<1x3x4xf32> -> tensor<1x4xf32>
    return %m : tensor<1x4xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x3x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.softmax' normalizes over the positions; a decoding program computes one position at a time}}
    %s = loom.softmax %e dim 1 : tensor<1x3x4xf32>
    return %s : tensor<1x3x4xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x2x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.slice' takes some of the positions; a decoding program computes one position at a time}}
    %s = loom.slice %e start [0, 1, 0] limit [1, 3, 4] stride [1, 1, 1] : tensor<1x3x4xf32> -> tensor<1x2x4xf32>
    return %s : tensor<1x2x4xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %v: tensor<3x5xf32> {loom.param = "v"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x4x5xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.matmul' sums over the positions; a decoding program computes one position at a time}}
    %g = loom.matmul %e, %v transpose_lhs : (tensor<1x3x4xf32>, tensor<3x5xf32>) -> tensor<1x4x5xf32>
    return %g : tensor<1x4x5xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x3x3xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.matmul' multiplies positions with positions; a decoding program computes one position at a time}}
    %g = loom.matmul %e, %e transpose_rhs : (tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x3xf32>
    return %g : tensor<1x3x3xf32>
  }
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x12xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-error@+1 {{cannot build a decoding program: 'loom.reshape' merges the positions with another dimension; a decoding program computes one position at a time}}
    %f = loom.reshape %e : tensor<1x3x4xf32> to tensor<1x12xf32>
    return %f : tensor<1x12xf32>
  }
}

// -----

// expected-error@+1 {{cannot build a decoding program: a decoding program needs the batch-1 forward of a sequence model: token ids [1, T] in}}
func.func @forward(%w: tensor<3x4xf32> {loom.param = "w"}, %x: tensor<2x4xf32> {loom.input = "x"}) -> tensor<2x3xf32> {
  %o = loom.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %o : tensor<2x3xf32>
}

// -----

module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    %c = loom.constant dense<1.0> : tensor<4xf32>
    // expected-error@+1 {{cannot build a decoding program: the forward's result does not run over the positions of its input}}
    return %c : tensor<4xf32>
  }
}
