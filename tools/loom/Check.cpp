//===- Check.cpp - loom check ---------------------------------------------===//
//
// Part of Loom. `loom check FILE.loom` checks a program, or a file of models
// with no train block, without compiling it (frontend/Check.h): syntax,
// imports, names, the models whose hyper-parameters all have defaults, and
// every train block. It prints one line on success and exits 0; otherwise
// the located errors, and exits 1.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"

#include "frontend/Check.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

cl::SubCommand checkCmd("check",
                        "Check a .loom program or file of models without "
                        "compiling it\n\n"
                        "EXAMPLES:\n"
                        "  loom check examples/gpt.loom\n"
                        "  loom check frontend/std/nn.loom");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loom>"),
                               cl::Required, cl::sub(checkCmd));

std::string plural(unsigned n, StringRef what) {
  return std::to_string(n) + " " + what.str() + (n == 1 ? "" : "s");
}

} // namespace

cl::SubCommand &loom::tool::checkCommand() { return checkCmd; }

int loom::tool::runCheck() {
  SourceMgr sourceMgr;
  mlir::loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::tool::InternalErrorWatch watch(diags);
  mlir::loom::Program program;
  if (!mlir::loom::loadProgram(inputFile, mlir::loom::defaultStdDir(), diags,
                               program))
    return 1;
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  std::optional<mlir::loom::CheckSummary> summary =
      mlir::loom::checkProgram(ctx, program, diags);
  if (!summary)
    return 1;
  outs() << inputFile << ": ok: " << plural(summary->models, "model") << " ("
         << summary->instantiated << " elaborated with their defaults), "
         << plural(summary->trains, "train block") << "\n";
  return 0;
}
