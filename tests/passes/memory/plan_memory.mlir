// RUN: loom-opt %s --split-input-file --loom-plan-memory | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-plan-memory=alignment=16 | FileCheck %s --check-prefix=ALIGN16

// Tests the attributes of the plan: offsets of the arguments, of every op
// result (a reshape on its operand's bytes, the broadcast on g's after g's
// last use) and of the results; the arena and persistent sizes; the new w
// written over w, so no copies. With alignment=16, w takes 16 bytes.

// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: {loom.offset = 0 : i64, loom.param = "w"}
// CHECK-SAME: {loom.input = "g", loom.offset = 64 : i64}
// CHECK-SAME: -> (tensor<4xf32> {loom.offset = 0 : i64, loom.param = "w"}, tensor<16xf32> {loom.offset = 64 : i64})
// CHECK-SAME: attributes {loom.arena_size = 256 : i64, loom.copies = array<i64>, loom.persistent_size = 64 : i64}
// CHECK: loom.constant {loom.offsets = array<i64: 128>}
// CHECK: loom.mul {{.*}} {loom.offsets = array<i64: 192>}
// CHECK: loom.sub {{.*}} {loom.offsets = array<i64: 0>}
// CHECK: loom.broadcast {{.*}} {loom.offsets = array<i64: 64>}
// CHECK: loom.reshape {{.*}} {loom.offsets = array<i64: 64>}

// ALIGN16-LABEL: func.func @sgd(
// ALIGN16-SAME: attributes {loom.arena_size = 128 : i64, loom.copies = array<i64>, loom.persistent_size = 16 : i64}
func.func @sgd(%w: tensor<4xf32> {loom.param = "w"}, %g: tensor<4xf32> {loom.input = "g"})
    -> (tensor<4xf32> {loom.param = "w"}, tensor<16xf32>) {
  %0 = loom.constant dense<0.1> : tensor<f32>
  %1 = loom.mul %0, %g : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = loom.sub %w, %1 : tensor<4xf32>
  %3 = loom.broadcast %1 : tensor<4xf32> to tensor<4x4xf32>
  %4 = loom.reshape %3 : tensor<4x4xf32> to tensor<16xf32>
  return %2, %4 : tensor<4xf32>, tensor<16xf32>
}

// -----

// Tests that a copy the plan needs is listed as (from, to, bytes) in the
// order it runs, and that a result's offset is where its value lies before
// the copies.

// CHECK-LABEL: func.func @copy(
// CHECK-SAME: -> (tensor<16xf32> {loom.offset = 64 : i64, loom.param = "w"}, tensor<f32> {loom.offset = 128 : i64})
// CHECK-SAME: loom.copies = array<i64: 64, 0, 64>
func.func @copy(%w: tensor<16xf32> {loom.param = "w"}) -> (tensor<16xf32> {loom.param = "w"}, tensor<f32>) {
  %0 = loom.neg %w : tensor<16xf32>
  %1 = loom.reduce sum %w dims [0] : tensor<16xf32> -> tensor<f32>
  return %0, %1 : tensor<16xf32>, tensor<f32>
}
