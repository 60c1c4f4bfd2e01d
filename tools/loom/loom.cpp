//===- loom.cpp - The loom command-line tool ------------------------------===//
//
// Part of Loom. This file implements `loom`, the user's entry point:
//
//   loom compile FILE.loom [--emit=ast] [-o OUT]
//
// Every problem in the input is reported as `file:line:col: error: ...` with
// the source line and a caret, and the tool exits non-zero.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Parser.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {

cl::SubCommand compileCmd("compile", "Compile a .loom program");

enum class EmitKind { Ast };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loom>"),
                               cl::Required, cl::sub(compileCmd));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Ast),
    cl::values(clEnumValN(EmitKind::Ast, "ast",
                          "the syntax tree, one node per line with line:col")),
    cl::sub(compileCmd));
cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(compileCmd));

int runCompile() {
  auto buffer = MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
  if (std::error_code ec = buffer.getError()) {
    WithColor::error(errs(), "loom")
        << "cannot read '" << inputFile << "': " << ec.message() << "\n";
    return 1;
  }
  SourceMgr sourceMgr;
  unsigned bufferId = sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::Parser parser(diags, bufferId);
  std::unique_ptr<loom::ast::File> file = parser.parseFile();
  file->filename = inputFile;
  if (diags.hadError())
    return 1;

  std::error_code ec;
  ToolOutputFile output(outputFile, ec, sys::fs::OF_Text);
  if (ec) {
    WithColor::error(errs(), "loom")
        << "cannot write '" << outputFile << "': " << ec.message() << "\n";
    return 1;
  }
  switch (emitKind) {
  case EmitKind::Ast:
    loom::ast::print(*file, sourceMgr, output.os());
    break;
  }
  output.keep();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "loom: compile and train neural networks\n");
  if (compileCmd)
    return runCompile();
  WithColor::error(errs(), "loom")
      << "no command given; try 'loom compile FILE.loom' or 'loom --help'\n";
  return 1;
}
