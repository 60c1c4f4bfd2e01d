//===- Profile.h - Where a training run's time went -------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom train --profile` times every kernel launch
// (StepExecutor::enableProfiling) and prints, at the end of the run, the time
// of each program (the training step, the evaluation programs) and the
// slowest kernels with the op and the .loom line they come from.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_PROFILE_H
#define LOOM_RUNTIME_TRAIN_PROFILE_H

#include "runtime/artifact/Artifact.h"

#include <cstddef>
#include <string>
#include <vector>

namespace loom::train {

/// The report's lines: one per program that ran ("train", "eval",
/// "eval1": total seconds, share of the kernel time, runs, seconds a run),
/// then the `top` slowest kernels with their program, kind, GFLOP/s, op and
/// innermost .loom location with the model instance that made it
/// ("nn.loom:28:14 (blocks.3.attn.qkv)", "the gradient of ..."). `seconds[i]`
/// and `runs[i]` are kernel i's total time and launch count
/// (StepExecutor::kernelSeconds, kernelRuns).
std::vector<std::string> profileLines(const Artifact &artifact,
                                      const std::vector<double> &seconds,
                                      const std::vector<int64_t> &runs,
                                      size_t top);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_PROFILE_H
