//===- PassVerifier.cpp - The IR verified after every pass ----------------===//
//
// Part of Loom. This file implements PassVerifier.h.
//
//===----------------------------------------------------------------------===//

#include "passes/PassVerifier.h"

#include "mlir/IR/Action.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"

#include <atomic>
#include <vector>

using namespace mlir;
using namespace mlir::loom;

struct mlir::loom::PassVerifier::State {
  /// Set by the first pass that left IR that does not verify.
  std::atomic<bool> broken{false};
};

namespace {

/// Verifies `op`, gathering the verifier's diagnostics into `found` instead
/// of reporting them. The verifier checks ops isolated from above (each
/// function of a module, each loom.fusion_group) on the context's threads,
/// so every diagnostic is taken while it runs: one that another pass
/// reports on another thread at that moment too (the instrumentation's
/// callbacks hold a lock, but nested passes run on). The diagnostic engine
/// calls its handlers one at a time.
LogicalResult verifyQuietly(Operation *op, std::vector<Diagnostic> &found) {
  ScopedDiagnosticHandler handler(op->getContext(),
                                  [&](Diagnostic &diag) -> LogicalResult {
                                    found.push_back(std::move(diag));
                                    return success();
                                  });
  return verify(op);
}

class Instrumentation : public PassInstrumentation {
public:
  explicit Instrumentation(std::shared_ptr<PassVerifier::State> state)
      : state(std::move(state)) {}

  void runAfterPass(Pass *pass, Operation *op) override {
    // An adaptor (no argument of its own) ran nested passes, each verified
    // on the ops it ran on; it cannot change the op itself.
    if (state->broken || pass->getArgument().empty())
      return;
    std::vector<Diagnostic> found;
    if (succeeded(verifyQuietly(op, found))) {
      // What the handler took was another pass's: on to the handlers.
      for (Diagnostic &diag : found)
        op->getContext()->getDiagEngine().emit(std::move(diag));
      return;
    }
    if (state->broken.exchange(true))
      return; // reported already, by a pass on another function
    InFlightDiagnostic error = op->emitError()
                               << "internal error: the IR after --"
                               << pass->getArgument() << " does not verify";
    for (Diagnostic &diag : found) {
      error.attachNote(diag.getLocation()) << diag.str();
      for (Diagnostic &note : diag.getNotes())
        error.attachNote(note.getLocation()) << note.str();
    }
  }

private:
  std::shared_ptr<PassVerifier::State> state;
};

} // namespace

PassVerifier::PassVerifier() : state(std::make_shared<State>()) {}

void PassVerifier::instrument(PassManager &pm) {
  pm.enableVerifier(false);
  pm.addInstrumentation(std::make_unique<Instrumentation>(state));
  // Once the IR does not verify, no further pass runs on it.
  pm.getContext()->registerActionHandler(
      [state = state](function_ref<void()> transform,
                      const tracing::Action &action) {
        if (state->broken && action.getTag() == PassExecutionAction::tag)
          return;
        transform();
      });
}

bool PassVerifier::failed() const { return state->broken; }
