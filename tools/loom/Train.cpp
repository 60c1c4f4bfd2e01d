//===- Train.cpp - loom train ---------------------------------------------===//
//
// Part of Loom. `loom train FILE.loom|FILE.loomx`: compiles a .loom program
// first (with the recipe overrides --steps, --batch, --lr, --seed, the
// model's hyper-parameters of --set NAME=VALUE and the mesh of --mesh; its
// IR with --dump-ir and --print-ir-*, as loom compile's) into
// OUT/<name>.loomx, then runs runtime/train's loop on it. An artifact runs
// as compiled: its batch, learning rate and mesh are part of the step. The
// output directory is claimed (runtime/train/OutputDir.h) once the recipe
// is known and before the heavy compile: it is locked for the whole run (a
// second run into it is refused), and an earlier run there is refused
// unless --resume or --overwrite.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"
#include "tools/loom/IrFlags.h"

#include "backends/cpu/emit/EmitArtifact.h"
#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"
#include "ir/LoomRecipe.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/comm/Comm.h"
#include "runtime/data/Batches.h"
#include "runtime/exec/TensorParallel.h"
#include "runtime/train/OutputDir.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/Trainer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

using namespace llvm;

namespace {

cl::SubCommand trainCmd("train",
                        "Train a model on its recipe's data\n\n"
                        "EXAMPLES:\n"
                        "  loom train examples/mlp.loom --steps 100\n"
                        "  loom train examples/mlp.loom --resume "
                        "runs/mlp/checkpoints\n"
                        "  loom train examples/tabular.loom --json --out "
                        "runs/iris-json");

cl::opt<std::string> inputFile(cl::Positional,
                               cl::desc("<file.loom | file.loomx>"),
                               cl::Required, cl::sub(trainCmd));
cl::opt<int64_t> steps("steps",
                       cl::desc("Train this many steps (for a .loom the "
                                "schedule follows: a warm-up as long as the "
                                "run is shortened, with a note)"),
                       cl::value_desc("N"), cl::sub(trainCmd));
cl::opt<int64_t> batch("batch",
                       cl::desc("Batch size (recompiles; .loom "
                                "only)"),
                       cl::value_desc("B"), cl::sub(trainCmd));
cl::opt<double> lr("lr", cl::desc("Learning rate (recompiles; .loom only)"),
                   cl::value_desc("LR"), cl::sub(trainCmd));
cl::opt<int64_t> seed("seed",
                      cl::desc("Seed of the initialization, the "
                               "shuffle and dropout"),
                      cl::value_desc("S"), cl::sub(trainCmd));
cl::list<std::string>
    setFlags("set",
             cl::desc("Give hyper-parameter NAME of the train block's model "
                      "(`model = Model(NAME = ...)`) the value VALUE "
                      "(recompiles; .loom only; repeatable)"),
             cl::value_desc("NAME=VALUE"), cl::sub(trainCmd));
std::vector<std::pair<std::string, std::string>> setPairs;
cl::opt<std::string>
    meshFlag("mesh",
             cl::desc("Train on this mesh instead of the train block's "
                      "`mesh` (or on one where it has none), e.g. `mpirun "
                      "-n 2 loom train FILE.loom --mesh model=2`; an axis "
                      "left out is as if `mesh = (...)` left it out "
                      "(recompiles; .loom only; docs/sharding.md)"),
             cl::value_desc("data=D,model=M"), cl::sub(trainCmd));
std::optional<loom::tool::MeshFlag> mesh;
cl::opt<std::string> outDir("out",
                            cl::desc("Output directory (default "
                                     "runs/<train block name>)"),
                            cl::value_desc("dir"), cl::sub(trainCmd));
cl::opt<bool> overwrite("overwrite",
                        cl::desc("Replace an earlier run in the output "
                                 "directory (its metrics, summary, plot, "
                                 "final model and checkpoints)"),
                        cl::sub(trainCmd));
cl::opt<std::string> resumeFrom("resume",
                                cl::desc("Continue from a checkpoint (a "
                                         "file, or a directory's latest)"),
                                cl::value_desc("ckpt"), cl::sub(trainCmd));
cl::opt<bool> full("full",
                   cl::desc("Train on all the data, no validation "
                            "split (after validation chose the "
                            "settings)"),
                   cl::sub(trainCmd));
cl::opt<int64_t> evalBatches("eval-batches",
                             cl::desc("Every evaluation (the final one "
                                      "and the test set's too) uses at most "
                                      "N batches (0: the whole split)"),
                             cl::init(0), cl::value_desc("N"),
                             cl::sub(trainCmd));
cl::opt<bool> quiet("quiet", cl::desc("Print only errors and the summary"),
                    cl::sub(trainCmd));
cl::opt<bool> json("json",
                   cl::desc("Print the metrics.jsonl records "
                            "instead of progress"),
                   cl::sub(trainCmd));
cl::opt<int64_t> ranksFlag(
    "ranks",
    cl::desc("Train on N processes, data parallel: runs this command under "
             "`mpirun -n N` (with --oversubscribe beyond this machine's "
             "cores, --allow-run-as-root as root; docs/parallel.md)"),
    cl::value_desc("N"), cl::sub(trainCmd));
cl::opt<int64_t> commTimeout(
    "comm-timeout",
    cl::desc("With several ranks: seconds a rank waits for the others (in "
             "an all-reduce, an evaluation's sums) before it asks where they "
             "are and stops the run, naming a rank that is dead or stopped "
             "(default 10; docs/parallel.md)"),
    cl::init(10), cl::value_desc("S"), cl::sub(trainCmd));
cl::opt<bool> profile("profile",
                      cl::desc("Time every kernel and print where the time "
                               "went (per program, the slowest kernels)"),
                      cl::sub(trainCmd));
// --dump-ir and --print-ir-*, for the compile of a .loom program.
loom::tool::IrFlags irFlags(trainCmd);
cl::opt<std::string> trainName("train",
                               cl::desc("The train block (when the file has "
                                        "several)"),
                               cl::value_desc("name"), cl::sub(trainCmd));

int fail(const std::string &message) {
  return loom::tool::flagError("loom train", message);
}

int usage(const std::string &message) {
  return loom::tool::usageError("loom train", message);
}

std::string absolute(const std::string &path) {
  SmallString<256> p(path);
  sys::fs::make_absolute(p);
  return p.str().str();
}

/// `arg` as a shell word.
std::string shellWord(const std::string &arg) {
  if (!arg.empty() &&
      arg.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            "0123456789_./=:+-,") == std::string::npos)
    return arg;
  std::string quoted = "'";
  for (char c : arg)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// This command line, less --resume, --overwrite and what only changes the
/// output (--quiet, --json, --profile): what continues the run with
/// --resume added.
std::string resumeCommand() {
  std::string cmd = "loom train " + shellWord(inputFile);
  auto add = [&](const char *flag, const std::string &value) {
    cmd += std::string(" --") + flag + " " + shellWord(value);
  };
  if (trainName.getNumOccurrences())
    add("train", trainName);
  if (steps.getNumOccurrences())
    add("steps", std::to_string(steps));
  if (batch.getNumOccurrences())
    add("batch", std::to_string(batch));
  if (lr.getNumOccurrences()) {
    // The shortest text that reads back as the same double.
    char text[32];
    for (int digits = 6; digits <= 17; ++digits) {
      std::snprintf(text, sizeof text, "%.*g", digits, lr.getValue());
      if (std::strtod(text, nullptr) == lr.getValue())
        break;
    }
    add("lr", text);
  }
  if (seed.getNumOccurrences())
    add("seed", std::to_string(seed));
  for (const auto &[name, value] : setPairs)
    add("set", name + "=" + value);
  if (mesh)
    add("mesh", mesh->text);
  if (outDir.getNumOccurrences())
    add("out", outDir);
  if (full)
    cmd += " --full";
  if (evalBatches.getNumOccurrences())
    add("eval-batches", std::to_string(evalBatches));
  if (ranksFlag.getNumOccurrences())
    add("ranks", std::to_string(ranksFlag));
  if (commTimeout.getNumOccurrences())
    add("comm-timeout", std::to_string(commTimeout));
  return cmd;
}

/// Readies the run of the recipe `recipeJson` before anything is compiled
/// or written: claims the output directory (locked into `lock`, which the
/// caller keeps until the run ends; an earlier run there is refused,
/// continued or removed); `name` gets the train block's name. False after
/// printing why.
bool prepareRun(const std::string &recipeJson, int64_t modelRanks,
                loom::train::TrainOptions &options, std::string &name,
                loom::train::OutputDirLock &lock) {
  loom::StatusOr<loom::train::Recipe> recipe =
      loom::train::parseRecipe(recipeJson, options.name);
  if (!recipe)
    return fail(recipe.status().message()), false;
  name = recipe->name;
  if (options.outDir.empty())
    options.outDir =
        "runs/" + (recipe->name.empty() ? std::string("run") : recipe->name);
  loom::train::EarlierRun earlier =
      !options.resume.empty() ? loom::train::EarlierRun::Resume
      : overwrite             ? loom::train::EarlierRun::Overwrite
                              : loom::train::EarlierRun::Refuse;
  // A multiple may be a model axis's ranks (tensor parallelism), which the
  // recipe does not record (`modelRanks` says them): the trainer checks
  // them against the artifact's parameters.
  if (options.ranks % recipe->dataRanks != 0 ||
      (options.ranks == 1 && recipe->dataRanks != 1))
    return fail(options.name + ": the step is compiled for " +
                std::to_string(recipe->dataRanks) +
                (recipe->dataRanks == 1 ? " rank" : " ranks") +
                " of the mesh's data axis" +
                (modelRanks > 1 ? " and " + std::to_string(modelRanks) +
                                      " of its model axis"
                                : std::string()) +
                ", but this run has " + std::to_string(options.ranks) +
                (options.ranks == 1
                     ? "; run it under mpirun -n " +
                           std::to_string(recipe->dataRanks * modelRanks)
                     : std::string("; compile the .loom "
                                   "program for them"))),
           false;
  loom::StatusOr<std::vector<std::string>> removed =
      loom::train::claimOutputDir(options.outDir, recipe->name, earlier, lock);
  if (!removed)
    return fail(removed.status().message()), false;
  if (!removed->empty() && !quiet && !json) {
    outs() << "removed the earlier run's " << join(*removed, ", ") << " from "
           << options.outDir << " (--overwrite)\n";
    outs().flush();
  }
  return true;
}

/// The source of argument `which` ("path", "images", "labels") of setting
/// `key` of train block `train` ("" for the only one): the argument, else
/// the setting's value.
SMRange argumentRange(const mlir::loom::Program &program, StringRef train,
                      StringRef key, StringRef which) {
  for (const auto &t : program.main().trains) {
    if (!train.empty() && t->name.name != train)
      continue;
    for (const mlir::loom::ast::TrainEntry &e : t->entries) {
      if (e.key.name != key)
        continue;
      if (auto *call = dyn_cast<mlir::loom::ast::CallExpr>(e.value.get())) {
        int position = which == "labels" ? 1 : 0, positional = 0;
        for (const mlir::loom::ast::Arg &a : call->args)
          if (a.name.name == which ||
              (a.name.name.empty() && positional++ == position))
            return a.value->range;
      }
      return e.value->range;
    }
  }
  return SMRange();
}

/// Checks the files the recipe's `data` and `test` name (runtime/data's
/// probe) before the long compile; an error points at the setting in the
/// .loom file. False after printing why.
bool checkData(const std::string &recipeJson, const std::string &name,
               const mlir::loom::Program &program,
               mlir::loom::DiagnosticEngine &diags) {
  loom::StatusOr<loom::train::Recipe> recipe =
      loom::train::parseRecipe(recipeJson, name);
  if (!recipe)
    return fail(recipe.status().message()), false;
  std::vector<std::pair<const char *, const loom::data::DataSpec *>> specs = {
      {"data", &recipe->data}};
  if (recipe->test)
    specs.push_back({"test", &*recipe->test});
  for (const auto &[key, spec] : specs) {
    std::string which;
    loom::Status s = loom::data::probeData(*spec, which);
    if (s)
      continue;
    SMRange at = argumentRange(program, trainName, key, which);
    diags.error(at, s.message());
    std::string path = which == "images"   ? spec->images
                       : which == "labels" ? spec->labels
                                           : spec->path;
    // A file not found may be one looked for in the wrong place.
    SmallString<256> cwd;
    if (StringRef(s.message()).starts_with("cannot open data file") &&
        !sys::path::is_absolute(path) && !sys::fs::current_path(cwd))
      diags.note(at, "data paths are relative to the current directory (" +
                         cwd + "), not to the .loom file");
    return false;
  }
  return true;
}

/// The run's options from the flags, for rank `rank` of `ranks`.
loom::train::TrainOptions trainOptions(int rank, int ranks) {
  loom::train::TrainOptions options;
  options.name = sys::path::filename(inputFile).str();
  if (steps.getNumOccurrences())
    options.steps = steps;
  if (seed.getNumOccurrences())
    options.seed = static_cast<uint64_t>(seed.getValue());
  options.outDir = outDir;
  options.resume = resumeFrom;
  // The other ranks print nothing but errors.
  options.quiet = quiet || rank != 0;
  options.json = json;
  options.full = full;
  options.evalBatches = evalBatches;
  options.commTimeout = double(commTimeout);
  options.profile = profile;
  options.resumeCommand = resumeCommand();
  options.rank = rank;
  options.ranks = ranks;
  return options;
}

/// Checks the flags and reads or compiles the artifact into `artifact`,
/// claiming the output directory into `lock` (rank 0's part of a run).
/// The exit status: 0, or what the failure calls for (after printing why).
int produceArtifact(loom::train::TrainOptions &options,
                    loom::train::OutputDirLock &lock,
                    loom::Artifact &artifact) {
  using namespace loom::tool;
  int ranks = options.ranks;
  if (quiet && json)
    return usage("--quiet and --json exclude each other");
  if (!checkIntFlag("loom train", steps, 1) ||
      !checkIntFlag("loom train", batch, 1) ||
      !checkIntFlag("loom train", evalBatches, 0) ||
      !checkIntFlag("loom train", commTimeout, 1))
    return ExitUsage;
  // The range a train block's optimizer(lr = ...) has.
  if (std::string range =
          lr.getNumOccurrences()
              ? mlir::loom::recipeRangeViolation("optimizer", "", "lr", lr)
              : "";
      !range.empty())
    return usage("--lr must be " + range + ", not " + spellNumber(lr));
  if (overwrite && resumeFrom.getNumOccurrences())
    return usage("--resume continues the run in the output directory and "
                 "--overwrite replaces it; give one");
  if (!irFlags.checkPassNames("loom train", "loom train", /*overrides=*/true))
    return ExitUsage;
  if (StringRef(inputFile).ends_with(".loomx")) {
    if (batch.getNumOccurrences() || lr.getNumOccurrences())
      return usage(options.name + ": the batch size and the learning rate are "
                                  "compiled into the step; give the .loom "
                                  "program to change them");
    if (!setPairs.empty())
      return usage(options.name + ": the model's hyper-parameters are "
                                  "compiled into the step; give the .loom "
                                  "program to --set them");
    if (mesh)
      return usage(options.name + ": the mesh is compiled into the step; "
                                  "give the .loom program to change it "
                                  "with --mesh");
    if (irFlags.noFusion)
      return usage(options.name + ": the artifact is compiled already; "
                                  "--no-fusion applies to a .loom program");
    if (irFlags.any())
      return usage(options.name +
                   ": the artifact is compiled already; `loom "
                   "inspect " +
                   inputFile + " --ir STAGE` prints the IR it keeps");
    loom::StatusOr<loom::Artifact> a = loom::readArtifact(inputFile);
    if (!a)
      return fail(a.status().message());
    artifact = std::move(*a);
    options.artifactPath = absolute(inputFile);
    std::string name;
    if (!prepareRun(artifact.recipe, loom::modelRanksOf(artifact), options,
                    name, lock))
      return 1;
  } else {
    SourceMgr sourceMgr;
    mlir::loom::DiagnosticEngine diags(sourceMgr, errs());
    loom::tool::InternalErrorWatch watch(diags);
    mlir::loom::Program program;
    if (!mlir::loom::loadProgram(inputFile, mlir::loom::defaultStdDir(), diags,
                                 program))
      return 1;
    mlir::MLIRContext ctx;
    // Printing from several threads would interleave.
    if (irFlags.printing())
      ctx.disableMultithreading();
    loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
    ctx.printOpOnDiagnostic(false);
    mlir::loom::IrPrinter printer(irFlags.options(/*locs=*/false));
    ArtifactOptions compile;
    compile.trainName = trainName;
    compile.sourceName = options.name;
    compile.printer = &printer;
    compile.fuse = !irFlags.noFusion;
    if (ranks > 1)
      compile.ranks = ranks;
    if (batch.getNumOccurrences())
      compile.batch = batch;
    compile.set = setPairs;
    compile.mesh = mesh;
    if (lr.getNumOccurrences())
      compile.lr = lr;
    // The schedule is compiled for the run's length.
    if (steps.getNumOccurrences())
      compile.steps = steps;
    std::string name;
    // Before the long compile: the data, then the output directory.
    int64_t modelRanks = 1;
    compile.modelRanks = &modelRanks;
    compile.checkRecipe = [&](const std::string &recipeJson) {
      return checkData(recipeJson, options.name, program, diags) &&
             prepareRun(recipeJson, modelRanks, options, name, lock);
    };
    mlir::loom::cpu::RematSummary remat;
    compile.remat = &remat;
    PartitionSummary partition;
    compile.partition = &partition;
    if (!compileCpuArtifact(ctx, program, diags, compile, artifact))
      return 1;
    std::string path =
        options.outDir + "/" + (name.empty() ? "model" : name) + ".loomx";
    if (std::error_code ec = sys::fs::create_directories(options.outDir))
      return fail("cannot create '" + options.outDir + "': " + ec.message());
    if (loom::Status s = loom::writeArtifact(path, artifact); !s)
      return fail(s.message());
    // The identity checkpoints record, as the file holds it.
    artifact.meta.contentHash =
        loom::contentHash(loom::encodeSections(artifact));
    options.artifactPath = absolute(path);
    if (!options.quiet && !json)
      outs() << "compiled " << path << ": "
             << describeArtifact(artifact, &partition) << "\n"
             << (remat.policy.empty() ? "" : describeRemat(remat) + "\n");
    outs().flush();
  }
  return 0;
}

/// loom train as rank `rank` of `ranks` (1 without mpirun). Rank 0 checks
/// the flags and reads or compiles the artifact, then sends it to the
/// others (or, after a failure it printed, an empty message, on which every
/// rank stops: `collective` is then true). Every rank then trains.
int trainAsRank(int rank, int ranks, bool &collective) {
  loom::train::TrainOptions options = trainOptions(rank, ranks);
  loom::Artifact artifact;
  // Held until the process ends: no other run writes into options.outDir.
  loom::train::OutputDirLock lock;
  int code = rank == 0 ? produceArtifact(options, lock, artifact) : 0;
  if (ranks > 1) {
    std::vector<uint8_t> bytes;
    if (rank == 0 && code == 0) {
      loom::StatusOr<std::vector<uint8_t>> encoded =
          loom::encodeArtifact(artifact, options.name);
      if (!encoded)
        code = fail(encoded.status().message());
      else
        bytes = std::move(*encoded);
    }
    if (loom::Status s = loom::comm::broadcastFromRoot(bytes); !s)
      return fail(s.message());
    collective = bytes.empty();
    if (collective)
      return rank == 0 ? code : 1;
    if (rank != 0) {
      loom::StatusOr<loom::Artifact> a =
          loom::decodeArtifact(bytes.data(), bytes.size(), options.name);
      if (!a)
        return fail(a.status().message());
      artifact = std::move(*a);
    }
  } else if (code != 0) {
    return code;
  }
  std::ostream nowhere(nullptr);
  return loom::train::trainArtifact(std::move(artifact), options,
                                    rank == 0 ? std::cout : nowhere, std::cerr);
}

/// `loom train ... --ranks N` outside mpirun: this command again, without
/// --ranks, under `mpirun -n N`; its exit status.
int launchRanks(int64_t ranks) {
  ErrorOr<std::string> mpirun = sys::findProgramByName("mpirun");
  if (!mpirun)
    return fail("--ranks " + std::to_string(ranks) +
                " runs mpirun, which is not on the PATH (OpenMPI's "
                "openmpi-bin)");
  // The command line as the kernel has it (cl keeps no copy of argv).
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  std::vector<std::string> self;
  for (StringRef rest = raw; !rest.empty();) {
    auto [arg, tail] = rest.split('\0');
    self.push_back(arg.str());
    rest = tail;
  }
  std::string exe = sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&launchRanks));
  if (self.empty() || exe.empty())
    return fail("--ranks: cannot read this command's own command line");
  std::vector<std::string> args = {*mpirun, "-n", std::to_string(ranks)};
  if (ranks > int64_t(llvm::get_physical_cores()) &&
      ranks >
          int64_t(
              llvm::heavyweight_hardware_concurrency().compute_thread_count()))
    args.push_back("--oversubscribe");
  if (geteuid() == 0)
    args.push_back("--allow-run-as-root");
  args.push_back(exe);
  for (size_t i = 1; i < self.size(); ++i) {
    StringRef a = self[i];
    if (a == "--ranks" || a == "-ranks") {
      ++i; // and its value
      continue;
    }
    if (a.starts_with("--ranks=") || a.starts_with("-ranks="))
      continue;
    args.push_back(self[i]);
  }
  std::vector<StringRef> argv(args.begin(), args.end());
  outs().flush();
  std::string error;
  int status =
      sys::ExecuteAndWait(*mpirun, argv, std::nullopt, {}, 0, 0, &error);
  if (status < 0)
    return fail("cannot run " + *mpirun + ": " + error);
  return status;
}

} // namespace

cl::SubCommand &loom::tool::trainCommand() { return trainCmd; }

int loom::tool::runTrain() {
  if (!checkIntFlag("loom train", ranksFlag, 1) ||
      !parseSetFlags("loom train", setFlags, setPairs) ||
      !parseMeshFlag("loom train", meshFlag, mesh))
    return ExitUsage;
  bool underMpirun = loom::comm::launchedByMpirun();
  if (ranksFlag.getNumOccurrences() && ranksFlag > 1 && !underMpirun)
    return launchRanks(ranksFlag);
  // Under mpirun every rank runs this; without it MPI is never touched.
  int rank = 0, ranks = 1;
  if (underMpirun) {
    if (loom::Status s = loom::comm::initialize(); !s)
      return fail(s.message());
    rank = loom::comm::worldRank();
    ranks = loom::comm::worldSize();
    if (ranksFlag.getNumOccurrences() && ranksFlag != ranks) {
      if (rank == 0)
        usage("--ranks " + std::to_string(ranksFlag) + " under mpirun -n " +
              std::to_string(ranks) + ": give one of them");
      loom::comm::finalize();
      return ExitUsage;
    }
  }
  bool collective = false;
  int code = trainAsRank(rank, ranks, collective);
  // A rank that stops alone would leave the others waiting in a
  // collective: it ends them all.
  if (ranks > 1 && code != 0 && !collective)
    loom::comm::abortAll(code);
  loom::comm::finalize();
  return code;
}
