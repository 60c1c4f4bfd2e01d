//===- Partition.h - The training step as a sequence of kernels --*- C++
//-*-===//
//
// Part of Loom. Splits @train_step into the kernels the CPU runtime launches,
// in program order:
//
//   - a contraction fusion group (a matmul and its epilogue) becomes one
//     `onednn.matmul` with the epilogue as bias and post-ops;
//   - ops oneDNN covers (f32 matmul, convolutions and their backward ops,
//     pooling, softmax, log-softmax, layer norm, elementwise unary and
//     binary ops, reductions) become `onednn.<op>` kernels whose attributes
//     follow runtime/cpu/README.md;
//   - every other op becomes a generated kernel: a `func.func @k<N>` of loom
//     ops in `codegen`, which --loom-lower-to-linalg and the object emitter
//     turn into host code. The function takes a kernel group, not an op, so
//     that fusion can hand it several ops;
//   - a loom.all_reduce, loom.reduce_scatter or loom.all_gather becomes a
//     `comm.<op>` kernel that the runtime runs over MPI, bucketed with its
//     neighbours of the same kind (Collectives.cpp);
//   - views launch nothing (`loom.reshape`; passes/memory/MemoryPlan.h's
//     getViewSource is the one rule the planner and the partition share);
//   - constants are folded into the generated kernels that read them (an op
//     oneDNN would run is generated instead when it reads a constant); a
//     constant the step returns is materialized by a kernel of its own.
//
// Kernel operands are SSA values of the step (inputs, then results); the
// memory plan gives each one its bytes in the arena.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_EMIT_PARTITION_H
#define LOOM_BACKENDS_CPU_EMIT_PARTITION_H

#include "runtime/artifact/Artifact.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::loom::cpu {

struct PlannedKernel {
  std::string kind;   ///< "onednn.matmul", ..., or "codegen"
  std::string symbol; ///< the generated function (codegen only)
  /// Inputs, then results: values of the step function.
  std::vector<mlir::Value> operands;
  unsigned numInputs = 0;
  std::vector<::loom::KernelAttr> attrs;
  uint64_t flops = 0, bytesMoved = 0;
  /// The ops it runs (for messages and `loom inspect`).
  std::vector<mlir::Operation *> ops;
};

struct StepPartition {
  std::vector<PlannedKernel> kernels;
  /// Values that are views of another value (reshape results).
  llvm::DenseMap<mlir::Value, mlir::Value> viewOf;
};

/// The generated kernels of every program of an artifact, in one module:
/// kernels that compute the same thing on the same shapes (every layer of a
/// deep model has its own copies, and evaluation repeats the forward pass
/// of the step) share one function.
struct GeneratedKernels {
  explicit GeneratedKernels(mlir::MLIRContext *ctx);
  /// One public function per generated kernel, on loom tensors.
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// Printed function (named "k") -> its symbol.
  llvm::StringMap<std::string> byText;
  /// The number of the next symbol ("k<next>").
  unsigned next = 0;
};

/// Whether `op` of a step launches a kernel of its own where it stands: every
/// op but a view and a constant. The memory plan counts positions by it.
bool launchesKernel(mlir::Operation *op);

/// Partitions `step`, adding its generated kernels to `generated`. Fails
/// with a diagnostic at the offending op (a collective the runtime does not
/// run: a max, an integer tensor, a split along an inner dimension).
mlir::FailureOr<StepPartition> partitionStep(mlir::func::FuncOp step,
                                             GeneratedKernels &generated);

/// The onednn.matmul kernel of `group`, a contraction fusion group
/// (MatmulEpilogue.cpp: its epilogue as the bias and post-ops), or nullopt
/// when it is another group or oneDNN cannot run it (an operand that is a
/// constant or not f32): then it is generated.
std::optional<PlannedKernel> planContractionGroup(mlir::Operation *group);

/// Whether `k` is a `comm.all_reduce`, `comm.reduce_scatter` or
/// `comm.all_gather` kernel.
bool isCollectiveKernel(const PlannedKernel &k);

/// The `comm.<op>` kernel of `op`, a loom.all_reduce, loom.reduce_scatter
/// or loom.all_gather (Collectives.cpp): its input and result, reduce (not
/// for a gather), axes and group_size; placeCollectives gives it its
/// bucket.
mlir::FailureOr<PlannedKernel> planCollective(mlir::Operation *op);

/// Groups the step's collective kernels into buckets (runs of adjacent
/// kernels of one kind and one `loom.bucket`) and records, on each, its
/// `bucket`, `count` and `offset` (elements of each rank's block: the
/// result of an all-reduce or a reduce-scatter, the input of an
/// all-gather) in the bucket, `start` (1 on the bucket's last kernel, which
/// starts the collective) and, on the start, `wait_in`: the kernels after
/// it before the first that reads a result of the bucket (past the
/// program's last kernel: at its end).
mlir::LogicalResult placeCollectives(StepPartition &p);

/// The shape and byte size of a tensor value (its element type is
/// mlir::loom::toDType's, ir/ElementType.h).
std::vector<int64_t> shapeOf(mlir::Value v);
uint64_t bytesOf(mlir::Value v);

/// Records the shape (`s<i>`) and element type (`t<i>`) of every operand of
/// `k`, and adds their bytes to its bytesMoved.
void addOperandTypes(PlannedKernel &k);

/// The value whose bytes `v` uses (itself unless it is a view).
mlir::Value storageOf(const StepPartition &p, mlir::Value v);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_EMIT_PARTITION_H
