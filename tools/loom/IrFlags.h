//===- IrFlags.h - The IR-printing flags of loom compile and train -*- C++ -*-//
//
// Part of Loom. `--dump-ir DIR`, `--print-ir-before=PASS`,
// `--print-ir-after=PASS`, `--print-ir-after-all` and
// `--print-ir-filter=FUNC`, declared once for each command that compiles
// (loom compile, loom train) and turned into the options of
// passes/IrPrinting.h; and `--no-fusion`, which bisects the pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_IRFLAGS_H
#define LOOM_TOOLS_LOOM_IRFLAGS_H

#include "passes/IrPrinting.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace loom::tool {

/// The flags, as options of subcommand `sub`. Construct one per command, at
/// namespace scope after the command's cl::SubCommand.
struct IrFlags {
  explicit IrFlags(llvm::cl::SubCommand &sub);

  /// Whether a --print-ir-* flag that prints was given.
  bool printing() const;
  /// Whether --dump-ir or a --print-ir-* flag that prints was given.
  bool any() const { return !dumpIr.empty() || printing(); }

  /// The IrPrinter's options; `locs`: print locations on stderr too.
  mlir::loom::IrPrintingOptions options(bool locs) const;

  /// Checks that every pass --print-ir-before/after names is one that
  /// `command`'s compile runs (the pipelines of passes/Pipelines.h and
  /// backends/cpu/Pipelines.h in any of their modes; with `overrides`,
  /// --loom-override-recipe too); false after printing "<tool>: error:
  /// --print-ir-after: 'x' is not a pass <command> runs (...)".
  bool checkPassNames(llvm::StringRef tool, llvm::StringRef command,
                      bool overrides) const;

  llvm::cl::opt<std::string> dumpIr;
  llvm::cl::list<std::string> printBefore;
  llvm::cl::list<std::string> printAfter;
  llvm::cl::opt<bool> printAfterAll;
  llvm::cl::opt<std::string> filter;
  /// --no-fusion: one kernel per op (no --loom-fuse), for bisecting.
  llvm::cl::opt<bool> noFusion;
};

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_IRFLAGS_H
