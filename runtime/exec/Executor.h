//===- Executor.h - Runs an artifact's training step -------------*- C++
//-*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR or LLVM). Loads an
// artifact's step: allocates its one arena once, maps the generated
// kernels, creates every oneDNN primitive once with its operands' addresses,
// and then runs the step as a flat list of launches — a oneDNN primitive, a
// generated kernel's entry, or a copy — with no allocation and nothing
// interpreted per step. Parameters are initialized from their specs with the
// counter-based generator (runtime/Init.h), exactly as the reference
// backend's `loom run` does.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EXEC_EXECUTOR_H
#define LOOM_RUNTIME_EXEC_EXECUTOR_H

#include "runtime/Status.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/exec/TensorParallel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loom {

class StepExecutor {
public:
  ~StepExecutor();
  StepExecutor(const StepExecutor &) = delete;
  StepExecutor &operator=(const StepExecutor &) = delete;

  /// Prepares `artifact` (`name` is for messages): the arena, the kernels.
  /// An artifact compiled for a target this machine is not (another kind
  /// of device, another architecture, a vector extension it lacks: see
  /// runsOnThisHost) is an error.
  static StatusOr<std::unique_ptr<StepExecutor>> create(Artifact artifact,
                                                        std::string name);

  /// Whether artifacts of `target` ("cpu-x86_64-avx512", as
  /// mlir::loom::cpu::HostTarget::name spells it) run here: the same
  /// architecture and the vector extension the name asks for. The name of
  /// this host's target in `host`.
  static bool runsOnThisHost(const std::string &target, std::string &host);

  /// Draws every parameter from its init spec with `seed` and zeroes the
  /// optimizer state.
  Status initialize(uint64_t seed);

  /// The step input with role `role` ("x", "y", "step", "rng",
  /// "lr_scale"), or null if the step has none; the caller writes its
  /// bytes (record->shape in record->dtype) before every step(): the memory
  /// plan gives an input's bytes to other values once the step has read it.
  /// run() itself writes "rank" (a sharded optimizer's rank on the data
  /// axis, --loom-shard-optimizer).
  void *input(const std::string &role, const IoRecord **record = nullptr) {
    return programInput("train", role, record);
  }
  /// The step output with role `role` ("loss", "lr", "grad_norm"), read
  /// after step().
  const void *output(const std::string &role,
                     const IoRecord **record = nullptr) const {
    return programOutput("train", role, record);
  }
  /// A scalar f32 output of the step as a double (NaN when absent).
  double scalarOutput(const std::string &role) const {
    return scalarOutput("train", role);
  }

  /// The same for any program: "train" (the step) or one of
  /// artifact().programs ("eval", "eval1"). The same rule holds: write
  /// every input before each run.
  void *programInput(const std::string &program, const std::string &role,
                     const IoRecord **record = nullptr);
  const void *programOutput(const std::string &program, const std::string &role,
                            const IoRecord **record = nullptr) const;
  double scalarOutput(const std::string &program,
                      const std::string &role) const;
  /// Whether the artifact has program `program`.
  bool hasProgram(const std::string &program) const;

  /// The bytes of parameter `name` (record->shape in record->dtype), or
  /// null.
  void *parameter(const std::string &name,
                  const ParamRecord **record = nullptr);
  /// The bytes of optimizer-state tensor `name` ("w.m"), or null.
  void *optState(const std::string &name,
                 const OptStateRecord **record = nullptr);

  /// Whether the step keeps 1/D of each optimizer-state tensor on each of
  /// the D ranks of the data axis (shard_optimizer, --loom-shard-optimizer:
  /// the step reads its "rank"). Each state tensor is then a slice of S
  /// elements: rank r's [r * S, (r + 1) * S) of its parameter's flattened
  /// shape, padded with zeros to D * S.
  bool optStateSharded() const;
  /// Whether state tensor `s` is such a slice (with optStateSharded(): a
  /// parameter whose gradient is a constant keeps its state whole).
  bool optStateIsSlice(const OptStateRecord &s) const;
  /// With optStateIsSlice(s): the whole of state tensor `s` (its
  /// parameter's shape and bytes), all-gathered from the ranks into
  /// `whole`. Every rank calls it, for the same tensors in the same order.
  Status gatherOptState(const OptStateRecord &s, std::vector<uint8_t> &whole);
  /// With optStateIsSlice(s): writes this rank's slice of `whole` (state
  /// `s`'s parameter's shape, f32) into `s`, zeros past the tensor's end.
  void scatterOptState(const OptStateRecord &s, const uint8_t *whole);
  /// The parameter that optimizer-state tensor `s` belongs to, or null.
  const ParamRecord *paramOf(const OptStateRecord &s) const;

  /// Tensor parallelism (--loom-partition-step): whether parameter or
  /// optimizer-state tensor `name` is this rank's slice of a tensor split
  /// over the model axis, and the split (its parameter's).
  bool isModelSlice(const std::string &name, Split *split = nullptr) const;
  /// With isModelSlice(name): the whole tensor (f32, its record's shape),
  /// all-gathered from the model axis's ranks into `whole`. Every rank
  /// calls it, for the same tensors in the same order.
  Status gatherModelSlice(const std::string &name, std::vector<uint8_t> &whole);
  /// With isModelSlice(name): writes this rank's slice of the whole tensor
  /// at `whole` into `name`.
  void scatterModelSlice(const std::string &name, const uint8_t *whole);
  /// This rank's coordinate on the model axis (ranks are row-major over
  /// the mesh (data, model): the model axis varies fastest).
  int64_t modelIndex(int64_t modelRanks) const;

  /// Runs the step once.
  Status step() { return run("train"); }
  /// Runs program `program` once.
  Status run(const std::string &program);

  /// Runs `program` once, checking after every kernel whether one of its
  /// floating-point operands holds a NaN or an infinity; returns the index
  /// of the first kernel after which one does, or -1. Slow: for finding
  /// where a step went wrong, not for training.
  StatusOr<int64_t> runCheckingFinite(const std::string &program);

  /// Times every launch from now on (a clock read around each one).
  void enableProfiling() { profiling = true; }
  /// Seconds spent in each kernel (artifact order) since profiling began.
  const std::vector<double> &kernelSeconds() const { return seconds; }
  /// How many times each kernel ran since profiling began.
  const std::vector<int64_t> &kernelRuns() const { return runs; }
  /// How many of those runs of each kernel ran a loop nest on several
  /// threads (generated kernels; 0 for the others).
  const std::vector<int64_t> &kernelThreadedRuns() const { return threaded; }

  /// The scratch arena of the generated kernels' temporaries: its size,
  /// and how many allocations fell back to malloc because it was too small
  /// (only during the first run of each program: it then grows to fit).
  uint64_t scratchBytes() const;
  uint64_t scratchFallbacks() const;

  /// Seconds spent waiting for collectives to complete (their
  /// communication not hidden behind the kernels that ran meanwhile), since
  /// the executor was created; 0 without collectives.
  double communicationWaitSeconds() const;
  /// Seconds the collectives were in flight, each from its start to its
  /// completion (Collectives::flightSeconds), since the executor was
  /// created; the part not waited for was hidden behind other kernels.
  double communicationSeconds() const;

  const Artifact &artifact() const { return art; }
  uint64_t arenaBytes() const { return art.memory.arenaSize; }

private:
  StepExecutor() = default;
  struct Launch;
  Status prepare();
  uint8_t *bufferData(uint32_t id) const;
  /// The kernel range and I/O records of `program`; false if none.
  bool programRange(const std::string &program, uint32_t &first, uint32_t &end,
                    const std::vector<IoRecord> **inputs,
                    const std::vector<IoRecord> **outputs) const;
  Status launch(size_t i);
  bool operandsFinite(size_t i) const;

  Artifact art;
  std::string name;
  uint8_t *arena = nullptr;
  bool profiling = false;
  std::vector<double> seconds;
  std::vector<int64_t> runs;
  std::vector<int64_t> threaded;
  struct State;
  std::unique_ptr<State> state;
};

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_EXECUTOR_H
