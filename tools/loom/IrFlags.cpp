//===- IrFlags.cpp - The IR-printing flags of loom compile and train ------===//
//
// Part of Loom. This file implements IrFlags.h.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/IrFlags.h"

#include "backends/cpu/Pipelines.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

loom::tool::IrFlags::IrFlags(cl::SubCommand &sub)
    : dumpIr("dump-ir",
             cl::desc("Write the IR after every pass the command runs into "
                      "this directory, one file per pass (NN-<pass>.mlir), "
                      "with locations"),
             cl::value_desc("dir"), cl::sub(sub)),
      printBefore("print-ir-before",
                  cl::desc("Print the IR before every run of this pass on "
                           "stderr"),
                  cl::value_desc("pass"), cl::CommaSeparated, cl::sub(sub)),
      printAfter("print-ir-after",
                 cl::desc("Print the IR after every run of this pass on "
                          "stderr"),
                 cl::value_desc("pass"), cl::CommaSeparated, cl::sub(sub)),
      printAfterAll("print-ir-after-all",
                    cl::desc("Print the IR after every pass on stderr"),
                    cl::sub(sub)),
      filter("print-ir-filter",
             cl::desc("--print-ir-* print only the functions of this name"),
             cl::value_desc("func"), cl::sub(sub)),
      noFusion("no-fusion",
               cl::desc("Compile one kernel per op, without fusion groups "
                        "(--loom-fuse), to tell a fusion problem apart"),
               cl::sub(sub)) {}

bool loom::tool::IrFlags::printing() const {
  return !printBefore.empty() || !printAfter.empty() || printAfterAll;
}

mlir::loom::IrPrintingOptions loom::tool::IrFlags::options(bool locs) const {
  mlir::loom::IrPrintingOptions options;
  options.dumpDir = dumpIr;
  options.printBefore.assign(printBefore.begin(), printBefore.end());
  options.printAfter.assign(printAfter.begin(), printAfter.end());
  options.printAfterAll = printAfterAll;
  options.filter = filter;
  options.printLocs = locs;
  return options;
}

bool loom::tool::IrFlags::checkPassNames(StringRef tool, StringRef command,
                                         bool overrides) const {
  if (printBefore.empty() && printAfter.empty())
    return true;
  // Every pipeline a compile builds, in every mode.
  mlir::OpPassManager pm(mlir::ModuleOp::getOperationName());
  if (overrides)
    pm.addPass(mlir::loom::createLoomOverrideRecipe());
  mlir::loom::buildFrontendCleanupPipeline(pm);
  mlir::loom::TrainStepPipelineOptions all;
  all.eval = all.decode = all.dataParallel = all.modelParallel = true;
  mlir::loom::buildTrainStepPipeline(pm, all);
  mlir::loom::cpu::buildCpuStepPipeline(
      pm, mlir::loom::cpu::CpuStepPipelineOptions());
  mlir::loom::cpu::buildCpuPipeline(pm, mlir::loom::cpu::CpuPipelineOptions());
  StringSet<> known;
  mlir::loom::collectPassArguments(pm, known);
  for (auto [flag, names] : {std::pair{"--print-ir-before", &printBefore},
                             std::pair{"--print-ir-after", &printAfter}})
    for (const std::string &name : *names)
      if (!known.contains(name)) {
        WithColor::error(errs(), tool)
            << flag << ": '" << name << "' is not a pass " << command
            << " runs (--print-ir-after-all names each pass that runs)\n";
        return false;
      }
  return true;
}
