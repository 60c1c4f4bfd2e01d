//===- Profile.h - Where a training run's time went -------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom train --profile` times every kernel launch
// (StepExecutor::enableProfiling) and prints, at the end of the run, the time
// of each program (the training step, the evaluation programs), the
// slowest kernels with the op and the .loom line they come from, and which
// large generated kernels ran on one thread.
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
/// the training step's time by kind of kernel ("train by kind:
/// onednn.matmul 61.0%, codegen 27.5%, ..."), then the `top` slowest kernels
/// with their program, kind, GFLOP/s, op and innermost .loom location with the
/// model instance that made it
/// ("nn.loom:28:14 (blocks.3.attn.qkv)", "the gradient of ..."), and for a
/// generated kernel whether it ran on several threads ("threads"), partly
/// ("partly": a loop nest of 64 KiB or more that stayed on one thread, or
/// runs that did not split) or on one ("1 thread"); then a line that counts
/// the generated kernels moving 64 KiB or more that ran each way, and the
/// (at most 10 slowest) of those on one thread. `seconds[i]`, `runs[i]` and
/// `threadedRuns[i]` are kernel i's total time, launch count and launches
/// that ran a loop nest on several threads (StepExecutor::kernelSeconds,
/// kernelRuns, kernelThreadedRuns).
std::vector<std::string> profileLines(const Artifact &artifact,
                                      const std::vector<double> &seconds,
                                      const std::vector<int64_t> &runs,
                                      const std::vector<int64_t> &threadedRuns,
                                      size_t top);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_PROFILE_H
