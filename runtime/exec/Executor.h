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
  static StatusOr<std::unique_ptr<StepExecutor>> create(Artifact artifact,
                                                        std::string name);

  /// Draws every parameter from its init spec with `seed` and zeroes the
  /// optimizer state.
  Status initialize(uint64_t seed);

  /// The step input with role `role` ("x", "y", "step", "rng",
  /// "lr_scale"), or null if the step has none; the caller writes its
  /// bytes (record->shape in record->dtype) before every step(): the memory
  /// plan gives an input's bytes to other values once the step has read it.
  void *input(const std::string &role, const IoRecord **record = nullptr);
  /// The step output with role `role` ("loss", "lr"), read after step().
  const void *output(const std::string &role,
                     const IoRecord **record = nullptr) const;
  /// A scalar f32 output as a double (NaN when absent).
  double scalarOutput(const std::string &role) const;

  /// The bytes of parameter `name` (record->shape in record->dtype), or
  /// null.
  void *parameter(const std::string &name,
                  const ParamRecord **record = nullptr);

  /// Runs the step once.
  Status step();

  /// Times every launch from now on (a clock read around each one).
  void enableProfiling() { profiling = true; }
  /// Seconds spent in each kernel (artifact order) since profiling began.
  const std::vector<double> &kernelSeconds() const { return seconds; }

  const Artifact &artifact() const { return art; }
  uint64_t arenaBytes() const { return art.memory.arenaSize; }

private:
  StepExecutor() = default;
  struct Launch;
  Status prepare();
  uint8_t *bufferData(uint32_t id) const;

  Artifact art;
  std::string name;
  uint8_t *arena = nullptr;
  bool profiling = false;
  std::vector<double> seconds;
  struct State;
  std::unique_ptr<State> state;
};

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_EXECUTOR_H
