// RUN: loom-opt %s --loom-cpu-pipeline=kernel-abi=false | %mlir-cpu-runner | FileCheck %s
//
// Numerics of the attention and dropout lowerings, compiled and run with
// upstream MLIR; expected values are the reference interpreter's. Dropout's
// masks are bit for bit those of runtime/Philox.h.

// Tests attention with (batch, head) dims, causal and not, the default scale
// 1/sqrt(D) and an explicit one, and rank-2 operands with S != T.
func.func @attention() -> (tensor<24xf32>, tensor<24xf32>, tensor<6xf32>) {
  %i = loom.iota dim 0 : tensor<24xf32>
  %s = loom.sin %i : tensor<24xf32>
  %c = loom.cos %i : tensor<24xf32>
  %q = loom.reshape %s : tensor<24xf32> to tensor<1x2x3x4xf32>
  %k = loom.reshape %c : tensor<24xf32> to tensor<1x2x3x4xf32>
  %v = loom.reshape %i : tensor<24xf32> to tensor<1x2x3x4xf32>
  %0 = loom.attention %q, %k, %v causal : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %1 = loom.attention %q, %k, %v {scale = 2.0 : f64} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %q2 = loom.slice %s start [0] limit [8] stride [1] : tensor<24xf32> -> tensor<8xf32>
  %k2 = loom.slice %c start [0] limit [12] stride [1] : tensor<24xf32> -> tensor<12xf32>
  %v2 = loom.slice %i start [0] limit [9] stride [1] : tensor<24xf32> -> tensor<9xf32>
  %q2r = loom.reshape %q2 : tensor<8xf32> to tensor<2x4xf32>
  %k2r = loom.reshape %k2 : tensor<12xf32> to tensor<3x4xf32>
  %v2r = loom.reshape %v2 : tensor<9xf32> to tensor<3x3xf32>
  %2 = loom.attention %q2r, %k2r, %v2r : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %r0 = loom.reshape %0 : tensor<1x2x3x4xf32> to tensor<24xf32>
  %r1 = loom.reshape %1 : tensor<1x2x3x4xf32> to tensor<24xf32>
  %r2 = loom.reshape %2 : tensor<2x3xf32> to tensor<6xf32>
  return %r0, %r1, %r2 : tensor<24xf32>, tensor<24xf32>, tensor<6xf32>
}
// CHECK: sizes = [24] strides = [1] data =
// CHECK-NEXT: [0, 1, 2, 3, 3.02289, 4.02289, 5.02289, 6.02289, 1.97398, 2.97398, 3.97398, 4.97398, 12, 13, 14, 15, 14.7274, 15.7274, 16.7274, 17.7274, 14.4548, 15.4548, 16.4548, 17.4548]
// CHECK: sizes = [24] strides = [1] data =
// CHECK-NEXT: [3.73013, 4.73013, 5.73013, 6.73013, 7.28159, 8.28159, 9.28159, 10.2816, 0.054813{{[0-9]*}}, 1.05481, 2.05481, 3.05481, 15.9476, 16.9476, 17.9476, 18.9476, 19.3698, 20.3698, 21.3698, 22.3698, 12.2149, 13.2149, 14.2149, 15.2149]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.53877, 3.53877, 4.53877, 4.2321, 5.2321, 6.2321]

// Tests dropout's mask and scaling on f32 (seed 1234, step 7, stream 3,
// rate 0.5: kept elements are doubled) over 2 x 9 elements, so that blocks
// of 4 straddle rows; f64 with a seed and step above 2^32; rate 0 is the identity.
func.func @dropout() -> (tensor<18xf32>, tensor<6xf64>, tensor<3xf32>) {
  %one = loom.constant dense<1.5> : tensor<2x9xf32>
  %key = loom.constant dense<[1234, 7]> : tensor<2xi64>
  %0 = loom.dropout %one, %key rate 5.000000e-01 stream 3 : (tensor<2x9xf32>, tensor<2xi64>) -> tensor<2x9xf32>
  %d = loom.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf64>
  %key2 = loom.constant dense<[4294967308345, 4294967301]> : tensor<2xi64>
  %1 = loom.dropout %d, %key2 rate 2.500000e-01 stream 4294967298 : (tensor<6xf64>, tensor<2xi64>) -> tensor<6xf64>
  %e = loom.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %2 = loom.dropout %e, %key rate 0.000000e+00 stream 1 : (tensor<3xf32>, tensor<2xi64>) -> tensor<3xf32>
  %r0 = loom.reshape %0 : tensor<2x9xf32> to tensor<18xf32>
  return %r0, %1, %2 : tensor<18xf32>, tensor<6xf64>, tensor<3xf32>
}
// CHECK: sizes = [18] strides = [1] data =
// CHECK-NEXT: [0, 3, 3, 3, 3, 3, 0, 0, 3, 0, 0, 3, 3, 0, 3, 3, 3, 0]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 2.66667, 4, 5.33333, 6.66667, 8]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [1, 2, 3]

// Tests the whole mask of a 64 x 64 dropout through two exact integer
// checksums: the number of kept elements (times 2) and the sum of their
// flat indices (times 2).
func.func @dropout_checksum() -> (tensor<i64>, tensor<i64>) {
  %ones = loom.constant dense<1.0> : tensor<64x64xf32>
  %key = loom.constant dense<[20240601, 12]> : tensor<2xi64>
  %0 = loom.dropout %ones, %key rate 5.000000e-01 stream 9 : (tensor<64x64xf32>, tensor<2xi64>) -> tensor<64x64xf32>
  %flat = loom.reshape %0 : tensor<64x64xf32> to tensor<4096xf32>
  %kept = loom.cast %flat : tensor<4096xf32> to tensor<4096xi64>
  %index = loom.iota dim 0 : tensor<4096xi64>
  %weighted = loom.mul %kept, %index : tensor<4096xi64>
  %count = loom.reduce sum %kept dims [0] : tensor<4096xi64> -> tensor<i64>
  %sum = loom.reduce sum %weighted dims [0] : tensor<4096xi64> -> tensor<i64>
  return %count, %sum : tensor<i64>, tensor<i64>
}
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [4092]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [8438720]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefF64(tensor<*xf64>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI64(tensor<*xi64>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:3 = call @attention() : () -> (tensor<24xf32>, tensor<24xf32>, tensor<6xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<24xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<24xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %r1:3 = call @dropout() : () -> (tensor<18xf32>, tensor<6xf64>, tensor<3xf32>)
  %u1_0 = tensor.cast %r1#0 : tensor<18xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %u1_1 = tensor.cast %r1#1 : tensor<6xf64> to tensor<*xf64>
  call @printMemrefF64(%u1_1) : (tensor<*xf64>) -> ()
  %u1_2 = tensor.cast %r1#2 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_2) : (tensor<*xf32>) -> ()
  %r2:2 = call @dropout_checksum() : () -> (tensor<i64>, tensor<i64>)
  %u2_0 = tensor.cast %r2#0 : tensor<i64> to tensor<*xi64>
  call @printMemrefI64(%u2_0) : (tensor<*xi64>) -> ()
  %u2_1 = tensor.cast %r2#1 : tensor<i64> to tensor<*xi64>
  call @printMemrefI64(%u2_1) : (tensor<*xi64>) -> ()
  return
}
