//===- Summary.cpp - The compile summary ----------------------------------===//
//
// Part of Loom. The line `loom compile` and `loom train` print about a
// compiled artifact (its kernels, its peak memory and what the parameters
// and optimizer state take of it, each rank's share of a step split over a
// model axis) and about what the recipe's `remat` did.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"

#include "backends/cpu/emit/EmitArtifact.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/exec/TensorParallel.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace {

std::string mib(uint64_t bytes) {
  if (bytes >= (1u << 20))
    return llvm::formatv("{0:f1} MiB", bytes / 1048576.0).str();
  if (bytes >= 1024)
    return llvm::formatv("{0:f1} KiB", bytes / 1024.0).str();
  return std::to_string(bytes) + " B";
}

} // namespace

std::string loom::tool::describeArtifact(const loom::Artifact &artifact,
                                         const PartitionSummary *partition) {
  uint64_t params = 0, state = 0;
  for (const loom::ParamRecord &p : artifact.params)
    params += p.size;
  for (const loom::OptStateRecord &o : artifact.optState)
    state += o.size;
  size_t generated = 0, library = 0;
  for (const loom::KernelRecord &k : artifact.kernels)
    (k.kind == "codegen" ? generated
     : k.kind == "copy"  ? generated
                         : library)++;
  // A step compiled with shard_optimizer (--loom-shard-optimizer) holds
  // 1/D of each moment: its parameter's size, sliced.
  std::string sharded;
  for (const loom::KernelRecord &k : artifact.kernels)
    if (k.kind == "comm.reduce_scatter") {
      uint64_t whole = 0;
      for (const loom::OptStateRecord &o : artifact.optState)
        for (const loom::ParamRecord &p : artifact.params)
          if (p.name == o.param)
            whole += p.size;
      // The rest of the arena: activations, gradients, slices, workspace.
      uint64_t held = params + state;
      uint64_t rest = artifact.memory.arenaSize > held
                          ? artifact.memory.arenaSize - held
                          : 0;
      sharded = " per rank, sharded over " +
                std::to_string(k.attr("group_size")->i) +
                " ranks (shard_optimizer; " + mib(whole) +
                " without); activations and other values " + mib(rest);
      break;
    }
  // Tensor parallelism (--loom-partition-step): each rank holds its slices
  // of the parameters split over the model axis, and of their state.
  int64_t modelRanks = loom::modelRanksOf(artifact);
  std::string paramsText = mib(params), stateText = mib(state);
  if (modelRanks > 1) {
    auto whole = [](loom::DType dtype, const std::vector<int64_t> &shape) {
      uint64_t n = loom::dtypeSize(dtype);
      for (int64_t d : shape)
        n *= static_cast<uint64_t>(d);
      return n;
    };
    uint64_t wholeParams = 0, wholeState = 0;
    for (const loom::ParamRecord &p : artifact.params)
      wholeParams += whole(p.dtype, p.shape);
    for (const loom::OptStateRecord &o : artifact.optState)
      wholeState += whole(o.dtype, o.shape);
    std::string over =
        " whole, split over " + std::to_string(modelRanks) + " model ranks)";
    paramsText += " per rank (" + mib(wholeParams) + over;
    stateText += " per rank (" + mib(wholeState) + over;
    // The rest of a rank's arena: its activations, gradients, inputs and
    // workspace, and the other programs' values (shard_optimizer says it
    // already).
    if (sharded.empty()) {
      uint64_t held = params + state;
      uint64_t rest = artifact.memory.arenaSize > held
                          ? artifact.memory.arenaSize - held
                          : 0;
      sharded = ", activations and other values " + mib(rest) + " per rank";
      if (partition && partition->oneProcessRest)
        sharded += " (" + mib(*partition->oneProcessRest) + " in one process)";
    }
  }
  std::string programs;
  for (const loom::ProgramRecord &p : artifact.programs)
    programs +=
        ", " + p.name + " " + std::to_string(p.endKernel - p.firstKernel);
  return std::to_string(artifact.kernels.size()) + " kernels (" +
         std::to_string(library) + " oneDNN, " + std::to_string(generated) +
         " generated or copies; step " +
         std::to_string(artifact.trainKernelEnd()) + programs +
         "), peak memory " + mib(artifact.memory.arenaSize) + " (parameters " +
         paramsText + ", optimizer state " + stateText + sharded + ")";
}

std::string loom::tool::describeRemat(const mlir::loom::cpu::RematSummary &r) {
  // The change of the activation memory, in percent (negative: a cut).
  long change = r.activationsWithout
                    ? std::lround(100.0 *
                                  (double(r.activationsWith) -
                                   double(r.activationsWithout)) /
                                  double(r.activationsWithout))
                    : 0;
  return llvm::formatv("remat = {0}: {1} ops of {2} blocks recomputed in the "
                       "backward; activation memory {3} without, {4} with "
                       "({5}{6}%); peak memory {7} without, {8} with",
                       r.policy, r.recomputedOps, r.blocks,
                       mib(r.activationsWithout), mib(r.activationsWith),
                       change > 0 ? "+" : "", change, mib(r.peakWithout),
                       mib(r.peakWith))
      .str();
}
