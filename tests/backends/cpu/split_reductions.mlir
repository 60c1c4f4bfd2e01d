// RUN: loom-opt %s --split-input-file --loom-split-reductions=min-bytes=0 | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-split-reductions | FileCheck %s --check-prefix=SMALL

// Tests that a sum over the batch into [T, N] (the reduced dimension first)
// runs over T first, with the same arithmetic: an interchange, no split.
// Below 64 KiB of operands (the default min-bytes) it is left alone.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d1, d0, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @batch_sum
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[O]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-NOT: linalg.generic
// SMALL-LABEL: func.func @batch_sum
// SMALL: iterator_types = ["reduction", "parallel", "parallel"]
func.func @batch_sum(%x: tensor<4x16x8xf32>, %init: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>],
                       iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%x : tensor<4x16x8xf32>) outs(%init : tensor<16x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}

// -----

// Tests that a bias gradient (rows reduced into a short vector, the only
// parallel dimension innermost) is split over its rows: 12 rows into 12
// parts (the largest divisor up to 16) of 1, partials filled with 0, then a
// combine of init and partials with the parts innermost.
// CHECK-DAG: #[[PX:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[PO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[CP:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[CO:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @bias_grad(%arg0: tensor<12x5x8xf32>, %arg1: tensor<8xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %arg0 {{\[}}[0, 1], [2], [3]] output_shape [12, 1, 5, 8] : tensor<12x5x8xf32> into tensor<12x1x5x8xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<12x8xf32>)
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[PX]], #[[PO]]], iterator_types = ["parallel", "reduction", "reduction", "parallel"]} ins(%[[E]] : tensor<12x1x5x8xf32>) outs(%[[F]] : tensor<12x8xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[CP]], #[[CO]]], iterator_types = ["parallel", "reduction"]} ins(%[[P]] : tensor<12x8xf32>) outs(%arg1 : tensor<8xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[IN]], %[[OUT]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK: return %[[S]]
func.func @bias_grad(%x: tensor<12x5x8xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>],
                       iterator_types = ["reduction", "reduction", "parallel"]}
      ins(%x : tensor<12x5x8xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Tests that a maximum over everything into a scalar is split into 16 parts
// of 2 (of 32), the partials filled with -inf, and that a linalg.index of
// the split dimension becomes part * 2 + index.
// CHECK-LABEL: func.func @full_max
// CHECK: tensor.expand_shape %arg0 {{\[}}[0, 1], [2]] output_shape [16, 2, 3]
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.fill {{.*}} -> tensor<16xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-DAG: %[[K:.*]] = linalg.index 0 : index
// CHECK-DAG: %[[I:.*]] = linalg.index 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[KC:.*]] = arith.muli %[[K]], %[[C2]] : index
// CHECK: %[[ROW:.*]] = arith.addi %[[KC]], %[[I]] : index
// CHECK: arith.index_cast %[[ROW]]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}} : tensor<16xf32>) outs(%arg1 : tensor<f32>)
// CHECK: arith.maximumf
func.func @full_max(%x: tensor<32x3xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<32x3xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 0 : index
    %j = arith.index_cast %i : index to i32
    %f = arith.sitofp %j : i32 to f32
    %v = arith.addf %a, %f : f32
    %s = arith.maximumf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Tests that a linalg.reduce is generalized and split like a generic.
// CHECK-LABEL: func.func @named
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<10x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<10x4xf32>) outs(%arg1 : tensor<4xf32>)
func.func @named(%x: tensor<20x4xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.reduce ins(%x : tensor<20x4xf32>) outs(%init : tensor<4xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<4xf32>
}

// -----

// Tests what is left alone: rows already outer (8 or more), a reduced
// dimension of prime length (no divisor up to 16), a combiner without a
// neutral element (subf), and an op without reductions.
// CHECK-LABEL: func.func @left_alone
// CHECK: iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<8x64xf32>)
// CHECK: iterator_types = ["reduction", "parallel"]} ins(%arg2 : tensor<17x4xf32>)
// CHECK: iterator_types = ["reduction", "parallel"]} ins(%arg3 : tensor<16x4xf32>)
// CHECK: iterator_types = ["parallel", "parallel"]} ins(%arg3 : tensor<16x4xf32>)
// CHECK-NOT: linalg.generic
// CHECK-NOT: tensor.expand_shape
func.func @left_alone(%rows: tensor<8x64xf32>, %r0: tensor<8xf32>, %prime: tensor<17x4xf32>, %x: tensor<16x4xf32>, %r1: tensor<4xf32>, %e: tensor<16x4xf32>) -> (tensor<8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<16x4xf32>) {
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%rows : tensor<8x64xf32>) outs(%r0 : tensor<8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                       iterator_types = ["reduction", "parallel"]}
      ins(%prime : tensor<17x4xf32>) outs(%r1 : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                       iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<16x4xf32>) outs(%r1 : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.subf %o, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x4xf32>) outs(%e : tensor<16x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %v : f32
    linalg.yield %s : f32
  } -> tensor<16x4xf32>
  return %a, %b, %c, %d : tensor<8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<16x4xf32>
}

// -----

// Tests that the tensors a reduction's body reads from outside count towards
// min-bytes: a loss that picks one logit per row (256 KiB of logits, 64
// bytes of operands) is split with the default threshold.
// CHECK-LABEL: func.func @picked
// CHECK: tensor.expand_shape %arg1
// SMALL-LABEL: func.func @picked
// SMALL: tensor.expand_shape %arg1 {{\[}}[0, 1], [2]] output_shape [8, 1, 2]
// SMALL: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// SMALL: tensor.extract %arg0
// SMALL: linalg.generic {{.*}} iterator_types = ["reduction"]
func.func @picked(%logits: tensor<64x1024xf32>, %labels: tensor<8x2xi32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%labels : tensor<8x2xi32>) outs(%init : tensor<f32>) {
  ^bb0(%l: i32, %o: f32):
    %row = linalg.index 0 : index
    %col = arith.index_cast %l : i32 to index
    %v = tensor.extract %logits[%row, %col] : tensor<64x1024xf32>
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Tests that a sum of squares over everything whose outer dimension has no
// divisor up to 16 (29) merges its two reduced dimensions into one of 464
// (= 16 * 29) and splits that into 16 contiguous parts of 29, instead of
// splitting the inner dimension (each part a few elements of every row); a
// linalg.index of the outer dimension is recovered from the merged index.
// CHECK-LABEL: func.func @merged_sum
// CHECK: %[[M:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<29x16xf32> into tensor<464xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[M]] {{\[}}[0, 1]] output_shape [16, 29] : tensor<464xf32> into tensor<16x29xf32>
// CHECK: linalg.fill {{.*}} -> tensor<16xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<16x29xf32>)
// CHECK: arith.constant 29 : index
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: arith.divui
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}} : tensor<16xf32>) outs(%arg1 : tensor<f32>)
// CHECK-NOT: linalg.generic
func.func @merged_sum(%x: tensor<29x16xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<29x16xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 0 : index
    %j = arith.index_cast %i : index to i32
    %f = arith.sitofp %j : i32 to f32
    %m = arith.mulf %a, %a : f32
    %v = arith.addf %m, %f : f32
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Tests the fall-backs when the outer reduced dimension (29) does not
// divide: an input that reads the two reduced dimensions in the other order
// cannot merge them, so the inner one (16) is split as before; lengths whose
// product has no divisor up to 16 either (29 * 31) are left alone.
// CHECK-LABEL: func.func @not_merged
// CHECK-NOT: tensor.collapse_shape
// CHECK: tensor.expand_shape %arg0 {{\[}}[0, 1], [2]] output_shape [16, 1, 29]
// CHECK: iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<16x1x29xf32>)
// CHECK: iterator_types = ["reduction"]} ins(%{{.*}} : tensor<16xf32>)
// CHECK: iterator_types = ["reduction", "reduction"]} ins(%arg1 : tensor<29x31xf32>)
// CHECK-NOT: linalg.generic
func.func @not_merged(%t: tensor<16x29xf32>, %odd: tensor<29x31xf32>, %init: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%t : tensor<16x29xf32>) outs(%init : tensor<f32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%odd : tensor<29x31xf32>) outs(%init : tensor<f32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %a, %b : tensor<f32>, tensor<f32>
}
