// RUN: loom-opt %s --loom-cpu-pipeline="kernel-abi=false approximate-math=false" | %mlir-cpu-runner | FileCheck %s
// (approximate-math=false: the expected digits are those of the library
// calls; loom compile's polynomial approximations are held to the reference
// with a tolerance in tests/unit/CpuLoweringTest.cpp and e2e/*parity.test.)
//
// Numerics of the contraction lowerings (matmul, conv2d and its adjoints),
// compiled and run with upstream MLIR; expected values are the reference
// interpreter's. Inputs are sin/cos of an iota, built with loom ops.

// Tests rank-2 matmul under every transpose combination
// (linalg.matmul, matmul_transpose_a/_b, and an explicit transpose).
func.func @matmul_2d() -> (tensor<4xf32>, tensor<9xf32>, tensor<4xf32>, tensor<6xf32>, tensor<4xf32>) {
  %a = loom.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = loom.constant dense<[[1.0, -1.0], [0.5, 2.0], [-2.0, 0.0]]> : tensor<3x2xf32>
  %0 = loom.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = loom.matmul %a, %b transpose_lhs transpose_rhs : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<3x3xf32>
  %2 = loom.matmul %b, %a transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %3 = loom.matmul %a, %0 transpose_lhs : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %4 = loom.matmul %a, %a transpose_rhs : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %r0 = loom.reshape %0 : tensor<2x2xf32> to tensor<4xf32>
  %r1 = loom.reshape %1 : tensor<3x3xf32> to tensor<9xf32>
  %r2 = loom.reshape %2 : tensor<2x2xf32> to tensor<4xf32>
  %r3 = loom.reshape %3 : tensor<3x2xf32> to tensor<6xf32>
  %r4 = loom.reshape %4 : tensor<2x2xf32> to tensor<4xf32>
  return %r0, %r1, %r2, %r3, %r4 : tensor<4xf32>, tensor<9xf32>, tensor<4xf32>, tensor<6xf32>, tensor<4xf32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [-4, 3, -5.5, 6]
// CHECK: sizes = [9] strides = [1] data =
// CHECK-NEXT: [-3, 8.5, -2, -3, 11, -4, -3, 13.5, -6]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [-4, -5.5, 3, 6]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [-26, 27, -35.5, 36, -45, 45]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [14, 32, 32, 77]

// Tests batched matmul: activations times a weight (rows merged into one
// linalg.matmul, with and without transpose_rhs), equal batch dims
// (linalg.batch_matmul, with transpose_lhs), and broadcasting batch dims on
// both sides (a linalg.generic).
func.func @matmul_batched() -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<12xf32>, tensor<16xf32>) {
  %i12 = loom.iota dim 0 : tensor<12xf32>
  %s12 = loom.sin %i12 : tensor<12xf32>
  %x = loom.reshape %s12 : tensor<12xf32> to tensor<2x2x3xf32>
  %c6 = loom.cos %i12 : tensor<12xf32>
  %w6 = loom.slice %c6 start [0] limit [6] stride [1] : tensor<12xf32> -> tensor<6xf32>
  %w = loom.reshape %w6 : tensor<6xf32> to tensor<3x2xf32>
  %wt = loom.reshape %w6 : tensor<6xf32> to tensor<2x3xf32>
  %y = loom.reshape %c6 : tensor<12xf32> to tensor<2x3x2xf32>
  %0 = loom.matmul %x, %w : (tensor<2x2x3xf32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  %1 = loom.matmul %x, %wt transpose_rhs : (tensor<2x2x3xf32>, tensor<2x3xf32>) -> tensor<2x2x2xf32>
  %2 = loom.matmul %x, %y : (tensor<2x2x3xf32>, tensor<2x3x2xf32>) -> tensor<2x2x2xf32>
  %3 = loom.matmul %x, %0 transpose_lhs : (tensor<2x2x3xf32>, tensor<2x2x2xf32>) -> tensor<2x3x2xf32>
  %x4 = loom.reshape %x : tensor<2x2x3xf32> to tensor<1x2x2x3xf32>
  %y4 = loom.reshape %y : tensor<2x3x2xf32> to tensor<2x1x3x2xf32>
  %4 = loom.matmul %x4, %y4 : (tensor<1x2x2x3xf32>, tensor<2x1x3x2xf32>) -> tensor<2x2x2x2xf32>
  %r0 = loom.reshape %0 : tensor<2x2x2xf32> to tensor<8xf32>
  %r1 = loom.reshape %1 : tensor<2x2x2xf32> to tensor<8xf32>
  %r2 = loom.reshape %2 : tensor<2x2x2xf32> to tensor<8xf32>
  %r3 = loom.reshape %3 : tensor<2x3x2xf32> to tensor<12xf32>
  %r4 = loom.reshape %4 : tensor<2x2x2x2xf32> to tensor<16xf32>
  return %r0, %r1, %r2, %r3, %r4 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<12xf32>, tensor<16xf32>
}
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [-0.944532, -0.575117, 1.08286, 0.553466, -1.19951, -0.520737, 1.29215, 0.477586]
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [0.0762474, -0.292089, 0.131271, 0.0829608, -0.336162, 0.127828, 0.534325, -0.336058]
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [-0.944532, -0.575117, 1.08286, 0.553466, -1.19402, -0.804874, 1.31392, 0.801946]
// CHECK: sizes = [12] strides = [1] data =
// CHECK-NEXT: [0.152813, 0.0781051, -1.6143, -0.902808, -1.89724, -1.05368, 0.867679, 0.342324, -1.49102, -0.601934, -2.47888, -0.992777]
// CHECK: sizes = [16] strides = [1] data =
// CHECK-NEXT: [-0.944532, -0.575117, 1.08286, 0.553466, -1.19951, -0.520737, 1.29215, 0.477586, -0.8854, -0.762665, 1.05022, 0.791692, -1.19402, -0.804874, 1.31392, 0.801946]

// Tests matmul on i32 and on bf16 (accumulated in f32, rounded once).
func.func @matmul_types() -> (tensor<4xi32>, tensor<4xf32>) {
  %a = loom.constant dense<[[1, -2], [3, 4]]> : tensor<2x2xi32>
  %0 = loom.matmul %a, %a : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>
  %h = loom.constant dense<[[1.0, 0.5], [0.25, 3.0]]> : tensor<2x2xbf16>
  %1 = loom.matmul %h, %h transpose_rhs : (tensor<2x2xbf16>, tensor<2x2xbf16>) -> tensor<2x2xbf16>
  %c = loom.cast %1 : tensor<2x2xbf16> to tensor<2x2xf32>
  %r0 = loom.reshape %0 : tensor<2x2xi32> to tensor<4xi32>
  %r1 = loom.reshape %c : tensor<2x2xf32> to tensor<4xf32>
  return %r0, %r1 : tensor<4xi32>, tensor<4xf32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [-5, -10, 15, 10]
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [1.25, 1.75, 1.75, 9.0625]

// Tests a grouped, strided, padded conv2d (2 groups; x (1, 2, 4, 4),
// w (4, 1, 3, 3)) and its adjoints.
func.func @conv2d_grouped() -> (tensor<16xf32>, tensor<32xf32>, tensor<36xf32>) {
  %i32 = loom.iota dim 0 : tensor<32xf32>
  %s32 = loom.sin %i32 : tensor<32xf32>
  %x = loom.reshape %s32 : tensor<32xf32> to tensor<1x2x4x4xf32>
  %i36 = loom.iota dim 0 : tensor<36xf32>
  %c36 = loom.cos %i36 : tensor<36xf32>
  %w = loom.reshape %c36 : tensor<36xf32> to tensor<4x1x3x3xf32>
  %y = loom.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2} : (tensor<1x2x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  %dx = loom.conv2d_backward_input %y, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2} : (tensor<1x4x2x2xf32>, tensor<4x1x3x3xf32>) -> tensor<1x2x4x4xf32>
  %dw = loom.conv2d_backward_filter %x, %y {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2} : (tensor<1x2x4x4xf32>, tensor<1x4x2x2xf32>) -> tensor<4x1x3x3xf32>
  %r0 = loom.reshape %y : tensor<1x4x2x2xf32> to tensor<16xf32>
  %r1 = loom.reshape %dx : tensor<1x2x4x4xf32> to tensor<32xf32>
  %r2 = loom.reshape %dw : tensor<4x1x3x3xf32> to tensor<36xf32>
  return %r0, %r1, %r2 : tensor<16xf32>, tensor<32xf32>, tensor<36xf32>
}
// CHECK: sizes = [16] strides = [1] data =
// CHECK-NEXT: [-0.192338, -2.61435, -1.00529, -0.663718, 1.10368, 2.3698, 1.98315, -0.618372, 2.24632, 0.996366, 2.05933, -2.52346, -2.59615, 0.0509, -2.07362, 3.08443]
// CHECK: sizes = [32] strides = [1] data =
// CHECK-NEXT: [1.12725, 4.68431, 3.85932, -0.417552, -3.40912, -4.25941, -4.08018, {{0\.00177224|0\.00177228}}, 2.4567, 0.121267, -0.127305, -0.272826, -2.65707, -0.566932, 0.0918115, 0.266724, -4.62104, -3.90057, -0.949766, -0.488435, 8.46172, 4.04546, -4.51965, -2.73854, -3.95607, -0.969183, 5.34483, 3.91769, 3.80082, 2.09478, -5.11862, -4.41986]
// CHECK: sizes = [36] strides = [1] data =
// CHECK-NEXT: [0.636455, 0.94626, 0.527945, -2.47343, -3.01074, -0.281372, 2.22809, 0.757981, -2.38715, 0.592972, -1.32807, -2.30795, 1.73928, 4.45331, 2.6988, -2.53228, -3.1741, 0.929717, -2.11127, 1.90239, 3.85835, -0.623919, -5.18415, -4.69621, 2.50827, 5.09309, 0.689186, 2.58061, -1.9204, -4.34501, -0.457165, 4.9391, 5.72789, -2.00435, -5.97987, -2.08527]

// Tests a dilated conv2d with uneven padding (x (2, 2, 5, 5), w (2, 2, 2, 2),
// dilation 2, padding [1, 0, 0, 1], stride 1) and its adjoints.
func.func @conv2d_dilated() -> (tensor<64xf32>, tensor<100xf32>, tensor<16xf32>) {
  %i100 = loom.iota dim 0 : tensor<100xf32>
  %s100 = loom.sin %i100 : tensor<100xf32>
  %x = loom.reshape %s100 : tensor<100xf32> to tensor<2x2x5x5xf32>
  %i16 = loom.iota dim 0 : tensor<16xf32>
  %c16 = loom.cos %i16 : tensor<16xf32>
  %w = loom.reshape %c16 : tensor<16xf32> to tensor<2x2x2x2xf32>
  %y = loom.conv2d %x, %w {dilations = array<i64: 2, 2>, padding = array<i64: 1, 0, 0, 1>} : (tensor<2x2x5x5xf32>, tensor<2x2x2x2xf32>) -> tensor<2x2x4x4xf32>
  %dx = loom.conv2d_backward_input %y, %w {dilations = array<i64: 2, 2>, padding = array<i64: 1, 0, 0, 1>} : (tensor<2x2x4x4xf32>, tensor<2x2x2x2xf32>) -> tensor<2x2x5x5xf32>
  %dw = loom.conv2d_backward_filter %x, %y {dilations = array<i64: 2, 2>, padding = array<i64: 1, 0, 0, 1>} : (tensor<2x2x5x5xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x2x2xf32>
  %r0 = loom.reshape %y : tensor<2x2x4x4xf32> to tensor<64xf32>
  %r1 = loom.reshape %dx : tensor<2x2x5x5xf32> to tensor<100xf32>
  %r2 = loom.reshape %dw : tensor<2x2x2x2xf32> to tensor<16xf32>
  return %r0, %r1, %r2 : tensor<64xf32>, tensor<100xf32>, tensor<16xf32>
}
// CHECK: sizes = [64] strides = [1] data =
// CHECK-NEXT: [-0.784315, -0.497289, 0.246943, 0.548367, 0.710397, -0.23254, -0.961681, 0.0737573, 0.903915, 0.886771, 0.0543334, -0.150352, -0.19758{{[0-9]*}}, 0.735627, 0.992506, -0.159056, 0.253501, -0.57604, -0.875972, -0.693417, 0.812124, 1.11847, 0.3965, -0.103954, -0.544179, 0.554086, 1.14293, 1.21623, -1.12085, -0.804123, 0.25191, 0.793948, -0.733913, -0.640642, 0.041632{{[0-9]*}}, 0.516614, 0.877696, 0.036287{{[0-9]*}}, -0.838483, 0.0243103, 0.74803, 0.988156, 0.319776, -0.176935, -0.45332, 0.524317, 1.0199, -0.12469, 0.466939, -0.379771, -0.877321, -0.70068, 0.571745, 1.14408, 0.664556, 0.240533, -0.789558, 0.27165, 1.0831, 1.29646, -1.01968, -0.989968, -0.0500838, 0.494978]
// CHECK: sizes = [100] strides = [1] data =
// CHECK-NEXT: [0.592233, -0.395278, -1.37549, -1.05583, -0.88086{{[0-9]*}}, 1.09678, 1.49643, 2.28207, 0.49035{{[0-9]*}}, -1.26035, -1.01156, 0.0109218, 1.23815, 1.14724, 1.26054, 0.080443{{[0-9]*}}, -0.833945, -1.87889, -1.83338, -0.0487314, 1.0227, 0.368588, -0.433753, -1.33181, -0.981458, 0.220968, 1.09582, 1.90166, 0.813056, 0.08701, -1.76846, -0.668312, 0.02499{{[0-9]*}}, 2.37335, 1.90419, -0.0235348, -1.22974, -2.45988, -0.715483, -0.516098, 0.793503, 0.927215, 1.30332, 0.269546, -0.827306, -0.342976, 0.596374, 1.68996, 1.12132, 0.556879, 0.794507, -0.13017{{[0-9]*}}, -0.981889, -1.03349, -1.05853, 0.776531, 1.53389, 2.73318, 0.926308, -0.859172, -1.14994, -0.30671, 0.63626, 0.745769, 1.42972, 0.35120{{[0-9]*}}, -0.639152, -1.78591, -1.99125, -0.311782, 1.04423, 0.612461, 0.0618666, -0.886884, -1.0099{{[0-9]*}}, -0.0912309, 0.941719, 1.87665, 1.23557, 0.365203, -1.79605, -1.08372, -0.78734{{[0-9]*}}, 1.94224, 1.77145, 0.356765, -0.986825, -2.24968, -1.03598, -0.893131, 0.610274, 0.985943, 1.6189, 0.545989, -0.581742, -0.574693, 0.368068, 1.40531, 1.09531, 0.806953]
// CHECK: sizes = [16] strides = [1] data =
// CHECK-NEXT: [-6.98102, 8.45384, 5.83183, -10.7658, -7.7031, 7.93249, 7.08054, -10.704{{[0-9]*}}, 10.3826, 3.5737, -15.9629, 0.819178, 9.1818, 4.83512, -15.3443, -0.811314]

// Tests conv2d_backward_input where stride 3 leaves input rows and columns
// that no window reads (they get zero): x (1, 1, 7, 7), w (1, 1, 2, 2).
func.func @conv2d_gaps() -> tensor<49xf32> {
  %i4 = loom.iota dim 0 : tensor<4xf32>
  %dy = loom.reshape %i4 : tensor<4xf32> to tensor<1x1x2x2xf32>
  %one = loom.constant dense<1.0> : tensor<f32>
  %i4b = loom.add %i4, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %w = loom.reshape %i4b : tensor<4xf32> to tensor<1x1x2x2xf32>
  %dx = loom.conv2d_backward_input %dy, %w {strides = array<i64: 3, 3>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x7x7xf32>
  %r = loom.reshape %dx : tensor<1x1x7x7xf32> to tensor<49xf32>
  return %r : tensor<49xf32>
}
// CHECK: sizes = [49] strides = [1] data =
// CHECK-NEXT: [0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 0, 3, 6, 0, 0, 6, 8, 0, 9, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI32(tensor<*xi32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:5 = call @matmul_2d() : () -> (tensor<4xf32>, tensor<9xf32>, tensor<4xf32>, tensor<6xf32>, tensor<4xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<9xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %u0_3 = tensor.cast %r0#3 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_3) : (tensor<*xf32>) -> ()
  %u0_4 = tensor.cast %r0#4 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_4) : (tensor<*xf32>) -> ()
  %r1:5 = call @matmul_batched() : () -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<12xf32>, tensor<16xf32>)
  %u1_0 = tensor.cast %r1#0 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %u1_1 = tensor.cast %r1#1 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_1) : (tensor<*xf32>) -> ()
  %u1_2 = tensor.cast %r1#2 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_2) : (tensor<*xf32>) -> ()
  %u1_3 = tensor.cast %r1#3 : tensor<12xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_3) : (tensor<*xf32>) -> ()
  %u1_4 = tensor.cast %r1#4 : tensor<16xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_4) : (tensor<*xf32>) -> ()
  %r2:2 = call @matmul_types() : () -> (tensor<4xi32>, tensor<4xf32>)
  %u2_0 = tensor.cast %r2#0 : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%u2_0) : (tensor<*xi32>) -> ()
  %u2_1 = tensor.cast %r2#1 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_1) : (tensor<*xf32>) -> ()
  %r3:3 = call @conv2d_grouped() : () -> (tensor<16xf32>, tensor<32xf32>, tensor<36xf32>)
  %u3_0 = tensor.cast %r3#0 : tensor<16xf32> to tensor<*xf32>
  call @printMemrefF32(%u3_0) : (tensor<*xf32>) -> ()
  %u3_1 = tensor.cast %r3#1 : tensor<32xf32> to tensor<*xf32>
  call @printMemrefF32(%u3_1) : (tensor<*xf32>) -> ()
  %u3_2 = tensor.cast %r3#2 : tensor<36xf32> to tensor<*xf32>
  call @printMemrefF32(%u3_2) : (tensor<*xf32>) -> ()
  %r4:3 = call @conv2d_dilated() : () -> (tensor<64xf32>, tensor<100xf32>, tensor<16xf32>)
  %u4_0 = tensor.cast %r4#0 : tensor<64xf32> to tensor<*xf32>
  call @printMemrefF32(%u4_0) : (tensor<*xf32>) -> ()
  %u4_1 = tensor.cast %r4#1 : tensor<100xf32> to tensor<*xf32>
  call @printMemrefF32(%u4_1) : (tensor<*xf32>) -> ()
  %u4_2 = tensor.cast %r4#2 : tensor<16xf32> to tensor<*xf32>
  call @printMemrefF32(%u4_2) : (tensor<*xf32>) -> ()
  %r5 = call @conv2d_gaps() : () -> (tensor<49xf32>)
  %u5_0 = tensor.cast %r5 : tensor<49xf32> to tensor<*xf32>
  call @printMemrefF32(%u5_0) : (tensor<*xf32>) -> ()
  return
}
