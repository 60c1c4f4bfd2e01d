//===- Exit.h - The exit statuses of the loom tool --------------*- C++ -*-===//
//
// Part of Loom. Every `loom` command exits with one of four statuses, the
// same for all of them (README.md and `loom --help` list them):
//
//   0  success
//   1  an error in what the user gave: a .loom program, data, a checkpoint
//      or an artifact, a file that cannot be read or written
//   2  a usage error: an unknown command or flag, a missing argument, a flag
//      value out of range or flags that exclude each other
//   3  an internal error: a bug in Loom, reported as "internal error: ..."
//
// A command returns 0, 1 or 2; a command that failed after reporting an
// error whose message says "internal error: " exits 3 (exitStatus()): the
// compiler's and the runtime's messages for their own bugs say so, at the
// start or after the file or step they concern ("x.safetensors: internal
// error: ...", "cannot compile the generated kernels: internal error: ...").
// The reports come from the tool's own messages (flagError), the frontend's
// DiagnosticEngine and MLIR's diagnostics (DiagnosticHandler).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_EXIT_H
#define LOOM_TOOLS_LOOM_EXIT_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::loom {
class DiagnosticEngine;
} // namespace mlir::loom

namespace loom::tool {

/// The exit statuses of every loom command.
enum ExitCode : int {
  ExitSuccess = 0,
  ExitUserError = 1,
  ExitUsage = 2,
  ExitInternal = 3,
};

/// True when `message` reports an internal error (says "internal error: ").
bool isInternalError(llvm::StringRef message);

/// Records that the command reported an internal error.
void noteInternalError();

/// Forgets a recorded internal error (the tests run several "commands" in
/// one process).
void clearInternalError();

/// The exit status of a command that returned `status`: ExitInternal when
/// it failed after an internal error was reported, else `status`.
int exitStatus(int status);

/// Prints a context's diagnostics at their .loom locations, as
/// mlir::SourceMgrDiagnosticHandler does, and notes an error whose message
/// reports an internal error. Every command that runs MLIR uses one.
class DiagnosticHandler {
public:
  DiagnosticHandler(llvm::SourceMgr &sourceMgr, mlir::MLIRContext *ctx,
                    llvm::raw_ostream &os);
  ~DiagnosticHandler();
  DiagnosticHandler(const DiagnosticHandler &) = delete;
  DiagnosticHandler &operator=(const DiagnosticHandler &) = delete;

  /// Whether an internal error went through this handler.
  bool sawInternalError() const { return internal; }

private:
  mlir::SourceMgrDiagnosticHandler printer;
  mlir::MLIRContext *ctx;
  mlir::DiagnosticEngine::HandlerID id;
  bool internal = false;
};

/// Notes, when it goes out of scope (the command returning), an internal
/// error that the frontend's `diags` reported.
class InternalErrorWatch {
public:
  explicit InternalErrorWatch(const mlir::loom::DiagnosticEngine &diags)
      : diags(diags) {}
  ~InternalErrorWatch();
  InternalErrorWatch(const InternalErrorWatch &) = delete;
  InternalErrorWatch &operator=(const InternalErrorWatch &) = delete;

private:
  const mlir::loom::DiagnosticEngine &diags;
};

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_EXIT_H
