//===- PassVerifier.h - The IR verified after every pass --------*- C++ -*-===//
//
// Part of Loom. A pass that leaves IR that does not verify is a bug in Loom,
// not in the user's program. The pass manager's own verifier reports it as
// a plain error and fails the run; this one, which takes its place in every
// pass manager of a compile (IrPrinter::instrument), reports it as an
// internal error (exit status 3 in the loom tool) at the op the pass ran
// on, with the verifier's diagnostics as notes:
//
//   prog.loom:1:1: error: internal error: the IR after --my-pass does not
//   verify
//   prog.loom:3:8: note: 'loom.fusion_group' op yields 'tensor<5xf32>' but
//   has results of types 'tensor<4xf32>'
//
// It verifies, after each pass (a pass instrumentation), the op the pass
// ran on: the module, or each function a nested pass ran on, as the pass
// manager's verifier would (that one skips a pass that preserved every
// analysis, which an instrumentation cannot see; compiling gpt.loom takes
// the same time either way). An instrumentation cannot fail the run, so once
// the IR does not verify, the passes after that one are skipped, through
// the context's action handler (as MLIR's --mlir-debug-counter skips
// passes), and PassVerifier::failed() says so: whoever runs the pass
// manager fails then too (IrPrinter::run). The context keeps that handler:
// a context that runs passes under a PassVerifier has no other action
// handler.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_PASSVERIFIER_H
#define LOOM_PASSES_PASSVERIFIER_H

#include <memory>

namespace mlir {
class PassManager;
} // namespace mlir

namespace mlir::loom {

class PassVerifier {
public:
  PassVerifier();

  /// Turns off `pm`'s own verifier and verifies after each of its passes
  /// instead.
  void instrument(PassManager &pm);

  /// Whether a pass left IR that does not verify: it was reported, and no
  /// pass ran after it.
  bool failed() const;

  struct State;

private:
  std::shared_ptr<State> state;
};

} // namespace mlir::loom

#endif // LOOM_PASSES_PASSVERIFIER_H
