//===- Loop.h - loom train's loop, shared by its files ----------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). Internal to
// runtime/train: the Trainer behind trainArtifact (Trainer.h), whose
// members live in Trainer.cpp (setup, resume, the step loop, the run),
// TrainerEval.cpp (evaluations, the test set, the plot) and
// TrainerFinish.cpp (checkpoints, the NaN diagnosis, the final model and
// the summary).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_LOOP_H
#define LOOM_RUNTIME_TRAIN_LOOP_H

#include "runtime/exec/Executor.h"
#include "runtime/report/MetricsLog.h"
#include "runtime/report/Plot.h"
#include "runtime/report/Progress.h"
#include "runtime/report/Summary.h"
#include "runtime/train/Evaluate.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"
#include "runtime/train/Trainer.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace loom::train {

using Clock = std::chrono::steady_clock;

/// How long the ranks of a data-parallel run wait for one that works alone
/// (rank 0 writing a checkpoint or the final model) or at its own pace
/// (each rank reading its data before the first step) before asking where
/// it is: the places where one cannot answer meanwhile.
constexpr double kAloneSeconds = 600;

/// `v` with `digits` decimals.
std::string fixed(double v, int digits = 4);

/// What evaluations on `split` are called: "val", "test", "train eval"
/// (the steps' own loss is the "train loss").
std::string evalLabel(const std::string &split);

/// Reads the metrics a resumed run logged before (`path`), for the plot.
void replotFrom(const std::string &path, TrainingPlot &plot);

class Trainer {
public:
  Trainer(const TrainOptions &options, std::ostream &out, std::ostream &err)
      : opt(options), out(out), err(err) {}

  int run(Artifact artifact);

private:
  // Trainer.cpp
  Status setup(Artifact artifact);
  Status resume();
  Status trainSteps();
  /// Fills the step's inputs for step `s` (0-based) and runs it.
  Status runStep(int64_t s, bool checkFinite, int64_t *badKernel = nullptr);
  bool due(const Cadence &c, int64_t done) const;
  int64_t epochOf(int64_t done) const;
  void say(const std::string &line);
  Status log(const LogRecord &r);
  /// Whether SIGINT or SIGTERM came; the first time it says so on `err`.
  bool interrupted();
  /// In a data-parallel run: waits until every rank reaches `place` ("the
  /// checkpoint of step 12"), for up to kAloneSeconds before asking where
  /// the others are.
  Status together(const std::string &place);

  // TrainerEval.cpp
  /// Evaluates the validation part of `src` (at most --eval-batches full
  /// batches) with its progress: on a terminal a redrawn line, otherwise
  /// when `announce` a first line saying what it covers and, for a long
  /// one, a line at each tenth. `title` opens the lines ("final eval at
  /// step 3 on val").
  StatusOr<EvalResult> runEvaluation(data::BatchSource &src,
                                     const std::string &title, bool announce);
  Status evaluateNow(bool final);
  /// The held-out test set, once, at the end (when `eval` is not on it).
  Status evaluateTest(RunSummary &summary);
  /// loom eval: the final evaluations of the loaded checkpoint, or of
  /// opt.evalData.
  Status evaluateCheckpoint();
  void plotNow();

  // TrainerFinish.cpp
  /// The prep steps' report (data->prep(), test->prep()): the lines
  /// loom train prints, the JSON for summary.json, and prep.json in the
  /// output directory (the steps, the fitted statistics, the report).
  Status writePrep();
  Status saveNow();
  /// After a NaN or infinity at step `s`: replays from the last checkpoint
  /// with every kernel checked, and says where it first appeared.
  void diagnose(int64_t s, double loss, double norm);
  /// The final evaluation and checkpoint, the final model, the test set,
  /// metrics.jsonl's summary, summary.json and the printed summary;
  /// `seconds` of training. After a signal: no evaluation, a checkpoint
  /// if a step was taken, and where to resume from.
  Status finish(double seconds);

  const TrainOptions &opt;
  std::ostream &out, &err;
  std::unique_ptr<StepExecutor> ex;
  Recipe recipe;
  std::unique_ptr<data::BatchSource> data, test;
  /// `batch` is each rank's share of the recipe's (global) batch.
  int64_t batch = 0, globalBatch = 0, total = 0, classes = 0,
          itemsPerExample = 1;
  /// This rank's coordinate on the mesh's data axis and the axis's ranks:
  /// opt.rank and opt.ranks, unless the parameters are split over a model
  /// axis, whose ranks share each batch (tensor parallelism); and its
  /// coordinate on the model axis (runtime/comm/Mesh.h's layout: rank =
  /// dataRank * model ranks + modelRank).
  int dataRank = 0, dataRanks = 1, modelRank = 0;
  /// Whether this process writes the run's files (rank 0).
  bool writes() const { return opt.rank == 0 && !opt.evaluateOnly; }
  std::string itemUnit = "samples";
  std::string outDir, checkpointDir;
  TrainState state;
  /// The data position: `examplesFrom.second` examples drawn after step
  /// `examplesFrom.first` (0 and 0, or the checkpoint's); every step since
  /// drew a global batch.
  std::pair<int64_t, int64_t> examplesFrom{0, 0};
  int64_t examplesBefore(int64_t s) const {
    return examplesFrom.second + (s - examplesFrom.first) * globalBatch;
  }
  std::vector<std::pair<int64_t, float>> scaleFrom; ///< lr scale changes
  std::string lastCheckpoint;
  int64_t lastCheckpointStep = -1;
  bool saidInterrupted = false;
  /// After a signal in a data-parallel run: the ranks that did not answer
  /// (comm::checkOthers), which stop this one.
  Status othersLost;
  MetricsLog metrics;
  TrainingPlot plot;
  std::optional<ProgressLine> progress;
  bool terminal = false;
  double lastLoss = NAN, lastValLoss = NAN;
  std::vector<std::pair<std::string, double>> lastMetrics;
  std::vector<std::string> prepLines;
  std::string prepReport; ///< JSON text; "" without prep
  Clock::time_point start, lastPlot;
  int64_t firstStep = 0;
};

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_LOOP_H
