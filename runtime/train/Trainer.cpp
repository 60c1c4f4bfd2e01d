//===- Trainer.cpp - loom train's loop ------------------------------------===//
//
// Part of Loom. See Trainer.h and Loop.h. The run: open the data the recipe
// names, initialize or resume, then for each step fill the batch, run the
// step, log, and at the recipe's cadence evaluate and checkpoint; then
// finish (TrainerFinish.cpp).
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Loop.h"

#include "runtime/File.h"
#include "runtime/comm/Comm.h"
#include "runtime/comm/Mesh.h"
#include "runtime/data/CsvPrep.h"
#include "runtime/train/Evaluate.h"
#include "runtime/train/Interrupt.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace loom;
using namespace loom::train;

std::string loom::train::fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void Trainer::say(const std::string &line) {
  if (opt.json || opt.quiet)
    return;
  if (progress && terminal)
    out << progress->clear();
  out << line << "\n";
  out.flush();
}

bool Trainer::interrupted() {
  int signal = SignalCatcher::received();
  if (!signal)
    return false;
  if (!saidInterrupted) {
    saidInterrupted = true;
    // In a data-parallel run mpirun sends SIGTERM when another rank died:
    // then this one stops at once, naming it.
    if (opt.ranks > 1)
      othersLost = comm::checkOthers();
    if (!othersLost)
      return true;
    if (progress && terminal && !opt.quiet && !opt.json)
      out << progress->finish();
    out.flush();
    err << "loom train: " << SignalCatcher::name(signal)
        << ": stopping at step " << state.step
        << " to save a checkpoint and the summary (a second one stops at "
           "once)\n";
    err.flush();
  }
  return true;
}

Status Trainer::together(const std::string &place) {
  if (opt.ranks == 1)
    return Status();
  comm::setPlace(place);
  return comm::barrier(kAloneSeconds);
}

Status Trainer::log(const LogRecord &r) {
  if (opt.json && opt.rank == 0) {
    out << r.json() << "\n";
    out.flush();
  }
  if (!writes())
    return Status();
  return metrics.write(r);
}

int64_t Trainer::epochOf(int64_t done) const {
  int64_t n = data->trainSize();
  return n > 0 ? done * globalBatch / n : 0;
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
  // The ranks of a model axis share each batch: rank r is at (r / M,
  // r % M) of the mesh (data, model) (runtime/comm/Mesh.h).
  int64_t modelRanks = modelRanksOf(ex->artifact());
  comm::Mesh mesh{{"data", "model"},
                  {std::max<int64_t>(1, opt.ranks / modelRanks), modelRanks}};
  dataRank = static_cast<int>(mesh.coordinate(opt.rank, 0));
  modelRank = static_cast<int>(mesh.coordinate(opt.rank, 1));
  dataRanks = static_cast<int>(mesh.sizes[0]);
  globalBatch = batch * dataRanks;
  if (recipe.dataRanks * modelRanks != opt.ranks)
    return Status::error(
        opt.name + ": the step is compiled for " +
        std::to_string(recipe.dataRanks * modelRanks) + " rank" +
        (recipe.dataRanks * modelRanks == 1 ? "" : "s") +
        (modelRanks > 1
             ? " (" + std::to_string(modelRanks) + " on the mesh's model axis)"
             : std::string(" of the mesh's data axis")) +
        ", but this run has " + std::to_string(opt.ranks) +
        (opt.ranks == 1 ? "; run it under mpirun -n " +
                              std::to_string(recipe.dataRanks * modelRanks)
                        : "; compile the .loom program for them"));

  data::DataSpec spec = recipe.data;
  if (opt.full)
    spec.fraction = 1.0;
  state.seed = opt.seed ? *opt.seed : recipe.seed;
  state.examples = 0;
  state.ranks = dataRanks;
  StatusOr<std::unique_ptr<data::BatchSource>> d =
      data::openTrainingData(spec, xr->shape, classes, state.seed);
  if (!d)
    return d.status();
  data = std::move(*d);
  if (const data::PrepOutcome *prep = data->prep())
    state.prep = data::prepToJson(*prep->fitted).dump();
  if (data->tokenInputs()) {
    itemsPerExample = xr->shape.back();
    itemUnit = "tok";
  }
  state.classNames = data->classNames();
  if (recipe.test) {
    // A test set's class names are numbered as the training data's are.
    data::DataSpec testSpec = *recipe.test;
    if (testSpec.labelSpec.kind == data::LabelSpec::Kind::Names &&
        testSpec.labelSpec.names.empty()) {
      testSpec.labelSpec.names = state.classNames;
      testSpec.labelSpec.namesFrom =
          "the classes of the training data " + recipe.data.path;
    }
    // The test rows get the statistics the training rows were fitted with.
    if (const data::PrepOutcome *prep = data->prep())
      testSpec.fitted = prep->fitted;
    StatusOr<std::unique_ptr<data::BatchSource>> t =
        data::openTrainingData(testSpec, xr->shape, classes, state.seed);
    if (!t)
      return t.status();
    test = std::move(*t);
  }
  if (opt.steps)
    total = *opt.steps;
  else if (recipe.steps)
    total = *recipe.steps;
  else
    total =
        (*recipe.epochs * data->trainSize() + globalBatch - 1) / globalBatch;

  outDir =
      !opt.outDir.empty()
          ? opt.outDir
          : "runs/" + (recipe.name.empty() ? std::string("run") : recipe.name);
  checkpointDir = outDir + "/checkpoints";
  if (writes())
    if (Status s = makeDirectories(outDir); !s)
      return s;
  plot.setTitle(recipe.name);
  return writePrep();
}

Status Trainer::resume() {
  std::string file;
  StatusOr<TrainState> s = loadState(
      *ex, opt.resume,
      opt.evaluateOnly ? Restore::Parameters : Restore::Everything, &file);
  if (!s)
    return s.status();
  if (!s->artifactHash.empty() && s->artifactHash != state.artifactHash &&
      writes())
    err << "loom train: note: " << file
        << " was written by another compiled step (artifact " << s->artifactHash
        << ", this one " << state.artifactHash
        << "); the tensors fit, but the run is bit-exact only with the same "
           "step\n";
  if (opt.seed && *opt.seed != s->seed)
    return Status::error(file + ": the checkpoint's run has seed " +
                         std::to_string(s->seed) + ", not " +
                         std::to_string(*opt.seed) + "; resume without --seed");
  // A run resumed at its last step finishes (its final evaluation and
  // summary); one past it has nothing to do.
  if (s->step > total && !opt.evaluateOnly)
    return Status::error(file + ": the checkpoint is at step " +
                         std::to_string(s->step) + ", past this run's " +
                         std::to_string(total) +
                         " steps; nothing to train (--steps N with N above " +
                         std::to_string(s->step) + " continues the run)");
  // Class names number the model's outputs: a resumed run keeps them.
  if (!s->classNames.empty() && s->classNames != state.classNames) {
    auto list = [](const std::vector<std::string> &names) {
      std::string out;
      for (const std::string &n : names)
        out += (out.empty() ? "" : ", ") + n;
      return out.empty() ? std::string("(none)") : out;
    };
    return Status::error(file + ": the checkpoint's classes are " +
                         list(s->classNames) + ", the data's are " +
                         list(state.classNames) +
                         "; the model's outputs would change meaning");
  }
  // So do the prep statistics: the same transform of the inputs.
  if (!s->prep.empty() && s->prep != state.prep)
    return Status::error(file +
                         ": the checkpoint's prep statistics differ "
                         "from those fitted on this data's training "
                         "rows (" +
                         recipe.data.path +
                         " changed?); the model's inputs would change meaning");
  // The data position, in examples: one global batch a step in a
  // checkpoint written before Loom recorded it.
  int64_t examples = s->examples >= 0 ? s->examples : s->step * globalBatch;
  if (examples % batch != 0)
    return Status::error(
        file + ": the checkpoint's run had drawn " + std::to_string(examples) +
        " training examples, where no batch of " + std::to_string(batch) +
        (dataRanks > 1 ? " (the global batch " + std::to_string(globalBatch) +
                             " over " + std::to_string(dataRanks) + " ranks)"
                       : std::string()) +
        " starts; resume with a batch that divides it");
  examplesFrom = {s->step, examples};
  std::string hash = state.artifactHash, path = state.artifactPath;
  std::vector<std::string> names = state.classNames;
  std::string prep = state.prep;
  int64_t ranksWere = s->ranks;
  state = *s;
  state.prep = prep;
  state.examples = examples;
  state.ranks = dataRanks;
  state.artifactHash = hash;
  state.artifactPath = path;
  state.classNames = names;
  scaleFrom = {{0, 1.0f}, {state.step, state.lrScale}};
  lastCheckpoint = file;
  lastCheckpointStep = state.step;
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
  if (opt.evaluateOnly) {
    say("evaluating " + file + ", the model at step " +
        std::to_string(state.step));
    return Status();
  }
  say("resuming from " + file + " at step " + std::to_string(state.step) +
      (ranksWere != dataRanks
           ? " (written by a run of " + std::to_string(ranksWere) + " rank" +
                 (ranksWere == 1 ? "" : "s") + ", continued on " +
                 std::to_string(dataRanks) + ")"
           : std::string()));
  return Status();
}

Status Trainer::runStep(int64_t s, bool checkFinite, int64_t *badKernel) {
  void *x = ex->input("x");
  void *y = ex->input("y");
  // Rank r's share of step s's global batch: its rows [r * batch, (r + 1)
  // * batch) of the global batch that starts at examplesBefore(s) (which
  // resume() checked batch divides).
  int64_t first = examplesBefore(s) + dataRank * batch;
  if (Status st = data->fill(first / batch, batch, x, y); !st)
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

Status Trainer::trainSteps() {
  for (int64_t s = state.step; s < total; ++s) {
    // What a wait for the other ranks in this step names.
    if (opt.ranks > 1) {
      comm::setPlace("the all-reduce of step " + std::to_string(s + 1));
      comm::answerPeers();
    }
    if (interrupted())
      return othersLost;
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
    state.examples = examplesBefore(state.step);
    lastLoss = loss;
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    double rate = seconds > 0 ? (state.step - firstStep) * globalBatch *
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
  // 1 after an error, 3 (as every loom command) after an internal one: a
  // bug in Loom, which its message says.
  auto fail = [&](const Status &s) {
    if (!s.message().empty())
      // One write: under mpirun other processes write to the same
      // stream (mpirun's own abort notice split this line in two).
      err << std::string(opt.evaluateOnly ? "loom eval" : "loom train") +
                 ": error: " + s.message() + "\n";
    int code =
        s.message().find("internal error: ") != std::string::npos ? 3 : 1;
    // The other ranks may wait for this one, and its own all-reduces in
    // flight cannot be dropped (nor waited for, when a rank is gone): it
    // ends every rank now.
    if (opt.ranks > 1) {
      err.flush();
      comm::abortAll(code);
    }
    return code;
  };
  // From here on Ctrl-C saves the run (the compile before it has nothing to
  // save and stops at once).
  SignalCatcher catcher;
  // A wait for the other ranks stops after the timeout or a signal, naming
  // a rank that is dead or stopped (runtime/comm).
  if (opt.ranks > 1) {
    comm::setTimeout(opt.commTimeout);
    comm::setSignalCheck([] { return SignalCatcher::received() != 0; });
  }
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
  if (opt.evaluateOnly) {
    if (Status s = evaluateCheckpoint(); !s)
      return fail(s);
    return 0;
  }
  firstStep = state.step;
  std::string logPath = outDir + "/metrics.jsonl";
  if (writes()) {
    if (Status s = opt.resume.empty() ? metrics.open(logPath)
                                      : metrics.open(logPath, state.step);
        !s)
      return fail(s);
    if (!opt.resume.empty())
      replotFrom(logPath, plot);
  }
  terminal = isTerminal(1) && !opt.json;
  progress.emplace(terminal, firstStep, terminal ? terminalWidth(1) : 80);
  say("training " + opt.name + ": " + data->describe() + ", " +
      std::to_string(data->validationSize()) + " validate; " +
      std::to_string(total) + " steps of batch " + std::to_string(globalBatch) +
      (dataRanks > 1 && opt.ranks > dataRanks
           ? " (" + std::to_string(batch) + " on each of " +
                 std::to_string(dataRanks) + " data ranks, shared by its " +
                 std::to_string(opt.ranks / dataRanks) + " model ranks)"
       : dataRanks > 1 ? " (" + std::to_string(batch) + " on each of " +
                             std::to_string(dataRanks) + " ranks)"
                       : std::string()) +
      "; output in " + outDir);
  // Class names: the numbers the model's outputs stand for (saved with the
  // model and every checkpoint).
  if (recipe.data.labelSpec.kind == data::LabelSpec::Kind::Names) {
    std::string list;
    for (size_t c = 0; c < state.classNames.size(); ++c)
      list += (c ? ", " : "") + std::to_string(c) + " " + state.classNames[c];
    say("classes of '" + recipe.data.label + "': " + list);
  }
  for (const std::string &line : prepLines)
    say(line);
  // Each rank read its data at its own pace: they start together.
  if (Status s = together("the start of training"); !s)
    return fail(s);
  start = lastPlot = Clock::now();
  if (Status s = trainSteps(); !s)
    return fail(s);
  if (progress && terminal && !opt.quiet && !opt.json)
    out << progress->finish();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (Status s = finish(seconds); !s)
    return fail(s);
  int signal = SignalCatcher::received();
  return signal ? 128 + signal : 0;
}

int loom::train::trainArtifact(Artifact artifact, const TrainOptions &options,
                               std::ostream &out, std::ostream &err) {
  Trainer t(options, out, err);
  return t.run(std::move(artifact));
}
