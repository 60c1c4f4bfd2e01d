// RUN: loom-opt %s --loom-cpu-pipeline="kernel-abi=false approximate-math=false" | %mlir-cpu-runner | FileCheck %s
// (approximate-math=false: the expected digits are those of the library
// calls; loom compile's polynomial approximations are held to the reference
// with a tolerance in tests/unit/CpuLoweringTest.cpp and e2e/*parity.test.)
//
// Numerics of the elementwise lowerings, compiled and run with upstream
// MLIR. Expected values are the reference interpreter's (backends/reference)
// on the same functions, printed with 6 significant digits.

// Tests the unary ops on f32, with NaN, -0 and infinities where the rules
// differ (sign, relu).
func.func @unary() -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
  %x = loom.constant dense<[-2.5, -0.0, 0.0, 0.5, 3.0, 0x7FC00000]> : tensor<6xf32>
  %p = loom.constant dense<[0.25, 1.0, 2.0, 4.0, 9.0, 100.0]> : tensor<6xf32>
  %0 = loom.neg %x : tensor<6xf32>
  %1 = loom.abs %x : tensor<6xf32>
  %2 = loom.sign %x : tensor<6xf32>
  %3 = loom.relu %x : tensor<6xf32>
  %4 = loom.exp %x : tensor<6xf32>
  %5 = loom.log %p : tensor<6xf32>
  %6 = loom.sqrt %p : tensor<6xf32>
  %7 = loom.rsqrt %p : tensor<6xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.5, 0, -0, -0.5, -3, -nan]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.5, 0, 0, 0.5, 3, nan]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [-1, 0, 0, 1, 1, nan]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 0, 0, 0.5, 3, nan]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0.082085, 1, 1, 1.64872, 20.0855, nan]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [-1.38629, 0, 0.693147, 1.38629, 2.19722, 4.60517]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0.5, 1, 1.41421, 2, 3, 10]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2, 1, 0.707107, 0.5, 0.333333, 0.1]

// Tests the transcendental unary ops and both GELU forms.
func.func @activations() -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %x = loom.constant dense<[-3.0, -0.5, 0.0, 1.0, 2.5]> : tensor<5xf32>
  %0 = loom.tanh %x : tensor<5xf32>
  %1 = loom.cos %x : tensor<5xf32>
  %2 = loom.sin %x : tensor<5xf32>
  %3 = loom.sigmoid %x : tensor<5xf32>
  %4 = loom.erf %x : tensor<5xf32>
  %5 = loom.gelu %x : tensor<5xf32>
  %6 = loom.gelu %x approximate : tensor<5xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [-0.995055, -0.462117, 0, 0.761594, 0.986614]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [-0.989992, 0.877583, 1, 0.540302, -0.801144]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [-0.14112, -0.479426, 0, 0.841471, 0.598472]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [0.0474259, 0.377541, 0.5, 0.731059, 0.924142]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [-0.999978, -0.5205, 0, 0.842701, 0.999593]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [-0.00404969, -0.154269, 0, 0.841345, 2.48448]
// CHECK: sizes = [5] strides = [1] data =
// CHECK-NEXT: [-0.003637{{[0-9]*}}, -0.154286, 0, 0.841192, 2.48492]

// Tests the binary ops with NumPy broadcasting ((2, 3) with (3) and (2, 1)),
// reshaped to rank 1 for printing; max/min propagate NaN.
func.func @binary() -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
  %a = loom.constant dense<[[1.0, -2.0, 3.0], [0.5, 0x7FC00000, -4.0]]> : tensor<2x3xf32>
  %b = loom.constant dense<[2.0, 0.5, -1.0]> : tensor<3xf32>
  %c = loom.constant dense<[[3.0], [-2.0]]> : tensor<2x1xf32>
  %p = loom.constant dense<[[1.5, 2.0, 0.5], [4.0, 3.0, 2.0]]> : tensor<2x3xf32>
  %0 = loom.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = loom.sub %a, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %2 = loom.mul %c, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = loom.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = loom.max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = loom.min %a, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %6 = loom.pow %p, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %r0 = loom.reshape %0 : tensor<2x3xf32> to tensor<6xf32>
  %r1 = loom.reshape %1 : tensor<2x3xf32> to tensor<6xf32>
  %r2 = loom.reshape %2 : tensor<2x3xf32> to tensor<6xf32>
  %r3 = loom.reshape %3 : tensor<2x3xf32> to tensor<6xf32>
  %r4 = loom.reshape %4 : tensor<2x3xf32> to tensor<6xf32>
  %r5 = loom.reshape %5 : tensor<2x3xf32> to tensor<6xf32>
  %r6 = loom.reshape %6 : tensor<2x3xf32> to tensor<6xf32>
  return %r0, %r1, %r2, %r3, %r4, %r5, %r6 : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [3, -1.5, 2, 2.5, nan, -5]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [-2, -5, 0, 2.5, nan, -2]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [6, 1.5, -3, -4, -1, 2]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0.5, -4, -3, 0.25, nan, 4]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2, 0.5, 3, 2, nan, -1]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [1, -2, 3, -2, nan, -4]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.25, 1.41421, 2, 16, 1.73205, 0.5]

// Tests integer arithmetic: division rounds toward zero, x / 0 gives 0,
// MIN / -1 wraps; neg, abs, sign, relu, max, min.
func.func @integers() -> (tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>) {
  %a = loom.constant dense<[7, -7, 5, -2147483648, 0, 9]> : tensor<6xi32>
  %b = loom.constant dense<[2, 2, 0, -1, -3, -4]> : tensor<6xi32>
  %0 = loom.div %a, %b : tensor<6xi32>
  %1 = loom.neg %b : tensor<6xi32>
  %2 = loom.sign %b : tensor<6xi32>
  %3 = loom.relu %b : tensor<6xi32>
  %4 = loom.max %a, %b : tensor<6xi32>
  %5 = loom.abs %b : tensor<6xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [3, -3, 0, -2147483648, 0, -2]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [-2, -2, 0, 1, 3, 4]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [1, 1, 0, -1, -1, -1]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2, 2, 0, 0, 0, 0]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [7, 2, 5, -1, 0, 9]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2, 2, 0, 1, 3, 4]

// Tests compare (ordered, except ne, which is true with NaN) and select,
// broadcasting the condition and a scalar operand.
func.func @compare_select() -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>) {
  %a = loom.constant dense<[1.0, 2.0, 0x7FC00000, -1.0]> : tensor<4xf32>
  %b = loom.constant dense<[1.0, 3.0, 0.0, -2.0]> : tensor<4xf32>
  %z = loom.constant dense<0.0> : tensor<f32>
  %0 = loom.compare le, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = loom.compare ne, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = loom.compare gt, %0, %1 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = loom.select %1, %a, %z : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %c0 = loom.cast %0 : tensor<4xi1> to tensor<4xi32>
  %c1 = loom.cast %1 : tensor<4xi1> to tensor<4xi32>
  %c2 = loom.cast %2 : tensor<4xi1> to tensor<4xi32>
  return %c0, %c1, %c2, %3 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [1, 1, 0, 0]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [0, 1, 1, 1]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [1, 0, 0, 0]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [0, 2, nan, -1]

// Tests cast: float to integer truncates toward zero and saturates (NaN
// gives 0); integer to float; to and from bf16/f16 (rounding to nearest
// even); f64; i64 wrapping to i32.
func.func @casts() -> (tensor<6xi32>, tensor<6xi64>, tensor<6xf32>, tensor<6xf32>, tensor<6xf64>, tensor<3xi32>) {
  %x = loom.constant dense<[2.7, -2.7, 3.0e+09, -3.0e+09, 0x7FC00000, 1.00390625]> : tensor<6xf32>
  %0 = loom.cast %x : tensor<6xf32> to tensor<6xi32>
  %1 = loom.cast %x : tensor<6xf32> to tensor<6xi64>
  %h = loom.cast %x : tensor<6xf32> to tensor<6xbf16>
  %2 = loom.cast %h : tensor<6xbf16> to tensor<6xf32>
  %f = loom.cast %x : tensor<6xf32> to tensor<6xf16>
  %3 = loom.cast %f : tensor<6xf16> to tensor<6xf32>
  %4 = loom.cast %x : tensor<6xf32> to tensor<6xf64>
  %big = loom.constant dense<[4294967297, -1, 2147483648]> : tensor<3xi64>
  %5 = loom.cast %big : tensor<3xi64> to tensor<3xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<6xi32>, tensor<6xi64>, tensor<6xf32>, tensor<6xf32>, tensor<6xf64>, tensor<3xi32>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2, -2, 2147483647, -2147483648, 0, 1]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2, -2, 3000000000, -3000000000, 0, 1]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.70312, -2.70312, 3.00312e+09, -3.00312e+09, nan, 1]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.69922, -2.69922, inf, -inf, nan, 1.00391]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [2.7, -2.7, 3e+09, -3e+09, nan, 1.00391]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [1, -1, -2147483648]

// Tests that bf16 math is done in f32 and rounded once: exp and a
// broadcasting add on bf16, read back as f32.
func.func @bf16() -> (tensor<4xf32>, tensor<4xf32>) {
  %x = loom.constant dense<[0.5, 1.0, 2.0, -1.0]> : tensor<4xbf16>
  %s = loom.constant dense<1.0e-02> : tensor<bf16>
  %0 = loom.exp %x : tensor<4xbf16>
  %1 = loom.add %x, %s : (tensor<4xbf16>, tensor<bf16>) -> tensor<4xbf16>
  %c0 = loom.cast %0 : tensor<4xbf16> to tensor<4xf32>
  %c1 = loom.cast %1 : tensor<4xbf16> to tensor<4xf32>
  return %c0, %c1 : tensor<4xf32>, tensor<4xf32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [1.64844, 2.71875, 7.375, 0.367188]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [0.511719, 1.00781, 2.01562, -0.988281]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefF64(tensor<*xf64>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI32(tensor<*xi32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI64(tensor<*xi64>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:8 = call @unary() : () -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %u0_3 = tensor.cast %r0#3 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_3) : (tensor<*xf32>) -> ()
  %u0_4 = tensor.cast %r0#4 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_4) : (tensor<*xf32>) -> ()
  %u0_5 = tensor.cast %r0#5 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_5) : (tensor<*xf32>) -> ()
  %u0_6 = tensor.cast %r0#6 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_6) : (tensor<*xf32>) -> ()
  %u0_7 = tensor.cast %r0#7 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_7) : (tensor<*xf32>) -> ()
  %r1:7 = call @activations() : () -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>)
  %u1_0 = tensor.cast %r1#0 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %u1_1 = tensor.cast %r1#1 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_1) : (tensor<*xf32>) -> ()
  %u1_2 = tensor.cast %r1#2 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_2) : (tensor<*xf32>) -> ()
  %u1_3 = tensor.cast %r1#3 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_3) : (tensor<*xf32>) -> ()
  %u1_4 = tensor.cast %r1#4 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_4) : (tensor<*xf32>) -> ()
  %u1_5 = tensor.cast %r1#5 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_5) : (tensor<*xf32>) -> ()
  %u1_6 = tensor.cast %r1#6 : tensor<5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_6) : (tensor<*xf32>) -> ()
  %r2:7 = call @binary() : () -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
  %u2_0 = tensor.cast %r2#0 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_0) : (tensor<*xf32>) -> ()
  %u2_1 = tensor.cast %r2#1 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_1) : (tensor<*xf32>) -> ()
  %u2_2 = tensor.cast %r2#2 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_2) : (tensor<*xf32>) -> ()
  %u2_3 = tensor.cast %r2#3 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_3) : (tensor<*xf32>) -> ()
  %u2_4 = tensor.cast %r2#4 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_4) : (tensor<*xf32>) -> ()
  %u2_5 = tensor.cast %r2#5 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_5) : (tensor<*xf32>) -> ()
  %u2_6 = tensor.cast %r2#6 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_6) : (tensor<*xf32>) -> ()
  %r3:6 = call @integers() : () -> (tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>)
  %u3_0 = tensor.cast %r3#0 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u3_0) : (tensor<*xi32>) -> ()
  %u3_1 = tensor.cast %r3#1 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u3_1) : (tensor<*xi32>) -> ()
  %u3_2 = tensor.cast %r3#2 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u3_2) : (tensor<*xi32>) -> ()
  %u3_3 = tensor.cast %r3#3 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u3_3) : (tensor<*xi32>) -> ()
  %u3_4 = tensor.cast %r3#4 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u3_4) : (tensor<*xi32>) -> ()
  %u3_5 = tensor.cast %r3#5 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u3_5) : (tensor<*xi32>) -> ()
  %r4:4 = call @compare_select() : () -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>)
  %u4_0 = tensor.cast %r4#0 : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%u4_0) : (tensor<*xi32>) -> ()
  %u4_1 = tensor.cast %r4#1 : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%u4_1) : (tensor<*xi32>) -> ()
  %u4_2 = tensor.cast %r4#2 : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%u4_2) : (tensor<*xi32>) -> ()
  %u4_3 = tensor.cast %r4#3 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u4_3) : (tensor<*xf32>) -> ()
  %r5:6 = call @casts() : () -> (tensor<6xi32>, tensor<6xi64>, tensor<6xf32>, tensor<6xf32>, tensor<6xf64>, tensor<3xi32>)
  %u5_0 = tensor.cast %r5#0 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u5_0) : (tensor<*xi32>) -> ()
  %u5_1 = tensor.cast %r5#1 : tensor<6xi64> to tensor<*xi64>
  call @printMemrefI64(%u5_1) : (tensor<*xi64>) -> ()
  %u5_2 = tensor.cast %r5#2 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u5_2) : (tensor<*xf32>) -> ()
  %u5_3 = tensor.cast %r5#3 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u5_3) : (tensor<*xf32>) -> ()
  %u5_4 = tensor.cast %r5#4 : tensor<6xf64> to tensor<*xf64>
  call @printMemrefF64(%u5_4) : (tensor<*xf64>) -> ()
  %u5_5 = tensor.cast %r5#5 : tensor<3xi32> to tensor<*xi32>
  call @printMemrefI32(%u5_5) : (tensor<*xi32>) -> ()
  %r6:2 = call @bf16() : () -> (tensor<4xf32>, tensor<4xf32>)
  %u6_0 = tensor.cast %r6#0 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u6_0) : (tensor<*xf32>) -> ()
  %u6_1 = tensor.cast %r6#1 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u6_1) : (tensor<*xf32>) -> ()
  return
}
