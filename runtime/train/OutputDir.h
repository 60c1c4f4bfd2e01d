//===- OutputDir.h - A run's output directory -------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Claims the output directory of a training run
// before anything is written to it: a run that owns it now keeps it (an
// advisory lock, which a SIGKILL releases too), and one that holds an
// earlier run is kept from being silently overwritten (its metrics mixed
// with the new run's, its `latest` checkpoint moved) unless the run resumes
// it or replaces it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_OUTPUTDIR_H
#define LOOM_RUNTIME_TRAIN_OUTPUTDIR_H

#include "runtime/Status.h"

#include <string>
#include <vector>

namespace loom::train {

/// A run's hold on its output directory: flock(LOCK_EX) on the file
/// `.loom-train.lock` in it, which holds the owner's process id. The kernel
/// releases it when this is destroyed or the process ends in any way,
/// SIGKILL included; the file itself stays (removing it would let a run
/// lock a new file while another holds the old one).
class OutputDirLock {
public:
  OutputDirLock() = default;
  OutputDirLock(const OutputDirLock &) = delete;
  OutputDirLock &operator=(const OutputDirLock &) = delete;
  OutputDirLock(OutputDirLock &&other) noexcept;
  OutputDirLock &operator=(OutputDirLock &&other) noexcept;
  /// Releases the lock.
  ~OutputDirLock();

  /// Creates `dir` (and its parents) if missing and locks it. When another
  /// process holds it: "runs/x is in use by another loom train or loom
  /// sweep (process 1234)".
  static StatusOr<OutputDirLock> take(const std::string &dir);

  /// Whether this holds a lock.
  bool held() const { return fd >= 0; }

private:
  int fd = -1;
};

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

/// Readies `dir` (which need not exist) for a run of model `name`: first
/// takes its lock into `lock` (an error when another run holds it), then,
/// when it holds an earlier run (earlierRun), Refuse is an error that
/// writes nothing but the lock file, Resume keeps it, and Overwrite removes
/// those files (the checkpoints' directory with every checkpoint, `latest`
/// and temporary file in it; other files stay). Returns what it removed.
/// The caller keeps `lock` until the run ends.
StatusOr<std::vector<std::string>> claimOutputDir(const std::string &dir,
                                                  const std::string &name,
                                                  EarlierRun earlier,
                                                  OutputDirLock &lock);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_OUTPUTDIR_H
