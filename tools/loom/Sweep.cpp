//===- Sweep.cpp - loom sweep ---------------------------------------------===//
//
// Part of Loom. `loom sweep FILE.loom (--grid NAME=V1,V2,... | --random N
// --range NAME=LO..HI[:log]) [--parallel K] [--metric NAME] [--steps N]
// [--seed S] [--out DIR] [--full]`: trains the train block under every
// setting of the search space (SweepSpace.h) and ranks the trials by a
// validation metric. Each distinct compiled configuration (the learning
// rate, the batch, the model's hyper-parameters, and the length when a
// schedule follows it) is compiled once here into DIR/artifacts; each trial
// is a `loom train` process on its artifact (SweepRun.cpp), K at a time.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Sweep.h"
#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/train/Recipe.h"

#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <map>

using namespace llvm;

namespace {

cl::SubCommand sweepCmd(
    "sweep",
    "Train under several settings at once and rank them\n\n"
    "The search space: --grid NAME=V1,V2,... (repeatable; the cartesian "
    "product)\nor --random N with --range NAME=LO..HI or NAME=LO..HI:log "
    "(repeatable;\nN seeded draws). NAME is lr, batch, seed, steps or a "
    "hyper-parameter of\nthe train block's model (as loom train --set "
    "NAME=VALUE). Trials run as\n`loom train` processes in DIR/trial-000, "
    "...; DIR/sweep.jsonl and\nDIR/sweep.svg hold the results. The same "
    "command again on the same --out\nreruns only the trials that did not "
    "finish.\n\n"
    "EXAMPLES:\n"
    "  loom sweep examples/tabular.loom --grid lr=1e-3,1e-2 --grid "
    "hidden=16,64 --parallel 2\n"
    "  loom sweep examples/tabular.loom --random 8 --range "
    "lr=1e-4..1e-1:log --range hidden=8..128 --full");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loom>"),
                               cl::Required, cl::sub(sweepCmd));
cl::list<std::string>
    gridItems("grid",
              cl::desc("Try every value of NAME, with every value of the "
                       "other --grid names (repeatable; several items may "
                       "share one argument, separated by spaces)"),
              cl::value_desc("NAME=V1,V2,..."), cl::sub(sweepCmd));
cl::opt<int64_t> randomCount("random",
                             cl::desc("Draw N settings (at most 10000) from "
                                      "the --range names (seeded by --seed)"),
                             cl::value_desc("N"), cl::sub(sweepCmd));
cl::list<std::string>
    rangeItems("range",
               cl::desc("With --random: NAME is drawn uniformly between LO "
                        "and HI (both included; integers as integers), "
                        "log-uniformly with :log (repeatable)"),
               cl::value_desc("NAME=LO..HI[:log]"), cl::sub(sweepCmd));
cl::opt<int64_t> searchSeed("seed",
                            cl::desc("Seed of the --random draws (default 0; "
                                     "sweep `seed` for the trials' own)"),
                            cl::init(0), cl::value_desc("S"),
                            cl::sub(sweepCmd));
cl::opt<int64_t> parallel("parallel",
                          cl::desc("Trials run at a time (default 1); the "
                                   "cores are divided between them "
                                   "(OMP_NUM_THREADS)"),
                          cl::init(1), cl::value_desc("K"), cl::sub(sweepCmd));
cl::opt<std::string>
    metricName("metric",
               cl::desc("The validation metric that ranks the trials: one "
                        "of the recipe's eval metrics (default accuracy when "
                        "it reports it, else loss); loss and perplexity rank "
                        "lower first, the others higher first"),
               cl::value_desc("NAME"), cl::sub(sweepCmd));
cl::opt<int64_t> steps("steps",
                       cl::desc("Every trial trains this many steps (unless "
                                "the sweep varies steps)"),
                       cl::value_desc("N"), cl::sub(sweepCmd));
cl::opt<std::string> outDir("out",
                            cl::desc("Output directory (default "
                                     "runs/<train block name>-sweep)"),
                            cl::value_desc("dir"), cl::sub(sweepCmd));
cl::opt<bool> full("full",
                   cl::desc("After the sweep, retrain the best trial's "
                            "settings on all the data (loom train --full) "
                            "into DIR/best-full"),
                   cl::sub(sweepCmd));
cl::opt<std::string> trainName("train",
                               cl::desc("The train block (when the file has "
                                        "several)"),
                               cl::value_desc("name"), cl::sub(sweepCmd));

constexpr const char *kCommand = "loom sweep";

/// The hyper-parameters (name, type) of the model the train block
/// instantiates, when the file says it plainly (`model = Name(...)`).
std::vector<std::pair<std::string, std::string>>
modelHParams(const mlir::loom::Program &program) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto &t : program.main().trains) {
    if (!trainName.empty() && t->name.name != trainName)
      continue;
    for (const mlir::loom::ast::TrainEntry &e : t->entries) {
      if (e.key.name != "model")
        continue;
      auto *call = dyn_cast<mlir::loom::ast::CallExpr>(e.value.get());
      auto *callee =
          call ? dyn_cast<mlir::loom::ast::NameExpr>(call->callee.get())
               : nullptr;
      if (!callee || !program.models.count(callee->name))
        return out;
      for (const mlir::loom::ast::HParam &h :
           program.models.lookup(callee->name)->hparams)
        out.push_back({h.name.name, h.type.name});
      return out;
    }
    return out;
  }
  return out;
}

/// The recipe the first trial's program records (lowered only, not
/// compiled); false after the diagnostics.
bool probeRecipe(mlir::MLIRContext &ctx, const mlir::loom::Program &program,
                 mlir::loom::DiagnosticEngine &diags,
                 const loom::tool::ArtifactOptions &first,
                 loom::train::Recipe &recipe) {
  loom::tool::ArtifactOptions probe = first;
  std::string json;
  probe.checkRecipe = [&](const std::string &r) {
    json = r;
    return false;
  };
  loom::Artifact unused;
  loom::tool::compileCpuArtifact(ctx, program, diags, probe, unused);
  if (json.empty())
    return false;
  loom::StatusOr<loom::train::Recipe> r =
      loom::train::parseRecipe(json, inputFile);
  if (!r)
    return loom::tool::flagError(kCommand, r.status().message()), false;
  recipe = std::move(*r);
  return true;
}

/// The compile options of the trial `settings`.
loom::tool::ArtifactOptions compileOptions(const loom::tool::Settings &settings,
                                           bool stepsCompiled) {
  loom::tool::ArtifactOptions o;
  o.trainName = trainName;
  o.sourceName = sys::path::filename(inputFile).str();
  if (steps.getNumOccurrences() && stepsCompiled)
    o.steps = steps;
  for (const auto &[name, value] : settings) {
    if (name == "lr")
      o.lr = std::strtod(value.c_str(), nullptr);
    else if (name == "batch")
      o.batch = std::strtoll(value.c_str(), nullptr, 10);
    else if (name == "steps") {
      if (stepsCompiled)
        o.steps = std::strtoll(value.c_str(), nullptr, 10);
    } else if (name != "seed")
      o.set.push_back({name, value});
  }
  return o;
}

/// The part of `settings` that the compile depends on: the key of its
/// artifact.
std::string compileKey(const loom::tool::Settings &settings,
                       bool stepsCompiled) {
  loom::tool::Settings kept;
  for (const auto &s : settings)
    if (s.first != "seed" && (s.first != "steps" || stepsCompiled))
      kept.push_back(s);
  return loom::tool::describe(kept);
}

} // namespace

cl::SubCommand &loom::tool::sweepCommand() { return sweepCmd; }

int loom::tool::runSweep() {
  if (!checkIntFlag(kCommand, parallel, 1) ||
      !checkIntFlag(kCommand, randomCount, 1, kMaxSweepTrials) ||
      !checkIntFlag(kCommand, steps, 1) ||
      !checkIntFlag(kCommand, searchSeed, 0))
    return ExitUsage;
  bool grid = !gridItems.empty(), random = randomCount.getNumOccurrences();
  if (!random && !rangeItems.empty())
    return usageError(kCommand, "--range is drawn from by --random N");
  if (grid == random)
    return usageError(kCommand,
                      grid ? "--grid and --random are two searches; give one"
                           : "give the search space: --grid NAME=V1,V2,... "
                             "or --random N --range NAME=LO..HI");
  if (!StringRef(inputFile).ends_with(".loom"))
    return usageError(kCommand, "a sweep compiles the .loom program for each "
                                "configuration; give FILE.loom, not '" +
                                    inputFile + "'");

  SourceMgr sourceMgr;
  mlir::loom::DiagnosticEngine diags(sourceMgr, errs());
  InternalErrorWatch watch(diags);
  mlir::loom::Program program;
  if (!mlir::loom::loadProgram(inputFile, mlir::loom::defaultStdDir(), diags,
                               program))
    return 1;
  std::vector<SweepName> names = sweepNames(modelHParams(program));
  std::string error;
  std::vector<Settings> trials =
      grid ? gridTrials(gridItems, names, error)
           : randomTrials(randomCount, rangeItems, names,
                          uint64_t(searchSeed.getValue()), error);
  if (!error.empty())
    return usageError(kCommand, error);

  mlir::MLIRContext ctx;
  DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  loom::train::Recipe recipe;
  // The recipe as the file gives it: its name, metrics and schedule are
  // the same in every trial.
  if (!probeRecipe(ctx, program, diags, compileOptions({}, true), recipe))
    return 1;

  SweepPlan plan;
  plan.input = inputFile;
  plan.train = trainName;
  plan.outDir = outDir.empty() ? "runs/" + recipe.name + "-sweep" : outDir;
  plan.parallel = int(parallel);
  plan.full = full;
  if (steps.getNumOccurrences())
    plan.steps = steps;
  plan.evalOn = recipe.evalOn;
  // The metric: one the recipe's evaluations report.
  plan.metric = metricName.getNumOccurrences() ? metricName.getValue()
                : recipe.wants("accuracy")     ? "accuracy"
                                               : "loss";
  if (!recipe.wants(plan.metric)) {
    std::string reported;
    for (const std::string &m : recipe.metrics)
      reported += (reported.empty() ? "" : ", ") + m;
    return usageError(kCommand, "--metric " + plan.metric +
                                    ": the recipe's evaluations report " +
                                    reported + " (its eval = ... line)");
  }
  // A schedule follows the run's length: then steps are compiled in.
  bool stepsCompiled = recipe.schedule.kind != "constant";
  std::map<std::string, size_t> configs;
  for (size_t i = 0; i < trials.size(); ++i) {
    SweepTrial t;
    t.name = formatTrial(i);
    t.settings = trials[i];
    auto [it, inserted] = configs.try_emplace(
        compileKey(trials[i], stepsCompiled), configs.size());
    t.config = it->second;
    plan.trials.push_back(t);
  }
  plan.configs.resize(configs.size());
  for (const auto &[key, index] : configs)
    plan.configs[index].key = key;

  SweepState state;
  if (int rc = openSweep(plan, state))
    return rc;

  // Compile each configuration an unfinished trial needs, once.
  if (std::error_code ec =
          sys::fs::create_directories(plan.outDir + "/artifacts"))
    return flagError(kCommand, "cannot create '" + plan.outDir +
                                   "/artifacts': " + ec.message());
  for (size_t c = 0; c < plan.configs.size(); ++c) {
    SweepConfig &config = plan.configs[c];
    config.artifact =
        plan.outDir + "/artifacts/config-" + std::to_string(c) + ".loomx";
    const SweepTrial *first = nullptr;
    for (const SweepTrial &t : plan.trials)
      if (t.config == c && !state.finished.count(t.name)) {
        first = &t;
        break;
      }
    if (!first)
      continue;
    if (sys::fs::exists(config.artifact) &&
        loom::readArtifact(config.artifact)) {
      config.compiled = true;
      continue;
    }
    loom::Artifact artifact;
    if (!compileCpuArtifact(ctx, program, diags,
                            compileOptions(first->settings, stepsCompiled),
                            artifact)) {
      config.error = "the compile of config-" + std::to_string(c) + " (" +
                     config.key + ") failed";
      errs() << "loom sweep: " << config.error << "; its trials fail\n";
      continue;
    }
    if (loom::Status s = loom::writeArtifact(config.artifact, artifact); !s)
      return flagError(kCommand, s.message());
    config.compiled = true;
    outs() << "compiled config-" << c
           << (config.key.empty() ? "" : " (" + config.key + ")") << ": "
           << describeArtifact(artifact) << "\n";
    outs().flush();
  }
  return runSweepTrials(plan, state);
}
