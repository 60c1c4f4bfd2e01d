// RUN: loom-opt %s --split-input-file --loom-kernel-ranges | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-kernel-ranges=multi-tensor-ranges=false | FileCheck %s --check-prefix=APART

// Tests that the nests of a multi-tensor kernel, each under 64 KiB (the
// default min-bytes) and 88 KiB in all, share one range: @k.range0, called
// once over [0, 92106), runs each member's function of a range on the part
// of a flat iteration space it covers. An iteration of the first nest (a
// row of 40) weighs 321 units (the bytes it touches per row, rounded up),
// of the second 9, of the third (a row of 1000) 8002; member i's rows are
// those whose first unit is in [begin, end): [ceil((begin - offset) / w),
// ceil((end - offset) / w)), at offsets 0, 32100 and 68100. With
// multi-tensor-ranges=false the nests stay on one thread, as before.
// CHECK-LABEL: func.func @k(
// CHECK-SAME: loom.parallel_loops = 1 : i64, loom.serial_loops = 0 : i64
// CHECK: %[[EXT:.*]] = arith.constant 92106 : index
// CHECK-NEXT: call @k.range0(%arg0, %arg3, %arg4, %arg1, %arg5, %arg2, %arg6, %{{.*}}, %[[EXT]])
// CHECK-NEXT: return
// CHECK: func.func private @k.range0(%arg0: memref<100x40xf32>, %arg1: memref<f32>, %arg2: memref<100x40xf32>, %arg3: memref<4000xf32>, %arg4: memref<4000xf32>, %arg5: memref<3x1000xf32>, %arg6: memref<3x1000xf32>, %arg7: index, %arg8: index)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 92106 : i64, no_inline}
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[W0:.*]] = arith.constant 321 : index
// CHECK-DAG: %[[R0:.*]] = arith.constant 320 : index
// CHECK: %[[U:.*]] = arith.subi %arg7, %[[Z]] : index
// CHECK: %[[M:.*]] = arith.maxsi %[[U]], %[[Z]] : index
// CHECK: %[[A:.*]] = arith.addi %[[M]], %[[R0]] : index
// CHECK: %[[D:.*]] = arith.divui %[[A]], %[[W0]] : index
// CHECK: %[[B0:.*]] = arith.addi %[[Z]], %[[D]] : index
// CHECK: %[[E0:.*]] = arith.addi %[[Z]], %{{.*}} : index
// CHECK: call @k.loop0(%arg0, %arg1, %arg2, %[[B0]], %[[E0]])
// CHECK: arith.constant 32100 : index
// CHECK: arith.constant 9 : index
// CHECK: call @k.loop1(%arg3, %arg1, %arg4,
// CHECK: arith.constant 68100 : index
// CHECK: arith.constant 8002 : index
// CHECK: call @k.loop2(%arg5, %arg1, %arg6,
// CHECK-NEXT: return
// CHECK: func.func private @k.loop2({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 3 : i64, no_inline}
// CHECK: func.func private @k.loop1({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 4000 : i64, no_inline}
// CHECK: func.func private @k.loop0({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, loom.parallel_extent = 100 : i64, no_inline}
// APART-LABEL: func.func @k(
// APART-SAME: loom.parallel_loops = 0 : i64, loom.serial_loops = 0 : i64
// APART-NOT: call
// APART: scf.parallel
// APART: scf.parallel
// APART: scf.parallel
// APART-NOT: func.func private @k
func.func @k(%a: memref<100x40xf32>, %b: memref<4000xf32>, %c: memref<3x1000xf32>, %s: memref<f32>,
             %ra: memref<100x40xf32>, %rb: memref<4000xf32>, %rc: memref<3x1000xf32>)
    attributes {loom.fusion_group = "multi_tensor", loom.fusion_members = 3 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c40 = arith.constant 40 : index
  %c100 = arith.constant 100 : index
  %c1000 = arith.constant 1000 : index
  %c4000 = arith.constant 4000 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c100, %c40) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<100x40xf32>
    %w = memref.load %s[] : memref<f32>
    %x = arith.mulf %v, %w : f32
    memref.store %x, %ra[%i, %j] : memref<100x40xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c4000) step (%c1) {
    %v = memref.load %b[%i] : memref<4000xf32>
    %w = memref.load %s[] : memref<f32>
    %x = arith.mulf %v, %w : f32
    memref.store %x, %rb[%i] : memref<4000xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c1000) step (%c1, %c1) {
    %v = memref.load %c[%i, %j] : memref<3x1000xf32>
    %w = memref.load %s[] : memref<f32>
    %x = arith.mulf %v, %w : f32
    memref.store %x, %rc[%i, %j] : memref<3x1000xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that nests that depend on each other never share a range: the
// second reads what the first writes (through a view of it), the third
// writes what the second reads; an op that is not a view or a constant
// between two nests (a store) ends a run too. Each of these pairs touches
// 64 KiB or more. Every nest stays on one thread, and a kernel that is no
// multi-tensor kernel shares no range.
// CHECK-LABEL: func.func @dependent(
// CHECK-SAME: loom.parallel_loops = 0 : i64, loom.serial_loops = 0 : i64
// CHECK-NOT: range
// CHECK: memref.store %{{.*}}, %arg3[] : memref<f32>
// CHECK-NOT: range
// CHECK: return
// CHECK-LABEL: func.func @plain(
// CHECK-SAME: loom.parallel_loops = 0 : i64, loom.serial_loops = 0 : i64
// CHECK-NOT: range
// CHECK: return
func.func @dependent(%a: memref<5000xf32>, %b: memref<5000xf32>, %c: memref<5000xf32>, %s: memref<f32>,
                     %ra: memref<5000xf32>, %rb: memref<5000xf32>, %rc: memref<5000xf32>)
    attributes {loom.fusion_group = "multi_tensor", loom.fusion_members = 4 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c50 = arith.constant 50 : index
  %c100 = arith.constant 100 : index
  %c5000 = arith.constant 5000 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c5000) step (%c1) {
    %v = memref.load %a[%i] : memref<5000xf32>
    memref.store %v, %ra[%i] : memref<5000xf32>
    scf.reduce
  }
  %view = memref.expand_shape %ra [[0, 1]] output_shape [50, 100] : memref<5000xf32> into memref<50x100xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c50, %c100) step (%c1, %c1) {
    %v = memref.load %view[%i, %j] : memref<50x100xf32>
    %w = memref.load %b[%j] : memref<5000xf32>
    %x = arith.addf %v, %w : f32
    memref.store %x, %rb[%j] : memref<5000xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c5000) step (%c1) {
    memref.store %zero, %b[%i] : memref<5000xf32>
    scf.reduce
  }
  memref.store %zero, %s[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%c5000) step (%c1) {
    %v = memref.load %c[%i] : memref<5000xf32>
    %w = memref.load %a[%i] : memref<5000xf32>
    %x = arith.addf %v, %w : f32
    memref.store %x, %rc[%i] : memref<5000xf32>
    scf.reduce
  }
  return
}

func.func @plain(%a: memref<5000xf32>, %b: memref<5000xf32>, %ra: memref<5000xf32>, %rb: memref<5000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5000 = arith.constant 5000 : index
  scf.parallel (%i) = (%c0) to (%c5000) step (%c1) {
    %v = memref.load %a[%i] : memref<5000xf32>
    memref.store %v, %ra[%i] : memref<5000xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c5000) step (%c1) {
    %v = memref.load %b[%i] : memref<5000xf32>
    memref.store %v, %rb[%i] : memref<5000xf32>
    scf.reduce
  }
  return
}
