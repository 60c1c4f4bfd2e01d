//===- PassVerifierTest.cpp - The IR verified after every pass ------------===//
//
// Part of Loom. Tests passes/PassVerifier.h through IrPrinter, as every
// compile of the loom tool runs it: a pass that leaves IR that does not
// verify is reported as an internal error (exit status 3) at the op it ran
// on, with the verifier's diagnostics as notes, and no pass runs after it;
// IR that verifies passes through silently. No pass of Loom breaks the IR
// (that would be a bug), so the passes here are made to.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Exit.h"

#include "ir/LoomDialect.h"
#include "passes/IrPrinting.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

using namespace mlir;

namespace {

constexpr const char *kModule = R"mlir(
module {
func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = loom.add %a, %a : tensor<2xf32>
  return %0 : tensor<2xf32> loc("prog.loom":4:3)
} loc("prog.loom":2:1)
func.func @g(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32> loc("prog.loom":8:3)
} loc("prog.loom":7:1)
} loc("prog.loom":1:1)
)mlir";

/// Gives every function a result type its return does not have (or, with
/// `only`, that function alone): the return's verifier rejects it.
template <typename Op>
struct BreakIr : PassWrapper<BreakIr<Op>, OperationPass<Op>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BreakIr)
  explicit BreakIr(std::string only = "") : only(std::move(only)) {}
  StringRef getArgument() const override { return "loom-test-break-ir"; }
  void runOnOperation() override {
    this->getOperation()->walk([&](func::FuncOp fn) {
      if (!only.empty() && fn.getSymName() != only)
        return;
      auto wrong = RankedTensorType::get({3}, Float32Type::get(&getContext()));
      fn.setFunctionType(FunctionType::get(&getContext(), fn.getArgumentTypes(),
                                           TypeRange{wrong}));
    });
  }
  MLIRContext &getContext() { return *this->getOperation()->getContext(); }
  std::string only;
};

/// Gives every loom.neg a result type its group does not yield.
struct RetypeNeg : PassWrapper<RetypeNeg, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(RetypeNeg)
  StringRef getArgument() const override { return "loom-test-retype-neg"; }
  void runOnOperation() override {
    getOperation()->walk([&](Operation *op) {
      if (op->getName().getStringRef() == "loom.neg")
        op->getResult(0).setType(
            RankedTensorType::get({5}, Float32Type::get(&getContext())));
    });
  }
};

/// Counts its runs; leaves the IR as it is.
template <typename Op>
struct Count : PassWrapper<Count<Op>, OperationPass<Op>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(Count)
  explicit Count(std::atomic<int> &runs) : runs(runs) {}
  StringRef getArgument() const override { return "loom-test-count"; }
  void runOnOperation() override { ++runs; }
  std::atomic<int> &runs;
};

class PassVerifierTest : public ::testing::Test {
protected:
  void SetUp() override {
    ctx.loadDialect<mlir::loom::LoomDialect, func::FuncDialect>();
    ctx.printOpOnDiagnostic(false);
    module = parseSourceString<ModuleOp>(kModule, &ctx);
    ASSERT_TRUE(module);
    ::loom::tool::clearInternalError();
  }

  /// Runs `pm` as a compile does, with `options`; what the tool's
  /// diagnostic handler printed goes to `printed`.
  LogicalResult run(PassManager &pm, bool &internal,
                    mlir::loom::IrPrintingOptions options = {}) {
    mlir::loom::IrPrinter printer(std::move(options));
    printer.instrument(pm);
    llvm::raw_string_ostream os(printed);
    ::loom::tool::DiagnosticHandler handler(sourceMgr, &ctx, os);
    LogicalResult result = printer.run(pm, *module);
    EXPECT_EQ(printer.irBroken(), failed(result));
    internal = handler.sawInternalError();
    return result;
  }

  MLIRContext ctx;
  llvm::SourceMgr sourceMgr;
  OwningOpRef<ModuleOp> module;
  std::string printed;
  std::atomic<int> runs{0};
};

} // namespace

TEST_F(PassVerifierTest, IrThatVerifiesPassesSilently) {
  PassManager pm(&ctx);
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  bool internal = true;
  EXPECT_TRUE(succeeded(run(pm, internal)));
  EXPECT_EQ(runs, 2);
  EXPECT_FALSE(internal);
  EXPECT_EQ(printed, "");
}

TEST_F(PassVerifierTest, ModulePassThatBreaksTheIrIsAnInternalError) {
  PassManager pm(&ctx);
  pm.addPass(std::make_unique<BreakIr<ModuleOp>>("f"));
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  bool internal = false;
  EXPECT_TRUE(failed(run(pm, internal)));
  // At the module, with each of the verifier's diagnostics as a note at
  // its op.
  EXPECT_EQ(printed,
            "prog.loom:1:1: error: internal error: the IR after "
            "--loom-test-break-ir does not verify\n"
            "prog.loom:4:3: note: type of return operand 0 ('tensor<2xf32>') "
            "doesn't match function result type ('tensor<3xf32>') in "
            "function @f\n")
      << printed;
  EXPECT_EQ(runs, 0) << "a pass ran on IR that does not verify";
  EXPECT_TRUE(internal);
  EXPECT_EQ(::loom::tool::exitStatus(::loom::tool::ExitUserError),
            ::loom::tool::ExitInternal);
}

TEST_F(PassVerifierTest, NestedPassThatBreaksTheIrIsAnInternalError) {
  PassManager pm(&ctx);
  pm.addNestedPass<func::FuncOp>(std::make_unique<BreakIr<func::FuncOp>>("g"));
  pm.addNestedPass<func::FuncOp>(std::make_unique<Count<func::FuncOp>>(runs));
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  bool internal = false;
  EXPECT_TRUE(failed(run(pm, internal)));
  // At the function the pass ran on.
  EXPECT_EQ(printed.rfind("prog.loom:7:1: error: internal error: the IR "
                          "after --loom-test-break-ir does not verify\n",
                          0),
            0u)
      << printed;
  EXPECT_NE(printed.find("prog.loom:8:3: note: type of return operand 0"),
            std::string::npos)
      << printed;
  // @f may have run its nested count before @g broke (one thread) or not;
  // the module's count never runs.
  EXPECT_LE(runs, 1);
  EXPECT_TRUE(internal);
}

TEST_F(PassVerifierTest, DumpsStopAtThePassThatBrokeTheIr) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("pass-verifier", dir));
  PassManager pm(&ctx);
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  pm.addPass(std::make_unique<BreakIr<ModuleOp>>());
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  mlir::loom::IrPrintingOptions options;
  options.dumpDir = dir.str().str();
  bool internal = false;
  EXPECT_TRUE(failed(run(pm, internal, options)));
  EXPECT_EQ(runs, 1);
  // The IR the pass left is written, for the bug report; nothing after it.
  auto exists = [&](const char *name) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, name);
    return llvm::sys::fs::exists(path);
  };
  EXPECT_TRUE(exists("00-loom-test-count.mlir"));
  EXPECT_TRUE(exists("01-loom-test-break-ir.mlir"));
  EXPECT_FALSE(exists("02-loom-test-count.mlir"));
  llvm::sys::fs::remove_directories(dir);
}

TEST_F(PassVerifierTest, BrokenIrInsideAFusionGroupIsFound) {
  // Ops isolated from above, which the verifier checks on several threads:
  // what it finds there is a note of the internal error too.
  module = parseSourceString<ModuleOp>(R"mlir(
module {
func.func @h(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = loom.fusion_group elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%v: tensor<4xf32>):
    %n = loom.neg %v : tensor<4xf32> loc("prog.loom":5:5)
    loom.yield %n : tensor<4xf32>
  } loc("prog.loom":3:8)
  %b = loom.fusion_group elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%v: tensor<4xf32>):
    %e = loom.exp %v : tensor<4xf32>
    loom.yield %e : tensor<4xf32>
  }
  return %a, %b : tensor<4xf32>, tensor<4xf32>
} loc("prog.loom":2:1)
} loc("prog.loom":1:1)
)mlir",
                                       &ctx);
  ASSERT_TRUE(module);
  PassManager pm(&ctx);
  pm.addPass(std::make_unique<RetypeNeg>());
  pm.addPass(std::make_unique<Count<ModuleOp>>(runs));
  bool internal = false;
  EXPECT_TRUE(failed(run(pm, internal)));
  EXPECT_EQ(printed, "prog.loom:1:1: error: internal error: the IR after "
                     "--loom-test-retype-neg does not verify\n"
                     "prog.loom:3:8: note: 'loom.fusion_group' op yields "
                     "'tensor<5xf32>' but has results of types "
                     "'tensor<4xf32>'\n");
  EXPECT_EQ(runs, 0);
  EXPECT_TRUE(internal);
}
