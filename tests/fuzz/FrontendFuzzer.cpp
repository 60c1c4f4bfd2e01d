//===- FrontendFuzzer.cpp - libFuzzer target over the Loom frontend -------===//
//
// Part of Loom. Feeds arbitrary bytes through the whole frontend: parse,
// imports, semantic checks and lowering to verified loom IR. Any crash,
// hang, sanitizer report or unverifiable IR is a finding; diagnostics are the
// expected outcome for almost every input and are discarded.
//
//===----------------------------------------------------------------------===//

#include "frontend/Diagnostics.h"
#include "frontend/Elaborator.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context for the whole run: creating one per input would dominate.
  static mlir::MLIRContext *ctx = [] {
    auto *c = new mlir::MLIRContext();
    c->loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
    // The lowering verifies its module; keep MLIR's reports quiet too.
    c->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return c;
  }();
  llvm::SourceMgr sourceMgr;
  llvm::raw_null_ostream sink;
  mlir::loom::DiagnosticEngine diags(sourceMgr, sink);
  mlir::loom::Program program;
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.loom");
  if (!mlir::loom::loadProgramFromBuffer(
          std::move(buffer), mlir::loom::defaultStdDir(), diags, program))
    return 0;
  (void)mlir::loom::lowerProgram(*ctx, program, diags, "");
  return 0;
}
