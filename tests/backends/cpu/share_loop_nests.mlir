// RUN: loom-opt %s --split-input-file --loom-kernel-ranges=min-bytes=0 | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-kernel-ranges | FileCheck %s --check-prefix=SERIAL
// RUN: loom-opt %s --split-input-file --loom-kernel-ranges="min-bytes=0 share=false" | FileCheck %s --check-prefix=APART

// Tests that two kernels with the same nest on threads (same shapes, same
// ops, same constants) share one function, named after the first kernel;
// the second kernel calls it and still counts the nest as its own. With
// share=false each kernel has its own. On one thread (the default
// min-bytes: the nests are small), the nest that appears twice becomes one
// function that both kernels call, never inlined.
// CHECK-LABEL: func.func @a(
// CHECK-SAME: attributes {loom.parallel_loops = 1 : i64, loom.serial_loops = 0 : i64}
// CHECK: call @a.loop0(%arg0, %arg1, %{{.*}}, %{{.*}}) : (memref<8x16xf32>, memref<8x16xf32>, index, index) -> ()
// CHECK: func.func private @a.loop0(
// CHECK-SAME: loom.parallel_extent = 8 : i64
// CHECK-LABEL: func.func @b(
// CHECK-SAME: attributes {loom.parallel_loops = 1 : i64, loom.serial_loops = 0 : i64}
// CHECK: call @a.loop0(%arg1, %arg0, %{{.*}}, %{{.*}}) : (memref<8x16xf32>, memref<8x16xf32>, index, index) -> ()
// CHECK-NOT: func.func private @b.loop0
// APART: call @a.loop0(
// APART: func.func private @a.loop0(
// APART: call @b.loop0(
// APART: func.func private @b.loop0(
// SERIAL-LABEL: func.func @a(
// SERIAL: call @a.nest0(%arg0, %arg1) : (memref<8x16xf32>, memref<8x16xf32>) -> ()
// SERIAL-NEXT: return
// SERIAL: func.func private @a.nest0(%arg0: memref<8x16xf32>, %arg1: memref<8x16xf32>) attributes {llvm.linkage = #llvm.linkage<internal>, no_inline}
// SERIAL: scf.parallel
// SERIAL-LABEL: func.func @b(
// SERIAL: call @a.nest0(%arg1, %arg0) : (memref<8x16xf32>, memref<8x16xf32>) -> ()
// SERIAL-NEXT: return
func.func @a(%x: memref<8x16xf32>, %r: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<8x16xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %r[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}
func.func @b(%r: memref<8x16xf32>, %x: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<8x16xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %r[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that nests that differ in one constant, or in one shape, stay
// apart: three functions on threads; on one thread, each nest appears once
// and stays in its kernel.
// CHECK-LABEL: func.func @c(
// CHECK: call @c.loop0(
// CHECK: func.func private @c.loop0(
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK-LABEL: func.func @d(
// CHECK: call @d.loop0(
// CHECK: func.func private @d.loop0(
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK-LABEL: func.func @e(
// CHECK: call @e.loop0(
// CHECK: func.func private @e.loop0(%arg0: memref<8x32xf32>
// SERIAL-LABEL: func.func @c(
// SERIAL-NOT: call
// SERIAL-NOT: func.func private
func.func @c(%x: memref<8x16xf32>, %r: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %k = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<8x16xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %r[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}
func.func @d(%x: memref<8x16xf32>, %r: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %k = arith.constant 3.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<8x16xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %r[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}
func.func @e(%x: memref<8x32xf32>, %r: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %k = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c32) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<8x32xf32>
    %w = arith.mulf %v, %k : f32
    memref.store %w, %r[%i, %j] : memref<8x32xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that one kernel that runs the same small reduction on two
// parameters (a multi-tensor kernel) calls one function twice, that the
// scalar stores around the nests stay in the kernel, and that a nest that
// takes a buffer from the heap inside stays in place however often it
// appears.
// SERIAL-LABEL: func.func @norms(
// SERIAL-SAME: attributes {loom.parallel_loops = 0 : i64, loom.serial_loops = 0 : i64}
// SERIAL: memref.store %{{.*}}, %arg2[]
// SERIAL-NEXT: call @norms.nest0(%arg0, %arg2) : (memref<384xf32>, memref<f32>) -> ()
// SERIAL-NEXT: memref.store %{{.*}}, %arg3[]
// SERIAL-NEXT: call @norms.nest0(%arg1, %arg3) : (memref<384xf32>, memref<f32>) -> ()
// SERIAL-NEXT: scf.for
// SERIAL: scf.for
// SERIAL: return
// SERIAL: func.func private @norms.nest0(%arg0: memref<384xf32>, %arg1: memref<f32>)
// SERIAL-SAME: no_inline
// SERIAL: arith.constant 384 : index
// SERIAL: scf.for
// SERIAL-NOT: func.func
func.func @norms(%a: memref<384xf32>, %b: memref<384xf32>, %ra: memref<f32>, %rb: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c384 = arith.constant 384 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %ra[] : memref<f32>
  scf.for %i = %c0 to %c384 step %c1 {
    %v = memref.load %a[%i] : memref<384xf32>
    %s = memref.load %ra[] : memref<f32>
    %sq = arith.mulf %v, %v : f32
    %t = arith.addf %s, %sq : f32
    memref.store %t, %ra[] : memref<f32>
  }
  memref.store %zero, %rb[] : memref<f32>
  scf.for %i = %c0 to %c384 step %c1 {
    %v = memref.load %b[%i] : memref<384xf32>
    %s = memref.load %rb[] : memref<f32>
    %sq = arith.mulf %v, %v : f32
    %t = arith.addf %s, %sq : f32
    memref.store %t, %rb[] : memref<f32>
  }
  scf.for %i = %c0 to %c384 step %c1 {
    %t = memref.alloc() : memref<1xf32>
    memref.dealloc %t : memref<1xf32>
  }
  scf.for %i = %c0 to %c384 step %c1 {
    %t = memref.alloc() : memref<1xf32>
    memref.dealloc %t : memref<1xf32>
  }
  return
}
