//===- Eval.cpp - loom eval -----------------------------------------------===//
//
// Part of Loom. `loom eval CKPT [--data FILE] [--artifact X.loomx]
// [--eval-batches N] [--json]`: loads the artifact a training checkpoint
// records (or --artifact) and the checkpoint's parameters, and evaluates
// them as the end of `loom train` does, with the recipe's metrics: the
// split the recipe's `eval` names, then its test set; or every example of
// --data FILE, read as the recipe's test set (or data) is, with the
// checkpoint's classes and prep statistics. It writes no file.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/artifact/Artifact.h"
#include "runtime/checkpoint/Checkpoint.h"
#include "runtime/train/State.h"
#include "runtime/train/Trainer.h"

#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>

using namespace llvm;

namespace {

cl::SubCommand
    evalCmd("eval",
            "Evaluate a trained model with its recipe's metrics\n\n"
            "Without --data: the split the recipe's eval names and its test "
            "set, as at the end of loom train.\n\n"
            "EXAMPLES:\n"
            "  loom eval runs/iris/checkpoints\n"
            "  loom eval runs/iris/iris.safetensors --data more.csv\n"
            "  loom eval runs/mlp/checkpoints --eval-batches 10 --json");

cl::opt<std::string> checkpoint(cl::Positional,
                                cl::desc("<checkpoint file or directory>"),
                                cl::Required, cl::sub(evalCmd));
cl::opt<std::string> dataFile("data",
                              cl::desc("Evaluate every example of this file "
                                       "(CSV or tokens, as the recipe's data)"),
                              cl::value_desc("file"), cl::sub(evalCmd));
cl::opt<std::string> artifactPath("artifact",
                                  cl::desc("The .loomx the checkpoint belongs "
                                           "to (default: the one it records)"),
                                  cl::value_desc("file"), cl::sub(evalCmd));
cl::opt<int64_t> evalBatches("eval-batches",
                             cl::desc("Evaluate at most N full batches of "
                                      "each split (0: all of it)"),
                             cl::init(0), cl::value_desc("N"),
                             cl::sub(evalCmd));
cl::opt<bool> json("json",
                   cl::desc("Print the evaluations' metrics.jsonl records "
                            "instead of text"),
                   cl::sub(evalCmd));

int fail(const std::string &message) {
  return loom::tool::flagError("loom eval", message);
}

} // namespace

cl::SubCommand &loom::tool::evalCommand() { return evalCmd; }

int loom::tool::runEval() {
  if (!checkIntFlag("loom eval", evalBatches, 0))
    return ExitUsage;
  std::string file;
  loom::StatusOr<std::string> found =
      loom::train::checkpointArtifact(checkpoint, artifactPath, file);
  if (!found)
    return fail(found.status().message());
  std::string artifactFile = *found;
  loom::StatusOr<loom::Artifact> artifact = loom::readArtifact(artifactFile);
  if (!artifact)
    return fail(artifact.status().message());
  loom::train::TrainOptions options;
  options.name = sys::path::filename(artifactFile).str();
  options.artifactPath = artifactFile;
  options.resume = file;
  options.evaluateOnly = true;
  options.evalData = dataFile;
  options.evalBatches = evalBatches;
  options.json = json;
  std::cout.flush();
  return loom::train::trainArtifact(std::move(*artifact), options, std::cout,
                                    std::cerr);
}
