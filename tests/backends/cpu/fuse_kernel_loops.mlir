// RUN: loom-opt %s --loom-lower-to-linalg=check-indices=false --loom-fuse-kernel-loops | FileCheck %s

// Tests that a kernel's iota (a linalg.generic of no inputs) fuses into the
// nest that reads it and leaves no result behind: cross-entropy's gradient
// compares the class index with the labels over [rows, classes] in one nest
// with one result, instead of also writing a [rows, classes] i32 tensor of
// indices that nothing reads.
// CHECK-LABEL: func.func @one_hot
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg1, %arg0 : tensor<4x10xf32>, tensor<4x1xi32>) outs(%{{.*}} : tensor<4x10xf32>) {
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: arith.uitofp
// CHECK: arith.subf
// CHECK: } -> tensor<4x10xf32>
// CHECK-NOT: linalg.generic
// CHECK-NOT: xi32>
// CHECK: return
func.func @one_hot(%labels: tensor<4x1xi32>, %p: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %i = loom.iota dim 1 : tensor<4x10xi32>
  %e = loom.compare eq, %i, %labels : (tensor<4x10xi32>, tensor<4x1xi32>) -> tensor<4x10xi1>
  %f = loom.cast %e : tensor<4x10xi1> to tensor<4x10xf32>
  %d = loom.sub %p, %f : tensor<4x10xf32>
  return %d : tensor<4x10xf32>
}
