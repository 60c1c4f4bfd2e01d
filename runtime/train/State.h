//===- State.h - A training run's state in a checkpoint ---------*- C++ -*-===//
//
// Part of Loom. Plain C++17. What a checkpoint holds besides the tensors
// (the step, the learning-rate scale of reduce-on-plateau and its counters,
// the best validation loss, the artifact's identity), and the moves
// between a checkpoint file and an executor's arena: every parameter and
// optimizer-state tensor under its own name, so that resuming continues
// bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_STATE_H
#define LOOM_RUNTIME_TRAIN_STATE_H

#include "runtime/Status.h"
#include "runtime/exec/Executor.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loom::train {

/// Everything besides the tensors that the next step depends on. The data
/// position is kept in examples: the next step draws the global batch
/// that starts at example `examples` of the draws, a pure function of that
/// position, the split seed and the shuffle seed (data::Sampler), whatever
/// the number of ranks sharing it; the dropout key is (seed, step).
struct TrainState {
  int64_t step = 0; ///< steps done
  /// Training examples drawn so far, over all the ranks; -1 in a checkpoint
  /// written before Loom recorded it (the position is then step times
  /// the global batch).
  int64_t examples = -1;
  /// The ranks of the run that wrote it (a data-parallel run's count).
  int64_t ranks = 1;
  uint64_t seed = 0;
  float lrScale = 1.0f;   ///< reduce_on_plateau's factor so far
  double plateauBest = 0; ///< best validation loss it has seen
  int64_t plateauBad = 0; ///< evaluations since it improved
  bool plateauSeen = false;
  double bestValLoss = 0;
  int64_t bestValStep = -1; ///< -1: no evaluation yet
  /// The artifact that wrote it: content hash (hex) and path.
  std::string artifactHash, artifactPath;
  /// The class names the data's labels number (CSV class names, sklearn's
  /// header), saved with the model; empty for class numbers.
  std::vector<std::string> classNames;
  /// The prep statistics fitted on the training rows (the recipe's `prep`),
  /// as prepToJson's JSON text, saved with the model so later rows get the
  /// same transform; "" without prep.
  std::string prep;
};

/// The metadata entry ("loom.state") as JSON, and back. Errors name `file`.
std::string stateJson(const TrainState &state);
StatusOr<TrainState> parseStateJson(const std::string &json,
                                    const std::string &file);

/// The artifact of a training checkpoint (a file, or a directory's
/// latest): `given` when not empty (a tool's --artifact), else the one the
/// checkpoint records; and in `file` the checkpoint file itself. An error
/// for a file that is no Loom training checkpoint or records none.
StatusOr<std::string> checkpointArtifact(const std::string &pathOrDir,
                                         const std::string &given,
                                         std::string &file);

/// A trained model as the tools that use one load it: its artifact (the
/// checkpoint's, or `given`), the artifact's recipe, and an executor with
/// the checkpoint's parameters.
struct TrainedModel {
  std::string artifactPath;
  std::string recipeJson;
  std::unique_ptr<StepExecutor> ex;
  TrainState state;
};
StatusOr<TrainedModel> loadTrainedModel(const std::string &pathOrDir,
                                        const std::string &given);

/// With a sharded optimizer state (StepExecutor::optStateSharded), every
/// state tensor whole, in the artifact's order, gathered from the ranks (a
/// collective: every rank calls it); nothing otherwise.
Status gatherOptimizerState(StepExecutor &ex,
                            std::vector<std::vector<uint8_t>> &whole);

/// The whole tensors of the parameters and optimizer state that are this
/// rank's slices of tensors split over the model axis (tensor
/// parallelism), by name.
using ModelSlices = std::map<std::string, std::vector<uint8_t>>;
/// Gathers every such tensor whole (a collective: every rank calls it; no
/// tensors without tensor parallelism); the parameters alone unless
/// `optimizerState`.
Status gatherModelSlices(StepExecutor &ex, bool optimizerState,
                         ModelSlices &whole);

/// Writes the parameters and optimizer state of `ex` with `state` as
/// checkpoint `state.step` in `dir`, keeping the newest `keep`; returns the
/// file written. A sharded optimizer state is written whole, from
/// `wholeState` (gatherOptimizerState), and so are the slices of tensors
/// split over the model axis, from `modelSlices` (gatherModelSlices), so
/// that a run on any number of ranks, sharded or not, resumes from it.
StatusOr<std::string>
saveState(StepExecutor &ex, const TrainState &state, const std::string &dir,
          unsigned keep,
          const std::vector<std::vector<uint8_t>> *wholeState = nullptr,
          const ModelSlices *modelSlices = nullptr);

/// Writes the parameters of `ex` alone (no optimizer state; a slice of a
/// tensor split over the model axis whole, from `modelSlices`) with `state`
/// as one file at `path`: the run's final model, which PyTorch's strict
/// load_state_dict, init_from and loom generate read.
Status saveModel(StepExecutor &ex, const TrainState &state,
                 const std::string &path,
                 const ModelSlices *modelSlices = nullptr);

/// Copies into `ex` every parameter of checkpoint (or safetensors file)
/// `path` whose name is a parameter of the model (fine-tuning's
/// init_from); a tensor of such a name with another dtype or shape is an
/// error. Returns how many it copied.
StatusOr<int64_t> loadMatchingParameters(StepExecutor &ex,
                                         const std::string &path);

/// What loadState restores.
enum class Restore { Everything, Parameters };

/// Reads checkpoint `pathOrDir` (a file, or a directory's `latest`) into
/// `ex`: every parameter (and with Restore::Everything every optimizer-
/// state tensor) must be there with its dtype and shape (a sharded state's
/// whole shape: each rank takes its slice). Returns the state
/// and the file it came from in `file`.
StatusOr<TrainState> loadState(StepExecutor &ex, const std::string &pathOrDir,
                               Restore what, std::string *file = nullptr);

/// The content hash as the checkpoint records it ("0x0baf8082e377c785").
std::string hashText(uint64_t hash);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_STATE_H
