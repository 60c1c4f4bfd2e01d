// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s
// RUN: loom-opt %s > %t.1 && loom-opt %t.1 > %t.2 && diff %t.1 %t.2

// Round trip of every loom op. The custom form parses and prints back to the
// checked form (first RUN line) and prints identically once printed (third);
// the generic form parses back to the same custom form (second). One func per
// case, sections in LoomOps.td order; the element types f32, f64, bf16, f16,
// i32, i64 and i1 all occur.

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @neg_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.neg %[[X]] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @neg_f32(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.neg %x : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @neg_rank0_i64(
// CHECK-SAME:    %[[X:.*]]: tensor<i64>) -> tensor<i64>
// CHECK-NEXT:    %[[R:.*]] = loom.neg %[[X]] : tensor<i64>
// CHECK-NEXT:    return %[[R]] : tensor<i64>
// CHECK-NEXT:  }
func.func @neg_rank0_i64(%x: tensor<i64>) -> tensor<i64> {
  %r = loom.neg %x : tensor<i64>
  return %r : tensor<i64>
}

// CHECK-LABEL: func.func @abs_i32(
// CHECK-SAME:    %[[X:.*]]: tensor<16xi32>) -> tensor<16xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.abs %[[X]] : tensor<16xi32>
// CHECK-NEXT:    return %[[R]] : tensor<16xi32>
// CHECK-NEXT:  }
func.func @abs_i32(%x: tensor<16xi32>) -> tensor<16xi32> {
  %r = loom.abs %x : tensor<16xi32>
  return %r : tensor<16xi32>
}

// CHECK-LABEL: func.func @sign_f16(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf16>) -> tensor<2x3xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.sign %[[X]] : tensor<2x3xf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x3xf16>
// CHECK-NEXT:  }
func.func @sign_f16(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %r = loom.sign %x : tensor<2x3xf16>
  return %r : tensor<2x3xf16>
}

// CHECK-LABEL: func.func @exp_f64(
// CHECK-SAME:    %[[X:.*]]: tensor<5xf64>) -> tensor<5xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.exp %[[X]] : tensor<5xf64>
// CHECK-NEXT:    return %[[R]] : tensor<5xf64>
// CHECK-NEXT:  }
func.func @exp_f64(%x: tensor<5xf64>) -> tensor<5xf64> {
  %r = loom.exp %x : tensor<5xf64>
  return %r : tensor<5xf64>
}

// CHECK-LABEL: func.func @log_bf16(
// CHECK-SAME:    %[[X:.*]]: tensor<4x4xbf16>) -> tensor<4x4xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.log %[[X]] : tensor<4x4xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x4xbf16>
// CHECK-NEXT:  }
func.func @log_bf16(%x: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  %r = loom.log %x : tensor<4x4xbf16>
  return %r : tensor<4x4xbf16>
}

// CHECK-LABEL: func.func @sqrt_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.sqrt %[[X]] : tensor<8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8xf32>
// CHECK-NEXT:  }
func.func @sqrt_f32(%x: tensor<8xf32>) -> tensor<8xf32> {
  %r = loom.sqrt %x : tensor<8xf32>
  return %r : tensor<8xf32>
}

// CHECK-LABEL: func.func @rsqrt_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.rsqrt %[[X]] : tensor<8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8xf32>
// CHECK-NEXT:  }
func.func @rsqrt_f32(%x: tensor<8xf32>) -> tensor<8xf32> {
  %r = loom.rsqrt %x : tensor<8xf32>
  return %r : tensor<8xf32>
}

// CHECK-LABEL: func.func @tanh_f16(
// CHECK-SAME:    %[[X:.*]]: tensor<2x8xf16>) -> tensor<2x8xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.tanh %[[X]] : tensor<2x8xf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x8xf16>
// CHECK-NEXT:  }
func.func @tanh_f16(%x: tensor<2x8xf16>) -> tensor<2x8xf16> {
  %r = loom.tanh %x : tensor<2x8xf16>
  return %r : tensor<2x8xf16>
}

// CHECK-LABEL: func.func @cos_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.cos %[[X]] : tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>
// CHECK-NEXT:  }
func.func @cos_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = loom.cos %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @sin_f64(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf64>) -> tensor<2x3xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.sin %[[X]] : tensor<2x3xf64>
// CHECK-NEXT:    return %[[R]] : tensor<2x3xf64>
// CHECK-NEXT:  }
func.func @sin_f64(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %r = loom.sin %x : tensor<2x3xf64>
  return %r : tensor<2x3xf64>
}

// CHECK-LABEL: func.func @sigmoid_f32(
// CHECK-SAME:    %[[X:.*]]: tensor<3x5xf32>) -> tensor<3x5xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.sigmoid %[[X]] : tensor<3x5xf32>
// CHECK-NEXT:    return %[[R]] : tensor<3x5xf32>
// CHECK-NEXT:  }
func.func @sigmoid_f32(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %r = loom.sigmoid %x : tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @relu_i64(
// CHECK-SAME:    %[[X:.*]]: tensor<6xi64>) -> tensor<6xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.relu %[[X]] : tensor<6xi64>
// CHECK-NEXT:    return %[[R]] : tensor<6xi64>
// CHECK-NEXT:  }
func.func @relu_i64(%x: tensor<6xi64>) -> tensor<6xi64> {
  %r = loom.relu %x : tensor<6xi64>
  return %r : tensor<6xi64>
}

// CHECK-LABEL: func.func @relu_bf16(
// CHECK-SAME:    %[[X:.*]]: tensor<2x6xbf16>) -> tensor<2x6xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.relu %[[X]] : tensor<2x6xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x6xbf16>
// CHECK-NEXT:  }
func.func @relu_bf16(%x: tensor<2x6xbf16>) -> tensor<2x6xbf16> {
  %r = loom.relu %x : tensor<2x6xbf16>
  return %r : tensor<2x6xbf16>
}

// CHECK-LABEL: func.func @erf_f64(
// CHECK-SAME:    %[[X:.*]]: tensor<7xf64>) -> tensor<7xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.erf %[[X]] : tensor<7xf64>
// CHECK-NEXT:    return %[[R]] : tensor<7xf64>
// CHECK-NEXT:  }
func.func @erf_f64(%x: tensor<7xf64>) -> tensor<7xf64> {
  %r = loom.erf %x : tensor<7xf64>
  return %r : tensor<7xf64>
}

// CHECK-LABEL: func.func @gelu_exact(
// CHECK-SAME:    %[[X:.*]]: tensor<8x3072xf32>) -> tensor<8x3072xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.gelu %[[X]] : tensor<8x3072xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x3072xf32>
// CHECK-NEXT:  }
func.func @gelu_exact(%x: tensor<8x3072xf32>) -> tensor<8x3072xf32> {
  %r = loom.gelu %x : tensor<8x3072xf32>
  return %r : tensor<8x3072xf32>
}

// CHECK-LABEL: func.func @gelu_approximate(
// CHECK-SAME:    %[[X:.*]]: tensor<8x3072xbf16>) -> tensor<8x3072xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.gelu %[[X]] approximate : tensor<8x3072xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<8x3072xbf16>
// CHECK-NEXT:  }
func.func @gelu_approximate(%x: tensor<8x3072xbf16>) -> tensor<8x3072xbf16> {
  %r = loom.gelu %x approximate : tensor<8x3072xbf16>
  return %r : tensor<8x3072xbf16>
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[Y]] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @add_same_type(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.add %x, %y : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// The functional form with all types equal prints in the short form.
// CHECK-LABEL: func.func @add_same_type_functional(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[Y]] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @add_same_type_functional(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.add %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @add_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>, %[[B:.*]]: tensor<768xf32>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.add %[[X]], %[[B]] : (tensor<8x256x768xf32>, tensor<768xf32>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x768xf32>
// CHECK-NEXT:  }
func.func @add_broadcast(%x: tensor<8x256x768xf32>, %b: tensor<768xf32>) -> tensor<8x256x768xf32> {
  %r = loom.add %x, %b : (tensor<8x256x768xf32>, tensor<768xf32>) -> tensor<8x256x768xf32>
  return %r : tensor<8x256x768xf32>
}

// CHECK-LABEL: func.func @sub_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<16xi32>, %[[Y:.*]]: tensor<16xi32>) -> tensor<16xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.sub %[[X]], %[[Y]] : tensor<16xi32>
// CHECK-NEXT:    return %[[R]] : tensor<16xi32>
// CHECK-NEXT:  }
func.func @sub_same_type(%x: tensor<16xi32>, %y: tensor<16xi32>) -> tensor<16xi32> {
  %r = loom.sub %x, %y : tensor<16xi32>
  return %r : tensor<16xi32>
}

// Both operands grow: 4x1 and 1x8 broadcast to 4x8.
// CHECK-LABEL: func.func @sub_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<4x1xf32>, %[[Y:.*]]: tensor<1x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.sub %[[X]], %[[Y]] : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @sub_broadcast(%x: tensor<4x1xf32>, %y: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %r = loom.sub %x, %y : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @mul_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf64>, %[[Y:.*]]: tensor<2x3xf64>) -> tensor<2x3xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.mul %[[X]], %[[Y]] : tensor<2x3xf64>
// CHECK-NEXT:    return %[[R]] : tensor<2x3xf64>
// CHECK-NEXT:  }
func.func @mul_same_type(%x: tensor<2x3xf64>, %y: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %r = loom.mul %x, %y : tensor<2x3xf64>
  return %r : tensor<2x3xf64>
}

// A rank-0 lhs broadcasts against everything.
// CHECK-LABEL: func.func @mul_broadcast(
// CHECK-SAME:    %[[S:.*]]: tensor<f32>, %[[X:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.mul %[[S]], %[[X]] : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @mul_broadcast(%s: tensor<f32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.mul %s, %x : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @div_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<8xi64>, %[[Y:.*]]: tensor<8xi64>) -> tensor<8xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.div %[[X]], %[[Y]] : tensor<8xi64>
// CHECK-NEXT:    return %[[R]] : tensor<8xi64>
// CHECK-NEXT:  }
func.func @div_same_type(%x: tensor<8xi64>, %y: tensor<8xi64>) -> tensor<8xi64> {
  %r = loom.div %x, %y : tensor<8xi64>
  return %r : tensor<8xi64>
}

// CHECK-LABEL: func.func @div_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xbf16>, %[[Y:.*]]: tensor<8x256x1xbf16>) -> tensor<8x256x768xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.div %[[X]], %[[Y]] : (tensor<8x256x768xbf16>, tensor<8x256x1xbf16>) -> tensor<8x256x768xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x768xbf16>
// CHECK-NEXT:  }
func.func @div_broadcast(%x: tensor<8x256x768xbf16>, %y: tensor<8x256x1xbf16>) -> tensor<8x256x768xbf16> {
  %r = loom.div %x, %y : (tensor<8x256x768xbf16>, tensor<8x256x1xbf16>) -> tensor<8x256x768xbf16>
  return %r : tensor<8x256x768xbf16>
}

// CHECK-LABEL: func.func @max_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf16>, %[[Y:.*]]: tensor<4x8xf16>) -> tensor<4x8xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.max %[[X]], %[[Y]] : tensor<4x8xf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf16>
// CHECK-NEXT:  }
func.func @max_same_type(%x: tensor<4x8xf16>, %y: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %r = loom.max %x, %y : tensor<4x8xf16>
  return %r : tensor<4x8xf16>
}

// CHECK-LABEL: func.func @max_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>, %[[ZERO:.*]]: tensor<f32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.max %[[X]], %[[ZERO]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @max_broadcast(%x: tensor<4x8xf32>, %zero: tensor<f32>) -> tensor<4x8xf32> {
  %r = loom.max %x, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @min_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xi32>, %[[Y:.*]]: tensor<4x8xi32>) -> tensor<4x8xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.min %[[X]], %[[Y]] : tensor<4x8xi32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xi32>
// CHECK-NEXT:  }
func.func @min_same_type(%x: tensor<4x8xi32>, %y: tensor<4x8xi32>) -> tensor<4x8xi32> {
  %r = loom.min %x, %y : tensor<4x8xi32>
  return %r : tensor<4x8xi32>
}

// CHECK-LABEL: func.func @min_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<1x8xf32>, %[[Y:.*]]: tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.min %[[X]], %[[Y]] : (tensor<1x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8xf32>
// CHECK-NEXT:  }
func.func @min_broadcast(%x: tensor<1x8xf32>, %y: tensor<2x4x1xf32>) -> tensor<2x4x8xf32> {
  %r = loom.min %x, %y : (tensor<1x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @pow_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.pow %[[X]], %[[Y]] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @pow_same_type(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.pow %x, %y : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @pow_broadcast(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf64>, %[[E:.*]]: tensor<1xf64>) -> tensor<4x8xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.pow %[[X]], %[[E]] : (tensor<4x8xf64>, tensor<1xf64>) -> tensor<4x8xf64>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf64>
// CHECK-NEXT:  }
func.func @pow_broadcast(%x: tensor<4x8xf64>, %e: tensor<1xf64>) -> tensor<4x8xf64> {
  %r = loom.pow %x, %e : (tensor<4x8xf64>, tensor<1xf64>) -> tensor<4x8xf64>
  return %r : tensor<4x8xf64>
}

//===----------------------------------------------------------------------===//
// Compare, select, cast
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare_eq(
// CHECK-SAME:    %[[X:.*]]: tensor<16xi32>, %[[Y:.*]]: tensor<16xi32>) -> tensor<16xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.compare eq, %[[X]], %[[Y]] : (tensor<16xi32>, tensor<16xi32>) -> tensor<16xi1>
// CHECK-NEXT:    return %[[R]] : tensor<16xi1>
// CHECK-NEXT:  }
func.func @compare_eq(%x: tensor<16xi32>, %y: tensor<16xi32>) -> tensor<16xi1> {
  %r = loom.compare eq, %x, %y : (tensor<16xi32>, tensor<16xi32>) -> tensor<16xi1>
  return %r : tensor<16xi1>
}

// CHECK-LABEL: func.func @compare_ne_i1(
// CHECK-SAME:    %[[X:.*]]: tensor<4xi1>, %[[Y:.*]]: tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.compare ne, %[[X]], %[[Y]] : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT:    return %[[R]] : tensor<4xi1>
// CHECK-NEXT:  }
func.func @compare_ne_i1(%x: tensor<4xi1>, %y: tensor<4xi1>) -> tensor<4xi1> {
  %r = loom.compare ne, %x, %y : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %r : tensor<4xi1>
}

// CHECK-LABEL: func.func @compare_lt(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf16>, %[[Y:.*]]: tensor<4x8xf16>) -> tensor<4x8xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.compare lt, %[[X]], %[[Y]] : (tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xi1>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xi1>
// CHECK-NEXT:  }
func.func @compare_lt(%x: tensor<4x8xf16>, %y: tensor<4x8xf16>) -> tensor<4x8xi1> {
  %r = loom.compare lt, %x, %y : (tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xi1>
  return %r : tensor<4x8xi1>
}

// CHECK-LABEL: func.func @compare_le(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xi64>, %[[Y:.*]]: tensor<8xi64>) -> tensor<4x8xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.compare le, %[[X]], %[[Y]] : (tensor<4x8xi64>, tensor<8xi64>) -> tensor<4x8xi1>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xi1>
// CHECK-NEXT:  }
func.func @compare_le(%x: tensor<4x8xi64>, %y: tensor<8xi64>) -> tensor<4x8xi1> {
  %r = loom.compare le, %x, %y : (tensor<4x8xi64>, tensor<8xi64>) -> tensor<4x8xi1>
  return %r : tensor<4x8xi1>
}

// CHECK-LABEL: func.func @compare_gt(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>, %[[ZERO:.*]]: tensor<f32>) -> tensor<4x8xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.compare gt, %[[X]], %[[ZERO]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi1>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xi1>
// CHECK-NEXT:  }
func.func @compare_gt(%x: tensor<4x8xf32>, %zero: tensor<f32>) -> tensor<4x8xi1> {
  %r = loom.compare gt, %x, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi1>
  return %r : tensor<4x8xi1>
}

// CHECK-LABEL: func.func @compare_ge(
// CHECK-SAME:    %[[X:.*]]: tensor<4x1xbf16>, %[[Y:.*]]: tensor<1x8xbf16>) -> tensor<4x8xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.compare ge, %[[X]], %[[Y]] : (tensor<4x1xbf16>, tensor<1x8xbf16>) -> tensor<4x8xi1>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xi1>
// CHECK-NEXT:  }
func.func @compare_ge(%x: tensor<4x1xbf16>, %y: tensor<1x8xbf16>) -> tensor<4x8xi1> {
  %r = loom.compare ge, %x, %y : (tensor<4x1xbf16>, tensor<1x8xbf16>) -> tensor<4x8xi1>
  return %r : tensor<4x8xi1>
}

// CHECK-LABEL: func.func @select_same_shape(
// CHECK-SAME:    %[[M:.*]]: tensor<4x8xi1>, %[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.select %[[M]], %[[X]], %[[Y]] : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @select_same_shape(%m: tensor<4x8xi1>, %x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.select %m, %x, %y : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @select_broadcast(
// CHECK-SAME:    %[[M:.*]]: tensor<4x8xi1>, %[[X:.*]]: tensor<4x8xf32>, %[[ZERO:.*]]: tensor<f32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.select %[[M]], %[[X]], %[[ZERO]] : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @select_broadcast(%m: tensor<4x8xi1>, %x: tensor<4x8xf32>, %zero: tensor<f32>) -> tensor<4x8xf32> {
  %r = loom.select %m, %x, %zero : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// The causal mask: a 1xTxT condition over 2-D values gives 1xTxT.
// CHECK-LABEL: func.func @select_broadcast_condition(
// CHECK-SAME:    %[[M:.*]]: tensor<1x4x4xi1>, %[[X:.*]]: tensor<4x4xi64>, %[[Y:.*]]: tensor<4xi64>) -> tensor<1x4x4xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.select %[[M]], %[[X]], %[[Y]] : (tensor<1x4x4xi1>, tensor<4x4xi64>, tensor<4xi64>) -> tensor<1x4x4xi64>
// CHECK-NEXT:    return %[[R]] : tensor<1x4x4xi64>
// CHECK-NEXT:  }
func.func @select_broadcast_condition(%m: tensor<1x4x4xi1>, %x: tensor<4x4xi64>, %y: tensor<4xi64>) -> tensor<1x4x4xi64> {
  %r = loom.select %m, %x, %y : (tensor<1x4x4xi1>, tensor<4x4xi64>, tensor<4xi64>) -> tensor<1x4x4xi64>
  return %r : tensor<1x4x4xi64>
}

// With i1 values all four types agree, so the short form prints.
// CHECK-LABEL: func.func @select_i1(
// CHECK-SAME:    %[[M:.*]]: tensor<8xi1>, %[[X:.*]]: tensor<8xi1>, %[[Y:.*]]: tensor<8xi1>) -> tensor<8xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.select %[[M]], %[[X]], %[[Y]] : tensor<8xi1>
// CHECK-NEXT:    return %[[R]] : tensor<8xi1>
// CHECK-NEXT:  }
func.func @select_i1(%m: tensor<8xi1>, %x: tensor<8xi1>, %y: tensor<8xi1>) -> tensor<8xi1> {
  %r = loom.select %m, %x, %y : tensor<8xi1>
  return %r : tensor<8xi1>
}

// CHECK-LABEL: func.func @cast_f32_to_bf16(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>) -> tensor<4x8xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xbf16>
// CHECK-NEXT:  }
func.func @cast_f32_to_bf16(%x: tensor<4x8xf32>) -> tensor<4x8xbf16> {
  %r = loom.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
  return %r : tensor<4x8xbf16>
}

// CHECK-LABEL: func.func @cast_i32_to_f64(
// CHECK-SAME:    %[[X:.*]]: tensor<16xi32>) -> tensor<16xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.cast %[[X]] : tensor<16xi32> to tensor<16xf64>
// CHECK-NEXT:    return %[[R]] : tensor<16xf64>
// CHECK-NEXT:  }
func.func @cast_i32_to_f64(%x: tensor<16xi32>) -> tensor<16xf64> {
  %r = loom.cast %x : tensor<16xi32> to tensor<16xf64>
  return %r : tensor<16xf64>
}

// CHECK-LABEL: func.func @cast_f16_to_i1(
// CHECK-SAME:    %[[X:.*]]: tensor<2x2xf16>) -> tensor<2x2xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.cast %[[X]] : tensor<2x2xf16> to tensor<2x2xi1>
// CHECK-NEXT:    return %[[R]] : tensor<2x2xi1>
// CHECK-NEXT:  }
func.func @cast_f16_to_i1(%x: tensor<2x2xf16>) -> tensor<2x2xi1> {
  %r = loom.cast %x : tensor<2x2xf16> to tensor<2x2xi1>
  return %r : tensor<2x2xi1>
}

// CHECK-LABEL: func.func @cast_i1_to_i64(
// CHECK-SAME:    %[[X:.*]]: tensor<i1>) -> tensor<i64>
// CHECK-NEXT:    %[[R:.*]] = loom.cast %[[X]] : tensor<i1> to tensor<i64>
// CHECK-NEXT:    return %[[R]] : tensor<i64>
// CHECK-NEXT:  }
func.func @cast_i1_to_i64(%x: tensor<i1>) -> tensor<i64> {
  %r = loom.cast %x : tensor<i1> to tensor<i64>
  return %r : tensor<i64>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @broadcast_add_dims(
// CHECK-SAME:    %[[BIAS:.*]]: tensor<768xf32>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.broadcast %[[BIAS]] : tensor<768xf32> to tensor<8x256x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x768xf32>
// CHECK-NEXT:  }
func.func @broadcast_add_dims(%bias: tensor<768xf32>) -> tensor<8x256x768xf32> {
  %r = loom.broadcast %bias : tensor<768xf32> to tensor<8x256x768xf32>
  return %r : tensor<8x256x768xf32>
}

// CHECK-LABEL: func.func @broadcast_unit_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<4x1xi32>) -> tensor<2x4x8xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.broadcast %[[X]] : tensor<4x1xi32> to tensor<2x4x8xi32>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8xi32>
// CHECK-NEXT:  }
func.func @broadcast_unit_dims(%x: tensor<4x1xi32>) -> tensor<2x4x8xi32> {
  %r = loom.broadcast %x : tensor<4x1xi32> to tensor<2x4x8xi32>
  return %r : tensor<2x4x8xi32>
}

// CHECK-LABEL: func.func @broadcast_rank0(
// CHECK-SAME:    %[[S:.*]]: tensor<i1>) -> tensor<3x3xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.broadcast %[[S]] : tensor<i1> to tensor<3x3xi1>
// CHECK-NEXT:    return %[[R]] : tensor<3x3xi1>
// CHECK-NEXT:  }
func.func @broadcast_rank0(%s: tensor<i1>) -> tensor<3x3xi1> {
  %r = loom.broadcast %s : tensor<i1> to tensor<3x3xi1>
  return %r : tensor<3x3xi1>
}

// CHECK-LABEL: func.func @reshape_flatten(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>) -> tensor<2048x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.reshape %[[X]] : tensor<8x256x768xf32> to tensor<2048x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2048x768xf32>
// CHECK-NEXT:  }
func.func @reshape_flatten(%x: tensor<8x256x768xf32>) -> tensor<2048x768xf32> {
  %r = loom.reshape %x : tensor<8x256x768xf32> to tensor<2048x768xf32>
  return %r : tensor<2048x768xf32>
}

// CHECK-LABEL: func.func @reshape_split_heads(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xbf16>) -> tensor<8x256x12x64xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.reshape %[[X]] : tensor<8x256x768xbf16> to tensor<8x256x12x64xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x12x64xbf16>
// CHECK-NEXT:  }
func.func @reshape_split_heads(%x: tensor<8x256x768xbf16>) -> tensor<8x256x12x64xbf16> {
  %r = loom.reshape %x : tensor<8x256x768xbf16> to tensor<8x256x12x64xbf16>
  return %r : tensor<8x256x12x64xbf16>
}

// CHECK-LABEL: func.func @reshape_to_rank0(
// CHECK-SAME:    %[[X:.*]]: tensor<1x1xi64>) -> tensor<i64>
// CHECK-NEXT:    %[[R:.*]] = loom.reshape %[[X]] : tensor<1x1xi64> to tensor<i64>
// CHECK-NEXT:    return %[[R]] : tensor<i64>
// CHECK-NEXT:  }
func.func @reshape_to_rank0(%x: tensor<1x1xi64>) -> tensor<i64> {
  %r = loom.reshape %x : tensor<1x1xi64> to tensor<i64>
  return %r : tensor<i64>
}

// CHECK-LABEL: func.func @transpose_2d(
// CHECK-SAME:    %[[X:.*]]: tensor<3x5xf64>) -> tensor<5x3xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.transpose %[[X]], [1, 0] : tensor<3x5xf64> -> tensor<5x3xf64>
// CHECK-NEXT:    return %[[R]] : tensor<5x3xf64>
// CHECK-NEXT:  }
func.func @transpose_2d(%x: tensor<3x5xf64>) -> tensor<5x3xf64> {
  %r = loom.transpose %x, [1, 0] : tensor<3x5xf64> -> tensor<5x3xf64>
  return %r : tensor<5x3xf64>
}

// CHECK-LABEL: func.func @transpose_heads(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x12x64xf32>) -> tensor<8x12x256x64xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.transpose %[[X]], [0, 2, 1, 3] : tensor<8x256x12x64xf32> -> tensor<8x12x256x64xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x12x256x64xf32>
// CHECK-NEXT:  }
func.func @transpose_heads(%x: tensor<8x256x12x64xf32>) -> tensor<8x12x256x64xf32> {
  %r = loom.transpose %x, [0, 2, 1, 3] : tensor<8x256x12x64xf32> -> tensor<8x12x256x64xf32>
  return %r : tensor<8x12x256x64xf32>
}

// CHECK-LABEL: func.func @slice_unit_stride(
// CHECK-SAME:    %[[WPE:.*]]: tensor<1024x768xf32>) -> tensor<64x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.slice %[[WPE]] start [0, 0] limit [64, 768] stride [1, 1] : tensor<1024x768xf32> -> tensor<64x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<64x768xf32>
// CHECK-NEXT:  }
func.func @slice_unit_stride(%wpe: tensor<1024x768xf32>) -> tensor<64x768xf32> {
  %r = loom.slice %wpe start [0, 0] limit [64, 768] stride [1, 1] : tensor<1024x768xf32> -> tensor<64x768xf32>
  return %r : tensor<64x768xf32>
}

// ceil((10 - 1) / 3) = 3 rows and ceil((8 - 2) / 2) = 3 columns.
// CHECK-LABEL: func.func @slice_strided(
// CHECK-SAME:    %[[X:.*]]: tensor<10x8xi32>) -> tensor<3x3xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.slice %[[X]] start [1, 2] limit [10, 8] stride [3, 2] : tensor<10x8xi32> -> tensor<3x3xi32>
// CHECK-NEXT:    return %[[R]] : tensor<3x3xi32>
// CHECK-NEXT:  }
func.func @slice_strided(%x: tensor<10x8xi32>) -> tensor<3x3xi32> {
  %r = loom.slice %x start [1, 2] limit [10, 8] stride [3, 2] : tensor<10x8xi32> -> tensor<3x3xi32>
  return %r : tensor<3x3xi32>
}

// A stride larger than the extent keeps one element, without overflowing.
// CHECK-LABEL: func.func @slice_huge_stride(
// CHECK-NEXT:    %[[R:.*]] = loom.slice %{{.*}} start [0] limit [8] stride [9223372036854775807] : tensor<8xf32> -> tensor<1xf32>
func.func @slice_huge_stride(%x: tensor<8xf32>) -> tensor<1xf32> {
  %r = loom.slice %x start [0] limit [8] stride [9223372036854775807] : tensor<8xf32> -> tensor<1xf32>
  return %r : tensor<1xf32>
}

// CHECK-LABEL: func.func @concat_one_input(
// CHECK-SAME:    %[[A:.*]]: tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.concat %[[A]] dim 0 : (tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x3xf32>
// CHECK-NEXT:  }
func.func @concat_one_input(%a: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %r = loom.concat %a dim 0 : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @concat_three_inputs(
// CHECK-SAME:    %[[A:.*]]: tensor<4x3xf16>, %[[B:.*]]: tensor<4x5xf16>, %[[C:.*]]: tensor<4x1xf16>) -> tensor<4x9xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.concat %[[A]], %[[B]], %[[C]] dim 1 : (tensor<4x3xf16>, tensor<4x5xf16>, tensor<4x1xf16>) -> tensor<4x9xf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x9xf16>
// CHECK-NEXT:  }
func.func @concat_three_inputs(%a: tensor<4x3xf16>, %b: tensor<4x5xf16>, %c: tensor<4x1xf16>) -> tensor<4x9xf16> {
  %r = loom.concat %a, %b, %c dim 1 : (tensor<4x3xf16>, tensor<4x5xf16>, tensor<4x1xf16>) -> tensor<4x9xf16>
  return %r : tensor<4x9xf16>
}

// CHECK-LABEL: func.func @gather_embedding(
// CHECK-SAME:    %[[WTE:.*]]: tensor<50257x768xf32>, %[[TOKENS:.*]]: tensor<8x64xi32>) -> tensor<8x64x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.gather %[[WTE]][%[[TOKENS]]] axis 0 : (tensor<50257x768xf32>, tensor<8x64xi32>) -> tensor<8x64x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x64x768xf32>
// CHECK-NEXT:  }
func.func @gather_embedding(%wte: tensor<50257x768xf32>, %tokens: tensor<8x64xi32>) -> tensor<8x64x768xf32> {
  %r = loom.gather %wte[%tokens] axis 0 : (tensor<50257x768xf32>, tensor<8x64xi32>) -> tensor<8x64x768xf32>
  return %r : tensor<8x64x768xf32>
}

// CHECK-LABEL: func.func @gather_inner_axis(
// CHECK-SAME:    %[[TABLE:.*]]: tensor<2x10x3xbf16>, %[[IDX:.*]]: tensor<5xi64>) -> tensor<2x5x3xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.gather %[[TABLE]][%[[IDX]]] axis 1 : (tensor<2x10x3xbf16>, tensor<5xi64>) -> tensor<2x5x3xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x5x3xbf16>
// CHECK-NEXT:  }
func.func @gather_inner_axis(%table: tensor<2x10x3xbf16>, %idx: tensor<5xi64>) -> tensor<2x5x3xbf16> {
  %r = loom.gather %table[%idx] axis 1 : (tensor<2x10x3xbf16>, tensor<5xi64>) -> tensor<2x5x3xbf16>
  return %r : tensor<2x5x3xbf16>
}

// CHECK-LABEL: func.func @scatter_add_embedding(
// CHECK-SAME:    %[[ZEROS:.*]]: tensor<50257x768xf32>, %[[TOKENS:.*]]: tensor<8x64xi32>, %[[DY:.*]]: tensor<8x64x768xf32>) -> tensor<50257x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.scatter_add %[[ZEROS]][%[[TOKENS]]], %[[DY]] axis 0 : (tensor<50257x768xf32>, tensor<8x64xi32>, tensor<8x64x768xf32>) -> tensor<50257x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<50257x768xf32>
// CHECK-NEXT:  }
func.func @scatter_add_embedding(%zeros: tensor<50257x768xf32>, %tokens: tensor<8x64xi32>, %dy: tensor<8x64x768xf32>) -> tensor<50257x768xf32> {
  %r = loom.scatter_add %zeros[%tokens], %dy axis 0 : (tensor<50257x768xf32>, tensor<8x64xi32>, tensor<8x64x768xf32>) -> tensor<50257x768xf32>
  return %r : tensor<50257x768xf32>
}

// CHECK-LABEL: func.func @scatter_add_inner_axis_i64(
// CHECK-SAME:    %[[DEST:.*]]: tensor<2x10xi64>, %[[IDX:.*]]: tensor<3xi64>, %[[UPD:.*]]: tensor<2x3xi64>) -> tensor<2x10xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.scatter_add %[[DEST]][%[[IDX]]], %[[UPD]] axis 1 : (tensor<2x10xi64>, tensor<3xi64>, tensor<2x3xi64>) -> tensor<2x10xi64>
// CHECK-NEXT:    return %[[R]] : tensor<2x10xi64>
// CHECK-NEXT:  }
func.func @scatter_add_inner_axis_i64(%dest: tensor<2x10xi64>, %idx: tensor<3xi64>, %upd: tensor<2x3xi64>) -> tensor<2x10xi64> {
  %r = loom.scatter_add %dest[%idx], %upd axis 1 : (tensor<2x10xi64>, tensor<3xi64>, tensor<2x3xi64>) -> tensor<2x10xi64>
  return %r : tensor<2x10xi64>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reduce_sum(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>) -> tensor<768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce sum %[[X]] dims [0, 1] : tensor<8x256x768xf32> -> tensor<768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<768xf32>
// CHECK-NEXT:  }
func.func @reduce_sum(%x: tensor<8x256x768xf32>) -> tensor<768xf32> {
  %r = loom.reduce sum %x dims [0, 1] : tensor<8x256x768xf32> -> tensor<768xf32>
  return %r : tensor<768xf32>
}

// CHECK-LABEL: func.func @reduce_sum_keep_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xi32>) -> tensor<1x8xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce sum %[[X]] dims [0] keep_dims : tensor<4x8xi32> -> tensor<1x8xi32>
// CHECK-NEXT:    return %[[R]] : tensor<1x8xi32>
// CHECK-NEXT:  }
func.func @reduce_sum_keep_dims(%x: tensor<4x8xi32>) -> tensor<1x8xi32> {
  %r = loom.reduce sum %x dims [0] keep_dims : tensor<4x8xi32> -> tensor<1x8xi32>
  return %r : tensor<1x8xi32>
}

// CHECK-LABEL: func.func @reduce_max(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xi64>) -> tensor<4xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce max %[[X]] dims [1] : tensor<4x8xi64> -> tensor<4xi64>
// CHECK-NEXT:    return %[[R]] : tensor<4xi64>
// CHECK-NEXT:  }
func.func @reduce_max(%x: tensor<4x8xi64>) -> tensor<4xi64> {
  %r = loom.reduce max %x dims [1] : tensor<4x8xi64> -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// CHECK-LABEL: func.func @reduce_max_keep_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>) -> tensor<8x256x1xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce max %[[X]] dims [2] keep_dims : tensor<8x256x768xf32> -> tensor<8x256x1xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x1xf32>
// CHECK-NEXT:  }
func.func @reduce_max_keep_dims(%x: tensor<8x256x768xf32>) -> tensor<8x256x1xf32> {
  %r = loom.reduce max %x dims [2] keep_dims : tensor<8x256x768xf32> -> tensor<8x256x1xf32>
  return %r : tensor<8x256x1xf32>
}

// Dims need not be sorted; reducing every dim gives rank 0.
// CHECK-LABEL: func.func @reduce_min(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf16>) -> tensor<f16>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce min %[[X]] dims [1, 0] : tensor<4x8xf16> -> tensor<f16>
// CHECK-NEXT:    return %[[R]] : tensor<f16>
// CHECK-NEXT:  }
func.func @reduce_min(%x: tensor<4x8xf16>) -> tensor<f16> {
  %r = loom.reduce min %x dims [1, 0] : tensor<4x8xf16> -> tensor<f16>
  return %r : tensor<f16>
}

// CHECK-LABEL: func.func @reduce_min_keep_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf16>) -> tensor<1x1xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce min %[[X]] dims [0, 1] keep_dims : tensor<4x8xf16> -> tensor<1x1xf16>
// CHECK-NEXT:    return %[[R]] : tensor<1x1xf16>
// CHECK-NEXT:  }
func.func @reduce_min_keep_dims(%x: tensor<4x8xf16>) -> tensor<1x1xf16> {
  %r = loom.reduce min %x dims [0, 1] keep_dims : tensor<4x8xf16> -> tensor<1x1xf16>
  return %r : tensor<1x1xf16>
}

// CHECK-LABEL: func.func @reduce_mean(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x4xf64>) -> tensor<2x4xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce mean %[[X]] dims [1] : tensor<2x3x4xf64> -> tensor<2x4xf64>
// CHECK-NEXT:    return %[[R]] : tensor<2x4xf64>
// CHECK-NEXT:  }
func.func @reduce_mean(%x: tensor<2x3x4xf64>) -> tensor<2x4xf64> {
  %r = loom.reduce mean %x dims [1] : tensor<2x3x4xf64> -> tensor<2x4xf64>
  return %r : tensor<2x4xf64>
}

// CHECK-LABEL: func.func @reduce_mean_keep_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x4xbf16>) -> tensor<2x3x1xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce mean %[[X]] dims [2] keep_dims : tensor<2x3x4xbf16> -> tensor<2x3x1xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x3x1xbf16>
// CHECK-NEXT:  }
func.func @reduce_mean_keep_dims(%x: tensor<2x3x4xbf16>) -> tensor<2x3x1xbf16> {
  %r = loom.reduce mean %x dims [2] keep_dims : tensor<2x3x4xbf16> -> tensor<2x3x1xbf16>
  return %r : tensor<2x3x1xbf16>
}

// Reducing no dimensions is the identity.
// CHECK-LABEL: func.func @reduce_no_dims(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce sum %[[X]] dims [] : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @reduce_no_dims(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.reduce sum %x dims [] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_plain(
// CHECK-SAME:    %[[A:.*]]: tensor<4x16xf32>, %[[B:.*]]: tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.matmul %[[A]], %[[B]] : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @matmul_plain(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %r = loom.matmul %a, %b : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// A rank-2 weight multiplies every matrix of a rank-3 activation.
// CHECK-LABEL: func.func @matmul_batched_broadcast_weight(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xbf16>, %[[W:.*]]: tensor<768x3072xbf16>) -> tensor<8x256x3072xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.matmul %[[X]], %[[W]] : (tensor<8x256x768xbf16>, tensor<768x3072xbf16>) -> tensor<8x256x3072xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x3072xbf16>
// CHECK-NEXT:  }
func.func @matmul_batched_broadcast_weight(%x: tensor<8x256x768xbf16>, %w: tensor<768x3072xbf16>) -> tensor<8x256x3072xbf16> {
  %r = loom.matmul %x, %w : (tensor<8x256x768xbf16>, tensor<768x3072xbf16>) -> tensor<8x256x3072xbf16>
  return %r : tensor<8x256x3072xbf16>
}

// Batch dims 2x1 and 3 broadcast to 2x3.
// CHECK-LABEL: func.func @matmul_batched_broadcast_both(
// CHECK-SAME:    %[[A:.*]]: tensor<2x1x4x5xf64>, %[[B:.*]]: tensor<3x5x6xf64>) -> tensor<2x3x4x6xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.matmul %[[A]], %[[B]] : (tensor<2x1x4x5xf64>, tensor<3x5x6xf64>) -> tensor<2x3x4x6xf64>
// CHECK-NEXT:    return %[[R]] : tensor<2x3x4x6xf64>
// CHECK-NEXT:  }
func.func @matmul_batched_broadcast_both(%a: tensor<2x1x4x5xf64>, %b: tensor<3x5x6xf64>) -> tensor<2x3x4x6xf64> {
  %r = loom.matmul %a, %b : (tensor<2x1x4x5xf64>, tensor<3x5x6xf64>) -> tensor<2x3x4x6xf64>
  return %r : tensor<2x3x4x6xf64>
}

// CHECK-LABEL: func.func @matmul_transpose_lhs(
// CHECK-SAME:    %[[A:.*]]: tensor<16x4xf32>, %[[B:.*]]: tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.matmul %[[A]], %[[B]] transpose_lhs : (tensor<16x4xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @matmul_transpose_lhs(%a: tensor<16x4xf32>, %b: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %r = loom.matmul %a, %b transpose_lhs : (tensor<16x4xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_rhs(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>, %[[W:.*]]: tensor<3072x768xf32>) -> tensor<8x256x3072xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.matmul %[[X]], %[[W]] transpose_rhs : (tensor<8x256x768xf32>, tensor<3072x768xf32>) -> tensor<8x256x3072xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x3072xf32>
// CHECK-NEXT:  }
func.func @matmul_transpose_rhs(%x: tensor<8x256x768xf32>, %w: tensor<3072x768xf32>) -> tensor<8x256x3072xf32> {
  %r = loom.matmul %x, %w transpose_rhs : (tensor<8x256x768xf32>, tensor<3072x768xf32>) -> tensor<8x256x3072xf32>
  return %r : tensor<8x256x3072xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_both_i32(
// CHECK-SAME:    %[[A:.*]]: tensor<2x16x4xi32>, %[[B:.*]]: tensor<2x8x16xi32>) -> tensor<2x4x8xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.matmul %[[A]], %[[B]] transpose_lhs transpose_rhs : (tensor<2x16x4xi32>, tensor<2x8x16xi32>) -> tensor<2x4x8xi32>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8xi32>
// CHECK-NEXT:  }
func.func @matmul_transpose_both_i32(%a: tensor<2x16x4xi32>, %b: tensor<2x8x16xi32>) -> tensor<2x4x8xi32> {
  %r = loom.matmul %a, %b transpose_lhs transpose_rhs : (tensor<2x16x4xi32>, tensor<2x8x16xi32>) -> tensor<2x4x8xi32>
  return %r : tensor<2x4x8xi32>
}

// CHECK-LABEL: func.func @conv2d_defaults(
// CHECK-SAME:    %[[X:.*]]: tensor<8x3x32x32xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d %[[X]], %[[W]] : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x16x30x30xf32>
// CHECK-NEXT:  }
func.func @conv2d_defaults(%x: tensor<8x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32> {
  %r = loom.conv2d %x, %w : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32>
  return %r : tensor<8x16x30x30xf32>
}

// Attributes spelled out with their default values print as the defaults form.
// CHECK-LABEL: func.func @conv2d_explicit_defaults(
// CHECK-SAME:    %[[X:.*]]: tensor<8x3x32x32xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d %[[X]], %[[W]] : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x16x30x30xf32>
// CHECK-NEXT:  }
func.func @conv2d_explicit_defaults(%x: tensor<8x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32> {
  %r = loom.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x30x30xf32>
  return %r : tensor<8x16x30x30xf32>
}

// CHECK-LABEL: func.func @conv2d_same_padding(
// CHECK-SAME:    %[[X:.*]]: tensor<8x3x32x32xf16>, %[[W:.*]]: tensor<16x3x3x3xf16>) -> tensor<8x16x32x32xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d %[[X]], %[[W]] {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x3x32x32xf16>, tensor<16x3x3x3xf16>) -> tensor<8x16x32x32xf16>
// CHECK-NEXT:    return %[[R]] : tensor<8x16x32x32xf16>
// CHECK-NEXT:  }
func.func @conv2d_same_padding(%x: tensor<8x3x32x32xf16>, %w: tensor<16x3x3x3xf16>) -> tensor<8x16x32x32xf16> {
  %r = loom.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x3x32x32xf16>, tensor<16x3x3x3xf16>) -> tensor<8x16x32x32xf16>
  return %r : tensor<8x16x32x32xf16>
}

// HO = (32 + 2 + 1 - 2 * (3 - 1) - 1) / 2 + 1 = 16; WO = (32 + 0 + 3 - 2 * 2 - 1) / 3 + 1 = 11.
// CHECK-LABEL: func.func @conv2d_non_default(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4x32x32xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>) -> tensor<2x6x16x11xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d %[[X]], %[[W]] {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 1, 0, 3>, strides = array<i64: 2, 3>} : (tensor<2x4x32x32xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x16x11xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2x6x16x11xf32>
// CHECK-NEXT:  }
func.func @conv2d_non_default(%x: tensor<2x4x32x32xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x16x11xf32> {
  %r = loom.conv2d %x, %w {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 1, 0, 3>, strides = array<i64: 2, 3>} : (tensor<2x4x32x32xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x16x11xf32>
  return %r : tensor<2x6x16x11xf32>
}

// CHECK-LABEL: func.func @conv2d_backward_input_same_padding(
// CHECK-SAME:    %[[DY:.*]]: tensor<8x16x32x32xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>) -> tensor<8x3x32x32xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d_backward_input %[[DY]], %[[W]] {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x16x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x3x32x32xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x3x32x32xf32>
// CHECK-NEXT:  }
func.func @conv2d_backward_input_same_padding(%dy: tensor<8x16x32x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<8x3x32x32xf32> {
  %r = loom.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x16x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x3x32x32xf32>
  return %r : tensor<8x3x32x32xf32>
}

// The backward of @conv2d_non_default for an input of height 33, which gives
// the same HO = 16 as 32 does: the result type says which.
// CHECK-LABEL: func.func @conv2d_backward_input_non_default(
// CHECK-SAME:    %[[DY:.*]]: tensor<2x6x16x11xf16>, %[[W:.*]]: tensor<6x2x3x3xf16>) -> tensor<2x4x33x32xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d_backward_input %[[DY]], %[[W]] {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 1, 0, 3>, strides = array<i64: 2, 3>} : (tensor<2x6x16x11xf16>, tensor<6x2x3x3xf16>) -> tensor<2x4x33x32xf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x33x32xf16>
// CHECK-NEXT:  }
func.func @conv2d_backward_input_non_default(%dy: tensor<2x6x16x11xf16>, %w: tensor<6x2x3x3xf16>) -> tensor<2x4x33x32xf16> {
  %r = loom.conv2d_backward_input %dy, %w {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 1, 0, 3>, strides = array<i64: 2, 3>} : (tensor<2x6x16x11xf16>, tensor<6x2x3x3xf16>) -> tensor<2x4x33x32xf16>
  return %r : tensor<2x4x33x32xf16>
}

// CHECK-LABEL: func.func @conv2d_backward_filter_defaults(
// CHECK-SAME:    %[[X:.*]]: tensor<8x3x32x32xbf16>, %[[DY:.*]]: tensor<8x16x30x30xbf16>) -> tensor<16x3x3x3xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d_backward_filter %[[X]], %[[DY]] : (tensor<8x3x32x32xbf16>, tensor<8x16x30x30xbf16>) -> tensor<16x3x3x3xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<16x3x3x3xbf16>
// CHECK-NEXT:  }
func.func @conv2d_backward_filter_defaults(%x: tensor<8x3x32x32xbf16>, %dy: tensor<8x16x30x30xbf16>) -> tensor<16x3x3x3xbf16> {
  %r = loom.conv2d_backward_filter %x, %dy {groups = 1 : i64, strides = array<i64: 1, 1>} : (tensor<8x3x32x32xbf16>, tensor<8x16x30x30xbf16>) -> tensor<16x3x3x3xbf16>
  return %r : tensor<16x3x3x3xbf16>
}

// CHECK-LABEL: func.func @conv2d_backward_filter_non_default(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4x32x32xf64>, %[[DY:.*]]: tensor<2x6x16x11xf64>) -> tensor<6x2x3x3xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.conv2d_backward_filter %[[X]], %[[DY]] {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 1, 0, 3>, strides = array<i64: 2, 3>} : (tensor<2x4x32x32xf64>, tensor<2x6x16x11xf64>) -> tensor<6x2x3x3xf64>
// CHECK-NEXT:    return %[[R]] : tensor<6x2x3x3xf64>
// CHECK-NEXT:  }
func.func @conv2d_backward_filter_non_default(%x: tensor<2x4x32x32xf64>, %dy: tensor<2x6x16x11xf64>) -> tensor<6x2x3x3xf64> {
  %r = loom.conv2d_backward_filter %x, %dy {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 1, 0, 3>, strides = array<i64: 2, 3>} : (tensor<2x4x32x32xf64>, tensor<2x6x16x11xf64>) -> tensor<6x2x3x3xf64>
  return %r : tensor<6x2x3x3xf64>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pool2d_max(
// CHECK-SAME:    %[[X:.*]]: tensor<8x16x32x32xf32>) -> tensor<8x16x16x16xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d max %[[X]] window [2, 2] strides [2, 2] : tensor<8x16x32x32xf32> -> tensor<8x16x16x16xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x16x16x16xf32>
// CHECK-NEXT:  }
func.func @pool2d_max(%x: tensor<8x16x32x32xf32>) -> tensor<8x16x16x16xf32> {
  %r = loom.pool2d max %x window [2, 2] strides [2, 2] : tensor<8x16x32x32xf32> -> tensor<8x16x16x16xf32>
  return %r : tensor<8x16x16x16xf32>
}

// CHECK-LABEL: func.func @pool2d_max_padding(
// CHECK-SAME:    %[[X:.*]]: tensor<1x3x7x7xbf16>) -> tensor<1x3x4x4xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d max %[[X]] window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : tensor<1x3x7x7xbf16> -> tensor<1x3x4x4xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<1x3x4x4xbf16>
// CHECK-NEXT:  }
func.func @pool2d_max_padding(%x: tensor<1x3x7x7xbf16>) -> tensor<1x3x4x4xbf16> {
  %r = loom.pool2d max %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : tensor<1x3x7x7xbf16> -> tensor<1x3x4x4xbf16>
  return %r : tensor<1x3x4x4xbf16>
}

// CHECK-LABEL: func.func @pool2d_avg(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4x8x8xf64>) -> tensor<2x4x7x7xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d avg %[[X]] window [2, 2] strides [1, 1] : tensor<2x4x8x8xf64> -> tensor<2x4x7x7xf64>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x7x7xf64>
// CHECK-NEXT:  }
func.func @pool2d_avg(%x: tensor<2x4x8x8xf64>) -> tensor<2x4x7x7xf64> {
  %r = loom.pool2d avg %x window [2, 2] strides [1, 1] : tensor<2x4x8x8xf64> -> tensor<2x4x7x7xf64>
  return %r : tensor<2x4x7x7xf64>
}

// HO = (8 + 1 + 0 - 3) / 2 + 1 = 4; WO = (8 + 2 + 2 - 3) / 1 + 1 = 10.
// CHECK-LABEL: func.func @pool2d_avg_count_include_pad(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4x8x8xf32>) -> tensor<2x4x4x10xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d avg %[[X]] window [3, 3] strides [2, 1] {count_include_pad, padding = array<i64: 1, 0, 2, 2>} : tensor<2x4x8x8xf32> -> tensor<2x4x4x10xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x4x10xf32>
// CHECK-NEXT:  }
func.func @pool2d_avg_count_include_pad(%x: tensor<2x4x8x8xf32>) -> tensor<2x4x4x10xf32> {
  %r = loom.pool2d avg %x window [3, 3] strides [2, 1] {count_include_pad, padding = array<i64: 1, 0, 2, 2>} : tensor<2x4x8x8xf32> -> tensor<2x4x4x10xf32>
  return %r : tensor<2x4x4x10xf32>
}

// CHECK-LABEL: func.func @pool2d_backward_max(
// CHECK-SAME:    %[[DY:.*]]: tensor<8x16x16x16xf32>, %[[X:.*]]: tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d_backward max %[[DY]], %[[X]] window [2, 2] strides [2, 2] : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x16x32x32xf32>
// CHECK-NEXT:  }
func.func @pool2d_backward_max(%dy: tensor<8x16x16x16xf32>, %x: tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32> {
  %r = loom.pool2d_backward max %dy, %x window [2, 2] strides [2, 2] : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  return %r : tensor<8x16x32x32xf32>
}

// CHECK-LABEL: func.func @pool2d_backward_max_padding(
// CHECK-SAME:    %[[DY:.*]]: tensor<1x3x4x4xbf16>, %[[X:.*]]: tensor<1x3x7x7xbf16>) -> tensor<1x3x7x7xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d_backward max %[[DY]], %[[X]] window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x4x4xbf16>, tensor<1x3x7x7xbf16>) -> tensor<1x3x7x7xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<1x3x7x7xbf16>
// CHECK-NEXT:  }
func.func @pool2d_backward_max_padding(%dy: tensor<1x3x4x4xbf16>, %x: tensor<1x3x7x7xbf16>) -> tensor<1x3x7x7xbf16> {
  %r = loom.pool2d_backward max %dy, %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x4x4xbf16>, tensor<1x3x7x7xbf16>) -> tensor<1x3x7x7xbf16>
  return %r : tensor<1x3x7x7xbf16>
}

// CHECK-LABEL: func.func @pool2d_backward_avg(
// CHECK-SAME:    %[[DY:.*]]: tensor<2x4x7x7xf64>) -> tensor<2x4x8x8xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d_backward avg %[[DY]] window [2, 2] strides [1, 1] : (tensor<2x4x7x7xf64>) -> tensor<2x4x8x8xf64>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8x8xf64>
// CHECK-NEXT:  }
func.func @pool2d_backward_avg(%dy: tensor<2x4x7x7xf64>) -> tensor<2x4x8x8xf64> {
  %r = loom.pool2d_backward avg %dy window [2, 2] strides [1, 1] : (tensor<2x4x7x7xf64>) -> tensor<2x4x8x8xf64>
  return %r : tensor<2x4x8x8xf64>
}

// CHECK-LABEL: func.func @pool2d_backward_avg_count_include_pad(
// CHECK-SAME:    %[[DY:.*]]: tensor<2x4x4x10xf16>) -> tensor<2x4x8x8xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.pool2d_backward avg %[[DY]] window [3, 3] strides [2, 1] {count_include_pad, padding = array<i64: 1, 0, 2, 2>} : (tensor<2x4x4x10xf16>) -> tensor<2x4x8x8xf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8x8xf16>
// CHECK-NEXT:  }
func.func @pool2d_backward_avg_count_include_pad(%dy: tensor<2x4x4x10xf16>) -> tensor<2x4x8x8xf16> {
  %r = loom.pool2d_backward avg %dy window [3, 3] strides [2, 1] {count_include_pad, padding = array<i64: 1, 0, 2, 2>} : (tensor<2x4x4x10xf16>) -> tensor<2x4x8x8xf16>
  return %r : tensor<2x4x8x8xf16>
}

//===----------------------------------------------------------------------===//
// Normalization and attention
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax(
// CHECK-SAME:    %[[LOGITS:.*]]: tensor<8x10xf32>) -> tensor<8x10xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.softmax %[[LOGITS]] dim 1 : tensor<8x10xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x10xf32>
// CHECK-NEXT:  }
func.func @softmax(%logits: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %r = loom.softmax %logits dim 1 : tensor<8x10xf32>
  return %r : tensor<8x10xf32>
}

// CHECK-LABEL: func.func @softmax_leading_dim_f16(
// CHECK-SAME:    %[[X:.*]]: tensor<4x5x6xf16>) -> tensor<4x5x6xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.softmax %[[X]] dim 0 : tensor<4x5x6xf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x5x6xf16>
// CHECK-NEXT:  }
func.func @softmax_leading_dim_f16(%x: tensor<4x5x6xf16>) -> tensor<4x5x6xf16> {
  %r = loom.softmax %x dim 0 : tensor<4x5x6xf16>
  return %r : tensor<4x5x6xf16>
}

// CHECK-LABEL: func.func @log_softmax(
// CHECK-SAME:    %[[LOGITS:.*]]: tensor<8x10xf32>) -> tensor<8x10xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.log_softmax %[[LOGITS]] dim 1 : tensor<8x10xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x10xf32>
// CHECK-NEXT:  }
func.func @log_softmax(%logits: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %r = loom.log_softmax %logits dim 1 : tensor<8x10xf32>
  return %r : tensor<8x10xf32>
}

// CHECK-LABEL: func.func @log_softmax_f64(
// CHECK-SAME:    %[[X:.*]]: tensor<3x7xf64>) -> tensor<3x7xf64>
// CHECK-NEXT:    %[[R:.*]] = loom.log_softmax %[[X]] dim 0 : tensor<3x7xf64>
// CHECK-NEXT:    return %[[R]] : tensor<3x7xf64>
// CHECK-NEXT:  }
func.func @log_softmax_f64(%x: tensor<3x7xf64>) -> tensor<3x7xf64> {
  %r = loom.log_softmax %x dim 0 : tensor<3x7xf64>
  return %r : tensor<3x7xf64>
}

// CHECK-LABEL: func.func @layer_norm_default(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>, %[[G:.*]]: tensor<768xf32>, %[[B:.*]]: tensor<768xf32>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.layer_norm %[[X]], %[[G]], %[[B]] : (tensor<8x256x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x768xf32>
// CHECK-NEXT:  }
func.func @layer_norm_default(%x: tensor<8x256x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<8x256x768xf32> {
  %r = loom.layer_norm %x, %g, %b : (tensor<8x256x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<8x256x768xf32>
  return %r : tensor<8x256x768xf32>
}

// The default epsilon (1e-5) spelled out is elided when printed.
// CHECK-LABEL: func.func @layer_norm_explicit_default_epsilon(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.layer_norm %[[X]], %[[G]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @layer_norm_explicit_default_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %r = loom.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// Normalizing over the two trailing dims.
// CHECK-LABEL: func.func @layer_norm_custom_epsilon(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4x8xbf16>, %[[G:.*]]: tensor<4x8xbf16>, %[[B:.*]]: tensor<4x8xbf16>) -> tensor<2x4x8xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.layer_norm %[[X]], %[[G]], %[[B]] {epsilon = 1.000000e-03 : f64} : (tensor<2x4x8xbf16>, tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<2x4x8xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x8xbf16>
// CHECK-NEXT:  }
func.func @layer_norm_custom_epsilon(%x: tensor<2x4x8xbf16>, %g: tensor<4x8xbf16>, %b: tensor<4x8xbf16>) -> tensor<2x4x8xbf16> {
  %r = loom.layer_norm %x, %g, %b {epsilon = 1.0e-03 : f64} : (tensor<2x4x8xbf16>, tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<2x4x8xbf16>
  return %r : tensor<2x4x8xbf16>
}

// CHECK-LABEL: func.func @attention_causal(
// CHECK-SAME:    %[[Q:.*]]: tensor<8x12x256x64xf32>, %[[K:.*]]: tensor<8x12x256x64xf32>, %[[V:.*]]: tensor<8x12x256x64xf32>) -> tensor<8x12x256x64xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.attention %[[Q]], %[[K]], %[[V]] causal : (tensor<8x12x256x64xf32>, tensor<8x12x256x64xf32>, tensor<8x12x256x64xf32>) -> tensor<8x12x256x64xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x12x256x64xf32>
// CHECK-NEXT:  }
func.func @attention_causal(%q: tensor<8x12x256x64xf32>, %k: tensor<8x12x256x64xf32>, %v: tensor<8x12x256x64xf32>) -> tensor<8x12x256x64xf32> {
  %r = loom.attention %q, %k, %v causal : (tensor<8x12x256x64xf32>, tensor<8x12x256x64xf32>, tensor<8x12x256x64xf32>) -> tensor<8x12x256x64xf32>
  return %r : tensor<8x12x256x64xf32>
}

// CHECK-LABEL: func.func @attention_scale(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x16x32xf16>, %[[K:.*]]: tensor<2x16x32xf16>, %[[V:.*]]: tensor<2x16x32xf16>) -> tensor<2x16x32xf16>
// CHECK-NEXT:    %[[R:.*]] = loom.attention %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f64} : (tensor<2x16x32xf16>, tensor<2x16x32xf16>, tensor<2x16x32xf16>) -> tensor<2x16x32xf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x16x32xf16>
// CHECK-NEXT:  }
func.func @attention_scale(%q: tensor<2x16x32xf16>, %k: tensor<2x16x32xf16>, %v: tensor<2x16x32xf16>) -> tensor<2x16x32xf16> {
  %r = loom.attention %q, %k, %v {scale = 1.250000e-01 : f64} : (tensor<2x16x32xf16>, tensor<2x16x32xf16>, tensor<2x16x32xf16>) -> tensor<2x16x32xf16>
  return %r : tensor<2x16x32xf16>
}

// CHECK-LABEL: func.func @attention_causal_scale(
// CHECK-SAME:    %[[Q:.*]]: tensor<4x8xf32>, %[[K:.*]]: tensor<4x8xf32>, %[[V:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.attention %[[Q]], %[[K]], %[[V]] causal {scale = 5.000000e-01 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @attention_causal_scale(%q: tensor<4x8xf32>, %k: tensor<4x8xf32>, %v: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.attention %q, %k, %v causal {scale = 5.000000e-01 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// Cross-attention: T = 10 queries over S = 20 keys, D = 64 and DV = 32.
// CHECK-LABEL: func.func @attention_cross(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x4x10x64xbf16>, %[[K:.*]]: tensor<2x4x20x64xbf16>, %[[V:.*]]: tensor<2x4x20x32xbf16>) -> tensor<2x4x10x32xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.attention %[[Q]], %[[K]], %[[V]] : (tensor<2x4x10x64xbf16>, tensor<2x4x20x64xbf16>, tensor<2x4x20x32xbf16>) -> tensor<2x4x10x32xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<2x4x10x32xbf16>
// CHECK-NEXT:  }
func.func @attention_cross(%q: tensor<2x4x10x64xbf16>, %k: tensor<2x4x20x64xbf16>, %v: tensor<2x4x20x32xbf16>) -> tensor<2x4x10x32xbf16> {
  %r = loom.attention %q, %k, %v : (tensor<2x4x10x64xbf16>, tensor<2x4x20x64xbf16>, tensor<2x4x20x32xbf16>) -> tensor<2x4x10x32xbf16>
  return %r : tensor<2x4x10x32xbf16>
}

// CHECK-LABEL: func.func @attention_with_lse_causal(
// CHECK-SAME:    %[[Q:.*]]: tensor<8x6x256x64xf32>, %[[K:.*]]: tensor<8x6x256x64xf32>, %[[V:.*]]: tensor<8x6x256x64xf32>) -> (tensor<8x6x256x64xf32>, tensor<8x6x256xf32>)
// CHECK-NEXT:    %[[O:.*]], %[[L:.*]] = loom.attention_with_lse %[[Q]], %[[K]], %[[V]] causal : (tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>) -> (tensor<8x6x256x64xf32>, tensor<8x6x256xf32>)
// CHECK-NEXT:    return %[[O]], %[[L]] : tensor<8x6x256x64xf32>, tensor<8x6x256xf32>
// CHECK-NEXT:  }
func.func @attention_with_lse_causal(%q: tensor<8x6x256x64xf32>, %k: tensor<8x6x256x64xf32>, %v: tensor<8x6x256x64xf32>) -> (tensor<8x6x256x64xf32>, tensor<8x6x256xf32>) {
  %o, %lse = loom.attention_with_lse %q, %k, %v causal : (tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>) -> (tensor<8x6x256x64xf32>, tensor<8x6x256xf32>)
  return %o, %lse : tensor<8x6x256x64xf32>, tensor<8x6x256xf32>
}

// Cross-attention with a scale: T = 10 queries over S = 20 keys, D = 64 and
// DV = 32.
// CHECK-LABEL: func.func @attention_with_lse_cross(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x10x64xf16>, %[[K:.*]]: tensor<2x20x64xf16>, %[[V:.*]]: tensor<2x20x32xf16>) -> (tensor<2x10x32xf16>, tensor<2x10xf16>)
// CHECK-NEXT:    %[[O:.*]], %[[L:.*]] = loom.attention_with_lse %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f64} : (tensor<2x10x64xf16>, tensor<2x20x64xf16>, tensor<2x20x32xf16>) -> (tensor<2x10x32xf16>, tensor<2x10xf16>)
// CHECK-NEXT:    return %[[O]], %[[L]]
// CHECK-NEXT:  }
func.func @attention_with_lse_cross(%q: tensor<2x10x64xf16>, %k: tensor<2x20x64xf16>, %v: tensor<2x20x32xf16>) -> (tensor<2x10x32xf16>, tensor<2x10xf16>) {
  %o, %lse = loom.attention_with_lse %q, %k, %v {scale = 1.250000e-01 : f64} : (tensor<2x10x64xf16>, tensor<2x20x64xf16>, tensor<2x20x32xf16>) -> (tensor<2x10x32xf16>, tensor<2x10xf16>)
  return %o, %lse : tensor<2x10x32xf16>, tensor<2x10xf16>
}

// CHECK-LABEL: func.func @attention_backward_causal(
// CHECK-SAME:    %[[Q:.*]]: tensor<2x3x4x8xf32>, %[[K:.*]]: tensor<2x3x4x8xf32>, %[[V:.*]]: tensor<2x3x4x8xf32>, %[[O:.*]]: tensor<2x3x4x8xf32>, %[[DO:.*]]: tensor<2x3x4x8xf32>, %[[L:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT:    %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = loom.attention_backward %[[Q]], %[[K]], %[[V]], %[[O]], %[[DO]], %[[L]] causal : (tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4xf32>) -> (tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>)
// CHECK-NEXT:    return %[[DQ]], %[[DK]], %[[DV]]
// CHECK-NEXT:  }
func.func @attention_backward_causal(%q: tensor<2x3x4x8xf32>, %k: tensor<2x3x4x8xf32>, %v: tensor<2x3x4x8xf32>, %o: tensor<2x3x4x8xf32>, %do: tensor<2x3x4x8xf32>, %lse: tensor<2x3x4xf32>) -> (tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>) {
  %dq, %dk, %dv = loom.attention_backward %q, %k, %v, %o, %do, %lse causal : (tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4xf32>) -> (tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>)
  return %dq, %dk, %dv : tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>
}

// CHECK-LABEL: func.func @attention_backward_cross(
// CHECK-NEXT:    loom.attention_backward %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 5.000000e-01 : f64} : (tensor<10x8xf64>, tensor<20x8xf64>, tensor<20x4xf64>, tensor<10x4xf64>, tensor<10x4xf64>, tensor<10xf64>) -> (tensor<10x8xf64>, tensor<20x8xf64>, tensor<20x4xf64>)
func.func @attention_backward_cross(%q: tensor<10x8xf64>, %k: tensor<20x8xf64>, %v: tensor<20x4xf64>, %o: tensor<10x4xf64>, %do: tensor<10x4xf64>, %lse: tensor<10xf64>) -> (tensor<10x8xf64>, tensor<20x8xf64>, tensor<20x4xf64>) {
  %dq, %dk, %dv = loom.attention_backward %q, %k, %v, %o, %do, %lse {scale = 0.5 : f64} : (tensor<10x8xf64>, tensor<20x8xf64>, tensor<20x4xf64>, tensor<10x4xf64>, tensor<10x4xf64>, tensor<10xf64>) -> (tensor<10x8xf64>, tensor<20x8xf64>, tensor<20x4xf64>)
  return %dq, %dk, %dv : tensor<10x8xf64>, tensor<20x8xf64>, tensor<20x4xf64>
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cross_entropy_none(
// CHECK-SAME:    %[[LOGITS:.*]]: tensor<8x256x256xf32>, %[[LABELS:.*]]: tensor<8x256xi32>) -> tensor<8x256xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.cross_entropy none %[[LOGITS]], %[[LABELS]] : (tensor<8x256x256xf32>, tensor<8x256xi32>) -> tensor<8x256xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256xf32>
// CHECK-NEXT:  }
func.func @cross_entropy_none(%logits: tensor<8x256x256xf32>, %labels: tensor<8x256xi32>) -> tensor<8x256xf32> {
  %r = loom.cross_entropy none %logits, %labels : (tensor<8x256x256xf32>, tensor<8x256xi32>) -> tensor<8x256xf32>
  return %r : tensor<8x256xf32>
}

// CHECK-LABEL: func.func @cross_entropy_sum(
// CHECK-SAME:    %[[LOGITS:.*]]: tensor<16x10xbf16>, %[[LABELS:.*]]: tensor<16xi64>) -> tensor<bf16>
// CHECK-NEXT:    %[[R:.*]] = loom.cross_entropy sum %[[LOGITS]], %[[LABELS]] : (tensor<16x10xbf16>, tensor<16xi64>) -> tensor<bf16>
// CHECK-NEXT:    return %[[R]] : tensor<bf16>
// CHECK-NEXT:  }
func.func @cross_entropy_sum(%logits: tensor<16x10xbf16>, %labels: tensor<16xi64>) -> tensor<bf16> {
  %r = loom.cross_entropy sum %logits, %labels : (tensor<16x10xbf16>, tensor<16xi64>) -> tensor<bf16>
  return %r : tensor<bf16>
}

// CHECK-LABEL: func.func @cross_entropy_mean(
// CHECK-SAME:    %[[LOGITS:.*]]: tensor<8x256x256xf32>, %[[LABELS:.*]]: tensor<8x256xi32>) -> tensor<f32>
// CHECK-NEXT:    %[[R:.*]] = loom.cross_entropy mean %[[LOGITS]], %[[LABELS]] : (tensor<8x256x256xf32>, tensor<8x256xi32>) -> tensor<f32>
// CHECK-NEXT:    return %[[R]] : tensor<f32>
// CHECK-NEXT:  }
func.func @cross_entropy_mean(%logits: tensor<8x256x256xf32>, %labels: tensor<8x256xi32>) -> tensor<f32> {
  %r = loom.cross_entropy mean %logits, %labels : (tensor<8x256x256xf32>, tensor<8x256xi32>) -> tensor<f32>
  return %r : tensor<f32>
}

// A single example: rank-1 logits and rank-0 labels.
// CHECK-LABEL: func.func @cross_entropy_none_rank0_labels(
// CHECK-SAME:    %[[LOGITS:.*]]: tensor<10xf64>, %[[LABEL:.*]]: tensor<i32>) -> tensor<f64>
// CHECK-NEXT:    %[[R:.*]] = loom.cross_entropy none %[[LOGITS]], %[[LABEL]] : (tensor<10xf64>, tensor<i32>) -> tensor<f64>
// CHECK-NEXT:    return %[[R]] : tensor<f64>
// CHECK-NEXT:  }
func.func @cross_entropy_none_rank0_labels(%logits: tensor<10xf64>, %label: tensor<i32>) -> tensor<f64> {
  %r = loom.cross_entropy none %logits, %label : (tensor<10xf64>, tensor<i32>) -> tensor<f64>
  return %r : tensor<f64>
}

//===----------------------------------------------------------------------===//
// Randomness
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @dropout(
// CHECK-SAME:    %[[X:.*]]: tensor<8x256x768xf32>, %[[KEY:.*]]: tensor<2xi64>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.dropout %[[X]], %[[KEY]] rate 1.000000e-01 stream 3 : (tensor<8x256x768xf32>, tensor<2xi64>) -> tensor<8x256x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<8x256x768xf32>
// CHECK-NEXT:  }
func.func @dropout(%x: tensor<8x256x768xf32>, %key: tensor<2xi64>) -> tensor<8x256x768xf32> {
  %r = loom.dropout %x, %key rate 1.000000e-01 stream 3 : (tensor<8x256x768xf32>, tensor<2xi64>) -> tensor<8x256x768xf32>
  return %r : tensor<8x256x768xf32>
}

// A rate of 0 keeps every element; a bare float literal parses as f64.
// CHECK-LABEL: func.func @dropout_rate_zero_bf16(
// CHECK-SAME:    %[[X:.*]]: tensor<4x8xbf16>, %[[KEY:.*]]: tensor<2xi64>) -> tensor<4x8xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.dropout %[[X]], %[[KEY]] rate 0.000000e+00 stream 0 : (tensor<4x8xbf16>, tensor<2xi64>) -> tensor<4x8xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xbf16>
// CHECK-NEXT:  }
func.func @dropout_rate_zero_bf16(%x: tensor<4x8xbf16>, %key: tensor<2xi64>) -> tensor<4x8xbf16> {
  %r = loom.dropout %x, %key rate 0.0 stream 0 : (tensor<4x8xbf16>, tensor<2xi64>) -> tensor<4x8xbf16>
  return %r : tensor<4x8xbf16>
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constant_splat() -> tensor<768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.constant dense<0.000000e+00> : tensor<768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<768xf32>
// CHECK-NEXT:  }
func.func @constant_splat() -> tensor<768xf32> {
  %r = loom.constant dense<0.0> : tensor<768xf32>
  return %r : tensor<768xf32>
}

// CHECK-LABEL: func.func @constant_non_splat() -> tensor<2x2xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT:    return %[[R]] : tensor<2x2xf32>
// CHECK-NEXT:  }
func.func @constant_non_splat() -> tensor<2x2xf32> {
  %r = loom.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// CHECK-LABEL: func.func @constant_rank0_bf16() -> tensor<bf16>
// CHECK-NEXT:    %[[R:.*]] = loom.constant dense<-1.500000e+00> : tensor<bf16>
// CHECK-NEXT:    return %[[R]] : tensor<bf16>
// CHECK-NEXT:  }
func.func @constant_rank0_bf16() -> tensor<bf16> {
  %r = loom.constant dense<-1.5> : tensor<bf16>
  return %r : tensor<bf16>
}

// CHECK-LABEL: func.func @constant_i64() -> tensor<2xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.constant dense<[1234, 7]> : tensor<2xi64>
// CHECK-NEXT:    return %[[R]] : tensor<2xi64>
// CHECK-NEXT:  }
func.func @constant_i64() -> tensor<2xi64> {
  %r = loom.constant dense<[1234, 7]> : tensor<2xi64>
  return %r : tensor<2xi64>
}

// CHECK-LABEL: func.func @constant_i1() -> tensor<3xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK-NEXT:    return %[[R]] : tensor<3xi1>
// CHECK-NEXT:  }
func.func @constant_i1() -> tensor<3xi1> {
  %r = loom.constant dense<[true, false, true]> : tensor<3xi1>
  return %r : tensor<3xi1>
}

// CHECK-LABEL: func.func @iota_int() -> tensor<256xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.iota dim 0 : tensor<256xi32>
// CHECK-NEXT:    return %[[R]] : tensor<256xi32>
// CHECK-NEXT:  }
func.func @iota_int() -> tensor<256xi32> {
  %r = loom.iota dim 0 : tensor<256xi32>
  return %r : tensor<256xi32>
}

// CHECK-LABEL: func.func @iota_float() -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.iota dim 1 : tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:  }
func.func @iota_float() -> tensor<4x8xf32> {
  %r = loom.iota dim 1 : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @iota_i64() -> tensor<3x5xi64>
// CHECK-NEXT:    %[[R:.*]] = loom.iota dim 0 : tensor<3x5xi64>
// CHECK-NEXT:    return %[[R]] : tensor<3x5xi64>
// CHECK-NEXT:  }
func.func @iota_i64() -> tensor<3x5xi64> {
  %r = loom.iota dim 0 : tensor<3x5xi64>
  return %r : tensor<3x5xi64>
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @all_reduce_sum(
// CHECK-SAME:    %[[GRAD:.*]]: tensor<768x768xf32>) -> tensor<768x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.all_reduce sum %[[GRAD]] over ["data"] group_size 4 : tensor<768x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<768x768xf32>
// CHECK-NEXT:  }
func.func @all_reduce_sum(%grad: tensor<768x768xf32>) -> tensor<768x768xf32> {
  %r = loom.all_reduce sum %grad over ["data"] group_size 4 : tensor<768x768xf32>
  return %r : tensor<768x768xf32>
}

// CHECK-LABEL: func.func @all_reduce_mean_two_axes(
// CHECK-SAME:    %[[GRAD:.*]]: tensor<16xbf16>) -> tensor<16xbf16>
// CHECK-NEXT:    %[[R:.*]] = loom.all_reduce mean %[[GRAD]] over ["data", "model"] group_size 8 : tensor<16xbf16>
// CHECK-NEXT:    return %[[R]] : tensor<16xbf16>
// CHECK-NEXT:  }
func.func @all_reduce_mean_two_axes(%grad: tensor<16xbf16>) -> tensor<16xbf16> {
  %r = loom.all_reduce mean %grad over ["data", "model"] group_size 8 : tensor<16xbf16>
  return %r : tensor<16xbf16>
}

// CHECK-LABEL: func.func @all_reduce_max_i64(
// CHECK-SAME:    %[[X:.*]]: tensor<i64>) -> tensor<i64>
// CHECK-NEXT:    %[[R:.*]] = loom.all_reduce max %[[X]] over ["data"] group_size 2 : tensor<i64>
// CHECK-NEXT:    return %[[R]] : tensor<i64>
// CHECK-NEXT:  }
func.func @all_reduce_max_i64(%x: tensor<i64>) -> tensor<i64> {
  %r = loom.all_reduce max %x over ["data"] group_size 2 : tensor<i64>
  return %r : tensor<i64>
}

// CHECK-LABEL: func.func @all_gather(
// CHECK-SAME:    %[[SHARD:.*]]: tensor<384x768xf32>) -> tensor<768x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.all_gather %[[SHARD]] over ["model"] group_size 2 dim 0 : tensor<384x768xf32> -> tensor<768x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<768x768xf32>
// CHECK-NEXT:  }
func.func @all_gather(%shard: tensor<384x768xf32>) -> tensor<768x768xf32> {
  %r = loom.all_gather %shard over ["model"] group_size 2 dim 0 : tensor<384x768xf32> -> tensor<768x768xf32>
  return %r : tensor<768x768xf32>
}

// CHECK-LABEL: func.func @all_gather_i1_inner_dim(
// CHECK-SAME:    %[[X:.*]]: tensor<4x3xi1>) -> tensor<4x12xi1>
// CHECK-NEXT:    %[[R:.*]] = loom.all_gather %[[X]] over ["data", "model"] group_size 4 dim 1 : tensor<4x3xi1> -> tensor<4x12xi1>
// CHECK-NEXT:    return %[[R]] : tensor<4x12xi1>
// CHECK-NEXT:  }
func.func @all_gather_i1_inner_dim(%x: tensor<4x3xi1>) -> tensor<4x12xi1> {
  %r = loom.all_gather %x over ["data", "model"] group_size 4 dim 1 : tensor<4x3xi1> -> tensor<4x12xi1>
  return %r : tensor<4x12xi1>
}

// CHECK-LABEL: func.func @reduce_scatter_sum(
// CHECK-SAME:    %[[GRAD:.*]]: tensor<768x768xf32>) -> tensor<192x768xf32>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce_scatter sum %[[GRAD]] over ["data"] group_size 4 dim 0 : tensor<768x768xf32> -> tensor<192x768xf32>
// CHECK-NEXT:    return %[[R]] : tensor<192x768xf32>
// CHECK-NEXT:  }
func.func @reduce_scatter_sum(%grad: tensor<768x768xf32>) -> tensor<192x768xf32> {
  %r = loom.reduce_scatter sum %grad over ["data"] group_size 4 dim 0 : tensor<768x768xf32> -> tensor<192x768xf32>
  return %r : tensor<192x768xf32>
}

// CHECK-LABEL: func.func @reduce_scatter_min_i32(
// CHECK-SAME:    %[[X:.*]]: tensor<2x8xi32>) -> tensor<2x4xi32>
// CHECK-NEXT:    %[[R:.*]] = loom.reduce_scatter min %[[X]] over ["model"] group_size 2 dim 1 : tensor<2x8xi32> -> tensor<2x4xi32>
// CHECK-NEXT:    return %[[R]] : tensor<2x4xi32>
// CHECK-NEXT:  }
func.func @reduce_scatter_min_i32(%x: tensor<2x8xi32>) -> tensor<2x4xi32> {
  %r = loom.reduce_scatter min %x over ["model"] group_size 2 dim 1 : tensor<2x8xi32> -> tensor<2x4xi32>
  return %r : tensor<2x4xi32>
}
