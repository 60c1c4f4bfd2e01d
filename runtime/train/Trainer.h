//===- Trainer.h - loom train's loop ----------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). Trains an artifact
// on its recipe's data: the step loop with a progress line, evaluation on
// the split the recipe names at its cadence with its metrics,
// reduce-on-plateau, checkpoints (atomic, keep-K, bit-exact resume),
// metrics.jsonl, a plot and a summary under the output directory, a stop
// with the op and its .loom location at the first NaN or infinity, and on
// Ctrl-C or SIGTERM a checkpoint and the summary before it exits.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_TRAINER_H
#define LOOM_RUNTIME_TRAIN_TRAINER_H

#include "runtime/artifact/Artifact.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace loom::train {

struct TrainOptions {
  std::string name;             ///< the artifact, as messages name it
  std::string artifactPath;     ///< where it is stored (checkpoints record it)
  std::optional<int64_t> steps; ///< overrides the recipe's length
  std::optional<uint64_t> seed; ///< overrides the recipe's seed
  std::string outDir;           ///< default: runs/<train block name>
  std::string resume;           ///< a checkpoint file or directory
  bool quiet = false;           ///< no progress, only errors and the summary
  bool json = false;            ///< metrics.jsonl records on stdout instead
  /// Train on all the data (no validation split): the run after validation
  /// has chosen the settings.
  bool full = false;
  /// Every evaluation (the final one and the test set's too) uses at most
  /// this many full batches (0: the whole split).
  int64_t evalBatches = 0;
  /// Time every kernel and print where the time went at the end.
  bool profile = false;
  /// The command that runs this training again, without --resume (what
  /// the message after Ctrl-C tells to run with --resume added).
  std::string resumeCommand;
  /// This process's rank among the `ranks` of a data-parallel run (mpirun):
  /// each rank trains on its share of every batch, and rank 0 alone writes
  /// the metrics, plot, summary, checkpoints and final model.
  int rank = 0, ranks = 1;
  /// loom eval: load `resume`'s parameters and evaluate them as the end of
  /// a run does (the recipe's split, then its test set), writing nothing.
  bool evaluateOnly = false;
  /// loom eval --data: evaluate every example of this file instead, read as
  /// the recipe's test set (or data) is, with the checkpoint's prep.
  std::string evalData;
  /// Seconds a rank waits for the others before it asks where they are
  /// and stops, naming one that is dead or stopped (runtime/comm's
  /// setTimeout; loom train --comm-timeout).
  double commTimeout = 10;
};

/// Trains `artifact`; prints progress to `out` and errors to `err`.
/// Returns the process exit status: 0, 1 after printing why (3 when why is
/// an internal error: its message says "internal error: "), or after
/// SIGINT or SIGTERM (Interrupt.h) 128 + the signal once the current step,
/// a checkpoint and the summary are done.
int trainArtifact(Artifact artifact, const TrainOptions &options,
                  std::ostream &out, std::ostream &err);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_TRAINER_H
