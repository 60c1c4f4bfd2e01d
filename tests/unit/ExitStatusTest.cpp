//===- ExitStatusTest.cpp - The exit statuses of the loom tool ------------===//
//
// Part of Loom. Tests that a command that failed after reporting an
// internal error exits 3, whether the report came from MLIR's diagnostics,
// the frontend's DiagnosticEngine or the tool's own messages, and that other
// errors keep their status (tools/loom/Exit.h). No command line reaches an
// internal error (that would be a bug), so tests/tools/exit_status.test
// covers 0, 1 and 2 and this file covers 3.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "frontend/Diagnostics.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace loom::tool;

namespace {

/// Emits an error `message` through `ctx`'s handlers; what they printed.
std::string emitThrough(const std::string &message, bool &internal) {
  mlir::MLIRContext ctx;
  llvm::SourceMgr sourceMgr;
  std::string text;
  llvm::raw_string_ostream os(text);
  {
    DiagnosticHandler handler(sourceMgr, &ctx, os);
    mlir::emitError(mlir::FileLineColLoc::get(&ctx, "prog.loom", 3, 5),
                    message);
    internal = handler.sawInternalError();
  }
  return os.str();
}

} // namespace

TEST(ExitStatus, MlirHandlerPrintsAndRecognizesInternalErrors) {
  clearInternalError();
  bool internal = true;
  EXPECT_EQ(emitThrough("shapes do not broadcast", internal),
            "prog.loom:3:5: error: shapes do not broadcast\n");
  EXPECT_FALSE(internal);
  EXPECT_EQ(
      emitThrough("internal error: the memory plan is inconsistent", internal),
      "prog.loom:3:5: error: internal error: the memory plan is "
      "inconsistent\n");
  EXPECT_TRUE(internal);
  // After what it concerns (EmitArtifact on the ObjectEmitter's message).
  clearInternalError();
  emitThrough("cannot compile the generated kernels: internal error: "
              "translating the generated kernels to LLVM IR failed",
              internal);
  EXPECT_TRUE(internal);
  EXPECT_EQ(exitStatus(ExitUserError), ExitInternal);
}

TEST(ExitStatus, FrontendInternalErrorTurnsAFailureInto3) {
  clearInternalError();

  // A frontend error that is not internal leaves the status alone.
  llvm::SourceMgr sourceMgr;
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::loom::DiagnosticEngine diags(sourceMgr, os);
  {
    InternalErrorWatch watch(diags);
    diags.error(llvm::SMRange(), "unknown name 'y'");
  }
  EXPECT_FALSE(diags.hadInternalError());
  EXPECT_EQ(exitStatus(ExitUserError), ExitUserError);
  EXPECT_EQ(exitStatus(ExitUsage), ExitUsage);

  // The frontend's internal error, once the command's scope ends.
  {
    InternalErrorWatch watch(diags);
    diags.error(llvm::SMRange(),
                "internal error: the lowered IR does not verify");
  }
  EXPECT_TRUE(diags.hadInternalError());
  EXPECT_EQ(exitStatus(ExitUserError), ExitInternal);
  EXPECT_EQ(exitStatus(ExitSuccess), ExitSuccess);
}

TEST(ExitStatus, ToolMessages) {
  clearInternalError();
  EXPECT_EQ(usageError("loom test", "--steps must be at least 1, not 0"),
            ExitUsage);
  EXPECT_EQ(flagError("loom test", "cannot read 'x.csv'"), ExitUserError);
  EXPECT_EQ(exitStatus(ExitUserError), ExitUserError);
  EXPECT_EQ(flagError("loom test", "internal error: no x or y"), ExitUserError);
  EXPECT_EQ(exitStatus(ExitUserError), ExitInternal);
  // A runtime message about a file.
  clearInternalError();
  flagError("loom test", "a.safetensors: internal error: a value after the "
                         "header's end");
  EXPECT_EQ(exitStatus(ExitUserError), ExitInternal);
}
