// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-kernel-ranges))' | FileCheck %s

// Tests that a kernel that is one parallel loop nest takes the range of its
// outer dimension that a thread runs, and records the dimension's length.
// CHECK-LABEL: func.func @split(%arg0: memref<8x16xf32>, %arg1: memref<8x16xf32>, %arg2: index, %arg3: index) attributes {loom.parallel_extent = 8 : i64}
// CHECK: %[[LO:.*]] = arith.maxsi %{{.*}}, %arg2 : index
// CHECK: %[[HI:.*]] = arith.minsi %{{.*}}, %arg3 : index
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%[[LO]], %{{.*}}) to (%[[HI]], %{{.*}})
func.func @split(%a: memref<8x16xf32>, %r: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<8x16xf32>
    memref.store %v, %r[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a kernel of two loop nests is left whole (the second may read
// what any iteration of the first wrote).
// CHECK-LABEL: func.func @two_nests(%arg0: memref<8xf32>, %arg1: memref<8xf32>) {
// CHECK-NOT: loom.parallel_extent
func.func @two_nests(%a: memref<8xf32>, %r: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %r[%i] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %r[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %r[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a kernel that takes a buffer from the heap (the runtime's
// scratch arena, which one thread owns) is left whole.
// CHECK-LABEL: func.func @heap(%arg0: memref<8xf32>, %arg1: memref<8xf32>) {
// CHECK-NOT: loom.parallel_extent
func.func @heap(%a: memref<8xf32>, %r: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %t = memref.alloc() : memref<8xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %t[%i] : memref<8xf32>
    memref.store %v, %r[%i] : memref<8xf32>
    scf.reduce
  }
  memref.dealloc %t : memref<8xf32>
  return
}

// -----

// Tests that a kernel that writes an argument outside its loop (each thread
// would write it again) is left whole.
// CHECK-LABEL: func.func @store_outside(%arg0: memref<8xf32>, %arg1: memref<f32>) {
// CHECK-NOT: loom.parallel_extent
func.func @store_outside(%a: memref<8xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %s[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %a[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that an outer sequential loop (a reduction over the first
// dimension) is left whole.
// CHECK-LABEL: func.func @outer_for(%arg0: memref<8x4xf32>, %arg1: memref<4xf32>) {
// CHECK-NOT: loom.parallel_extent
func.func @outer_for(%a: memref<8x4xf32>, %r: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %a[%i, %j] : memref<8x4xf32>
      %s = memref.load %r[%j] : memref<4xf32>
      %w = arith.addf %v, %s : f32
      memref.store %w, %r[%j] : memref<4xf32>
      scf.reduce
    }
  }
  return
}
