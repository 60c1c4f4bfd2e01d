//===- Diagnostics.cpp - Located diagnostics for .loom sources ------------===//
//
// Part of Loom. This file implements the DiagnosticEngine.
//
//===----------------------------------------------------------------------===//

#include "frontend/Diagnostics.h"

using namespace loom;

void DiagnosticEngine::error(llvm::SMRange range, const llvm::Twine &message) {
  ++errors;
  if (errors > maxErrors + 1)
    return;
  if (errors == maxErrors + 1) {
    os << "error: too many errors (" << maxErrors << "), stopping\n";
    return;
  }
  sourceMgr.PrintMessage(os, range.Start, llvm::SourceMgr::DK_Error, message,
                         range.isValid() ? llvm::ArrayRef(range)
                                         : llvm::ArrayRef<llvm::SMRange>());
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
  sourceMgr.PrintMessage(os, range.Start, llvm::SourceMgr::DK_Note, message,
                         range.isValid() ? llvm::ArrayRef(range)
                                         : llvm::ArrayRef<llvm::SMRange>());
}
