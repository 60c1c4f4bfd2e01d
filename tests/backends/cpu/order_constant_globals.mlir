// RUN: loom-opt %s --loom-order-constant-globals | FileCheck %s

// Tests that the constant globals one-shot bufferization made are renamed
// and placed in the order the functions first use them (an unused one
// last), per type with bufferization's own scheme, and that other globals
// keep their names.
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
memref.global "private" constant @__constant_xf32_1 : memref<f32> = dense<5.0>
memref.global "private" constant @__constant_2xi64 : memref<2xi64> = dense<[3, 4]>
memref.global "private" constant @__constant_xf32 : memref<f32> = dense<2.0>
memref.global "private" constant @__constant_xf32_0 : memref<f32> = dense<1.0>
memref.global "private" constant @table : memref<f32> = dense<6.0>
func.func @first() -> (memref<f32>, memref<f32>, memref<f32>) {
  %a = memref.get_global @__constant_xf32_0 : memref<f32>
  %b = memref.get_global @__constant_xf32 : memref<f32>
  %c = memref.get_global @table : memref<f32>
  return %a, %b, %c : memref<f32>, memref<f32>, memref<f32>
}
func.func @second() -> (memref<2xi64>, memref<f32>) {
  %a = memref.get_global @__constant_2xi64 : memref<2xi64>
  %b = memref.get_global @__constant_xf32_0 : memref<f32>
  return %a, %b : memref<2xi64>, memref<f32>
}
