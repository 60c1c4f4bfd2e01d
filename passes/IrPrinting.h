//===- IrPrinting.h - The IR after every pass, to files and stderr -*- C++ -*-//
//
// Part of Loom. What `loom compile --dump-ir DIR` and the --print-ir-* flags
// are built on: a pass instrumentation (the way MLIR's own IR printing
// works) shared by every pass manager of one compile, so that the numbering
// runs through all of them:
//
//   - with a dump directory, one file per pass that ran on a whole module,
//     `NN-<pass argument>.mlir` (`03-loom-autodiff.mlir`), and one per
//     stage that no pass made (`00-frontend.mlir`, the CPU backend's
//     `kernels`), printed with each op's whole location inline (local
//     scope: no `#loc` aliases), so that every line carries the .loom
//     file:line:col, the model instance (`fused<{instance =
//     "blocks.3.attn"}>`) and the calls that led there (loom-opt prints the
//     same with --mlir-print-debuginfo --mlir-print-local-scope). A pass that
//     runs nested on each function
//     (`func.func(convert-linalg-to-parallel-loops)`) gets one file, written
//     when it has run on all of them;
//   - --print-ir-before/after=PASS and --print-ir-after-all print to a
//     stream (stderr) as mlir-opt's --mlir-print-ir-* do: the op the pass
//     ran on, under `// -----// IR Dump After CSE (cse) //----- //`;
//   - --print-ir-filter=FUNC, which MLIR 19's printing lacks, prints only
//     the func.func ops of that name, each on its own.
//
// Every pass manager it instruments also verifies the IR after each pass
// (PassVerifier.h): a pass that leaves IR that does not verify is an
// internal error, and the passes after it run, print and write nothing.
//
// The callbacks hold a lock, since nested passes may run on several threads;
// the order of what they print would then vary, so a compile that prints
// to stderr runs its passes on one thread (the tool disables
// multithreading). Files are written only after passes on a whole module.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_IRPRINTING_H
#define LOOM_PASSES_IRPRINTING_H

#include "passes/PassVerifier.h"

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mlir {
class OpPassManager;
class Operation;
class Pass;
class PassManager;
} // namespace mlir

namespace mlir::loom {

struct IrPrintingOptions {
  /// When not empty, one file per pass (and per stage) in this directory.
  std::string dumpDir;
  /// Pass arguments ("cse", "loom-autodiff") to print before / after.
  std::vector<std::string> printBefore, printAfter;
  bool printAfterAll = false;
  /// When not empty, print only the func.func ops of this name.
  std::string filter;
  /// Print locations on `os` (the files always have them).
  bool printLocs = false;
  /// Where --print-ir-* prints; null: llvm::errs().
  llvm::raw_ostream *os = nullptr;
};

class IrPrinter {
public:
  explicit IrPrinter(IrPrintingOptions options);

  /// Whether anything is printed or written (else instrument() only
  /// verifies and stage() writes nothing).
  bool active() const;

  /// Verifies the IR after every pass `pm` runs (in place of its own
  /// verifier) and reports every pass. `label` tells apart a module that is
  /// not the compile's main one: its files are `NN-<pass>.<label>.mlir`.
  void instrument(PassManager &pm, llvm::StringRef label = "");

  /// Runs `pm` (instrumented) on `op`: failure when a pass failed or left
  /// IR that does not verify (reported as an internal error).
  LogicalResult run(PassManager &pm, Operation *op);

  /// Whether a pass left IR that does not verify.
  bool irBroken() const { return verifier.failed(); }

  /// Writes `module` as a stage no pass made (`NN-<name>.mlir`).
  void stage(Operation *module, llvm::StringRef name);

  /// After the pass `passArgument` runs on a whole module, keeps the text
  /// of the module (with locations) in kept() as stage `stage`.
  void keepAfter(llvm::StringRef passArgument, llvm::StringRef stage);
  /// The kept stages, in the order they were made: (stage, text).
  const std::vector<std::pair<std::string, std::string>> &kept() const {
    return keptStages;
  }
  /// Keeps `module`'s text as stage `stage` now.
  void keep(Operation *module, llvm::StringRef stage);

  /// The first dump file that could not be written ("" if none): "cannot
  /// write 'd/03-cse.mlir': ...".
  const std::string &error() const { return firstError; }

  /// Called by the instrumentation.
  void beforePass(Pass *pass, Operation *op);
  void afterPass(Pass *pass, Operation *op, llvm::StringRef label);

private:
  void write(Operation *module, llvm::StringRef name, llvm::StringRef label);
  void print(llvm::StringRef when, Pass *pass, Operation *op);

  IrPrintingOptions options;
  PassVerifier verifier;
  unsigned next = 0;
  /// The nested passes an adaptor ran, in order, while it runs.
  std::vector<std::string> nested;
  std::map<std::string, std::string, std::less<>> keepAfterPass;
  std::vector<std::pair<std::string, std::string>> keptStages;
  std::string firstError;
  /// Nested passes may run on several threads at once.
  std::mutex mutex;
};

/// The text of `op` with locations (as `#loc` aliases), as the artifact
/// keeps its stages.
std::string printWithLocations(Operation *op);

/// Adds to `out` the argument of every pass `pm` holds, those of nested
/// pass managers included.
void collectPassArguments(OpPassManager &pm, llvm::StringSet<> &out);

} // namespace mlir::loom

#endif // LOOM_PASSES_IRPRINTING_H
