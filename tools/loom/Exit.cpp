//===- Exit.cpp - The exit statuses of the loom tool ----------------------===//
//
// Part of Loom. See Exit.h.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Exit.h"

#include "frontend/Diagnostics.h"

#include "mlir/IR/MLIRContext.h"

using namespace llvm;

namespace {
/// Whether the command reported an internal error (one process, one command).
bool internalErrorReported = false;
} // namespace

bool loom::tool::isInternalError(StringRef message) {
  return message.contains("internal error: ");
}

void loom::tool::noteInternalError() { internalErrorReported = true; }

void loom::tool::clearInternalError() { internalErrorReported = false; }

int loom::tool::exitStatus(int status) {
  return status != ExitSuccess && internalErrorReported ? ExitInternal : status;
}

loom::tool::InternalErrorWatch::~InternalErrorWatch() {
  if (diags.hadInternalError())
    noteInternalError();
}

loom::tool::DiagnosticHandler::DiagnosticHandler(SourceMgr &sourceMgr,
                                                 mlir::MLIRContext *ctx,
                                                 raw_ostream &os)
    : printer(sourceMgr, ctx, os), ctx(ctx) {
  // Registered after the printer, so it sees each diagnostic first; it
  // declines every one (failure()), and the printer prints it.
  id = ctx->getDiagEngine().registerHandler([this](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error &&
        isInternalError(diag.str())) {
      internal = true;
      noteInternalError();
    }
    return mlir::failure();
  });
}

loom::tool::DiagnosticHandler::~DiagnosticHandler() {
  ctx->getDiagEngine().eraseHandler(id);
}
