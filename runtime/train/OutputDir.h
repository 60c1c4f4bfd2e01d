//===- OutputDir.h - A run's output directory -------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Claims the output directory of a training run
// before anything is written to it: one that holds an earlier run is kept
// from being silently overwritten (its metrics mixed with the new run's, its
// `latest` checkpoint moved) unless the run resumes it or replaces it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_OUTPUTDIR_H
#define LOOM_RUNTIME_TRAIN_OUTPUTDIR_H

#include "runtime/Status.h"

#include <string>
#include <vector>

namespace loom::train {

/// What `claimOutputDir` may do with an earlier run.
enum class EarlierRun {
  Refuse,   ///< an error naming the directory and the ways out
  Resume,   ///< the run continues it (--resume)
  Overwrite ///< its files are removed first (--overwrite)
};

/// The files of a run in `dir` for model `name` that another run would be
/// confused with (its metrics, summary, plot, final model, checkpoints),
/// as names relative to `dir` ("checkpoints/" for the checkpoints).
std::vector<std::string> earlierRun(const std::string &dir,
                                    const std::string &name);

/// Readies `dir` (which need not exist) for a run of model `name`. When it
/// holds an earlier run (earlierRun), Refuse is an error that writes
/// nothing, Resume keeps it, and Overwrite removes those files (the
/// checkpoints' directory with every checkpoint, `latest` and temporary
/// file in it; other files stay). Returns what it removed.
StatusOr<std::vector<std::string>> claimOutputDir(const std::string &dir,
                                                  const std::string &name,
                                                  EarlierRun earlier);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_OUTPUTDIR_H
