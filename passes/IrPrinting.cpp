//===- IrPrinting.cpp - The IR after every pass, to files and stderr ------===//
//
// Part of Loom. This file implements IrPrinting.h: a PassInstrumentation
// that forwards to one IrPrinter per compile.
//
//===----------------------------------------------------------------------===//

#include "passes/IrPrinting.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

class Instrumentation : public PassInstrumentation {
public:
  Instrumentation(IrPrinter &printer, std::string label)
      : printer(printer), label(std::move(label)) {}
  void runBeforePass(Pass *pass, Operation *op) override {
    printer.beforePass(pass, op);
  }
  void runAfterPass(Pass *pass, Operation *op) override {
    printer.afterPass(pass, op, label);
  }

private:
  IrPrinter &printer;
  std::string label;
};

/// An adaptor runs a nested pass manager on each op of a kind; it has no
/// argument of its own.
bool isAdaptor(Pass *pass) { return pass->getArgument().empty(); }

bool contains(const std::vector<std::string> &list, StringRef s) {
  return llvm::is_contained(list, s);
}

OpPrintingFlags withLocations() {
  OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  return flags;
}

} // namespace

std::string mlir::loom::printWithLocations(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os, withLocations());
  return text;
}

IrPrinter::IrPrinter(IrPrintingOptions options) : options(std::move(options)) {}

bool IrPrinter::active() const {
  return !options.dumpDir.empty() || !options.printBefore.empty() ||
         !options.printAfter.empty() || options.printAfterAll ||
         !keepAfterPass.empty();
}

void IrPrinter::instrument(PassManager &pm, StringRef label) {
  // First, so that the IR is printed after a pass before it is verified:
  // instrumentations run after a pass in the reverse order.
  verifier.instrument(pm);
  if (active())
    pm.addInstrumentation(
        std::make_unique<Instrumentation>(*this, label.str()));
}

LogicalResult IrPrinter::run(PassManager &pm, Operation *op) {
  if (failed(pm.run(op)) || verifier.failed())
    return failure();
  return success();
}

void IrPrinter::keepAfter(StringRef passArgument, StringRef stage) {
  keepAfterPass[passArgument.str()] = stage.str();
}

void IrPrinter::keep(Operation *module, StringRef stage) {
  keptStages.emplace_back(stage.str(), printWithLocations(module));
}

void IrPrinter::stage(Operation *module, StringRef name) {
  write(module, name, "");
}

void IrPrinter::write(Operation *module, StringRef name, StringRef label) {
  if (options.dumpDir.empty())
    return;
  unsigned index = next++;
  if (!firstError.empty())
    return;
  if (std::error_code ec = llvm::sys::fs::create_directories(options.dumpDir)) {
    firstError = "cannot create '" + options.dumpDir + "': " + ec.message();
    return;
  }
  std::string file;
  llvm::raw_string_ostream fileName(file);
  fileName << llvm::format("%02u", index) << "-" << name;
  if (!label.empty())
    fileName << "." << label;
  fileName << ".mlir";
  llvm::SmallString<128> path(options.dumpDir);
  llvm::sys::path::append(path, file);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    firstError = "cannot write '" + path.str().str() + "': " + ec.message();
    return;
  }
  // Each op with its whole location (no #loc aliases), so that a line
  // says where in the .loom program it comes from.
  module->print(os, withLocations().useLocalScope());
  os << "\n";
}

void IrPrinter::print(StringRef when, Pass *pass, Operation *op) {
  llvm::raw_ostream &os = options.os ? *options.os : llvm::errs();
  OpPrintingFlags flags;
  if (options.printLocs)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  auto header = [&](Operation *at) {
    os << "// -----// IR Dump " << when << " " << pass->getName() << " ("
       << pass->getArgument() << ")";
    if (at->getParentOp()) {
      os << " ('" << at->getName() << "' operation";
      if (auto name =
              at->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
        os << ": @" << name.getValue();
      os << ")";
    }
    os << " //----- //\n";
  };
  auto printOne = [&](Operation *at) {
    header(at);
    at->print(os, at->getParentOp() ? OpPrintingFlags(flags).useLocalScope()
                                    : flags);
    os << "\n\n";
  };
  if (options.filter.empty())
    return printOne(op);
  // --print-ir-filter: the functions of that name only, each on its own.
  SmallVector<Operation *> functions;
  if (auto fn = dyn_cast<func::FuncOp>(op)) {
    if (fn.getSymName() == options.filter)
      functions.push_back(fn);
  } else {
    op->walk([&](func::FuncOp fn) {
      if (fn.getSymName() == options.filter)
        functions.push_back(fn);
    });
  }
  for (Operation *fn : functions)
    printOne(fn);
}

void IrPrinter::beforePass(Pass *pass, Operation *op) {
  std::lock_guard<std::mutex> lock(mutex);
  if (verifier.failed())
    return; // the pass does not run
  if (isAdaptor(pass)) {
    if (!op->getParentOp())
      nested.clear();
    return;
  }
  if (contains(options.printBefore, pass->getArgument()))
    print("Before", pass, op);
}

void IrPrinter::afterPass(Pass *pass, Operation *op, StringRef label) {
  std::lock_guard<std::mutex> lock(mutex);
  if (verifier.failed())
    return; // the pass did not run
  bool topLevel = !op->getParentOp();
  if (isAdaptor(pass)) {
    // The nested passes have run on every op: one file for all of them.
    if (topLevel && !nested.empty())
      write(op, llvm::join(nested, "+"), label);
    return;
  }
  if (options.printAfterAll ||
      contains(options.printAfter, pass->getArgument()))
    print("After", pass, op);
  if (!topLevel) {
    if (!contains(nested, pass->getArgument()))
      nested.push_back(pass->getArgument().str());
    return;
  }
  write(op, pass->getArgument(), label);
  if (label.empty())
    if (auto it = keepAfterPass.find(pass->getArgument());
        it != keepAfterPass.end())
      keep(op, it->second);
}

void mlir::loom::collectPassArguments(OpPassManager &pm,
                                      llvm::StringSet<> &out) {
  for (Pass &pass : pm.getPasses()) {
    if (!isAdaptor(&pass)) {
      out.insert(pass.getArgument());
      continue;
    }
    // An adaptor's nested pass managers are not reachable from here; its
    // textual form `func.func(a{opt=1}, b)` names their passes.
    std::string text;
    llvm::raw_string_ostream os(text);
    pass.printAsTextualPipeline(os);
    std::string names;
    int braces = 0;
    for (char c : text) {
      if (c == '{')
        ++braces;
      else if (c == '}')
        --braces;
      else if (braces == 0)
        names += c;
    }
    SmallVector<StringRef> parts;
    StringRef(names).split(parts, ',');
    for (StringRef part : parts) {
      // "func.func(a", "b)", "c": the pass name is after the last '('.
      StringRef name =
          part.rsplit('(').second.empty() ? part : part.rsplit('(').second;
      name = name.take_until([](char c) { return c == ')'; }).trim();
      if (!name.empty())
        out.insert(name);
    }
  }
}
