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
