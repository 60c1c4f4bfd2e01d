// RUN: loom-opt %s --split-input-file --loom-print-memory-plan -o /dev/null | FileCheck %s

// Tests that a buffer's bytes are reused once its last use has passed: each
// exp of the chain takes the bytes of the value two steps back, so the
// transient peak is two buffers, not five.

// CHECK-LABEL: memory plan of @reuse_after_death: 4 ops, alignment 64
// CHECK:      #0 %arg0 input     64 0  [0, 0]
// CHECK-NEXT: #1 %0    transient 64 64 [0, 1]
// CHECK-NEXT: #2 %1    transient 64 0  [1, 2]
// CHECK-NEXT: #3 %2    transient 64 64 [2, 3]
// CHECK-NEXT: #4 %3    transient 64 0  [3, 4]
// CHECK:      all buffers: 320 bytes
// CHECK-NEXT: max live: 128 bytes
// CHECK-NEXT: peak: 128 bytes, 40.0% of all buffers
func.func @reuse_after_death(%x: tensor<16xf32>) -> tensor<16xf32> {
  %0 = loom.exp %x : tensor<16xf32>
  %1 = loom.exp %0 : tensor<16xf32>
  %2 = loom.exp %1 : tensor<16xf32>
  %3 = loom.exp %2 : tensor<16xf32>
  return %3 : tensor<16xf32>
}

// -----

// Tests that best fit takes the smallest hole that holds the buffer. At
// position 0 the buffers born there are placed largest first: %0, then the
// inputs. When %1 is placed, %arg0 (256 bytes at 384) and %arg2 (128 bytes
// at 768) are dead, and %1's 128 bytes go to 768, not to the first hole.

// CHECK-LABEL: memory plan of @best_fit_smallest_hole: 2 ops
// CHECK:      #0 %arg0 input     256 384 [0, 0]
// CHECK-NEXT: #1 %arg1 input     128 640 [0, 2]
// CHECK-NEXT: #2 %arg2 input     128 768 [0, 0]
// CHECK-NEXT: #3 %arg3 input     64  896 [0, 2]
// CHECK-NEXT: #4 %0    transient 384 0   [0, 2]
// CHECK-NEXT: #5 %1    transient 128 768 [1, 2]
// CHECK:      peak: 960 bytes
func.func @best_fit_smallest_hole(%a: tensor<64xf32>, %b: tensor<32xf32>, %c: tensor<32xf32>, %d: tensor<16xf32>)
    -> (tensor<96xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16xf32>) {
  %0 = loom.concat %a, %c dim 0 : (tensor<64xf32>, tensor<32xf32>) -> tensor<96xf32>
  %1 = loom.neg %b : tensor<32xf32>
  return %0, %1, %b, %d : tensor<96xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16xf32>
}

// -----

// Tests that a reshape is a view on its operand's bytes (a reshape of a
// reshape on the first operand's), and that the operand stays live while
// its views are used: %2 may not take %0's bytes although %0 itself is last
// used at op 1.

// CHECK-LABEL: memory plan of @reshape_alias: 6 ops
// CHECK:      #0 %arg0 input     64 0   [0, 2]
// CHECK-NEXT: #1 %0    transient 64 64  [0, 5]
// CHECK-NEXT: #2 %1    view      64 64  [1, 4] view of #1
// CHECK-NEXT: #3 %2    transient 64 128 [2, 5]
// CHECK-NEXT: #4 %3    view      64 128 [3, 5] view of #3
// CHECK-NEXT: #5 %4    view      64 64  [4, 5] view of #1
// CHECK-NEXT: #6 %5    transient 64 0   [5, 6]
// CHECK:      peak: 192 bytes
func.func @reshape_alias(%x: tensor<16xf32>) -> tensor<2x8xf32> {
  %0 = loom.exp %x : tensor<16xf32>
  %1 = loom.reshape %0 : tensor<16xf32> to tensor<4x4xf32>
  %2 = loom.neg %x : tensor<16xf32>
  %3 = loom.reshape %2 : tensor<16xf32> to tensor<2x8xf32>
  %4 = loom.reshape %1 : tensor<4x4xf32> to tensor<2x8xf32>
  %5 = loom.add %4, %3 : tensor<2x8xf32>
  return %5 : tensor<2x8xf32>
}

// -----

// Tests in-place updates: SGD's w - lr * g is written over w (the sub reads
// w elementwise as its last use), the momentum m' = 0.9 m + g over m (m is
// last read by the op before), and the frozen f, returned as it is, needs
// nothing. Parameters and state come first, in argument order.

// CHECK-LABEL: memory plan of @in_place_accepted: 5 ops
// CHECK:      #0 %arg0 "w"   persistent 64 0   [0, 4]
// CHECK-NEXT: #1 %arg1 "f"   persistent 64 64  [0, 5]
// CHECK-NEXT: #2 %arg2 "w.m" persistent 64 128 [0, 1]
// CHECK-NEXT: #3 %arg3 "g"   input      64 192 [0, 2]
// CHECK:      #5 %1          transient  64 320 [1, 2]
// CHECK-NEXT: #6 %2          transient  64 128 [2, 5] in place of #2
// CHECK:      #8 %4          transient  64 0   [4, 5] in place of #0
// CHECK-NEXT: update result #0: %4 -> %arg0 "w" in place
// CHECK-NEXT: update result #2: %2 -> %arg2 "w.m" in place
// CHECK-NOT:  copy
// CHECK:      persistent: 192 bytes
func.func @in_place_accepted(%w: tensor<16xf32> {loom.param = "w"}, %f: tensor<16xf32> {loom.param = "f", loom.frozen},
                             %m: tensor<16xf32> {loom.opt_state = "w.m"}, %g: tensor<16xf32> {loom.input = "g"})
    -> (tensor<16xf32> {loom.param = "w"}, tensor<16xf32> {loom.param = "f"}, tensor<16xf32> {loom.opt_state = "w.m"}) {
  %0 = loom.constant dense<0.9> : tensor<f32>
  %1 = loom.mul %0, %m : (tensor<f32>, tensor<16xf32>) -> tensor<16xf32>
  %2 = loom.add %1, %g : tensor<16xf32>
  %3 = loom.constant dense<0.1> : tensor<f32>
  %4 = loom.sub %w, %3 : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  return %4, %f, %2 : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}

// -----

// Tests that a parameter read after its new value is computed is not
// overwritten: the new w is copied into w's bytes after the step, and w
// stays live throughout.

// CHECK-LABEL: memory plan of @in_place_rejected_read_after: 2 ops
// CHECK:      #0 %arg0 "w" persistent 64 0  [0, 2]
// CHECK:      #2 %0        transient  64 128 [0, 2]
// CHECK-NEXT: #3 %1        transient  64 64  [1, 2]
// CHECK-NEXT: update result #0: %0 -> %arg0 "w" copied after the step: argument #0 is read by op 1 (loom.reduce), after op 0 (loom.sub) defines its new value
// CHECK-NEXT: copy 64 bytes 128 -> 0 (result #0)
func.func @in_place_rejected_read_after(%w: tensor<16xf32> {loom.param = "w"}, %g: tensor<16xf32>)
    -> (tensor<16xf32> {loom.param = "w"}, tensor<f32>) {
  %0 = loom.sub %w, %g : tensor<16xf32>
  %1 = loom.reduce sum %w dims [0] : tensor<16xf32> -> tensor<f32>
  return %0, %1 : tensor<16xf32>, tensor<f32>
}

// -----

// Tests the other reasons for a copy: an op that is not elementwise reads
// the parameter it would overwrite, a new value that is another argument,
// and a parameter also returned elsewhere. The copy reading b's old bytes
// (into c) runs before the copy overwriting them.

// CHECK-LABEL: memory plan of @in_place_rejected: 2 ops
// CHECK:      update result #0: %0 -> %arg0 "a" copied after the step: op 0 (loom.matmul) reads argument #0 and cannot write its result over it
// CHECK-NEXT: update result #1: %arg1 "b" -> %arg2 "c" copied after the step: the new value is argument #1
// CHECK-NEXT: update result #2: %1 -> %arg1 "b" copied after the step: argument #1 is returned, and op 1 (loom.neg) defines its new value
// CHECK-NEXT: copy 64 bytes 192 -> 0 (result #0)
// CHECK-NEXT: copy 64 bytes 64 -> 128 (result #1)
// CHECK-NEXT: copy 64 bytes 256 -> 64 (result #2)
func.func @in_place_rejected(%a: tensor<4x4xf32> {loom.param = "a"}, %b: tensor<16xf32> {loom.param = "b"},
                             %c: tensor<16xf32> {loom.param = "c"})
    -> (tensor<4x4xf32> {loom.param = "a"}, tensor<16xf32> {loom.param = "c"}, tensor<16xf32> {loom.param = "b"}) {
  %0 = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = loom.neg %b : tensor<16xf32>
  return %0, %b, %1 : tensor<4x4xf32>, tensor<16xf32>, tensor<16xf32>
}

// -----

// Tests that the copy goes first in an order where the copies read
// persistent bytes before they are overwritten: here the copy of result #0
// into b must wait for the copy of b's old value into a.

// CHECK-LABEL: memory plan of @copy_order: 1 ops
// CHECK:      copy 64 bytes 64 -> 0 (result #1)
// CHECK-NEXT: copy 64 bytes 128 -> 64 (result #0)
func.func @copy_order(%a: tensor<16xf32> {loom.param = "a"}, %b: tensor<16xf32> {loom.param = "b"})
    -> (tensor<16xf32> {loom.param = "b"}, tensor<16xf32> {loom.param = "a"}) {
  %0 = loom.neg %b : tensor<16xf32>
  return %0, %b : tensor<16xf32>, tensor<16xf32>
}

// -----

// Tests that an op changing the element width does not write over its
// operand, even where the rounded sizes agree.

// CHECK-LABEL: memory plan of @in_place_rejected_width: 1 ops
// CHECK: update result #0: %0 -> %arg0 "w" copied after the step: op 0 (loom.cast) reads argument #0 and cannot write its result over it
func.func @in_place_rejected_width(%w: tensor<16xf32> {loom.param = "w"}) -> (tensor<16xf16> {loom.param = "w"}) {
  %0 = loom.cast %w : tensor<16xf32> to tensor<16xf16>
  return %0 : tensor<16xf16>
}

// -----

// Tests that inputs are live from the start of the step and returned values
// until its end (position 3 here), the unused result %2 only at its op.

// CHECK-LABEL: memory plan of @inputs_and_results: 3 ops
// CHECK:      #0 %arg0 "x"    input     64 0   [0, 0]
// CHECK-NEXT: #1 %arg1 "step" input     64 64  [0, 3]
// CHECK-NEXT: #2 %0           transient 64 128 [0, 3]
// CHECK-NEXT: #3 %1           transient 64 0   [1, 2]
// CHECK-NEXT: #4 %2           transient 64 192 [2, 2]
func.func @inputs_and_results(%x: tensor<16xf32> {loom.input = "x"}, %step: tensor<i64> {loom.input = "step"})
    -> (tensor<16xf32>, tensor<i64>) {
  %0 = loom.exp %x : tensor<16xf32>
  %1 = loom.neg %0 : tensor<16xf32>
  %2 = loom.exp %1 : tensor<16xf32>
  return %0, %step : tensor<16xf32>, tensor<i64>
}

// -----

// Tests that tensors with no elements take no bytes and no place in the
// arena.

// CHECK-LABEL: memory plan of @zero_size: 2 ops
// CHECK:      #0 %arg0 "w" persistent 0  0  [0, 2]
// CHECK-NEXT: #1 %arg1     input      64 0  [0, 1]
// CHECK-NEXT: #2 %0        transient  0  0  [0, 2]
// CHECK-NEXT: #3 %1        transient  64 64 [1, 2]
// CHECK:      peak: 128 bytes
func.func @zero_size(%w: tensor<0x16xf32> {loom.param = "w"}, %x: tensor<16xf32>) -> (tensor<0x16xf32>, tensor<16xf32>) {
  %0 = loom.neg %w : tensor<0x16xf32>
  %1 = loom.neg %x : tensor<16xf32>
  return %0, %1 : tensor<0x16xf32>, tensor<16xf32>
}

// -----

// Tests element sizes: i1 takes a byte, bf16 and f16 two, f64 and i64
// eight; every size is rounded up to 64 bytes.

// CHECK-LABEL: memory plan of @element_sizes: 0 ops
// CHECK:      #0 %arg0 input 64  {{.*}}
// CHECK-NEXT: #1 %arg1 input 128 {{.*}}
// CHECK-NEXT: #2 %arg2 input 64  {{.*}}
// CHECK-NEXT: #3 %arg3 input 128 {{.*}}
// CHECK-NEXT: #4 %arg4 input 64  {{.*}}
// CHECK-NEXT: #5 %arg5 input 512 {{.*}}
// CHECK-NEXT: #6 %arg6 input 64  {{.*}}
// CHECK-NEXT: #7 %arg7 input 64  {{.*}}
func.func @element_sizes(%a: tensor<64xi1>, %b: tensor<65xi1>, %c: tensor<32xbf16>, %d: tensor<33xf16>,
                         %e: tensor<8xf64>, %f: tensor<8x8xi64>, %g: tensor<i1>, %h: tensor<16xi32>)
    -> (tensor<64xi1>, tensor<65xi1>, tensor<32xbf16>, tensor<33xf16>, tensor<8xf64>, tensor<8x8xi64>, tensor<i1>, tensor<16xi32>) {
  return %a, %b, %c, %d, %e, %f, %g, %h : tensor<64xi1>, tensor<65xi1>, tensor<32xbf16>, tensor<33xf16>, tensor<8xf64>, tensor<8x8xi64>, tensor<i1>, tensor<16xi32>
}

// -----

// Tests that a program's state (`loom.state`, a decoding program's KV
// cache) is persistent and that its new value, a select writing one row,
// goes in place: the cache keeps its bytes from one run to the next.

// CHECK-LABEL: memory plan of @state_in_place: 3 ops
// CHECK:      #0 %arg0 "cache.0.k" persistent 256 0   [0, 2]
// CHECK-NEXT: #1 %arg1 "k"         input      64  256 [0, 2]
// CHECK-NEXT: #2 %arg2 "pos"       input      64  320 [0, 1]
// CHECK:      #5 %2                transient  256 0   [2, 3] in place of #0
// CHECK-NEXT: update result #0: %2 -> %arg0 "cache.0.k" in place
// CHECK-NOT:  copy
func.func @state_in_place(%cache: tensor<4x16xf32> {loom.state = "cache.0.k"}, %k: tensor<1x16xf32> {loom.input = "k"},
                          %pos: tensor<1xi32> {loom.input = "pos"}) -> (tensor<4x16xf32> {loom.state = "cache.0.k"}) {
  %0 = loom.iota dim 0 : tensor<4x1xi32>
  %1 = loom.compare eq, %0, %pos : (tensor<4x1xi32>, tensor<1xi32>) -> tensor<4x1xi1>
  %2 = loom.select %1, %k, %cache : (tensor<4x1xi1>, tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// Tests that a scatter_add writes its result over the transient buffer it
// accumulates into when it reads that buffer last, and that a chain of them
// shares one allocation (the first one's), live until the chain's last use.

// CHECK-LABEL: memory plan of @scatter_add_accumulates: 4 ops
// CHECK:      #3 %0 transient 3200 3200 [0, 1]
// CHECK-NEXT: #4 %1 transient 3200 3200 [1, 2] accumulates into #3
// CHECK-NEXT: #5 %2 transient 3200 3200 [2, 3] accumulates into #3
// CHECK-NEXT: #6 %3 transient 3200 0    [3, 4]
// CHECK:      max live: 6592 bytes
// CHECK-NEXT: peak: 6592 bytes
func.func @scatter_add_accumulates(%x: tensor<100x8xf32>, %i: tensor<4xi32>, %u: tensor<4x8xf32>) -> tensor<100x8xf32> {
  %g = loom.exp %x : tensor<100x8xf32>
  %0 = loom.scatter_add %g[%i], %u axis 0 : (tensor<100x8xf32>, tensor<4xi32>, tensor<4x8xf32>) -> tensor<100x8xf32>
  %1 = loom.scatter_add %0[%i], %u axis 0 : (tensor<100x8xf32>, tensor<4xi32>, tensor<4x8xf32>) -> tensor<100x8xf32>
  %2 = loom.exp %1 : tensor<100x8xf32>
  return %2 : tensor<100x8xf32>
}

// -----

// Tests that a scatter_add does not accumulate into a buffer read later
// (%g by the exp, through a view), nor into an input, nor into a buffer it
// also reads as its updates.

// CHECK-LABEL: memory plan of @scatter_add_kept_apart: 7 ops
// CHECK:      #4  %0 transient 3200 {{[0-9]+ +}}[0, 3]
// CHECK-NEXT: #5  %1 transient 3200 {{[0-9]+ +}}[1, 7]{{$}}
// CHECK-NEXT: #6  %2 view
// CHECK-NEXT: #7  %3 transient 3200 {{[0-9]+ +}}[3, 7]{{$}}
// CHECK-NEXT: #8  %4 transient 3200 {{[0-9]+ +}}[4, 7]{{$}}
// CHECK-NEXT: #9  %5 transient 3200 {{[0-9]+ +}}[5, 7]{{$}}
// CHECK-NOT:  accumulates into
// CHECK:      peak: 13440 bytes
func.func @scatter_add_kept_apart(%x: tensor<100x8xf32>, %i: tensor<4xi32>, %u: tensor<4x8xf32>, %j: tensor<100xi32>)
    -> (tensor<100x8xf32>, tensor<100x8xf32>, tensor<100x8xf32>, tensor<100x8xf32>) {
  %g = loom.exp %x : tensor<100x8xf32>
  %0 = loom.scatter_add %g[%i], %u axis 0 : (tensor<100x8xf32>, tensor<4xi32>, tensor<4x8xf32>) -> tensor<100x8xf32>
  %v = loom.reshape %g : tensor<100x8xf32> to tensor<800xf32>
  %1 = loom.exp %v : tensor<800xf32>
  %2 = loom.scatter_add %x[%i], %u axis 0 : (tensor<100x8xf32>, tensor<4xi32>, tensor<4x8xf32>) -> tensor<100x8xf32>
  %3 = loom.scatter_add %0[%j], %0 axis 0 : (tensor<100x8xf32>, tensor<100xi32>, tensor<100x8xf32>) -> tensor<100x8xf32>
  %4 = loom.reshape %1 : tensor<800xf32> to tensor<100x8xf32>
  return %2, %3, %4, %0 : tensor<100x8xf32>, tensor<100x8xf32>, tensor<100x8xf32>, tensor<100x8xf32>
}
