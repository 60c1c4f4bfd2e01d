// RUN: not loom-opt %s --loom-data-parallel=bucket-bytes=0 2>&1 | FileCheck %s

// Tests that a bucket must hold at least one byte.

// CHECK: error: --loom-data-parallel: bucket-bytes must be at least 1, not 0
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 4, steps = 10, optimizer = <kind = "sgd", lr = 1.000000e-01, momentum = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, data_ranks = 2>} {
}
