// RUN: loom-opt %s --loom-expand-bf16-truncation | FileCheck %s

// Tests that f32 -> bf16 is rounded to nearest even in integer ops, with
// NaN as the quiet NaN 0x7FC0, while bf16 -> f32 and f32 -> f16 are kept.
// CHECK-LABEL: func.func @round(
// CHECK-SAME: %[[X:.*]]: f32, %[[H:.*]]: bf16)
// CHECK-DAG: %[[NAN:.*]] = arith.cmpf une, %[[X]], %[[X]] : f32
// CHECK-DAG: %[[QNAN:.*]] = arith.constant 32704 : i16
// CHECK-DAG: %[[BITS:.*]] = arith.bitcast %[[X]] : f32 to i32
// CHECK: %[[ROUNDED:.*]] = arith.trunci %{{.*}} : i32 to i16
// CHECK: %[[SEL:.*]] = arith.select %[[NAN]], %[[QNAN]], %[[ROUNDED]] : i16
// CHECK: %[[B:.*]] = arith.bitcast %[[SEL]] : i16 to bf16
// CHECK: %[[E:.*]] = arith.extf %[[H]] : bf16 to f32
// CHECK: %[[F:.*]] = arith.truncf %[[X]] : f32 to f16
// CHECK: return %[[B]], %[[E]], %[[F]]
// CHECK-NOT: arith.truncf {{.*}} to bf16
func.func @round(%x: f32, %h: bf16) -> (bf16, f32, f16) {
  %0 = arith.truncf %x : f32 to bf16
  %1 = arith.extf %h : bf16 to f32
  %2 = arith.truncf %x : f32 to f16
  return %0, %1, %2 : bf16, f32, f16
}
