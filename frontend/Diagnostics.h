//===- Diagnostics.h - Located diagnostics for .loom sources ----*- C++ -*-===//
//
// Part of Loom. The frontend reports every problem at a source range of a
// .loom file: `file:line:col: error: message`, the source line, and a caret
// with tildes under the range, through llvm::SourceMgr. Errors are counted and
// capped so that a badly broken file reports its first problems, not
// thousands.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_DIAGNOSTICS_H
#define LOOM_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::loom {

/// Collects and prints the diagnostics of one compilation.
class DiagnosticEngine {
public:
  /// At most `maxErrors` errors are printed; the next one prints a final
  /// "too many errors" line and sets `tooManyErrors()`.
  DiagnosticEngine(llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os,
                   unsigned maxErrors = 20)
      : sourceMgr(sourceMgr), os(os), maxErrors(maxErrors) {}

  /// `file:line:col: error: message` with the line and a caret; without a
  /// valid `range`, `file: error: message` for the main file (never
  /// `<unknown>:0`).
  void error(llvm::SMRange range, const llvm::Twine &message);
  /// An error about a whole file: `file: error: message`.
  void fileError(llvm::StringRef file, const llvm::Twine &message);
  /// A note attached to the last error (dropped if that error was not
  /// shown); at the main file without a valid `range`, like error().
  void note(llvm::SMRange range, const llvm::Twine &message);

  unsigned numErrors() const { return errors; }
  bool hadError() const { return errors > 0; }
  /// Whether an error reported a bug in Loom: its message begins "internal
  /// error: " (the tool then exits 3, not 1).
  bool hadInternalError() const { return internalErrors > 0; }
  bool tooManyErrors() const { return errors > maxErrors; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  /// Prints a diagnostic that has no valid range at the main file.
  void printAtFile(llvm::SourceMgr::DiagKind kind, const llvm::Twine &message);

  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
  unsigned maxErrors;
  unsigned errors = 0;
  unsigned internalErrors = 0;
};

} // namespace mlir::loom

#endif // LOOM_FRONTEND_DIAGNOSTICS_H
