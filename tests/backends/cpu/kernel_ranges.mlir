// RUN: loom-opt %s --split-input-file --loom-kernel-ranges=min-bytes=0 | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-kernel-ranges | FileCheck %s --check-prefix=SMALL

// Tests that a kernel's parallel loop nest becomes a function of a range of
// its first dimension, called over the whole range, internal to the kernel
// library and never inlined; the kernel records one nest on threads. Below
// 64 KiB (the default min-bytes) it stays in place.
// CHECK-LABEL: func.func @split(%arg0: memref<8x16xf32>, %arg1: memref<8x16xf32>) attributes {loom.parallel_loops = 1 : i64, loom.serial_loops = 0 : i64}
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK: call @split.loop0(%arg0, %arg1, %[[C0]], %[[C8]]) : (memref<8x16xf32>, memref<8x16xf32>, index, index) -> ()
// CHECK-NEXT: return
// CHECK: func.func private @split.loop0(%arg0: memref<8x16xf32>, %arg1: memref<8x16xf32>, %arg2: index, %arg3: index) attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 8 : i64, no_inline}
// CHECK: %[[LO:.*]] = arith.maxsi %{{.*}}, %arg2 : index
// CHECK: %[[HI:.*]] = arith.minsi %{{.*}}, %arg3 : index
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%[[LO]], %{{.*}}) to (%[[HI]], %{{.*}})
// CHECK: memref.store %{{.*}}, %arg1
// SMALL-LABEL: func.func @split(%arg0: memref<8x16xf32>, %arg1: memref<8x16xf32>) attributes {loom.parallel_loops = 0 : i64, loom.serial_loops = 0 : i64}
// SMALL-NEXT: arith.constant
// SMALL-NOT: call
// SMALL: scf.parallel
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

// Tests that each nest of a kernel is outlined on its own, in order (the
// runtime runs one after the other), and that a nest of 64 KiB or more
// (256 KiB read, 256 KiB written) is outlined with the default threshold.
// CHECK-LABEL: func.func @two_nests(
// CHECK-SAME: attributes {loom.parallel_loops = 2 : i64, loom.serial_loops = 0 : i64}
// CHECK: call @two_nests.loop0(
// CHECK-NEXT: call @two_nests.loop1(
// CHECK-NEXT: return
// CHECK: func.func private @two_nests.loop1(
// CHECK: func.func private @two_nests.loop0(
// SMALL-LABEL: func.func @two_nests(
// SMALL-SAME: attributes {loom.parallel_loops = 2 : i64, loom.serial_loops = 0 : i64}
func.func @two_nests(%a: memref<65536xf32>, %r: memref<65536xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant 65536 : index
  scf.parallel (%i) = (%c0) to (%cn) step (%c1) {
    %v = memref.load %a[%i] : memref<65536xf32>
    memref.store %v, %r[%i] : memref<65536xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%cn) step (%c1) {
    %v = memref.load %r[%i] : memref<65536xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %r[%i] : memref<65536xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that what the kernel does outside its nests stays there (a store to
// an argument, a buffer from the heap, a scalar it loads), that the nest
// takes the buffer and the scalar as arguments, and that a view it reads is
// made again inside from the buffer it views (the bare-pointer convention
// passes no strided memref).
// CHECK-LABEL: func.func @outside(%arg0: memref<8x16xf32>, %arg1: memref<f32>, %arg2: memref<8xf32>)
// CHECK: memref.store %{{.*}}, %arg1[]
// CHECK: %[[T:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[S:.*]] = memref.load %arg1[]
// CHECK: call @outside.loop0(%[[S]], %[[T]], %arg2, %arg0, %{{.*}}, %{{.*}}) : (f32, memref<8xf32>, memref<8xf32>, memref<8x16xf32>, index, index) -> ()
// CHECK-NEXT: memref.dealloc %[[T]]
// CHECK: func.func private @outside.loop0(%arg0: f32, %arg1: memref<8xf32>, %arg2: memref<8xf32>, %arg3: memref<8x16xf32>, %arg4: index, %arg5: index)
// CHECK: %[[V:.*]] = memref.subview %arg3[0, 4] [8, 1] [1, 1]
// CHECK: scf.parallel
// CHECK: memref.load %[[V]]
func.func @outside(%a: memref<8x16xf32>, %s: memref<f32>, %r: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %s[] : memref<f32>
  %t = memref.alloc() : memref<8xf32>
  %k = memref.load %s[] : memref<f32>
  %v = memref.subview %a[0, 4] [8, 1] [1, 1] : memref<8x16xf32> to memref<8xf32, strided<[16], offset: 4>>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %v[%i] : memref<8xf32, strided<[16], offset: 4>>
    %y = arith.addf %x, %k : f32
    memref.store %y, %t[%i] : memref<8xf32>
    memref.store %y, %r[%i] : memref<8xf32>
    scf.reduce
  }
  memref.dealloc %t : memref<8xf32>
  return
}

// -----

// Tests that a nest whose first dimension has one iteration is split over
// the next one.
// CHECK-LABEL: func.func private @unit_first.loop0(
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 16 : i64, no_inline}
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step
func.func @unit_first(%a: memref<1x16xf32>, %r: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c1, %c16) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<1x16xf32>
    memref.store %v, %r[%i, %j] : memref<1x16xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a nest that takes a buffer from the heap inside (the runtime's
// scratch arena belongs to the calling thread) stays in the kernel, counted
// as a nest on one thread.
// CHECK-LABEL: func.func @heap_inside(
// CHECK-SAME: attributes {loom.parallel_loops = 0 : i64, loom.serial_loops = 1 : i64}
// CHECK-NOT: call
// CHECK: scf.parallel
func.func @heap_inside(%a: memref<8xf32>, %r: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %t = memref.alloc() : memref<4xf32>
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %t[%c0] : memref<4xf32>
    memref.store %v, %r[%i] : memref<8xf32>
    memref.dealloc %t : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that an outer sequential loop (a reduction over the first
// dimension) stays in the kernel, counted as a nest on one thread.
// CHECK-LABEL: func.func @outer_for(
// CHECK-SAME: attributes {loom.parallel_loops = 0 : i64, loom.serial_loops = 1 : i64}
// CHECK-NOT: call
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

// -----

// Tests that a function without a body or a private one (an outlined nest)
// is left alone.
// CHECK-LABEL: func.func private @helper(%arg0: memref<8xf32>) {
// CHECK-NOT: loom.parallel_loops
func.func private @helper(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %a[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a parallel nest alone in an scf.if (a copy that runs only when
// its buffers differ, --loom-copies-to-linalg) is outlined for the threads
// like one at the top of the kernel, its call left in the scf.if.
// CHECK-LABEL: func.func @guarded(%arg0: memref<8x16xf32>, %arg1: memref<8x16xf32>, %arg2: i1) attributes {loom.parallel_loops = 1 : i64, loom.serial_loops = 0 : i64}
// CHECK: scf.if %arg2 {
// CHECK-NEXT: call @guarded.loop0(%arg0, %arg1, %{{.*}}, %{{.*}}) : (memref<8x16xf32>, memref<8x16xf32>, index, index) -> ()
// CHECK-NEXT: }
// CHECK-NEXT: return
// CHECK: func.func private @guarded.loop0(
// CHECK: scf.parallel
func.func @guarded(%a: memref<8x16xf32>, %r: memref<8x16xf32>, %differ: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.if %differ {
    scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
      %v = memref.load %a[%i, %j] : memref<8x16xf32>
      memref.store %v, %r[%i, %j] : memref<8x16xf32>
      scf.reduce
    }
  }
  return
}

// -----

// Tests that an scf.for marked loom.independent_iterations (a scatter's
// loop over the columns, which no index selects) runs on the threads as the
// scf.parallel it is, its inner loop over the indices kept in order; an
// unmarked scf.for of the same size stays on one thread.
// CHECK-LABEL: func.func @scatter_columns(%arg0: memref<4xi32>, %arg1: memref<4x64xf32>, %arg2: memref<100x64xf32>) attributes {loom.parallel_loops = 1 : i64, loom.serial_loops = 1 : i64}
// CHECK: call @scatter_columns.loop0(%arg0, %arg2, %arg1, %{{.*}}, %{{.*}}) : (memref<4xi32>, memref<100x64xf32>, memref<4x64xf32>, index, index) -> ()
// CHECK-NEXT: scf.for
// CHECK-NOT: call
// CHECK: func.func private @scatter_columns.loop0({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 64 : i64, no_inline}
// CHECK: scf.parallel (%[[D:.*]]) =
// CHECK-NEXT: scf.for %[[N:.*]] =
// CHECK: memref.store %{{.*}}, %arg1[%{{.*}}, %[[D]]]
func.func @scatter_columns(%idx: memref<4xi32>, %upd: memref<4x64xf32>, %dest: memref<100x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.for %d = %c0 to %c64 step %c1 {
    scf.for %n = %c0 to %c4 step %c1 {
      %i = memref.load %idx[%n] : memref<4xi32>
      %row = arith.index_cast %i : i32 to index
      %old = memref.load %dest[%row, %d] : memref<100x64xf32>
      %u = memref.load %upd[%n, %d] : memref<4x64xf32>
      %new = arith.addf %old, %u : f32
      memref.store %new, %dest[%row, %d] : memref<100x64xf32>
    }
  } {loom.independent_iterations}
  scf.for %d = %c0 to %c64 step %c1 {
    scf.for %n = %c0 to %c4 step %c1 {
      %i = memref.load %idx[%n] : memref<4xi32>
      %row = arith.index_cast %i : i32 to index
      %old = memref.load %dest[%row, %d] : memref<100x64xf32>
      %u = memref.load %upd[%n, %d] : memref<4x64xf32>
      %new = arith.addf %old, %u : f32
      memref.store %new, %dest[%row, %d] : memref<100x64xf32>
    }
  }
  return
}
