//===- TrainerEval.cpp - loom train's evaluations -------------------------===//
//
// Part of Loom. See Loop.h. Evaluation of the split the recipe names (val,
// train, test) at its cadence and at the end, with its progress, metrics,
// reduce-on-plateau and the final report; the test set at the end; the
// plot.
//
//===----------------------------------------------------------------------===//

#include "runtime/comm/Comm.h"
#include "runtime/data/CsvPrep.h"
#include "runtime/train/Evaluate.h"
#include "runtime/train/Loop.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <tuple>

using namespace loom;
using namespace loom::train;

/// Reads the metrics a resumed run logged before, for the plot.
void loom::train::replotFrom(const std::string &path, TrainingPlot &plot) {
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
        plot.add(TrainingPlot::Panel::Loss,
                 evalLabel(j.value("split", "val")) + " loss", step, v);
      else if (kind == "eval" && (it.key() == "accuracy" ||
                                  it.key() == "macro_f1" || it.key() == "f1"))
        plot.add(TrainingPlot::Panel::Metrics, it.key(), step, v);
    }
  }
}

namespace {

/// Sums the evaluation results of the ranks of a data-parallel run: the
/// loss sums, a regression target's error sums, the example and confusion
/// counts; stopped when one stopped. On a mesh with a model axis too, the
/// ranks of one data coordinate evaluated the same examples together: only
/// the first of them (`counts`) adds its results, the others zeros, so the
/// sums over the world are those over the data axis (x + 0 is exact).
Status sumOverRanks(EvalResult &r, bool counts) {
  // (Zeros, not products with 0: a sum may be infinite.)
  auto mine = [&](double v) { return counts ? v : 0.0; };
  std::vector<double> sums = {mine(r.loss.sum())};
  for (const RegressionSums::Column &c : r.regressionSums.columns)
    sums.insert(sums.end(), {mine(c.absError), mine(c.sqError), mine(c.sum),
                             mine(c.sumSq)});
  std::vector<int64_t> tally = r.confusion.counts();
  tally.push_back(r.regressionSums.rows);
  tally.push_back(r.loss.count());
  tally.push_back(r.examples);
  if (!counts)
    std::fill(tally.begin(), tally.end(), 0);
  tally.push_back(r.stopped ? 1 : 0);
  if (Status s =
          comm::allReduceSum(sums.data(), static_cast<int64_t>(sums.size()));
      !s)
    return s;
  double loss = sums[0];
  for (size_t c = 0; c < r.regressionSums.columns.size(); ++c) {
    RegressionSums::Column &col = r.regressionSums.columns[c];
    col.absError = sums[1 + 4 * c];
    col.sqError = sums[2 + 4 * c];
    col.sum = sums[3 + 4 * c];
    col.sumSq = sums[4 + 4 * c];
  }
  if (Status s =
          comm::allReduceSum(tally.data(), static_cast<int64_t>(tally.size()));
      !s)
    return s;
  r.stopped = tally.back() > 0;
  tally.pop_back();
  r.examples = tally.back();
  tally.pop_back();
  int64_t items = tally.back();
  tally.pop_back();
  r.regressionSums.rows = tally.back();
  tally.pop_back();
  r.loss.reset();
  if (items > 0)
    r.loss.add(loss / double(items), items);
  return r.confusion.setCounts(tally);
}

} // namespace

StatusOr<EvalResult> Trainer::runEvaluation(data::BatchSource &src,
                                            const std::string &title,
                                            bool announce) {
  // What evaluate covers: every example, or --eval-batches full batches.
  // The batches are each rank's share of the global batch (N global
  // batches are N * ranks of those), and the ranks take turns: each
  // evaluates every ranks-th batch, then of the examples left one by one.
  int64_t n = src.validationSize(), full = n / batch, single = n % batch;
  if (opt.evalBatches > 0 && full >= opt.evalBatches * dataRanks) {
    full = opt.evalBatches * dataRanks;
    single = 0;
  }
  int64_t total = full * batch + single, runs = full + single;
  std::string unit = itemUnit == "tok" ? "windows" : "examples";
  bool show = !opt.quiet && !opt.json;
  if (announce)
    say(title + ": " + std::to_string(total) + " " + unit + " (" +
        std::to_string(full) + (full == 1 ? " batch of " : " batches of ") +
        std::to_string(batch) +
        (single ? " and " + std::to_string(single) + " one by one" : "") +
        (dataRanks > 1 ? ", shared by " + std::to_string(dataRanks) + " ranks"
                       : std::string()) +
        ")...");
  // On a terminal a line redrawn at most ten times a second; otherwise a
  // line at each tenth of a long announced evaluation.
  Clock::time_point begin = Clock::now(), drawn = begin;
  int64_t tenth = 0;
  bool onScreen = false;
  EvalProgress progress = [&](int64_t share, int64_t shareTotal) {
    comm::answerPeers();
    // Rank 0's share, as a share of the whole.
    int64_t all = total,
            done = shareTotal > 0 ? share * total / shareTotal : total;
    double seconds =
        std::chrono::duration<double>(Clock::now() - begin).count();
    std::string eta =
        done > 0 ? formatDuration(seconds * (all - done) / done) : "";
    std::string text = title + ": " + std::to_string(done) + "/" +
                       std::to_string(all) + " " + unit + "  " +
                       formatDuration(seconds) + " < " + eta;
    if (show && terminal) {
      if (done < all &&
          std::chrono::duration<double>(Clock::now() - drawn).count() > 0.1) {
        out << "\r" << text << "\x1b[K";
        out.flush();
        drawn = Clock::now();
        onScreen = true;
      }
    } else if (announce && runs >= 20 && done < all &&
               done * 10 / all > tenth) {
      tenth = done * 10 / all;
      say(text);
    }
    return !interrupted();
  };
  StatusOr<EvalResult> r = evaluate(*ex, src, opt.evalBatches * dataRanks,
                                    progress, {dataRank, dataRanks});
  if (onScreen) {
    out << "\r\x1b[K";
    out.flush();
  }
  // The ranks of a model axis evaluate the same examples together.
  if (!r || dataRanks == 1)
    return r;
  if (!othersLost) // a signal, and a rank that does not answer
    return othersLost;
  // The ranks' sums: the whole evaluation's.
  comm::setPlace("the sums of the " + title);
  if (Status s = sumOverRanks(*r, modelRank == 0); !s)
    return s;
  return r;
}

std::string loom::train::evalLabel(const std::string &split) {
  return split == "train" ? "train eval" : split;
}

Status Trainer::evaluateNow(bool final) {
  // The split the recipe names: the validation part of the data, the
  // training split in its fixed order, or the test set.
  const std::string &split = recipe.evalOn;
  std::unique_ptr<data::BatchSource> view;
  data::BatchSource *src = data.get();
  if (split == "test") {
    src = test.get();
  } else if (split == "train") {
    view = data::trainSplitView(*data);
    src = view.get();
  }
  if (!src || src->validationSize() == 0)
    return Status();
  // loom eval --data names the file it evaluates.
  std::string shown =
      split == "test" && !opt.evalData.empty() ? opt.evalData : split;
  StatusOr<EvalResult> r =
      runEvaluation(*src,
                    std::string(final ? "final eval" : "eval") + " at step " +
                        std::to_string(state.step) + " on " + shown,
                    final);
  if (!r)
    return r.status();
  if (r->stopped) // by a signal: a part of the split is no evaluation
    return Status();
  double loss = r->loss.mean();
  LogRecord rec(LogRecord::Kind::Eval, state.step, epochOf(state.step));
  rec.set("split", split);
  rec.set("examples", r->examples);
  rec.set("loss", loss);
  std::string line = (final ? "final eval" : "eval") +
                     std::string(" at step ") + std::to_string(state.step) +
                     " on " + shown + " (" + std::to_string(r->examples) + " " +
                     (itemUnit == "tok" ? "windows" : "examples") + "): loss " +
                     fixed(loss);
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
  // A regression target's errors over the whole split.
  if (r->regression) {
    if (recipe.wants("mae"))
      metric("mae", "MAE", r->regressionSums.mae());
    if (recipe.wants("rmse"))
      metric("rmse", "RMSE", r->regressionSums.rmse());
    if (recipe.wants("r2"))
      metric("r2", "R²", r->regressionSums.r2());
  }
  if (Status s = log(rec); !s)
    return s;
  say(line);
  plot.add(TrainingPlot::Panel::Loss, evalLabel(split) + " loss",
           double(state.step), loss);
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
  if (recipe.schedule.kind == "reduce_on_plateau" && !final) {
    if (!state.plateauSeen || loss < state.plateauBest * (1 - 1e-4)) {
      state.plateauBest = loss;
      state.plateauBad = 0;
      state.plateauSeen = true;
    } else if (++state.plateauBad > recipe.schedule.patience) {
      state.lrScale *= static_cast<float>(recipe.schedule.factor);
      state.plateauBad = 0;
      scaleFrom.push_back({state.step, state.lrScale});
      say((split == "val" ? std::string("validation") : evalLabel(split)) +
          " loss has not improved for " +
          std::to_string(recipe.schedule.patience + 1) +
          " evaluations: learning rate scaled by " +
          fixed(recipe.schedule.factor, 3));
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

Status Trainer::evaluateTest(RunSummary &summary) {
  if (!test || recipe.evalOn == "test" || interrupted())
    return Status();
  StatusOr<EvalResult> r = runEvaluation(*test, "test set", true);
  if (!r)
    return r.status();
  if (r->stopped)
    return Status();
  LogRecord rec(LogRecord::Kind::Eval, state.step, epochOf(state.step));
  rec.set("split", "test").set("examples", r->examples);
  rec.set("loss", r->loss.mean());
  // A regression target has a loss and no classes.
  if (!r->regression) {
    rec.set("accuracy", r->confusion.accuracy());
    for (const ClassMetric &m : classMetrics(*r))
      if (m.name == "f1") // macro_f1, or a binary classifier's f1
        rec.set(m.key, m.value);
  }
  // A regression target's errors, as the recipe's eval names them.
  std::string errors;
  std::vector<std::pair<std::string, double>> regression;
  if (r->regression) {
    const RegressionSums &e = r->regressionSums;
    for (auto [name, label, v] : {std::make_tuple("mae", "MAE", e.mae()),
                                  std::make_tuple("rmse", "RMSE", e.rmse()),
                                  std::make_tuple("r2", "R²", e.r2())})
      if (recipe.wants(name)) {
        rec.set(name, v);
        regression.push_back({std::string("test_") + name, v});
        errors += std::string("  ") + label + " " + fixed(v);
      }
  }
  if (Status s = log(rec); !s)
    return s;
  summary.metrics.push_back({"test_loss", r->loss.mean()});
  if (!r->regression)
    summary.metrics.push_back({"test_accuracy", r->confusion.accuracy()});
  for (const auto &m : regression)
    summary.metrics.push_back(m);
  say("test set (" + std::to_string(r->examples) + " " +
      (itemUnit == "tok" ? "windows" : "examples") + "): loss " +
      fixed(r->loss.mean()) +
      (r->regression
           ? errors
           : "  accuracy " + fixed(100 * r->confusion.accuracy(), 2) + "%"));
  return Status();
}

Status Trainer::evaluateCheckpoint() {
  if (opt.evalData.empty()) {
    // What the end of the run evaluated: the recipe's split, the test set.
    if (Status s = evaluateNow(true); !s)
      return s;
    RunSummary summary;
    return evaluateTest(summary);
  }
  // Another file, all of it, read as the test set is (or the data, without
  // one), with the checkpoint's class names and prep statistics.
  data::DataSpec spec = recipe.test ? *recipe.test : recipe.data;
  if (spec.kind == "idx")
    return Status::error(
        opt.evalData + ": the recipe's data are IDX files (images and " +
        "labels); --data takes a CSV or token file like the recipe's");
  spec.path = opt.evalData;
  spec.fraction = 0; // every example evaluates
  if (spec.labelSpec.kind == data::LabelSpec::Kind::Names &&
      spec.labelSpec.names.empty()) {
    spec.labelSpec.names = state.classNames;
    spec.labelSpec.namesFrom = "the classes of the model";
  }
  if (const data::PrepOutcome *prep = data->prep())
    spec.fitted = prep->fitted;
  const IoRecord *xr = nullptr;
  ex->input("x", &xr);
  StatusOr<std::unique_ptr<data::BatchSource>> t =
      data::openTrainingData(spec, xr->shape, classes, state.seed);
  if (!t)
    return t.status();
  test = std::move(*t);
  recipe.evalOn = "test";
  return evaluateNow(true);
}

void Trainer::plotNow() {
  if (!writes())
    return;
  if (Status s = plot.write(outDir + "/plot.svg"); !s)
    err << "loom train: warning: " << s.message() << "\n";
  lastPlot = Clock::now();
}
