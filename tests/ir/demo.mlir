// Tests that the demo of `make demo` verifies and canonicalizes as its
// comments say: the transpose pair and the zero bias fold away and the
// duplicated gelu is merged.
// RUN: loom-opt %S/../../examples/demo.mlir --canonicalize --cse | FileCheck %s

// CHECK-LABEL: func.func @loss
// CHECK-NOT:     loom.transpose
// CHECK:         loom.gelu
// CHECK-NOT:     loom.gelu
// CHECK:         %[[LOGITS:.*]] = loom.matmul %{{.*}}, %arg4 transpose_rhs
// CHECK-NEXT:    %[[LOSS:.*]] = loom.cross_entropy mean %[[LOGITS]], %arg1
// CHECK-NEXT:    return %[[LOSS]] : tensor<f32>
