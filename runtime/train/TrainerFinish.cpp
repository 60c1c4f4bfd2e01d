//===- TrainerFinish.cpp - loom train's checkpoints and ending ----------===//
//
// Part of Loom. See Loop.h. Checkpoints, the diagnosis after a NaN or
// infinity, and the end of a run: the final evaluation and checkpoint, the
// final model, the test set, the summary.
//
//===----------------------------------------------------------------------===//

#include "runtime/File.h"
#include "runtime/data/CsvPrep.h"
#include "runtime/train/Interrupt.h"
#include "runtime/train/Loop.h"
#include "runtime/train/Profile.h"

#include <algorithm>
#include <cstring>

using namespace loom;
using namespace loom::train;

namespace {

std::string numberText(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  return fixed(v);
}

/// Whether a floating-point element is NaN or infinite: its exponent bits
/// are all set.
bool nonFinite(const uint8_t *p, DType dtype, uint64_t i) {
  switch (dtype) {
  case DType::F32: {
    uint32_t v;
    std::memcpy(&v, p + 4 * i, 4);
    return (v & 0x7f800000u) == 0x7f800000u;
  }
  case DType::F64: {
    uint64_t v;
    std::memcpy(&v, p + 8 * i, 8);
    return (v & 0x7ff0000000000000ull) == 0x7ff0000000000000ull;
  }
  case DType::F16:
  case DType::BF16: {
    uint16_t v;
    std::memcpy(&v, p + 2 * i, 2);
    uint16_t mask = dtype == DType::F16 ? 0x7c00 : 0x7f80;
    return (v & mask) == mask;
  }
  default:
    return false;
  }
}

/// The first parameter or optimizer-state tensor of `ex` that holds a NaN
/// or an infinity; empty if every one is finite.
std::string firstNonFiniteTensor(StepExecutor &ex) {
  auto bad = [&](void *at, DType dtype, uint64_t size) {
    uint64_t n = size / std::max<uint64_t>(dtypeSize(dtype), 1);
    for (uint64_t i = 0; at && i < n; ++i)
      if (nonFinite(static_cast<const uint8_t *>(at), dtype, i))
        return true;
    return false;
  };
  for (const ParamRecord &p : ex.artifact().params)
    if (bad(ex.parameter(p.name), p.dtype, p.size))
      return p.name;
  for (const OptStateRecord &o : ex.artifact().optState)
    if (bad(ex.optState(o.name), o.dtype, o.size))
      return o.name;
  return std::string();
}

} // namespace

Status Trainer::writePrep() {
  const data::PrepOutcome *prep = data->prep();
  if (!prep)
    return Status();
  nlohmann::json report = prep->json();
  prepLines = prep->lines();
  if (const data::PrepOutcome *t = test ? test->prep() : nullptr) {
    report["test"] = t->json()["test"];
    for (const std::string &line : t->lines())
      prepLines.push_back(line);
  }
  // Names and text come from the data file, which need not be UTF-8.
  auto dump = [](const nlohmann::json &j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  prepReport = dump(report, -1);
  if (!writes())
    return Status();
  nlohmann::json file = {{"steps", prep->steps},
                         {"fitted", data::prepToJson(*prep->fitted)},
                         {"report", report}};
  return writeFileAtomically(outDir + "/prep.json", dump(file, 2) + "\n");
}

void Trainer::diagnose(int64_t s, double loss, double norm) {
  err << "loom train: error: step " << s + 1 << ": the "
      << (std::isfinite(loss) ? "gradient norm is " + numberText(norm)
                              : "loss is " + numberText(loss))
      << "; training stops\n";
  // Replay from the last checkpoint (or the initialization) with every
  // kernel checked: the run is deterministic, so the same value appears.
  int64_t from = 0;
  Status st;
  // The tensor of the last checkpoint that is not finite, if one is (a run
  // resumed from it): the values were bad before the replay starts.
  std::string badTensor;
  if (!lastCheckpoint.empty()) {
    StatusOr<TrainState> back =
        loadState(*ex, lastCheckpoint, Restore::Everything);
    if (back) {
      from = back->step;
      badTensor = firstNonFiniteTensor(*ex);
    } else {
      st = back.status();
    }
  } else {
    st = ex->initialize(state.seed);
  }
  if (!badTensor.empty()) {
    err << "  the last checkpoint, " << lastCheckpoint
        << ", holds a NaN or infinity already (in '" << badTensor
        << "'); resume from an earlier one or start again\n";
    return;
  }
  const int64_t kMaxReplay = 5000;
  int64_t bad = -1;
  if (st.ok() && s - from <= kMaxReplay) {
    for (int64_t r = from; r < s && st.ok(); ++r)
      st = runStep(r, false);
    if (st.ok())
      st = runStep(s, true, &bad);
  }
  if (!st.ok()) {
    err << "  (could not replay the step to find the op: " << st.message()
        << ")\n";
  } else if (s - from > kMaxReplay) {
    err << "  (the last checkpoint is " << s - from
        << " steps back; checkpoint more often to find the op)\n";
  } else if (bad >= 0) {
    const KernelRecord &k = ex->artifact().kernels[bad];
    const KernelAttr *loc = k.attr("source_loc");
    std::string op = k.sourceOp();
    err << "  the first NaN or infinity comes from kernel " << bad << " ("
        << (op.empty() ? "" : op + ", ") << k.kind
        << (k.symbol.empty() ? "" : " " + k.symbol) << ")"
        << (loc ? " at " + loc->s : "") << "\n";
  }
  // Read back above, its tensors finite.
  if (!lastCheckpoint.empty() && st.ok())
    err << "  the last good checkpoint is " << lastCheckpoint << "\n";
  else if (!lastCheckpoint.empty())
    err << "  the last checkpoint is " << lastCheckpoint << "\n";
  else
    err << "  no checkpoint was written\n";
}

Status Trainer::saveNow() {
  // A sharded optimizer state is gathered whole, by every rank.
  std::vector<std::vector<uint8_t>> wholeState;
  if (Status s = gatherOptimizerState(*ex, wholeState); !s)
    return s;
  // So are the slices of tensors split over the model axis.
  ModelSlices modelSlices;
  if (Status s = gatherModelSlices(*ex, /*optimizerState=*/true, modelSlices);
      !s)
    return s;
  // Rank 0 writes; the others wait for it before they go on.
  std::string place = "the checkpoint of step " + std::to_string(state.step);
  if (!writes()) {
    // The other ranks replay from it after a NaN (diagnose) as rank 0 does:
    // the directory, whose latest it is once together() returns.
    lastCheckpoint = checkpointDir;
    lastCheckpointStep = state.step;
    return together(place);
  }
  StatusOr<std::string> path =
      saveState(*ex, state, checkpointDir, static_cast<unsigned>(recipe.keep),
                &wholeState, &modelSlices);
  if (!path)
    return path.status();
  lastCheckpoint = *path;
  lastCheckpointStep = state.step;
  say("checkpoint " + *path);
  return together(place);
}

Status Trainer::finish(double seconds) {
  bool worked = state.step > firstStep || opt.resume.empty();
  if (worked && !interrupted())
    if (Status s = evaluateNow(true); !s)
      return s;
  // Stopped before its first step, a run has nothing new to save.
  int signal = SignalCatcher::received();
  if (signal && state.step == firstStep)
    worked = false;
  if (worked && lastCheckpointStep != state.step)
    if (Status s = saveNow(); !s)
      return s;
  // The final model, under a stable name (what init_from names).
  std::string model = outDir + "/" +
                      (recipe.name.empty() ? "model" : recipe.name) +
                      ".safetensors";
  // Every rank gathers the slices of parameters split over the model axis.
  ModelSlices modelSlices;
  if (worked)
    if (Status s =
            gatherModelSlices(*ex, /*optimizerState=*/false, modelSlices);
        !s)
      return s;
  if (worked && writes())
    if (Status s = saveModel(*ex, state, model, &modelSlices); !s)
      return s;
  if (Status s =
          together("the final model of step " + std::to_string(state.step));
      !s)
    return s;
  RunSummary summary;
  summary.steps = state.step;
  if (recipe.epochs)
    summary.epochs = epochOf(state.step);
  summary.seconds = seconds;
  if (seconds > 0)
    summary.itemsPerSecond = double(state.step - firstStep) * globalBatch *
                             itemsPerExample / seconds;
  summary.itemUnit = itemUnit;
  if (std::isfinite(lastLoss))
    summary.finalTrainLoss = lastLoss;
  summary.evalSplit = recipe.evalOn;
  if (state.bestValStep >= 0) {
    summary.bestValLoss = state.bestValLoss;
    summary.bestValStep = state.bestValStep;
  }
  if (std::isfinite(lastValLoss))
    summary.finalValLoss = lastValLoss;
  summary.metrics = lastMetrics;
  if (worked)
    summary.checkpoint = model;
  summary.arenaBytes = ex->arenaBytes();
  for (const ParamRecord &p : ex->artifact().params)
    summary.parameterBytes += p.size;
  for (const OptStateRecord &s : ex->artifact().optState)
    summary.optimizerStateBytes += s.size;

  if (Status s = evaluateTest(summary); !s)
    return s;
  LogRecord record = summaryRecord(summary);
  signal = SignalCatcher::received();
  if (signal)
    record.set("interrupted", SignalCatcher::name(signal));
  if (Status s = log(record); !s)
    return s;
  if (!writes())
    return Status();
  if (Status s = metrics.close(); !s)
    return s;
  plotNow();
  std::string summaryText = record.json(2);
  if (!prepReport.empty()) {
    // What the prep steps did, beside the metrics.
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(summaryText);
    j["prep"] = nlohmann::ordered_json::parse(prepReport);
    summaryText =
        j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  if (Status s =
          writeFileAtomically(outDir + "/summary.json", summaryText + "\n");
      !s)
    return s;
  if (!opt.json) {
    out << "\n";
    for (const std::string &line : summaryLines(summary))
      out << line << "\n";
  }
  if (opt.profile) {
    for (const std::string &line :
         profileLines(ex->artifact(), ex->kernelSeconds(), ex->kernelRuns(),
                      ex->kernelThreadedRuns(), 15))
      (opt.json ? err : out) << line << "\n";
    // The all-reduces' own kernels (staging, start) are in the table; the
    // time the step waited for them to complete is not hidden by compute,
    // the rest of their time in flight ran behind other kernels.
    int64_t steps = state.step - firstStep;
    if (opt.ranks > 1 && steps > 0) {
      double flight = ex->communicationSeconds() / double(steps);
      double wait = ex->communicationWaitSeconds() / double(steps);
      double hidden =
          flight > 0 ? 100 * std::max(0.0, flight - wait) / flight : 0;
      (opt.json ? err : out)
          << "communication: all-reduces in flight " + fixed(1e3 * flight, 3) +
                 " ms per step, " + fixed(hidden, 1) +
                 "% of it hidden behind the kernels that ran meanwhile; "
                 "waited " +
                 fixed(1e3 * wait, 3) + " ms per step for them to complete\n";
    }
  }
  if (signal) {
    out.flush();
    err << "loom train: interrupted at step " << state.step;
    if (!lastCheckpoint.empty())
      err << ": checkpoint " << lastCheckpoint << "; resume with `"
          << opt.resumeCommand << " --resume " << checkpointDir << "`\n";
    else
      err << " before the first step; nothing was saved\n";
    err.flush();
  }
  return Status();
}
