// RUN: loom-opt %s --loom-mark-parallel-loops | FileCheck %s

// Tests that an innermost scf.parallel gets a call of the marker at the top
// of its body, that one holding another loop does not, and that the marker
// is declared once.
// CHECK-LABEL: func.func @k
// CHECK: scf.parallel (%{{.*}}) =
// CHECK-NEXT: scf.for
// CHECK: scf.parallel (%{{.*}}) =
// CHECK-NEXT: func.call @loom_parallel_loop() : () -> ()
// CHECK-NEXT: memref.load
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) =
// CHECK-NEXT: func.call @loom_parallel_loop() : () -> ()
// CHECK: func.func private @loom_parallel_loop()
// CHECK-NOT: @loom_parallel_loop()
func.func @k(%a: memref<4x8xf32>, %r: memref<4x8xf32>, %s: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
        %x = memref.load %a[%i, %j] : memref<4x8xf32>
        %y = memref.load %r[%i, %j] : memref<4x8xf32>
        %z = arith.addf %x, %y : f32
        memref.store %z, %r[%i, %j] : memref<4x8xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<4x8xf32>
    memref.store %x, %s[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  return
}
