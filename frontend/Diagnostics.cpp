//===- Diagnostics.cpp - Located diagnostics for .loom sources ------------===//
//
// Part of Loom. This file implements the DiagnosticEngine.
//
//===----------------------------------------------------------------------===//

#include "frontend/Diagnostics.h"

using namespace mlir::loom;

void DiagnosticEngine::error(llvm::SMRange range, const llvm::Twine &message) {
  ++errors;
  if (llvm::StringRef(message.str()).starts_with("internal error: "))
    ++internalErrors;
  if (errors > maxErrors + 1)
    return;
  if (errors == maxErrors + 1) {
    os << "error: too many errors (" << maxErrors << "), stopping\n";
    return;
  }
  if (!range.Start.isValid())
    return printAtFile(llvm::SourceMgr::DK_Error, message);
  sourceMgr.PrintMessage(os, range.Start, llvm::SourceMgr::DK_Error, message,
                         range.isValid() ? llvm::ArrayRef(range)
                                         : llvm::ArrayRef<llvm::SMRange>());
}

void DiagnosticEngine::printAtFile(llvm::SourceMgr::DiagKind kind,
                                   const llvm::Twine &message) {
  // SourceMgr prints a message without a location at "<unknown>:0". The
  // main file is the first buffer (Program.cpp loads it before its imports).
  llvm::StringRef file =
      sourceMgr.getNumBuffers()
          ? sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                ->getBufferIdentifier()
          : llvm::StringRef();
  llvm::SMDiagnostic(file, kind, message.str()).print(/*ProgName=*/nullptr, os);
}

void DiagnosticEngine::fileError(llvm::StringRef file,
                                 const llvm::Twine &message) {
  ++errors;
  if (errors > maxErrors)
    return;
  llvm::SMDiagnostic(file, llvm::SourceMgr::DK_Error, message.str())
      .print(/*ProgName=*/nullptr, os);
}

void DiagnosticEngine::note(llvm::SMRange range, const llvm::Twine &message) {
  if (errors > maxErrors)
    return;
  if (!range.Start.isValid())
    return printAtFile(llvm::SourceMgr::DK_Note, message);
  sourceMgr.PrintMessage(os, range.Start, llvm::SourceMgr::DK_Note, message,
                         range.isValid() ? llvm::ArrayRef(range)
                                         : llvm::ArrayRef<llvm::SMRange>());
}
