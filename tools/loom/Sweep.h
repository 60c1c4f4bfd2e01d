//===- Sweep.h - The trials of loom sweep -----------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17, no MLIR: what Sweep.cpp plans (the trials,
// the compiled configurations they share) and SweepRun.cpp runs, records
// (DIR/sweep.json, DIR/sweep.jsonl), ranks and plots (DIR/sweep.svg).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_SWEEP_H
#define LOOM_TOOLS_LOOM_SWEEP_H

#include "tools/loom/SweepSpace.h"

#include "runtime/train/OutputDir.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace loom::tool {

/// A compiled configuration: the settings the artifact depends on.
struct SweepConfig {
  std::string key;      ///< "lr=0.01 hidden=64" ("" when none)
  std::string artifact; ///< DIR/artifacts/config-N.loomx
  bool compiled = false;
  std::string error; ///< why it could not be compiled
};

struct SweepTrial {
  std::string name; ///< trial-000
  Settings settings;
  size_t config = 0; ///< index into SweepPlan::configs
};

struct SweepPlan {
  std::string input; ///< the .loom file
  std::string train; ///< --train ("" for the only block)
  std::string outDir;
  std::string metric;           ///< a recipe metric: accuracy, loss, f1, ...
  std::string evalOn = "val";   ///< the split the evaluations report on
  std::optional<int64_t> steps; ///< --steps for every trial
  int parallel = 1;
  bool full = false;
  std::vector<SweepTrial> trials;
  std::vector<SweepConfig> configs;
};

/// A trial's result, one line of sweep.jsonl.
struct SweepRecord {
  std::string trial;
  Settings settings;
  std::string status;          ///< ok, diverged, failed
  std::optional<double> value; ///< the metric's final value
  /// The final evaluation's loss: what ranks trials of equal value.
  std::optional<double> loss;
  int64_t steps = 0;
  double seconds = 0;
  std::string error; ///< the last error line of a trial that failed
};

/// What DIR holds of an earlier run of the same sweep.
struct SweepState {
  std::map<std::string, SweepRecord> finished; ///< by trial name
  /// Whether sweep.jsonl ends in a line a crash cut short (no newline).
  bool recordsCut = false;
  /// Held while the sweep runs: no second sweep writes into DIR.
  loom::train::OutputDirLock lock;
};

/// "trial-007".
std::string formatTrial(size_t index);

/// Creates plan.outDir, refuses one that holds a different sweep (its
/// sweep.json), writes sweep.json and reads the records of the trials that
/// finished there (sweep.jsonl) into `state`. 0, or the exit status after
/// printing why.
int openSweep(const SweepPlan &plan, SweepState &state);

/// Reads the records of DIR/sweep.jsonl into `state`: 0, or the exit status
/// after printing why it cannot be read. A line that is not JSON (cut
/// short by a crash) does not count; nor, with a warning, does a JSON line
/// that is not the record of one of the plan's trials. The trials without
/// a record run again.
int readSweepRecords(const SweepPlan &plan, SweepState &state);

/// Runs the trials `state` lacks, plan.parallel at a time, prints the live
/// and the ranked tables, writes sweep.jsonl and sweep.svg, and with
/// plan.full retrains the best into DIR/best-full. The exit status: 0 when
/// every trial ran (some may have diverged or failed), 130 or 143 after a
/// signal (the unfinished trials rerun next time), 1 when none succeeded
/// or the retraining failed.
int runSweepTrials(const SweepPlan &plan, SweepState &state);

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_SWEEP_H
