// RUN: loom-opt %s --loom-autodiff --mlir-print-debuginfo | FileCheck %s

// Tests that every op autodiff builds carries the location
// fused<"grad">[forward op's location]: the seed at the loss, each rule's ops
// (and the accumulation of a fanned-out value) at the op they differentiate.

// CHECK-LABEL: func.func @loss_grad(
// CHECK: loom.reduce mean {{.*}} loc(#[[MEANLOC:loc[0-9]*]])
// CHECK: loom.constant dense<1.000000e+00> : tensor<f32> loc(#[[DMEAN:loc[0-9]+]])
// CHECK: loom.broadcast {{.*}} loc(#[[DMEAN]])
// CHECK: loom.sub {{.*}} loc(#[[DTANH:loc[0-9]+]])
// CHECK: loom.mul {{.*}} loc(#[[DTANH]])
// CHECK: loom.add {{.*}} loc(#[[DMUL:loc[0-9]+]])
// CHECK-NEXT: return
// CHECK-DAG: #[[MEANLOC]] = loc("model.loom":4:8)
// CHECK-DAG: #[[TANHLOC:loc[0-9]+]] = loc("model.loom":3:8)
// CHECK-DAG: #[[MULLOC:loc[0-9]+]] = loc("model.loom":2:8)
// CHECK-DAG: #[[DMEAN]] = loc(fused<"grad">[#[[MEANLOC]]])
// CHECK-DAG: #[[DTANH]] = loc(fused<"grad">[#[[TANHLOC]]])
// CHECK-DAG: #[[DMUL]] = loc(fused<"grad">[#[[MULLOC]]])
func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
  %0 = loom.mul %w, %w : tensor<3xf32> loc("model.loom":2:8)
  %1 = loom.tanh %0 : tensor<3xf32> loc("model.loom":3:8)
  %2 = loom.reduce mean %1 dims [0] : tensor<3xf32> -> tensor<f32> loc("model.loom":4:8)
  return %2 : tensor<f32>
}
