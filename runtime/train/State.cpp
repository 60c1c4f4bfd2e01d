//===- State.cpp - A training run's state in a checkpoint -----------------===//
//
// Part of Loom. See State.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/State.h"

#include "runtime/Text.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/checkpoint/Checkpoint.h"
#include "runtime/data/TablePrep.h"
#include "runtime/report/JsonObject.h"

#include <nlohmann/json.hpp>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <sys/stat.h>

using namespace loom;
using namespace loom::train;
using json = nlohmann::json;

namespace {

constexpr const char *kStateKey = "loom.state";

} // namespace

std::string loom::train::hashText(uint64_t hash) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, hash);
  return buf;
}

std::string loom::train::stateJson(const TrainState &s) {
  json j = {{"format", 1},
            {"step", s.step},
            {"examples", s.examples},
            {"ranks", s.ranks},
            {"seed", s.seed},
            {"lr_scale", s.lrScale},
            {"plateau_best", s.plateauBest},
            {"plateau_bad", s.plateauBad},
            {"plateau_seen", s.plateauSeen},
            {"best_val_loss", s.bestValLoss},
            {"best_val_step", s.bestValStep},
            {"artifact_hash", s.artifactHash},
            {"artifact_path", s.artifactPath}};
  if (!s.classNames.empty())
    j["classes"] = s.classNames;
  if (!s.prep.empty())
    j["prep"] = json::parse(s.prep);
  return j.dump();
}

StatusOr<std::string>
loom::train::checkpointArtifact(const std::string &pathOrDir,
                                const std::string &given, std::string &file) {
  StatusOr<std::string> resolved = resolveCheckpoint(pathOrDir);
  if (!resolved)
    return resolved.status();
  file = *resolved;
  if (!given.empty())
    return given;
  StatusOr<Safetensors> st = readSafetensors(file);
  if (!st)
    return st.status();
  auto it = st->metadata().find("loom.state");
  if (it == st->metadata().end())
    return Status::error(file + ": not a Loom training checkpoint; give the "
                                "model with --artifact");
  StatusOr<TrainState> state = parseStateJson(it->second, file);
  if (!state)
    return state.status();
  if (state->artifactPath.empty())
    return Status::error(file + ": records no artifact; give it with "
                                "--artifact");
  return state->artifactPath;
}

StatusOr<TrainedModel>
loom::train::loadTrainedModel(const std::string &pathOrDir,
                              const std::string &given) {
  TrainedModel model;
  std::string file;
  StatusOr<std::string> found = checkpointArtifact(pathOrDir, given, file);
  if (!found)
    return found.status();
  model.artifactPath = *found;
  StatusOr<Artifact> artifact = readArtifact(model.artifactPath);
  if (!artifact)
    return artifact.status();
  model.recipeJson = artifact->recipe;
  StatusOr<std::unique_ptr<StepExecutor>> ex =
      StepExecutor::create(std::move(*artifact), model.artifactPath);
  if (!ex)
    return ex.status();
  model.ex = std::move(*ex);
  StatusOr<TrainState> state = loadState(*model.ex, file, Restore::Parameters);
  if (!state)
    return state.status();
  model.state = std::move(*state);
  return model;
}

StatusOr<TrainState> loom::train::parseStateJson(const std::string &text,
                                                 const std::string &file) {
  json j;
  auto bad = [&](const std::string &why) {
    return Status::error(file + ": metadata '" + kStateKey + "' " + why);
  };
  if (std::string why = report::parseJsonObject(text, j); !why.empty())
    return bad("is " + why);
  if (!j.contains("format") || !j["format"].is_number_integer() ||
      j["format"].get<int64_t>() != 1)
    return bad("has no format 1");
  TrainState s;
  auto integer = [&](const char *key, int64_t &out) {
    if (!j.contains(key) || !j[key].is_number_integer())
      return false;
    out = j[key].get<int64_t>();
    return true;
  };
  auto number = [&](const char *key, double &out) {
    if (!j.contains(key) || !j[key].is_number())
      return false;
    out = j[key].get<double>();
    return true;
  };
  int64_t seed = 0;
  double scale = 1;
  if (!integer("step", s.step) || s.step < 0)
    return bad("has no valid 'step'");
  if (!j.contains("seed") || !j["seed"].is_number_unsigned())
    return bad("has no valid 'seed'");
  seed = static_cast<int64_t>(j["seed"].get<uint64_t>());
  s.seed = static_cast<uint64_t>(seed);
  if (!number("lr_scale", scale) || !(scale > 0))
    return bad("has no valid 'lr_scale'");
  s.lrScale = static_cast<float>(scale);
  if (!number("plateau_best", s.plateauBest) ||
      !integer("plateau_bad", s.plateauBad) || !j.contains("plateau_seen") ||
      !j["plateau_seen"].is_boolean() ||
      !number("best_val_loss", s.bestValLoss) ||
      !integer("best_val_step", s.bestValStep))
    return bad("lacks the reduce-on-plateau or best-loss fields");
  s.plateauSeen = j["plateau_seen"].get<bool>();
  // Both later than format 1's first fields: optional.
  if (j.contains("examples") &&
      (!integer("examples", s.examples) || s.examples < -1))
    return bad("has no valid 'examples'");
  if (j.contains("ranks") && (!integer("ranks", s.ranks) || s.ranks < 1))
    return bad("has no valid 'ranks'");
  if (j.contains("artifact_hash") && j["artifact_hash"].is_string())
    s.artifactHash = j["artifact_hash"].get<std::string>();
  if (j.contains("artifact_path") && j["artifact_path"].is_string())
    s.artifactPath = j["artifact_path"].get<std::string>();
  // loom generate opens it: a NUL would cut the name short.
  if (s.artifactPath.find('\0') != std::string::npos)
    return bad("has an 'artifact_path' that holds a NUL byte");
  if (j.contains("classes")) {
    if (!j["classes"].is_array())
      return bad("has 'classes' that is not a list of names");
    for (const json &n : j["classes"]) {
      if (!n.is_string())
        return bad("has 'classes' that is not a list of names");
      s.classNames.push_back(n.get<std::string>());
    }
  }
  if (j.contains("prep")) {
    data::FittedPrep fitted;
    if (std::string why = data::prepFromJson(j["prep"], fitted); !why.empty())
      return bad("has a 'prep' that is not the statistics of prep steps: " +
                 why);
    s.prep = j["prep"].dump();
  }
  return s;
}

namespace {
/// The parameters and, with `optimizerState`, the optimizer state: a
/// sharded state's whole tensors from `whole` (gatherOptimizerState).
std::vector<TensorView>
tensorsOf(StepExecutor &ex, bool optimizerState,
          const std::vector<std::vector<uint8_t>> *whole = nullptr,
          const ModelSlices *slices = nullptr) {
  std::vector<TensorView> tensors;
  // A slice of a tensor split over the model axis: the whole, gathered.
  auto gathered = [&](const std::string &name) -> const std::vector<uint8_t> * {
    if (!slices)
      return nullptr;
    auto it = slices->find(name);
    return it == slices->end() ? nullptr : &it->second;
  };
  for (const ParamRecord &p : ex.artifact().params)
    if (const std::vector<uint8_t> *w = gathered(p.name))
      tensors.push_back({p.name, p.dtype, p.shape, w->data(), w->size()});
    else
      tensors.push_back(
          {p.name, p.dtype, p.shape, ex.parameter(p.name), p.size});
  if (!optimizerState)
    return tensors;
  const std::vector<OptStateRecord> &states = ex.artifact().optState;
  for (size_t i = 0; i < states.size(); ++i) {
    const OptStateRecord &s = states[i];
    const ParamRecord *p = ex.paramOf(s);
    if (const std::vector<uint8_t> *w = gathered(s.name))
      tensors.push_back({s.name, s.dtype, s.shape, w->data(), w->size()});
    else if (whole && p && ex.optStateIsSlice(s))
      tensors.push_back(
          {s.name, s.dtype, p->shape, (*whole)[i].data(), p->size});
    else
      tensors.push_back(
          {s.name, s.dtype, s.shape, ex.optState(s.name), s.size});
  }
  return tensors;
}
} // namespace

Status loom::train::saveModel(StepExecutor &ex, const TrainState &state,
                              const std::string &path,
                              const ModelSlices *modelSlices) {
  return writeSafetensors(
      path, tensorsOf(ex, /*optimizerState=*/false, nullptr, modelSlices),
      {{kStateKey, stateJson(state)}});
}

Status loom::train::gatherModelSlices(StepExecutor &ex, bool optimizerState,
                                      ModelSlices &whole) {
  whole.clear();
  std::vector<std::string> names;
  for (const ParamRecord &p : ex.artifact().params)
    names.push_back(p.name);
  if (optimizerState)
    for (const OptStateRecord &o : ex.artifact().optState)
      names.push_back(o.name);
  for (const std::string &name : names)
    if (ex.isModelSlice(name))
      if (Status s = ex.gatherModelSlice(name, whole[name]); !s)
        return s;
  return Status();
}

StatusOr<int64_t> loom::train::loadMatchingParameters(StepExecutor &ex,
                                                      const std::string &path) {
  StatusOr<std::string> file = resolveCheckpoint(path);
  if (!file)
    return file.status();
  StatusOr<Safetensors> st = readSafetensors(*file);
  if (!st)
    return st.status();
  int64_t copied = 0;
  for (const ParamRecord &p : ex.artifact().params) {
    const SafetensorsEntry *e = st->find(p.name);
    if (!e)
      continue;
    Split split;
    uint64_t size = ex.isModelSlice(p.name, &split)
                        ? p.size * static_cast<uint64_t>(split.ranks)
                        : p.size;
    if (e->dtype != p.dtype || e->shape != p.shape || e->size != size)
      return Status::error(*file + ": tensor '" + p.name + "' is " +
                           dtypeName(e->dtype) + shapeText(e->shape) +
                           " but the model's is " + dtypeName(p.dtype) +
                           shapeText(p.shape));
  }
  for (const ParamRecord &p : ex.artifact().params)
    if (const SafetensorsEntry *e = st->find(p.name)) {
      if (ex.isModelSlice(p.name))
        ex.scatterModelSlice(p.name, st->data(*e));
      else
        std::memcpy(ex.parameter(p.name), st->data(*e), p.size);
      ++copied;
    }
  return copied;
}

Status
loom::train::gatherOptimizerState(StepExecutor &ex,
                                  std::vector<std::vector<uint8_t>> &whole) {
  whole.clear();
  if (!ex.optStateSharded())
    return Status();
  for (const OptStateRecord &s : ex.artifact().optState) {
    whole.emplace_back();
    if (ex.optStateIsSlice(s))
      if (Status st = ex.gatherOptState(s, whole.back()); !st)
        return st;
  }
  return Status();
}

StatusOr<std::string>
loom::train::saveState(StepExecutor &ex, const TrainState &state,
                       const std::string &dir, unsigned keep,
                       const std::vector<std::vector<uint8_t>> *wholeState,
                       const ModelSlices *modelSlices) {
  if (ex.optStateSharded() &&
      (!wholeState || wholeState->size() != ex.artifact().optState.size()))
    return Status::error("internal error: a checkpoint of a sharded "
                         "optimizer state needs its whole tensors gathered "
                         "(gatherOptimizerState)");
  std::map<std::string, std::string> meta = {{kStateKey, stateJson(state)}};
  return saveCheckpoint(dir, static_cast<uint64_t>(state.step),
                        tensorsOf(ex, /*optimizerState=*/true,
                                  ex.optStateSharded() ? wholeState : nullptr,
                                  modelSlices),
                        meta, keep);
}

StatusOr<TrainState> loom::train::loadState(StepExecutor &ex,
                                            const std::string &pathOrDir,
                                            Restore what, std::string *file) {
  StatusOr<std::string> path = resolveCheckpoint(pathOrDir);
  if (!path)
    return path.status();
  StatusOr<Safetensors> st = readSafetensors(*path);
  if (!st)
    return st.status();
  auto it = st->metadata().find(kStateKey);
  if (it == st->metadata().end())
    return Status::error(*path + ": not a Loom training checkpoint (no '" +
                         std::string(kStateKey) + "' metadata)");
  StatusOr<TrainState> state = parseStateJson(it->second, *path);
  if (!state)
    return state.status();
  // Check every tensor before writing any: a mismatch loses nothing.
  struct Move {
    void *to;
    const uint8_t *from;
    uint64_t size;
    /// A sharded state tensor: this rank's slice of `from` goes to it.
    const OptStateRecord *slice = nullptr;
    /// A slice of a tensor split over the model axis: this rank's slice
    /// of the whole at `from` goes to it.
    std::string modelSlice;
  };
  std::vector<Move> moves;
  bool hasOptimizerState = false;
  for (const OptStateRecord &o : ex.artifact().optState)
    hasOptimizerState |= st->find(o.name) != nullptr;
  auto take = [&](const std::string &name, DType dtype,
                  const std::vector<int64_t> &shape, void *to, uint64_t size,
                  bool optimizerState) -> Status {
    const SafetensorsEntry *e = st->find(name);
    if (!e && optimizerState && !hasOptimizerState) {
      // A run's final model lies next to its checkpoints/ directory.
      size_t slash = path->rfind('/');
      std::string dir =
          (slash == std::string::npos ? "" : path->substr(0, slash + 1)) +
          "checkpoints";
      struct stat info;
      bool there = stat(dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
      return Status::error(
          *path +
          ": holds the parameters alone (a final model), not the optimizer "
          "state that resuming needs; resume from " +
          (there ? dir : "a checkpoint of the run's checkpoints/ directory"));
    }
    if (!e)
      return Status::error(*path + ": has no tensor '" + name +
                           "', which this model needs");
    if (e->dtype != dtype || e->shape != shape || e->size != size)
      return Status::error(*path + ": tensor '" + name + "' is " +
                           dtypeName(e->dtype) + shapeText(e->shape) +
                           " but the model's is " + dtypeName(dtype) +
                           shapeText(shape));
    moves.push_back({to, st->data(*e), size, nullptr, std::string()});
    return Status();
  };
  // A slice of a tensor split over the model axis: the checkpoint holds
  // the whole (of any mesh), this rank takes its slice (reshard on load).
  auto wholeBytes = [&](const std::string &name, uint64_t size) {
    Split split;
    return ex.isModelSlice(name, &split)
               ? size * static_cast<uint64_t>(split.ranks)
               : size;
  };
  auto markSlice = [&](const std::string &name) {
    if (ex.isModelSlice(name))
      moves.back().modelSlice = name;
  };
  for (const ParamRecord &p : ex.artifact().params) {
    if (Status s = take(p.name, p.dtype, p.shape, ex.parameter(p.name),
                        wholeBytes(p.name, p.size), false);
        !s)
      return s;
    markSlice(p.name);
  }
  if (what == Restore::Everything)
    for (const OptStateRecord &o : ex.artifact().optState) {
      // A sharded state is saved whole (its parameter's shape); this rank
      // takes its slice.
      const ParamRecord *p = ex.optStateIsSlice(o) ? ex.paramOf(o) : nullptr;
      if (Status s = p ? take(o.name, o.dtype, p->shape, nullptr, p->size, true)
                       : take(o.name, o.dtype, o.shape, ex.optState(o.name),
                              wholeBytes(o.name, o.size), true);
          !s)
        return s;
      if (p)
        moves.back().slice = &o;
      else
        markSlice(o.name);
    }
  for (const Move &m : moves)
    if (m.slice)
      ex.scatterOptState(*m.slice, m.from);
    else if (!m.modelSlice.empty())
      ex.scatterModelSlice(m.modelSlice, m.from);
    else
      std::memcpy(m.to, m.from, m.size);
  if (file)
    *file = *path;
  return state;
}
