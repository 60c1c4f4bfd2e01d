//===- loom.cpp - The loom command-line tool ------------------------------===//
//
// Part of Loom. This file implements `loom`, the user's entry point:
//
//   loom compile FILE.loom [--emit=ir|train-ir|ast|plan] [--train NAME] [--locs]
//                          [--dump-ir DIR] [-o OUT]          (Compile.cpp)
//   loom compile FILE.loom -o FILE.loomx [--target cpu] [--dump-ir DIR]
//   loom check FILE.loom                                     (Check.cpp)
//   loom inspect FILE.loomx [--ir STAGE]                     (Inspect.cpp)
//   loom inspect FILE.loomx --graph|--memory -o FILE [--program NAME]
//                [--depth N]                       (InspectViews.cpp)
//   loom bench FILE.loom|FILE.loomx [--steps N] [--batch B] [--json]
//                                                            (Bench.cpp)
//   loom run FILE.loom --backend=reference|cpu [--steps N] [--batch B]
//                      [--seed S] [--train NAME]             (Run.cpp)
//   loom train FILE.loom|FILE.loomx [--steps N] [--batch B] [--lr LR]
//              [--seed S] [--out DIR] [--resume CKPT | --overwrite]
//              [--full] [--eval-batches N] [--quiet | --json]
//              [--dump-ir DIR]                              (Train.cpp)
//   loom prep tokens TEXT... -o OUT.bin [--dtype u16|u32]   (Prep.cpp)
//   loom generate CKPT --prompt TEXT --tokens N [--temperature T]
//                 [--top-k K] [--seed S] [--artifact X.loomx] [--no-cache]
//                                                          (Generate.cpp)
//
// Every problem in the input is reported as `file:line:col: error: ...` with
// the source line and a caret (or `file: error: ...` for data files), and the
// tool exits non-zero; so is a failed write to standard output (a full disk,
// `> /dev/full`), whichever stream the command wrote with.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

using namespace llvm;

namespace {

/// Runs the command the command line chose; its exit status.
int dispatch() {
  if (loom::tool::compileCommand())
    return loom::tool::runCompile();
  if (loom::tool::checkCommand())
    return loom::tool::runCheck();
  if (loom::tool::benchCommand())
    return loom::tool::runBench();
  if (loom::tool::inspectCommand())
    return loom::tool::runInspect();
  if (loom::tool::runCommand())
    return loom::tool::runRun();
  if (loom::tool::trainCommand())
    return loom::tool::runTrain();
  if (loom::tool::prepCommand())
    return loom::tool::runPrep();
  if (loom::tool::generateCommand())
    return loom::tool::runGenerate();
  WithColor::error(errs(), "loom")
      << "no command given; try 'loom compile FILE.loom' or 'loom --help'\n";
  return 1;
}

/// The command's exit status `status`, or 1 after an error when what it
/// wrote to standard output (through LLVM's outs(), std::cout or stdio) did
/// not all reach it. Without this check a failed std::cout went unnoticed
/// and outs() ended in an LLVM fatal error.
int checkStdout(int status) {
  // Why the write failed, when known.
  std::string why;
  outs().flush();
  bool failed = bool(outs().error());
  if (failed) {
    why = outs().error().message();
    outs().clear_error();
  }
  // std::cout writes through stdio's stdout: a flush that fails says why,
  // an error flag left by an earlier write does not.
  std::cout.flush();
  failed |= !std::cout;
  errno = 0;
  if ((std::fflush(stdout) != 0 || std::ferror(stdout))) {
    failed = true;
    if (why.empty() && errno)
      why = std::strerror(errno);
  }
  if (!failed)
    return status;
  std::string command = "loom";
  for (cl::SubCommand *sub : cl::getRegisteredSubcommands())
    if (*sub && !sub->getName().empty())
      command += " " + sub->getName().str();
  WithColor::error(errs(), command)
      << "cannot write to standard output"
      << (why.empty() ? std::string() : ": " + why) << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "loom: compile and train neural networks\n");
  return checkStdout(dispatch());
}
