// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg=check-indices=false | FileCheck %s --check-prefix=NOCHECK

// Tests that gather is a linalg.generic over the result reading the index
// through its indexing map and the table with tensor.extract at the
// clamped index, after a run-time range check (cf.assert).
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:.*]]: tensor<10x4xf32>, %[[I:.*]]: tensor<2x3xi32>)
// CHECK: %[[OK:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[I]] : tensor<2x3xi32>) outs(%{{.*}} : tensor<i1>)
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt, %{{.*}}, %c10_i32
// CHECK: %[[FLAG:.*]] = tensor.extract %[[OK]][] : tensor<i1>
// CHECK: cf.assert %[[FLAG]], "loom.gather index out of range [0, 10) along axis 0"
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x3xi32>)
// CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[N:.*]] = arith.index_cast %[[IN]] : i32 to index
// CHECK: %[[LO:.*]] = arith.maxsi %[[N]], %c0
// CHECK: %[[AT:.*]] = arith.minsi %[[LO]], %c9
// CHECK: %[[Q:.*]] = linalg.index 2 : index
// CHECK: %[[V:.*]] = tensor.extract %[[T]][%[[AT]], %[[Q]]] : tensor<10x4xf32>
// CHECK: linalg.yield %[[V]] : f32
// NOCHECK-LABEL: func.func @gather
// NOCHECK-NOT: cf.assert
// NOCHECK: linalg.generic
func.func @gather(%t: tensor<10x4xf32>, %i: tensor<2x3xi32>) -> tensor<2x3x4xf32> {
  %0 = loom.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that scatter_add is a loop nest over the updates carrying a copy
// of the destination tensor (repeated indices accumulate), in
// destination-passing style: extract, add, tensor.insert. The copy into a
// tensor.empty lets bufferization write the result buffer in place. The
// loop over the columns (no index selects them) is outermost and marked
// loom.independent_iterations (--loom-kernel-ranges runs it on the
// threads); the loop over the indices is inside it, in order.
// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[D:.*]]: tensor<10x4xf32>, %[[I:.*]]: tensor<3xi64>, %[[U:.*]]: tensor<3x4xf32>)
// CHECK: cf.assert %{{.*}}, "loom.scatter_add index out of range [0, 10) along axis 0"
// CHECK: %[[E:.*]] = tensor.empty() : tensor<10x4xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[D]] : tensor<10x4xf32>) outs(%[[E]] : tensor<10x4xf32>)
// CHECK: %[[R:.*]] = scf.for %[[Q:.*]] = %{{.*}} iter_args(%[[A:.*]] = %[[C]]) -> (tensor<10x4xf32>)
// CHECK: scf.for %[[P:.*]] = %{{.*}} iter_args(%[[B:.*]] = %[[A]]) -> (tensor<10x4xf32>)
// CHECK: %[[N:.*]] = tensor.extract %[[I]][%[[P]]] : tensor<3xi64>
// CHECK: %[[AT:.*]] = arith.minsi
// CHECK: %[[OLD:.*]] = tensor.extract %[[B]][%[[AT]], %[[Q]]] : tensor<10x4xf32>
// CHECK: %[[NEW:.*]] = tensor.extract %[[U]][%[[P]], %[[Q]]] : tensor<3x4xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %[[NEW]] : f32
// CHECK: %[[INS:.*]] = tensor.insert %[[SUM]] into %[[B]][%[[AT]], %[[Q]]] : tensor<10x4xf32>
// CHECK: scf.yield %[[INS]]
// CHECK: } {loom.independent_iterations}
// CHECK: return %[[R]]
func.func @scatter_add(%d: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf32>) -> tensor<10x4xf32> {
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Tests that a scatter_add of long rows splits the row (128) into chunks
// (2, the marked outer loop) and 64 contiguous elements (the innermost
// loop, which LLVM vectorizes), the loop over the indices between them.
// CHECK-LABEL: func.func @scatter_add_rows
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[C2]]
// CHECK: scf.for %[[P:.*]] = %{{.*}} to %[[C3]]
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}}
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[KC:.*]] = arith.muli %[[K]], %[[C64]] : index
// CHECK: %[[COL:.*]] = arith.addi %[[KC]], %[[J]] : index
// CHECK: tensor.extract %arg2[%[[P]], %[[COL]]] : tensor<3x128xf32>
// CHECK: } {loom.independent_iterations}
func.func @scatter_add_rows(%d: tensor<10x128xf32>, %i: tensor<3xi32>, %u: tensor<3x128xf32>) -> tensor<10x128xf32> {
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10x128xf32>, tensor<3xi32>, tensor<3x128xf32>) -> tensor<10x128xf32>
  return %0 : tensor<10x128xf32>
}

// -----

// Tests that scatter_add into a splat constant (a gather's gradient starts
// from zeros) fills a fresh tensor with its value instead of reading the
// constant.
// CHECK-LABEL: func.func @scatter_add_splat
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<10x4xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<10x4xf32>)
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[F]]) -> (tensor<10x4xf32>)
func.func @scatter_add_splat(%i: tensor<3xi64>, %u: tensor<3x4xf32>) -> tensor<10x4xf32> {
  %z = loom.constant dense<0.0> : tensor<10x4xf32>
  %0 = loom.scatter_add %z[%i], %u axis 0 : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Tests that a bf16 scatter_add into a splat constant fills in f32 with the
// constant's value, widened exactly.
// CHECK-LABEL: func.func @scatter_add_splat_bf16
// CHECK: %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK: linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<10xf32>)
// CHECK: scf.for {{.*}} -> (tensor<10xf32>)
// CHECK-NOT: loom.independent_iterations
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @scatter_add_splat_bf16(%i: tensor<3xi32>, %u: tensor<3xbf16>) -> tensor<10xbf16> {
  %c = loom.constant dense<1.5> : tensor<10xbf16>
  %0 = loom.scatter_add %c[%i], %u axis 0 : (tensor<10xbf16>, tensor<3xi32>, tensor<3xbf16>) -> tensor<10xbf16>
  return %0 : tensor<10xbf16>
}

// -----

// Tests that a bf16 scatter_add accumulates in f32 and rounds once.
// CHECK-LABEL: func.func @scatter_add_bf16
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: scf.for {{.*}} -> (tensor<10xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @scatter_add_bf16(%d: tensor<10xbf16>, %i: tensor<3xi32>, %u: tensor<3xbf16>) -> tensor<10xbf16> {
  %0 = loom.scatter_add %d[%i], %u axis 0 : (tensor<10xbf16>, tensor<3xi32>, tensor<3xbf16>) -> tensor<10xbf16>
  return %0 : tensor<10xbf16>
}

// -----

// Tests that iota is a linalg.generic with no input built on linalg.index,
// converted through f32 for bf16.
// CHECK-LABEL: func.func @iota
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x3xbf16>)
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[L:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[L]] : i64 to f32
// CHECK: arith.truncf %[[F]] : f32 to bf16
func.func @iota() -> tensor<4x3xbf16> {
  %0 = loom.iota dim 1 : tensor<4x3xbf16>
  return %0 : tensor<4x3xbf16>
}

// -----

// Tests that a constant is an arith.constant of the same elements.
// CHECK-LABEL: func.func @constant
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
