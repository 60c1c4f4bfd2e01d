//===- GradientTestSupport.h - Shared harness of the numeric tests -*- C++
//-*-===//
//
// Part of Loom. What the gradient and optimizer tests share: an MLIR context
// with the loom dialect whose diagnostics are collected for failure
// messages, lowering a Loom program, running loom passes on a module, and the
// central-difference check of a @loss_grad against its @loss on the reference
// interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TESTS_UNIT_GRADIENTTESTSUPPORT_H
#define LOOM_TESTS_UNIT_GRADIENTTESTSUPPORT_H

#include "backends/reference/Interpreter.h"
#include "frontend/Diagnostics.h"
#include "frontend/Elaborator.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loom::testing {

namespace reference = mlir::loom::reference;

/// A context with the loom and func dialects; every diagnostic is appended
/// to `errors` instead of printed.
struct TestContext {
  TestContext()
      : handler(&ctx, [this](mlir::Diagnostic &d) {
          errors += d.str() + "\n";
          return mlir::success();
        }) {
    ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  }

  /// Runs the passes that `add` puts in a pass manager on `module`.
  bool runPasses(mlir::ModuleOp module,
                 const std::function<void(mlir::PassManager &)> &add) {
    mlir::PassManager pm(&ctx);
    add(pm);
    return mlir::succeeded(pm.run(module));
  }

  /// Lowers the Loom program `source` (named `name` in messages) to a
  /// module; null on error, with the frontend's messages in `errors`.
  mlir::OwningOpRef<mlir::ModuleOp> lower(const char *source,
                                          const char *name) {
    llvm::SourceMgr sm;
    std::string frontendErrors;
    llvm::raw_string_ostream os(frontendErrors);
    mlir::loom::DiagnosticEngine diags(sm, os);
    mlir::loom::Program program;
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (mlir::loom::loadProgramFromBuffer(
            llvm::MemoryBuffer::getMemBufferCopy(source, name),
            mlir::loom::defaultStdDir(), diags, program))
      module = mlir::loom::lowerProgram(ctx, program, diags, "");
    errors += os.str();
    return module;
  }

  mlir::MLIRContext ctx;
  std::string errors;
  mlir::ScopedDiagnosticHandler handler;
};

/// Checks every element of the trainable arguments (`trainable[i]`) of
/// `loss` against `grad`'s results (loss, then one gradient per trainable
/// argument, in order) with central differences of step `eps` and PyTorch
/// gradcheck's tolerance |analytic - numeric| <= 1e-5 + 1e-3 |numeric|.
/// Returns how many elements were checked.
inline size_t expectGradientsMatchFiniteDifferences(
    mlir::func::FuncOp loss, mlir::func::FuncOp grad,
    const std::vector<reference::Tensor> &args,
    const std::vector<bool> &trainable, double eps, const std::string &name,
    const std::string &errors) {
  auto analytic = reference::runFunction(grad, args);
  EXPECT_TRUE(analytic) << errors;
  if (!analytic)
    return 0;
  auto f = [&](const std::vector<reference::Tensor> &a) {
    auto out = reference::runFunction(loss, a);
    EXPECT_TRUE(out) << errors;
    return out ? (*out)[0].data[0] : NAN;
  };
  EXPECT_NEAR((*analytic)[0].data[0], f(args), 1e-12)
      << name << ": the loss itself";
  size_t result = 1, checked = 0;
  for (size_t p = 0; p < args.size(); ++p) {
    if (!trainable[p])
      continue;
    EXPECT_LT(result, analytic->size()) << name << ": too few gradients";
    if (result >= analytic->size())
      return checked;
    const reference::Tensor &g = (*analytic)[result++];
    EXPECT_EQ(g.data.size(), args[p].data.size()) << name;
    for (size_t i = 0; i < args[p].data.size() && i < g.data.size();
         ++i, ++checked) {
      std::vector<reference::Tensor> plus = args, minus = args;
      plus[p].data[i] += eps;
      minus[p].data[i] -= eps;
      double numeric = (f(plus) - f(minus)) / (2 * eps);
      EXPECT_LE(std::abs(g.data[i] - numeric), 1e-5 + 1e-3 * std::abs(numeric))
          << name << ": d/d(argument " << p << ")[" << i << "] analytic "
          << g.data[i] << " vs numeric " << numeric;
    }
  }
  EXPECT_EQ(result, analytic->size()) << name << ": extra gradients";
  return checked;
}

} // namespace loom::testing

#endif // LOOM_TESTS_UNIT_GRADIENTTESTSUPPORT_H
