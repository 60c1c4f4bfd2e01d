//===- loom.cpp - The loom command-line tool ------------------------------===//
//
// Part of Loom. This file implements `loom`, the user's entry point:
//
//   loom compile FILE.loom [--emit=ir|train-ir|ast] [--train NAME] [--locs]
//                          [--dump-ir DIR] [-o OUT]          (Compile.cpp)
//   loom compile FILE.loom -o FILE.loomx [--target cpu] [--dump-ir DIR]
//   loom check FILE.loom                                     (Check.cpp)
//   loom inspect FILE.loomx [--ir STAGE]                     (Inspect.cpp)
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
//                 [--top-k K] [--seed S] [--artifact X.loomx] (Generate.cpp)
//
// Every problem in the input is reported as `file:line:col: error: ...` with
// the source line and a caret (or `file: error: ...` for data files), and the
// tool exits non-zero.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "loom: compile and train neural networks\n");
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
