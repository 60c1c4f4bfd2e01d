// RUN: loom-opt %s --loom-cpu-pipeline=kernel-abi=false | %mlir-cpu-runner | FileCheck %s
//
// Edge cases of the lowerings, compiled and run with upstream MLIR; expected
// values are the reference interpreter's: reductions over an empty dim (sum
// 0, mean NaN), rank-0 operands (add, gather and cross_entropy with rank-0
// indices, dropout), a matmul with K = 0, a concat with an empty input and
// softmax over one element.

func.func @edges() -> (tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<6xf32>, tensor<3xf32>, tensor<5xf32>, tensor<f32>, tensor<f32>, tensor<1xf32>) {
  %z = loom.constant dense<0.0> : tensor<0x3xf32>
  %0 = loom.reduce sum %z dims [0] : tensor<0x3xf32> -> tensor<3xf32>
  %1 = loom.reduce mean %z dims [0] : tensor<0x3xf32> -> tensor<3xf32>
  %a = loom.constant dense<2.0> : tensor<f32>
  %2 = loom.add %a, %a : tensor<f32>
  %k0a = loom.constant dense<0.0> : tensor<2x0xf32>
  %k0b = loom.constant dense<0.0> : tensor<0x3xf32>
  %mm = loom.matmul %k0a, %k0b : (tensor<2x0xf32>, tensor<0x3xf32>) -> tensor<2x3xf32>
  %3 = loom.reshape %mm : tensor<2x3xf32> to tensor<6xf32>
  %t = loom.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %i = loom.constant dense<1> : tensor<i32>
  %4 = loom.gather %t[%i] axis 0 : (tensor<2x3xf32>, tensor<i32>) -> tensor<3xf32>
  %e = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %z3 = loom.constant dense<0.0> : tensor<0xf32>
  %one = loom.constant dense<9.0> : tensor<1xf32>
  %c = loom.concat %e, %z3, %e, %one dim 0 : (tensor<2xf32>, tensor<0xf32>, tensor<2xf32>, tensor<1xf32>) -> tensor<5xf32>
  %lg = loom.constant dense<[0.5, 1.5, -1.0]> : tensor<3xf32>
  %lb = loom.constant dense<2> : tensor<i64>
  %6 = loom.cross_entropy none %lg, %lb : (tensor<3xf32>, tensor<i64>) -> tensor<f32>
  %key = loom.constant dense<[5, 6]> : tensor<2xi64>
  %7 = loom.dropout %a, %key rate 5.000000e-01 stream 1 : (tensor<f32>, tensor<2xi64>) -> tensor<f32>
  %s = loom.constant dense<[[3.0]]> : tensor<1x1xf32>
  %sm = loom.softmax %s dim 1 : tensor<1x1xf32>
  %8 = loom.reshape %sm : tensor<1x1xf32> to tensor<1xf32>
  return %0, %1, %2, %3, %4, %c, %6, %7, %8 : tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<6xf32>, tensor<3xf32>, tensor<5xf32>, tensor<f32>, tensor<f32>, tensor<1xf32>
}
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [0, 0, 0]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [{{-?}}nan, {{-?}}nan, {{-?}}nan]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [4]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 0, 0, 0, 0, 0]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [4, 5, 6]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [1, 2, 1, 2, 9]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [2.87154]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [4]
// CHECK: sizes = [1] strides = [1] data =
// CHECK-NEXT: [1]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:9 = call @edges() : () -> (tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<6xf32>, tensor<3xf32>, tensor<5xf32>, tensor<f32>, tensor<f32>, tensor<1xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %u0_3 = tensor.cast %r0#3 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_3) : (tensor<*xf32>) -> ()
  %u0_4 = tensor.cast %r0#4 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_4) : (tensor<*xf32>) -> ()
  %u0_5 = tensor.cast %r0#5 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_5) : (tensor<*xf32>) -> ()
  %u0_6 = tensor.cast %r0#6 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u0_6) : (tensor<*xf32>) -> ()
  %u0_7 = tensor.cast %r0#7 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u0_7) : (tensor<*xf32>) -> ()
  %u0_8 = tensor.cast %r0#8 : tensor<1xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_8) : (tensor<*xf32>) -> ()
  return
}
