//===- SweepRun.cpp - Running, recording and ranking sweep trials ---------===//
//
// Part of Loom. No MLIR: the trials of a sweep as `loom train` processes
// (this binary, /proc/self/exe) on their configuration's artifact, K at a
// time with the cores divided between them (OMP_NUM_THREADS), each writing
// DIR/trial-NNN/ and its output into DIR/trial-NNN/train.log. A finished
// trial (ok, diverged or failed) is appended to DIR/sweep.jsonl; a trial
// that a signal stopped is not, and reruns from scratch next time.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Sweep.h"

#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/File.h"
#include "runtime/report/Plot.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace fs = std::filesystem;
using nlohmann::json;

namespace loom::tool {
namespace {

constexpr const char *kCommand = "loom sweep";

volatile std::sig_atomic_t stopSignal = 0;

void onSignal(int signo) { stopSignal = signo; }

/// The key of metric `metric` in an eval record of metrics.jsonl.
std::string recordKey(const std::string &metric) {
  if (metric == "f1" || metric == "precision" || metric == "recall")
    return "macro_" + metric;
  return metric;
}

/// Whether a lower value of `metric` is better.
bool lowerIsBetter(const std::string &metric) {
  return metric == "loss" || metric == "perplexity";
}

json settingsJson(const Settings &settings) {
  json out = json::array();
  for (const auto &[name, value] : settings)
    out.push_back({name, value});
  return out;
}

/// The FNV-1a hash of the file at `path`, in hex ("" if it cannot be read).
std::string fileHash(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return "";
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c; in.get(c);)
    h = (h ^ uint8_t(c)) * 0x100000001b3ull;
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", (unsigned long long)h);
  return text;
}

json specJson(const SweepPlan &plan) {
  json trials = json::array();
  for (const SweepTrial &t : plan.trials)
    trials.push_back(
        {{"trial", t.name}, {"settings", settingsJson(t.settings)}});
  return {{"file", plan.input},
          {"source", fileHash(plan.input)},
          {"train", plan.train},
          {"metric", plan.metric},
          {"steps", plan.steps ? json(*plan.steps) : json(nullptr)},
          {"trials", trials}};
}

json recordJson(const SweepRecord &r, const std::string &metric) {
  json settings = json::object();
  for (const auto &[name, value] : r.settings)
    settings[name] = value;
  json j = {{"trial", r.trial},
            {"settings", settings},
            {"status", r.status},
            {"metric", metric},
            {"value", r.value ? json(*r.value) : json(nullptr)},
            {"loss", r.loss ? json(*r.loss) : json(nullptr)},
            {"steps", r.steps},
            {"seconds", r.seconds}};
  if (!r.error.empty())
    j["error"] = r.error;
  return j;
}

/// The eval records of a trial's metrics.jsonl on split `split`, and whether
/// a train record had a non-finite value.
std::vector<json> evalRecords(const std::string &dir, const std::string &split,
                              bool &nonFinite, int64_t &lastStep) {
  std::vector<json> out;
  std::ifstream in(dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object())
      continue;
    // The file is the trial's, and may be edited: a field of the wrong
    // type is as good as absent.
    auto text = [&](const char *key) {
      return j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                   : std::string();
    };
    std::string kind = text("kind");
    bool hasStep = j.contains("step") && j["step"].is_number_integer();
    if (hasStep)
      lastStep = std::max<int64_t>(lastStep, j["step"].get<int64_t>());
    if (kind == "train" && j.contains("nonfinite"))
      nonFinite = true;
    if (kind == "eval" && hasStep && text("split") == split)
      out.push_back(j);
  }
  return out;
}

/// The last line of `path` that says "error:", trimmed.
std::string lastError(const std::string &path) {
  std::ifstream in(path);
  std::string line, found;
  while (std::getline(in, line))
    if (line.find("error:") != std::string::npos)
      found = line;
  return found;
}

std::string fixed(double v, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

/// A table row: the cells left-justified in `widths`.
std::string row(const std::vector<std::string> &cells,
                const std::vector<size_t> &widths) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    out += cells[i];
    if (i + 1 < cells.size())
      out += std::string(
          widths[i] > cells[i].size() ? widths[i] - cells[i].size() + 2 : 2,
          ' ');
  }
  return out;
}

/// Whether record a ranks before b: ok before the others, then by value.
bool ranksBefore(const SweepRecord &a, const SweepRecord &b,
                 const std::string &metric) {
  bool av = a.status == "ok" && a.value, bv = b.status == "ok" && b.value;
  if (av != bv)
    return av;
  if (av && *a.value != *b.value)
    return lowerIsBetter(metric) ? *a.value < *b.value : *a.value > *b.value;
  // A tie (accuracy 1 twice): the lower loss first.
  if (av && a.loss && b.loss && *a.loss != *b.loss)
    return *a.loss < *b.loss;
  return a.trial < b.trial;
}

/// The ranked records.
std::vector<SweepRecord> ranked(const SweepState &state,
                                const std::string &metric) {
  std::vector<SweepRecord> out;
  for (const auto &[name, r] : state.finished)
    out.push_back(r);
  std::sort(out.begin(), out.end(),
            [&](const SweepRecord &a, const SweepRecord &b) {
              return ranksBefore(a, b, metric);
            });
  return out;
}

void printRanked(const SweepPlan &plan, const SweepState &state) {
  std::vector<SweepRecord> records = ranked(state, plan.metric);
  std::vector<std::string> header = {"rank", "trial"};
  for (const auto &[name, value] : plan.trials[0].settings)
    header.push_back(name);
  header.insert(header.end(), {plan.evalOn + " " + plan.metric, "steps",
                               "seconds", "status"});
  std::vector<std::vector<std::string>> rows = {header};
  for (size_t i = 0; i < records.size(); ++i) {
    const SweepRecord &r = records[i];
    std::vector<std::string> cells = {std::to_string(i + 1), r.trial};
    for (const auto &[name, value] : r.settings)
      cells.push_back(value);
    cells.push_back(r.value ? fixed(*r.value, 4) : "-");
    cells.push_back(std::to_string(r.steps));
    cells.push_back(fixed(r.seconds, 1));
    cells.push_back(r.status);
    rows.push_back(cells);
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto &cells : rows)
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], cells[i].size());
  std::cout << "\nranked by " << plan.evalOn << " " << plan.metric << " ("
            << (lowerIsBetter(plan.metric) ? "lower" : "higher")
            << " is better):\n";
  for (const auto &cells : rows)
    std::cout << "  " << row(cells, widths) << "\n";
  std::cout.flush();
}

/// DIR/sweep.svg: every trial's evaluations, the best drawn thicker.
Status writePlot(const SweepPlan &plan, const SweepState &state) {
  TrainingPlot plot("loom sweep " + fs::path(plan.input).filename().string() +
                    ": " + plan.evalOn + " " + plan.metric);
  std::vector<SweepRecord> records = ranked(state, plan.metric);
  bool ratio = !lowerIsBetter(plan.metric);
  for (const SweepRecord &r : records) {
    bool nonFinite = false;
    int64_t last = 0;
    for (const json &e : evalRecords(plan.outDir + "/" + r.trial, plan.evalOn,
                                     nonFinite, last)) {
      double step = double(e["step"].get<int64_t>());
      if (e.contains("loss") && e["loss"].is_number())
        plot.add(TrainingPlot::Panel::Loss, r.trial, step,
                 e["loss"].get<double>());
      std::string key = recordKey(plan.metric);
      if (ratio && e.contains(key) && e[key].is_number())
        plot.add(TrainingPlot::Panel::Metrics, r.trial, step,
                 e[key].get<double>());
    }
  }
  if (!records.empty() && records[0].status == "ok")
    plot.highlight(records[0].trial);
  return plot.write(plan.outDir + "/sweep.svg");
}

struct Running {
  const SweepTrial *trial;
  std::chrono::steady_clock::time_point start;
};

/// This binary's path.
std::string selfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string("/proc/self/exe");
}

/// Starts `args` with stdout and stderr into `log` and OMP_NUM_THREADS =
/// `threads`; the process id, or -1 after setting `error`.
pid_t spawn(const std::vector<std::string> &args, const std::string &log,
            int threads, std::string &error) {
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e)
    if (std::strncmp(*e, "OMP_NUM_THREADS=", 16) != 0)
      env.push_back(*e);
  env.push_back("OMP_NUM_THREADS=" + std::to_string(threads));
  std::vector<char *> argv, envp;
  for (const std::string &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string &e : env)
    envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    error = "cannot run " + args[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

/// The `loom train` command line of `t` into `outDir`.
std::vector<std::string> trainArgs(const SweepPlan &plan, const SweepTrial &t,
                                   const std::string &outDir, bool fullData) {
  std::vector<std::string> args = {
      selfExe(), "train", plan.configs[t.config].artifact,
      "--out",   outDir,  "--overwrite"};
  std::optional<std::string> trialSteps;
  if (plan.steps)
    trialSteps = std::to_string(*plan.steps);
  for (const auto &[name, value] : t.settings) {
    if (name == "seed")
      args.insert(args.end(), {"--seed", value});
    if (name == "steps")
      trialSteps = value;
  }
  if (trialSteps)
    args.insert(args.end(), {"--steps", *trialSteps});
  if (fullData)
    args.push_back("--full");
  return args;
}

/// The record of trial `t`, whose process ended with wait status `status`.
SweepRecord finish(const SweepPlan &plan, const SweepTrial &t, int status,
                   double seconds) {
  SweepRecord r;
  r.trial = t.name;
  r.settings = t.settings;
  r.seconds = seconds;
  std::string dir = plan.outDir + "/" + t.name;
  bool nonFinite = false;
  std::vector<json> evals = evalRecords(dir, plan.evalOn, nonFinite, r.steps);
  std::string key = recordKey(plan.metric);
  if (!evals.empty() && evals.back().contains(key) &&
      evals.back()[key].is_number())
    r.value = evals.back()[key].get<double>();
  if (!evals.empty() && evals.back().contains("loss") &&
      evals.back()["loss"].is_number())
    r.loss = evals.back()["loss"].get<double>();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    r.status = "ok";
    return r;
  }
  r.status = nonFinite ? "diverged" : "failed";
  r.value.reset();
  r.loss.reset();
  r.error = lastError(dir + "/train.log");
  if (r.error.empty())
    r.error = WIFSIGNALED(status)
                  ? "killed by signal " + std::to_string(WTERMSIG(status))
                  : "exit status " + std::to_string(WEXITSTATUS(status));
  return r;
}

} // namespace

std::string formatTrial(size_t index) {
  char text[32];
  std::snprintf(text, sizeof text, "trial-%03zu", index);
  return text;
}

int openSweep(const SweepPlan &plan, SweepState &state) {
  StatusOr<loom::train::OutputDirLock> lock =
      loom::train::OutputDirLock::take(plan.outDir);
  if (!lock)
    return flagError(kCommand, lock.status().message());
  state.lock = std::move(*lock);
  json spec = specJson(plan);
  std::string specPath = plan.outDir + "/sweep.json";
  std::error_code ec;
  if (fs::symlink_status(specPath, ec).type() != fs::file_type::not_found) {
    StatusOr<std::string> text =
        readInputFile(specPath, "sweep spec", uint64_t(256) << 20);
    if (!text)
      return flagError(kCommand, text.status().message());
    json earlier = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    // (A discarded value compares equal to anything: test it first.)
    if (earlier.is_discarded() || !earlier.is_object())
      return flagError(kCommand,
                       specPath +
                           ": not the sweep.json of a loom sweep (it is not "
                           "a JSON object); give another --out, or remove " +
                           plan.outDir + " to start over");
    if (earlier != spec) {
      std::string what;
      for (const char *key :
           {"file", "source", "train", "metric", "steps", "trials"})
        if (!earlier.is_object() || earlier.value(key, json()) != spec[key])
          what += std::string(what.empty() ? "" : ", ") +
                  (std::string(key) == "trials"   ? "the search space"
                   : std::string(key) == "source" ? "the file's text"
                                                  : key);
      return flagError(kCommand,
                       plan.outDir + " holds another sweep (its sweep.json " +
                           "differs in " + what +
                           "); give another --out, or remove it to start "
                           "over");
    }
  } else if (Status s = writeFileAtomically(specPath, spec.dump(2) + "\n");
             !s) {
    return flagError(kCommand, s.message());
  }
  return readSweepRecords(plan, state);
}

int runSweepTrials(const SweepPlan &plan, SweepState &state) {
  std::vector<const SweepTrial *> queue;
  for (const SweepTrial &t : plan.trials)
    if (!state.finished.count(t.name))
      queue.push_back(&t);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int threads = std::max<int>(1, int(std::max(1L, cores) / plan.parallel));
  std::cout << plan.trials.size() << " trials, "
            << plan.trials.size() - queue.size() << " finished earlier; "
            << plan.parallel << " at a time, " << threads << " thread"
            << (threads == 1 ? "" : "s") << " each, into " << plan.outDir
            << "\n";
  std::cout.flush();

  struct sigaction action = {}, oldInt = {}, oldTerm = {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &oldInt);
  sigaction(SIGTERM, &action, &oldTerm);

  std::string jsonlPath = plan.outDir + "/sweep.jsonl";
  std::ofstream jsonl(jsonlPath, std::ios::app);
  if (!jsonl)
    return flagError(kCommand, jsonlPath + ": cannot write the sweep's " +
                                   "records: " + std::strerror(errno));
  // A record cut short by a crash ends without its newline: the next one
  // starts a line of its own.
  if (state.recordsCut)
    jsonl << "\n" << std::flush;
  std::map<pid_t, Running> running;
  size_t next = 0, inUse = 0;
  bool forwarded = false;
  while ((next < queue.size() && !stopSignal) || !running.empty()) {
    while (!stopSignal && next < queue.size() &&
           running.size() < size_t(plan.parallel)) {
      const SweepTrial *t = queue[next++];
      const SweepConfig &config = plan.configs[t->config];
      std::string dir = plan.outDir + "/" + t->name, error;
      std::error_code ec;
      fs::create_directories(dir, ec);
      // A trial whose directory another process holds (the trial of an
      // earlier sweep that was killed, and still trains) did not run: it
      // is not recorded, and runs when the same command runs again.
      if (!ec && config.compiled) {
        StatusOr<loom::train::OutputDirLock> busy =
            loom::train::OutputDirLock::take(dir);
        if (!busy) {
          ++inUse;
          std::cout << t->name << "  " << describe(t->settings)
                    << "  not run: " << busy.status().message() << "\n";
          continue;
        }
      }
      pid_t pid = -1;
      if (!config.compiled)
        error = config.error;
      else if (ec)
        error = "cannot create " + dir + ": " + ec.message();
      else
        pid = spawn(trainArgs(plan, *t, dir, false), dir + "/train.log",
                    threads, error);
      if (pid > 0) {
        running[pid] = {t, std::chrono::steady_clock::now()};
        continue;
      }
      SweepRecord r;
      r.trial = t->name;
      r.settings = t->settings;
      r.status = "failed";
      r.error = error;
      state.finished[t->name] = r;
      jsonl << recordJson(r, plan.metric).dump() << "\n" << std::flush;
      std::cout << t->name << "  " << describe(t->settings)
                << "  failed: " << error << "\n";
    }
    if (running.empty())
      break;
    // Ctrl-C or SIGTERM: each trial stops as loom train does (once; a
    // second signal would end it at once).
    if (stopSignal && !forwarded) {
      forwarded = true;
      for (const auto &[child, r] : running)
        kill(child, int(stopSignal));
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end())
      continue;
    Running done = it->second;
    running.erase(it);
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - done.start)
                         .count();
    // A trial the signal stopped did not finish: it reruns next time.
    if (stopSignal && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      continue;
    SweepRecord r = finish(plan, *done.trial, status, seconds);
    state.finished[r.trial] = r;
    jsonl << recordJson(r, plan.metric).dump() << "\n" << std::flush;
    std::vector<SweepRecord> order = ranked(state, plan.metric);
    size_t rank = 0;
    while (rank < order.size() && order[rank].trial != r.trial)
      ++rank;
    std::cout << r.trial << "  " << describe(r.settings) << "  " << plan.evalOn
              << " " << plan.metric << " "
              << (r.value ? fixed(*r.value, 4) : "-") << "  " << r.steps
              << " steps  " << fixed(r.seconds, 1) << " s  " << r.status;
    if (r.status == "ok")
      std::cout << "  (#" << rank + 1 << " of " << order.size() << " finished)";
    else
      std::cout << ": " << r.error;
    std::cout << "\n";
    std::cout.flush();
  }
  sigaction(SIGINT, &oldInt, nullptr);
  sigaction(SIGTERM, &oldTerm, nullptr);

  if (!state.finished.empty())
    printRanked(plan, state);
  if (Status s = writePlot(plan, state); !s)
    return flagError(kCommand, s.message());
  if (stopSignal) {
    size_t left = plan.trials.size() - state.finished.size();
    std::cout << "interrupted: " << left << " trial" << (left == 1 ? "" : "s")
              << " did not finish; the same command again runs "
              << (left == 1 ? "it" : "them") << "\n";
    std::cout.flush();
    return 128 + int(stopSignal);
  }
  std::cout << "wrote " << plan.outDir << "/sweep.jsonl, " << plan.outDir
            << "/sweep.svg\n";
  std::cout.flush();
  if (inUse)
    return flagError(kCommand,
                     std::to_string(inUse) + " trial" +
                         (inUse == 1 ? " did" : "s did") +
                         " not run: another process holds " +
                         (inUse == 1 ? "its directory" : "their directories") +
                         "; the same command again, once it ends, runs " +
                         (inUse == 1 ? "it" : "them"));
  std::vector<SweepRecord> order = ranked(state, plan.metric);
  if (order.empty() || order[0].status != "ok")
    return flagError(kCommand, "no trial finished training");
  if (!plan.full)
    return 0;

  // The best settings again, on all the data.
  const SweepTrial *best = nullptr;
  for (const SweepTrial &t : plan.trials)
    if (t.name == order[0].trial)
      best = &t;
  std::string dir = plan.outDir + "/best-full";
  std::cout << "\nretraining " << best->name << " (" << describe(best->settings)
            << ") on all the data into " << dir << "\n";
  std::cout.flush();
  std::vector<std::string> args = trainArgs(plan, *best, dir, true);
  std::vector<char *> argv;
  for (const std::string &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (int rc =
          posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
      rc != 0)
    return flagError(kCommand,
                     "cannot run " + args[0] + ": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

} // namespace loom::tool
