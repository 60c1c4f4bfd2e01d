// RUN: loom-opt %s --split-input-file --loom-promote-accumulators | FileCheck %s

// Tests that a reduction loop's accumulator, loaded and stored at indices
// defined outside the loop, becomes a loop-carried value (one load before,
// one store after), and that its add may be reassociated so that it
// vectorizes.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK: %[[INIT:.*]] = memref.load %arg1[%[[I]]] : memref<16xf32>
// CHECK: %[[R:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NEXT: %[[X:.*]] = memref.load %arg0[%[[I]], %[[K]]] : memref<16x64xf32>
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[ACC]] fastmath<reassoc> : f32
// CHECK-NEXT: scf.yield %[[S]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]], %arg1[%[[I]]] : memref<16xf32>
func.func @row_sum(%in: memref<16x64xf32>, %acc: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %x = memref.load %in[%i, %k] : memref<16x64xf32>
      %a = memref.load %acc[%i] : memref<16xf32>
      %s = arith.addf %x, %a : f32
      memref.store %s, %acc[%i] : memref<16xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Tests that a max is carried too but keeps its exact order (no fast-math
// flag: maximumf is exact in any order), and that a loop with iter_args of
// its own keeps them first.
// CHECK-LABEL: func.func @row_max
// CHECK: %[[R:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (index, f32) {
// CHECK: arith.maximumf %{{.*}}, %[[ACC]] : f32
// CHECK: memref.store %[[R]]#1, %arg1[%{{.*}}] : memref<4xf32>
func.func @row_max(%in: memref<4x8xf32>, %acc: memref<4xf32>, %i: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %n = scf.for %k = %c0 to %c8 step %c1 iter_args(%count = %c0) -> (index) {
    %x = memref.load %in[%i, %k] : memref<4x8xf32>
    %a = memref.load %acc[%i] : memref<4xf32>
    %m = arith.maximumf %x, %a : f32
    memref.store %m, %acc[%i] : memref<4xf32>
    %next = arith.addi %count, %c1 : index
    scf.yield %next : index
  }
  return %n : index
}

// -----

// Tests the negative cases: indices that change with the loop (a scatter),
// a second access to the accumulator's buffer through a view, a load after
// the store, and a body with a nested region stay as they are.
// CHECK-LABEL: func.func @not_accumulators
// CHECK-NOT: iter_args
// CHECK: return
func.func @not_accumulators(%in: memref<8xf32>, %idx: memref<8xindex>,
                            %out: memref<8xf32>, %acc: memref<2x4xf32>,
                            %i: index, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // Scatter: the index is loaded in the loop.
  scf.for %k = %c0 to %c8 step %c1 {
    %j = memref.load %idx[%k] : memref<8xindex>
    %x = memref.load %in[%k] : memref<8xf32>
    %a = memref.load %out[%j] : memref<8xf32>
    %s = arith.addf %x, %a : f32
    memref.store %s, %out[%j] : memref<8xf32>
  }
  // The accumulator's buffer is read through a view as well.
  %flat = memref.collapse_shape %acc [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  scf.for %k = %c0 to %c8 step %c1 {
    %x = memref.load %flat[%k] : memref<8xf32>
    %a = memref.load %acc[%c0, %i] : memref<2x4xf32>
    %s = arith.addf %x, %a : f32
    memref.store %s, %acc[%c0, %i] : memref<2x4xf32>
  }
  // Stored, then loaded.
  scf.for %k = %c0 to %c8 step %c1 {
    %x = memref.load %in[%k] : memref<8xf32>
    memref.store %x, %out[%i] : memref<8xf32>
    %a = memref.load %out[%i] : memref<8xf32>
    memref.store %a, %out[%c0] : memref<8xf32>
  }
  // A nested region.
  scf.for %k = %c0 to %c8 step %c1 {
    %x = memref.load %in[%k] : memref<8xf32>
    %a = memref.load %out[%i] : memref<8xf32>
    %s = scf.if %flag -> (f32) {
      %t = arith.addf %x, %a : f32
      scf.yield %t : f32
    } else {
      scf.yield %a : f32
    }
    memref.store %s, %out[%i] : memref<8xf32>
  }
  return
}
