// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-sink-constants))' | FileCheck %s

// Tests that a hoisted constant moves to just before its first user, and
// that one nothing uses stays where it is.
// CHECK-LABEL: func.func @sink(
// CHECK-NEXT: %[[UNUSED:.*]] = loom.constant dense<2.000000e+00>
// CHECK-NEXT: %[[A:.*]] = loom.exp
// CHECK-NEXT: %[[B:.*]] = loom.neg %[[A]]
// CHECK-NEXT: %[[C:.*]] = loom.constant dense<1.000000e+00>
// CHECK-NEXT: %[[D:.*]] = loom.add %[[B]], %[[C]]
// CHECK-NEXT: %[[E:.*]] = loom.mul %[[D]], %[[C]]
// CHECK-NEXT: return %[[E]]
func.func @sink(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = loom.constant dense<1.0> : tensor<4xf32>
  %u = loom.constant dense<2.0> : tensor<4xf32>
  %a = loom.exp %x : tensor<4xf32>
  %b = loom.neg %a : tensor<4xf32>
  %d = loom.add %b, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e = loom.mul %d, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %e : tensor<4xf32>
}
