//===- DiagnosticsTest.cpp - The frontend's diagnostic engine -------------===//
//
// Part of Loom. Tests that a diagnostic without a location names the main
// file instead of `<unknown>:0` (SourceMgr's spelling of no location).
//
//===----------------------------------------------------------------------===//

#include "frontend/Diagnostics.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlir::loom;

TEST(Diagnostics, NoLocationNamesTheMainFile) {
  llvm::SourceMgr sm;
  std::string text;
  llvm::raw_string_ostream os(text);
  DiagnosticEngine diags(sm, os);
  // Before any file: no name at all.
  diags.error(llvm::SMRange(), "first");
  sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer("train t {\n}\n", "prog.loom"),
      llvm::SMLoc());
  sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer("model M {\n}\n", "lib.loom"),
      llvm::SMLoc());
  diags.error(llvm::SMRange(), "second");
  diags.note(llvm::SMRange(), "a note");
  EXPECT_EQ(os.str(), "error: first\n"
                      "prog.loom: error: second\n"
                      "prog.loom: note: a note\n");
  EXPECT_EQ(diags.numErrors(), 2u);
}
