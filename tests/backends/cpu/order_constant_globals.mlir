// RUN: loom-opt %s --loom-order-constant-globals | FileCheck %s
// RUN: loom-opt %s --loom-order-constant-globals --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Tests that the constant globals one-shot bufferization made are renamed
// and placed in the order the functions first use them (an unused one
// last), per type with bufferization's own scheme, and that other globals
// keep their names. Each takes the location of its first use; the unused
// one has none.
// LOC: @__constant_xf32 : {{.*}} loc("first.mlir":2:8)
// LOC-NEXT: @__constant_xf32_0 : {{.*}} loc("first.mlir":1:8)
// LOC-NEXT: @__constant_2xi64 : {{.*}} loc("second.mlir":1:8)
// LOC-NEXT: @__constant_xf32_1 : {{.*}} loc(unknown)
// CHECK: memref.global "private" constant @__constant_xf32 : memref<f32> = dense<1.000000e+00>
// CHECK-NEXT: memref.global "private" constant @__constant_xf32_0 : memref<f32> = dense<2.000000e+00>
// CHECK-NEXT: memref.global "private" constant @__constant_2xi64 : memref<2xi64> = dense<[3, 4]>
// CHECK-NEXT: memref.global "private" constant @__constant_xf32_1 : memref<f32> = dense<5.000000e+00>
// CHECK: memref.global "private" constant @table : memref<f32> = dense<6.000000e+00>
// CHECK-LABEL: func.func @first
// CHECK-NEXT: memref.get_global @__constant_xf32 : memref<f32>
// CHECK-NEXT: memref.get_global @__constant_xf32_0 : memref<f32>
// CHECK-NEXT: memref.get_global @table : memref<f32>
// CHECK-LABEL: func.func @second
// CHECK-NEXT: memref.get_global @__constant_2xi64 : memref<2xi64>
// CHECK-NEXT: memref.get_global @__constant_xf32 : memref<f32>
memref.global "private" constant @__constant_xf32_1 : memref<f32> = dense<5.0> loc("made.mlir":1:1)
memref.global "private" constant @__constant_2xi64 : memref<2xi64> = dense<[3, 4]>
memref.global "private" constant @__constant_xf32 : memref<f32> = dense<2.0>
memref.global "private" constant @__constant_xf32_0 : memref<f32> = dense<1.0>
memref.global "private" constant @table : memref<f32> = dense<6.0>
func.func @first() -> (memref<f32>, memref<f32>, memref<f32>) {
  %a = memref.get_global @__constant_xf32_0 : memref<f32> loc("first.mlir":2:8)
  %b = memref.get_global @__constant_xf32 : memref<f32> loc("first.mlir":1:8)
  %c = memref.get_global @table : memref<f32>
  return %a, %b, %c : memref<f32>, memref<f32>, memref<f32>
}
func.func @second() -> (memref<2xi64>, memref<f32>) {
  %a = memref.get_global @__constant_2xi64 : memref<2xi64> loc("second.mlir":1:8)
  %b = memref.get_global @__constant_xf32_0 : memref<f32> loc("second.mlir":2:8)
  return %a, %b : memref<2xi64>, memref<f32>
}
