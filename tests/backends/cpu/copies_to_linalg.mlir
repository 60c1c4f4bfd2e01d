// RUN: loom-opt %s --loom-copies-to-linalg | FileCheck %s

// Tests that a copy between buffers of different layouts becomes a
// linalg.copy (which the pipeline turns into loops), not a memref.copy
// (which would call the runtime helper memrefCopy).
// CHECK-LABEL: func.func @copy_strided(
// CHECK-SAME: %[[A:.*]]: memref<4xf32, strided<[2]>>, %[[B:.*]]: memref<4xf32>)
// CHECK-NEXT: linalg.copy ins(%[[A]] : memref<4xf32, strided<[2]>>) outs(%[[B]] : memref<4xf32>)
// CHECK-NEXT: return
// CHECK-NOT: memref.copy
func.func @copy_strided(%a: memref<4xf32, strided<[2]>>, %b: memref<4xf32>) {
  memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>
  return
}

// Tests that a copy between buffers of the identity layout runs over the
// elements as one dimension (a loop LLVM vectorizes), and that a strided
// source keeps its shape.
// CHECK-LABEL: func.func @copy_flat(
// CHECK-SAME: %[[A:.*]]: memref<1x12x1x64xf32>, %[[B:.*]]: memref<1x12x1x64xf32>, %[[S:.*]]: memref<2x4xf32, strided<[8, 1]>>, %[[T:.*]]: memref<2x4xf32>)
// CHECK-NEXT: %[[FA:.*]] = memref.collapse_shape %[[A]] {{\[}}[0, 1, 2, 3]] : memref<1x12x1x64xf32> into memref<768xf32>
// CHECK-NEXT: %[[FB:.*]] = memref.collapse_shape %[[B]] {{\[}}[0, 1, 2, 3]] : memref<1x12x1x64xf32> into memref<768xf32>
// CHECK: scf.if
// CHECK-NEXT: linalg.copy ins(%[[FA]] : memref<768xf32>) outs(%[[FB]] : memref<768xf32>)
// CHECK-NEXT: }
// CHECK-NEXT: linalg.copy ins(%[[S]] : memref<2x4xf32, strided<[8, 1]>>) outs(%[[T]] : memref<2x4xf32>)
// CHECK-NEXT: return
func.func @copy_flat(%a: memref<1x12x1x64xf32>, %b: memref<1x12x1x64xf32>, %s: memref<2x4xf32, strided<[8, 1]>>, %t: memref<2x4xf32>) {
  memref.copy %a, %b : memref<1x12x1x64xf32> to memref<1x12x1x64xf32>
  memref.copy %s, %t : memref<2x4xf32, strided<[8, 1]>> to memref<2x4xf32>
  return
}

// Tests that a copy from one argument into another of the same type and
// the identity layout (a scatter_add's destination into its result, which
// the memory plan may place at the same bytes) runs only when their
// addresses differ, after its collapse to one dimension; a copy from a
// buffer the function made, or between different layouts, always runs.
// CHECK-LABEL: func.func @copy_guarded(
// CHECK-SAME: %[[A:.*]]: memref<16x8xf32>, %[[B:.*]]: memref<16x8xf32>, %[[S:.*]]: memref<16x8xf32, strided<[16, 1]>>)
// CHECK-NEXT: %[[FA:.*]] = memref.collapse_shape %[[A]] {{\[}}[0, 1]] : memref<16x8xf32> into memref<128xf32>
// CHECK-NEXT: %[[FB:.*]] = memref.collapse_shape %[[B]] {{\[}}[0, 1]] : memref<16x8xf32> into memref<128xf32>
// CHECK-NEXT: %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[A]] : memref<16x8xf32> -> index
// CHECK-NEXT: %[[PB:.*]] = memref.extract_aligned_pointer_as_index %[[B]] : memref<16x8xf32> -> index
// CHECK-NEXT: %[[NE:.*]] = arith.cmpi ne, %[[PA]], %[[PB]] : index
// CHECK-NEXT: scf.if %[[NE]] {
// CHECK-NEXT: linalg.copy ins(%[[FA]] : memref<128xf32>) outs(%[[FB]] : memref<128xf32>)
// CHECK-NEXT: }
// CHECK-NEXT: linalg.copy ins(%[[S]] : memref<16x8xf32, strided<[16, 1]>>) outs(%[[B]] : memref<16x8xf32>)
// CHECK-NEXT: %[[T:.*]] = memref.alloc
// CHECK-NEXT: linalg.copy ins(%[[T]] : memref<16x8xf32>) outs(%[[B]] : memref<16x8xf32>)
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func @copy_guarded(%a: memref<16x8xf32>, %b: memref<16x8xf32>, %s: memref<16x8xf32, strided<[16, 1]>>) {
  memref.copy %a, %b : memref<16x8xf32> to memref<16x8xf32>
  linalg.copy ins(%s : memref<16x8xf32, strided<[16, 1]>>) outs(%b : memref<16x8xf32>)
  %t = memref.alloc() : memref<16x8xf32>
  linalg.copy ins(%t : memref<16x8xf32>) outs(%b : memref<16x8xf32>)
  memref.dealloc %t : memref<16x8xf32>
  return
}
