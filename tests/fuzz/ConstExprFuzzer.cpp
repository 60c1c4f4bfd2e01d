//===- ConstExprFuzzer.cpp - libFuzzer target over constant evaluation ----===//
//
// Part of Loom. Feeds the fuzz input to the frontend's compile-time
// evaluator: the input's first lines are integer and float expressions that
// fill the slots of a small program (two hyper-parameters, a parameter's
// shape, a reshape target, a constant's size, a learning rate), which is
// then parsed, elaborated and lowered to verified loom IR. Overflow,
// division by zero, huge or zero sizes must end in diagnostics; any crash,
// hang, sanitizer report (UBSan's signed overflow among them) or
// unverifiable IR is a finding. Unlike loom-fuzz-frontend, almost every
// input reaches the evaluator: the program around the slots parses.
//
//===----------------------------------------------------------------------===//

#include "frontend/Diagnostics.h"
#include "frontend/Elaborator.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

/// The program around the slots; @N is slot N (line N of the input, or the
/// default when the input has fewer lines). With the defaults it lowers.
constexpr const char *kTemplate = R"(model M(a: int, b: int) {
  w = param f32[@0, a] init zeros
  forward(x: f32[B, 4]) -> f32[B, 4] {
    return x + sum(reshape(w, [@1, -1])) + sum(zeros([b, @2])) * (@3)
  }
}
train t {
  model = M(a = @4, b = @5)
  data = csv("x.csv", label = "y")
  batch = 4
  loss = mse(model(x), x)
  optimizer = sgd(lr = @6)
  steps = 1
}
)";
constexpr const char *kDefaults[] = {"2", "1", "3", "0.5", "4", "2", "0.1"};
constexpr size_t kSlots = sizeof(kDefaults) / sizeof(kDefaults[0]);

std::string program(llvm::StringRef input) {
  llvm::SmallVector<llvm::StringRef, kSlots> lines;
  input.split(lines, '\n', kSlots, /*KeepEmpty=*/true);
  std::string out;
  for (const char *p = kTemplate; *p; ++p) {
    if (*p != '@') {
      out += *p;
      continue;
    }
    size_t slot = size_t(*++p - '0');
    // The last line takes the rest of the input: keep it on one line.
    llvm::StringRef text =
        slot < lines.size() && !lines[slot].empty()
            ? lines[slot].take_until([](char c) { return c == '\n'; })
            : llvm::StringRef(kDefaults[slot]);
    out += text.str();
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context for the whole run: creating one per input would dominate.
  static mlir::MLIRContext *ctx = [] {
    auto *c = new mlir::MLIRContext();
    c->loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
    c->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return c;
  }();
  std::string source =
      program(llvm::StringRef(reinterpret_cast<const char *>(data), size));
  llvm::SourceMgr sourceMgr;
  llvm::raw_null_ostream sink;
  mlir::loom::DiagnosticEngine diags(sourceMgr, sink);
  mlir::loom::Program prog;
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(source, "constexpr.loom");
  if (!mlir::loom::loadProgramFromBuffer(
          std::move(buffer), mlir::loom::defaultStdDir(), diags, prog))
    return 0;
  (void)mlir::loom::lowerProgram(*ctx, prog, diags, "");
  return 0;
}
