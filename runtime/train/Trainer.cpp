//===- Trainer.cpp - loom train's loop ------------------------------------===//
//
// Part of Loom. See Trainer.h. The run: open the data the recipe names,
// initialize or resume, then for each step fill the batch, run the step,
// log, and at the recipe's cadence evaluate and checkpoint; at the end
// evaluate on the whole validation split (and the test set), checkpoint,
// and write the summary.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Trainer.h"

#include "runtime/exec/Executor.h"
#include "runtime/report/MetricsLog.h"
#include "runtime/report/Plot.h"
#include "runtime/report/Progress.h"
#include "runtime/report/Summary.h"
#include "runtime/train/Evaluate.h"
#include "runtime/train/Profile.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sys/stat.h>

using namespace loom;
using namespace loom::train;

namespace {

using Clock = std::chrono::steady_clock;

std::string fixed(double v, int digits = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

/// Creates `dir` and its parents.
Status makeDirs(const std::string &dir) {
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!partial.empty() && mkdir(partial.c_str(), 0777) != 0 &&
          errno != EEXIST)
        return Status::error("cannot create '" + partial +
                             "': " + std::strerror(errno));
    }
    if (i < dir.size())
      partial += dir[i];
  }
  return Status();
}

class Trainer {
public:
  Trainer(const TrainOptions &options, std::ostream &out, std::ostream &err)
      : opt(options), out(out), err(err) {}

  int run(Artifact artifact);

private:
  Status setup(Artifact artifact);
  Status resume();
  Status trainSteps();
  /// Fills the step's inputs for step `s` (0-based) and runs it.
  Status runStep(int64_t s, bool checkFinite, int64_t *badKernel = nullptr);
  Status evaluateNow(bool final);
  Status saveNow();
  /// After a NaN or infinity at step `s`: replays from the last checkpoint
  /// with every kernel checked, and says where it first appeared.
  void diagnose(int64_t s, double loss, double norm);
  bool due(const Cadence &c, int64_t done) const;
  int64_t epochOf(int64_t done) const;
  void say(const std::string &line);
  Status log(const LogRecord &r);
  void plotNow();

  const TrainOptions &opt;
  std::ostream &out, &err;
  std::unique_ptr<StepExecutor> ex;
  Recipe recipe;
  std::unique_ptr<data::BatchSource> data, test;
  int64_t batch = 0, total = 0, classes = 0, itemsPerExample = 1;
  std::string itemUnit = "samples";
  std::string outDir, checkpointDir;
  TrainState state;
  std::vector<std::pair<int64_t, float>> scaleFrom; ///< lr scale changes
  std::string lastCheckpoint;
  MetricsLog metrics;
  TrainingPlot plot;
  std::optional<ProgressLine> progress;
  bool terminal = false;
  double lastLoss = NAN, lastValLoss = NAN;
  std::vector<std::pair<std::string, double>> lastMetrics;
  Clock::time_point start, lastPlot;
  int64_t firstStep = 0;
};

void Trainer::say(const std::string &line) {
  if (opt.json || opt.quiet)
    return;
  if (progress && terminal)
    out << progress->clear();
  out << line << "\n";
  out.flush();
}

Status Trainer::log(const LogRecord &r) {
  if (opt.json) {
    out << r.json() << "\n";
    out.flush();
  }
  return metrics.write(r);
}

int64_t Trainer::epochOf(int64_t done) const {
  int64_t n = data->trainSize();
  return n > 0 ? done * batch / n : 0;
}

bool Trainer::due(const Cadence &c, int64_t done) const {
  if (c.every <= 0 || done <= 0)
    return false;
  if (!c.epochs)
    return done % c.every == 0;
  int64_t e = epochOf(done);
  return e != epochOf(done - 1) && e % c.every == 0;
}

Status Trainer::setup(Artifact artifact) {
  StatusOr<Recipe> r = parseRecipe(artifact.recipe, opt.name);
  if (!r)
    return r.status();
  recipe = std::move(*r);
  state.artifactHash = hashText(artifact.meta.contentHash);
  state.artifactPath = opt.artifactPath;
  StatusOr<std::unique_ptr<StepExecutor>> e =
      StepExecutor::create(std::move(artifact), opt.name);
  if (!e)
    return e.status();
  ex = std::move(*e);
  if (opt.profile)
    ex->enableProfiling();
  StatusOr<int64_t> c = outputClasses(*ex, opt.name);
  if (!c)
    return c.status();
  classes = *c;
  const IoRecord *xr = nullptr;
  if (!ex->input("x", &xr) || !ex->input("y") || xr->shape.empty())
    return Status::error(opt.name + ": the step has no inputs x and y");
  batch = xr->shape[0];

  data::DataSpec spec = recipe.data;
  if (opt.full)
    spec.fraction = 1.0;
  state.seed = opt.seed ? *opt.seed : recipe.seed;
  StatusOr<std::unique_ptr<data::BatchSource>> d =
      data::openTrainingData(spec, xr->shape, classes, state.seed);
  if (!d)
    return d.status();
  data = std::move(*d);
  if (data->tokenInputs()) {
    itemsPerExample = xr->shape.back();
    itemUnit = "tok";
  }
  if (recipe.test) {
    StatusOr<std::unique_ptr<data::BatchSource>> t =
        data::openTrainingData(*recipe.test, xr->shape, classes, state.seed);
    if (!t)
      return t.status();
    test = std::move(*t);
  }
  if (opt.steps)
    total = *opt.steps;
  else if (recipe.steps)
    total = *recipe.steps;
  else
    total = (*recipe.epochs * data->trainSize() + batch - 1) / batch;

  outDir =
      !opt.outDir.empty()
          ? opt.outDir
          : "runs/" + (recipe.name.empty() ? std::string("run") : recipe.name);
  checkpointDir = outDir + "/checkpoints";
  if (Status s = makeDirs(outDir); !s)
    return s;
  plot.setTitle(recipe.name);
  return Status();
}

/// Reads the metrics a resumed run logged before, for the plot.
void replotFrom(const std::string &path, TrainingPlot &plot) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j =
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("step") ||
        !j["step"].is_number())
      continue;
    double step = j["step"].get<double>();
    std::string kind = j.value("kind", "");
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!it->is_number() || it.key() == "step" || it.key() == "epoch")
        continue;
      double v = it->get<double>();
      if (kind == "train" && it.key() == "loss")
        plot.add(TrainingPlot::Panel::Loss, "train loss", step, v);
      else if (kind == "eval" && it.key() == "loss")
        plot.add(TrainingPlot::Panel::Loss, "val loss", step, v);
      else if (kind == "eval" && (it.key() == "accuracy" ||
                                  it.key() == "macro_f1" || it.key() == "f1"))
        plot.add(TrainingPlot::Panel::Metrics, it.key(), step, v);
    }
  }
}

Status Trainer::resume() {
  std::string file;
  StatusOr<TrainState> s =
      loadState(*ex, opt.resume, Restore::Everything, &file);
  if (!s)
    return s.status();
  if (!s->artifactHash.empty() && s->artifactHash != state.artifactHash)
    err << "loom train: note: " << file
        << " was written by another compiled step (artifact " << s->artifactHash
        << ", this one " << state.artifactHash
        << "); the tensors fit, but the run is bit-exact only with the same "
           "step\n";
  if (opt.seed && *opt.seed != s->seed)
    return Status::error(file + ": the checkpoint's run has seed " +
                         std::to_string(s->seed) + ", not " +
                         std::to_string(*opt.seed) + "; resume without --seed");
  std::string hash = state.artifactHash, path = state.artifactPath;
  state = *s;
  state.artifactHash = hash;
  state.artifactPath = path;
  scaleFrom = {{0, 1.0f}, {state.step, state.lrScale}};
  lastCheckpoint = file;
  // A fresh data source for the checkpoint's seed (the shuffle depends on it).
  if (state.seed != (opt.seed ? *opt.seed : recipe.seed)) {
    data::DataSpec spec = recipe.data;
    if (opt.full)
      spec.fraction = 1.0;
    const IoRecord *xr = nullptr;
    ex->input("x", &xr);
    StatusOr<std::unique_ptr<data::BatchSource>> d =
        data::openTrainingData(spec, xr->shape, classes, state.seed);
    if (!d)
      return d.status();
    data = std::move(*d);
  }
  say("resuming from " + file + " at step " + std::to_string(state.step));
  return Status();
}

Status Trainer::runStep(int64_t s, bool checkFinite, int64_t *badKernel) {
  void *x = ex->input("x");
  auto *y = static_cast<int32_t *>(ex->input("y"));
  if (Status st = data->fill(s, batch, x, y); !st)
    return st;
  if (auto *step = static_cast<int64_t *>(ex->input("step")))
    *step = s;
  if (auto *rng = static_cast<int64_t *>(ex->input("rng"))) {
    rng[0] = static_cast<int64_t>(state.seed);
    rng[1] = s;
  }
  if (auto *scale = static_cast<float *>(ex->input("lr_scale"))) {
    float v = 1.0f;
    for (const auto &[from, f] : scaleFrom)
      if (from <= s)
        v = f;
    *scale = v;
  }
  if (!checkFinite)
    return ex->step();
  StatusOr<int64_t> bad = ex->runCheckingFinite("train");
  if (!bad)
    return bad.status();
  *badKernel = *bad;
  return Status();
}

std::string numberText(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  return fixed(v);
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
  if (!lastCheckpoint.empty()) {
    StatusOr<TrainState> back =
        loadState(*ex, lastCheckpoint, Restore::Everything);
    if (back)
      from = back->step;
    else
      st = back.status();
  } else {
    st = ex->initialize(state.seed);
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
    const KernelAttr *loc = k.attr("source_loc"), *op = k.attr("source_op");
    err << "  the first NaN or infinity comes from kernel " << bad << " ("
        << (op ? op->s + ", " : "") << k.kind
        << (k.symbol.empty() ? "" : " " + k.symbol) << ")"
        << (loc ? " at " + loc->s : "") << "\n";
  }
  if (!lastCheckpoint.empty())
    err << "  the last good checkpoint is " << lastCheckpoint << "\n";
  else
    err << "  no checkpoint was written\n";
}

Status Trainer::evaluateNow(bool final) {
  bool onTest = recipe.evalOn == "test";
  data::BatchSource *src = onTest ? test.get() : data.get();
  if (!src || src->validationSize() == 0)
    return Status();
  StatusOr<EvalResult> r = evaluate(*ex, *src, final ? 0 : opt.evalBatches);
  if (!r)
    return r.status();
  double loss = r->loss.mean();
  LogRecord rec(LogRecord::Kind::Eval, state.step, epochOf(state.step));
  rec.set("split", onTest ? "test" : "val");
  rec.set("examples", r->examples);
  rec.set("loss", loss);
  std::string line =
      (final ? "final eval" : "eval") + std::string(" at step ") +
      std::to_string(state.step) + " on " + (onTest ? "test" : "val") + " (" +
      std::to_string(r->examples) + " " +
      (itemUnit == "tok" ? "windows" : "examples") + "): loss " + fixed(loss);
  lastMetrics.clear();
  auto metric = [&](const char *name, const char *label, double v,
                    bool percent = false) {
    rec.set(name, v);
    lastMetrics.push_back({name, v});
    line += std::string("  ") + label + " " +
            (percent ? fixed(100 * v, 2) + "%" : fixed(v));
  };
  if (recipe.wants("perplexity"))
    metric("perplexity", "perplexity", std::exp(loss));
  if (recipe.wants("accuracy"))
    metric("accuracy", "accuracy", r->confusion.accuracy(), true);
  for (const ClassMetric &m : classMetrics(*r))
    if (recipe.wants(m.name))
      metric(m.key.c_str(), m.name.c_str(), m.value);
  if (Status s = log(rec); !s)
    return s;
  say(line);
  plot.add(TrainingPlot::Panel::Loss, "val loss", double(state.step), loss);
  for (const auto &[name, v] : lastMetrics)
    if (name == "accuracy" || name == "macro_f1" || name == "f1")
      plot.add(TrainingPlot::Panel::Metrics, name, double(state.step), v);
  lastValLoss = loss;
  if (state.bestValStep < 0 || loss < state.bestValLoss) {
    state.bestValLoss = loss;
    state.bestValStep = state.step;
  }
  // reduce_on_plateau (torch.optim.lr_scheduler.ReduceLROnPlateau, mode
  // min, relative threshold 1e-4, no cooldown).
  if (recipe.schedule == "reduce_on_plateau" && !final) {
    if (!state.plateauSeen || loss < state.plateauBest * (1 - 1e-4)) {
      state.plateauBest = loss;
      state.plateauBad = 0;
      state.plateauSeen = true;
    } else if (++state.plateauBad > recipe.plateauPatience) {
      state.lrScale *= static_cast<float>(recipe.plateauFactor);
      state.plateauBad = 0;
      scaleFrom.push_back({state.step, state.lrScale});
      say("validation loss has not improved for " +
          std::to_string(recipe.plateauPatience + 1) +
          " evaluations: learning rate scaled by " +
          fixed(recipe.plateauFactor, 3));
    }
  }
  bool classifier =
      recipe.wants("precision") || recipe.wants("recall") || recipe.wants("f1");
  if (final && classifier && !opt.json && !opt.quiet) {
    std::vector<std::string> names = src->classNames();
    out << "\n"
        << r->confusion.renderReport(names) << "\nconfusion matrix "
        << "(rows: true class, columns: predicted):\n"
        << r->confusion.renderMatrix(names, "  ") << "\n";
  }
  plotNow();
  return Status();
}

void Trainer::plotNow() {
  if (Status s = plot.write(outDir + "/plot.svg"); !s)
    err << "loom train: warning: " << s.message() << "\n";
  lastPlot = Clock::now();
}

Status Trainer::saveNow() {
  StatusOr<std::string> path =
      saveState(*ex, state, checkpointDir, static_cast<unsigned>(recipe.keep));
  if (!path)
    return path.status();
  lastCheckpoint = *path;
  say("checkpoint " + *path);
  return Status();
}

Status Trainer::trainSteps() {
  for (int64_t s = state.step; s < total; ++s) {
    if (Status st = runStep(s, false); !st)
      return st;
    double loss = ex->scalarOutput("loss"), lr = ex->scalarOutput("lr"),
           norm = ex->scalarOutput("grad_norm");
    if (!std::isfinite(loss) ||
        (ex->output("grad_norm") && !std::isfinite(norm))) {
      LogRecord rec(LogRecord::Kind::Train, s + 1, epochOf(s + 1));
      rec.set("loss", loss).set("grad_norm", norm).set("error", "non-finite");
      (void)log(rec);
      if (progress && terminal && !opt.quiet && !opt.json)
        out << progress->finish();
      diagnose(s, loss, norm);
      return Status::error("");
    }
    state.step = s + 1;
    lastLoss = loss;
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    double rate = seconds > 0 ? (state.step - firstStep) * batch *
                                    itemsPerExample / seconds
                              : 0;
    LogRecord rec(LogRecord::Kind::Train, state.step, epochOf(state.step));
    rec.set("loss", loss).set("lr", lr);
    if (ex->output("grad_norm"))
      rec.set("grad_norm", norm);
    rec.set("items_per_second", rate).set("seconds", seconds);
    if (Status st = log(rec); !st)
      return st;
    plot.add(TrainingPlot::Panel::Loss, "train loss", double(state.step), loss);
    if (!opt.quiet && !opt.json) {
      ProgressUpdate u;
      u.step = state.step;
      u.totalSteps = total;
      if (recipe.epochs)
        u.epoch = epochOf(state.step - 1) + 1;
      u.loss = loss;
      u.lr = lr;
      u.itemsPerSecond = rate;
      u.itemUnit = itemUnit;
      u.elapsedSeconds = seconds;
      int64_t every = std::max<int64_t>(1, total / 20);
      if (terminal || state.step % every == 0 || state.step == total ||
          state.step == firstStep + 1) {
        out << progress->render(u);
        out.flush();
      }
    }
    bool last = state.step == total;
    if (!last && due(recipe.eval, state.step))
      if (Status st = evaluateNow(false); !st)
        return st;
    if (!last && due(recipe.checkpoint, state.step))
      if (Status st = saveNow(); !st)
        return st;
    if (std::chrono::duration<double>(Clock::now() - lastPlot).count() > 10)
      plotNow();
  }
  return Status();
}

int Trainer::run(Artifact artifact) {
  auto fail = [&](const Status &s) {
    if (!s.message().empty())
      err << "loom train: error: " << s.message() << "\n";
    return 1;
  };
  if (Status s = setup(std::move(artifact)); !s)
    return fail(s);
  if (opt.resume.empty()) {
    if (Status s = ex->initialize(state.seed); !s)
      return fail(s);
    scaleFrom = {{0, 1.0f}};
    if (!recipe.initFrom.empty()) {
      StatusOr<int64_t> n = loadMatchingParameters(*ex, recipe.initFrom);
      if (!n)
        return fail(n.status());
      say("initialized " + std::to_string(*n) + " of " +
          std::to_string(ex->artifact().params.size()) + " parameters from " +
          recipe.initFrom);
    }
  } else if (Status s = resume(); !s) {
    return fail(s);
  }
  firstStep = state.step;
  std::string logPath = outDir + "/metrics.jsonl";
  if (Status s = opt.resume.empty() ? metrics.open(logPath)
                                    : metrics.open(logPath, state.step);
      !s)
    return fail(s);
  if (!opt.resume.empty())
    replotFrom(logPath, plot);
  terminal = isTerminal(1) && !opt.json;
  progress.emplace(terminal, firstStep, terminal ? terminalWidth(1) : 80);
  say("training " + opt.name + ": " + data->describe() + ", " +
      std::to_string(data->validationSize()) + " validate; " +
      std::to_string(total) + " steps of batch " + std::to_string(batch) +
      "; output in " + outDir);
  start = lastPlot = Clock::now();
  if (Status s = trainSteps(); !s)
    return fail(s);
  if (progress && terminal && !opt.quiet && !opt.json)
    out << progress->finish();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  if (state.step > firstStep || opt.resume.empty()) {
    if (Status s = evaluateNow(true); !s)
      return fail(s);
    if (Status s = saveNow(); !s)
      return fail(s);
  }
  // The final model, under a stable name (what init_from names).
  std::string model = outDir + "/" +
                      (recipe.name.empty() ? "model" : recipe.name) +
                      ".safetensors";
  if (Status s = saveStateAs(*ex, state, model); !s)
    return fail(s);
  RunSummary summary;
  summary.steps = state.step;
  if (recipe.epochs)
    summary.epochs = epochOf(state.step);
  summary.seconds = seconds;
  if (seconds > 0)
    summary.itemsPerSecond =
        double(state.step - firstStep) * batch * itemsPerExample / seconds;
  summary.itemUnit = itemUnit;
  if (std::isfinite(lastLoss))
    summary.finalTrainLoss = lastLoss;
  if (state.bestValStep >= 0) {
    summary.bestValLoss = state.bestValLoss;
    summary.bestValStep = state.bestValStep;
  }
  if (std::isfinite(lastValLoss))
    summary.finalValLoss = lastValLoss;
  summary.metrics = lastMetrics;
  summary.checkpoint = model;

  // The held-out test set, once, at the end.
  if (test && recipe.evalOn != "test") {
    StatusOr<EvalResult> r = evaluate(*ex, *test, 0);
    if (!r)
      return fail(r.status());
    LogRecord rec(LogRecord::Kind::Eval, state.step, epochOf(state.step));
    rec.set("split", "test").set("examples", r->examples);
    rec.set("loss", r->loss.mean()).set("accuracy", r->confusion.accuracy());
    rec.set("macro_f1", r->confusion.macroF1());
    if (Status s = log(rec); !s)
      return fail(s);
    summary.metrics.push_back({"test_loss", r->loss.mean()});
    summary.metrics.push_back({"test_accuracy", r->confusion.accuracy()});
    say("test set (" + std::to_string(r->examples) + " examples): loss " +
        fixed(r->loss.mean()) + "  accuracy " +
        fixed(100 * r->confusion.accuracy(), 2) + "%");
  }
  if (Status s = log(summaryRecord(summary)); !s)
    return fail(s);
  if (Status s = metrics.close(); !s)
    return fail(s);
  plotNow();
  {
    std::ofstream f(outDir + "/summary.json");
    f << summaryJson(summary) << "\n";
    if (!f)
      return fail(Status::error("cannot write " + outDir + "/summary.json"));
  }
  if (!opt.json) {
    out << "\n";
    for (const std::string &line : summaryLines(summary))
      out << line << "\n";
  }
  if (opt.profile)
    for (const std::string &line : profileLines(
             ex->artifact(), ex->kernelSeconds(), ex->kernelRuns(), 15))
      (opt.json ? err : out) << line << "\n";
  return 0;
}

} // namespace

int loom::train::trainArtifact(Artifact artifact, const TrainOptions &options,
                               std::ostream &out, std::ostream &err) {
  Trainer t(options, out, err);
  return t.run(std::move(artifact));
}
