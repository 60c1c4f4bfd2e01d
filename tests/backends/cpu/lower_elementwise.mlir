// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg | FileCheck %s

// Tests that a broadcasting binary op is one linalg.generic whose indexing
// maps broadcast the lower-rank operand (no broadcast is materialized).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[B]] : tensor<4x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[C:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[C]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_broadcast(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = loom.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that size-1 dims facing larger ones are read at index 0.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @mul_size_one
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #{{.*}}]
// CHECK: arith.mulf
func.func @mul_size_one(%x: tensor<4x1xf32>, %y: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %0 = loom.mul %x, %y : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that bf16 math is done in f32 and rounded once: exact GELU,
// 0.5 x (1 + erf(x / sqrt(2))).
// CHECK-LABEL: func.func @gelu_bf16
// CHECK: ^bb0(%[[IN:.*]]: bf16, %{{.*}}: bf16):
// CHECK: %[[X:.*]] = arith.extf %[[IN]] : bf16 to f32
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[SQRT2:.*]] = arith.constant 1.41421354 : f32
// CHECK: %[[D:.*]] = arith.divf %[[X]], %[[SQRT2]] : f32
// CHECK: %[[ERF:.*]] = math.erf %[[D]] : f32
// CHECK: %[[HX:.*]] = arith.mulf %[[HALF]], %[[X]] : f32
// CHECK: %[[P:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK: %[[Y:.*]] = arith.mulf %[[HX]], %[[P]] : f32
// CHECK: %[[T:.*]] = arith.truncf %[[Y]] : f32 to bf16
// CHECK: linalg.yield %[[T]] : bf16
func.func @gelu_bf16(%x: tensor<16xbf16>) -> tensor<16xbf16> {
  %0 = loom.gelu %x : tensor<16xbf16>
  return %0 : tensor<16xbf16>
}

// -----

// Tests the tanh form of GELU (GPT-2's).
// CHECK-LABEL: func.func @gelu_approximate
// CHECK: arith.constant 4.471500e-02 : f32
// CHECK: arith.constant 0.797884583 : f32
// CHECK: math.tanh
// CHECK-NOT: math.erf
func.func @gelu_approximate(%x: tensor<16xf32>) -> tensor<16xf32> {
  %0 = loom.gelu %x approximate : tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// Tests that max and relu propagate NaN (arith.maximumf), integers use the
// signed ops.
// CHECK-LABEL: func.func @max_relu
// CHECK: arith.maximumf
// CHECK: arith.maxsi
func.func @max_relu(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = loom.max %x, %y : tensor<4xf32>
  %1 = loom.relu %i : tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// Tests that integer division never divides by 0 or -1 (x / 0 = 0 and
// MIN / -1 = MIN are selected around arith.divsi).
// CHECK-LABEL: func.func @div_integer
// CHECK: %[[Z:.*]] = arith.cmpi eq, %[[B:.*]], %c0_i32 : i32
// CHECK: %[[M:.*]] = arith.cmpi eq, %[[B]], %c-1_i32 : i32
// CHECK: %[[U:.*]] = arith.ori %[[Z]], %[[M]] : i1
// CHECK: %[[SAFE:.*]] = arith.select %[[U]], %c1_i32, %[[B]] : i32
// CHECK: arith.divsi %{{.*}}, %[[SAFE]] : i32
func.func @div_integer(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = loom.div %x, %y : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Tests compare's predicates: ne is unordered (true with NaN), the others
// ordered; i1 compares unsigned.
// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi ugt
func.func @compare(%x: tensor<4xf32>, %y: tensor<4xf32>, %a: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = loom.compare ne, %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = loom.compare lt, %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = loom.compare gt, %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Tests that select broadcasts a rank-0 operand.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @select_scalar
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[SCALAR]], #[[ID]]]
// CHECK: arith.select
func.func @select_scalar(%c: tensor<4xi1>, %x: tensor<4xf32>, %z: tensor<f32>) -> tensor<4xf32> {
  %0 = loom.select %c, %x, %z : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that a float-to-integer cast saturates in f64 (NaN gives 0) before
// arith.fptosi, and that a cast to the same type is nothing.
// CHECK-LABEL: func.func @cast_to_int
// CHECK: %[[D:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[D]], %[[D]] : f64
// CHECK: %[[V:.*]] = arith.select %[[NAN]], %{{.*}}, %[[D]] : f64
// CHECK: %[[LO:.*]] = arith.maximumf %[[V]], %{{.*}} : f64
// CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %{{.*}} : f64
// CHECK: arith.fptosi %[[HI]] : f64 to i32
// CHECK-LABEL: func.func @cast_same
// CHECK-NEXT: return %arg0
func.func @cast_to_int(%x: tensor<4xf32>) -> tensor<4xi32> {
  %0 = loom.cast %x : tensor<4xf32> to tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @cast_same(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = loom.cast %x : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}
