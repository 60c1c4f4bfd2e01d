//===- Program.h - A .loom program and its imports --------------*- C++ -*-===//
//
// Part of Loom. Loads a .loom file and, transitively, the files it imports
// (`import std.nn` reads nn.loom from the standard library directory;
// `import foo.bar` reads foo/bar.loom next to the importing file), parses
// them, and indexes their models by name.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_PROGRAM_H
#define LOOM_FRONTEND_PROGRAM_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace loom {

struct Program {
  /// The main file first, then each import once, in the order first seen.
  std::vector<std::unique_ptr<ast::File>> files;
  /// Every model of every file, by name.
  llvm::StringMap<const ast::ModelDecl *> models;
  /// The standard library directory its `import std.*` read from.
  std::string stdDir;

  const ast::File &main() const { return *files.front(); }
};

/// The standard library directory compiled into this build (frontend/std),
/// overridable with the LOOM_STD_DIR environment variable.
std::string defaultStdDir();

/// The standard library module that defines a model named `name` (as
/// "std.nn"), found by parsing the files of `stdDir`; "" when none does.
std::string stdModuleDefining(llvm::StringRef stdDir, llvm::StringRef name);

/// Reads and parses `path` and its imports into `program`. Returns false
/// (with diagnostics) on any problem: a missing file, a syntax error, an
/// import cycle is fine (each file loads once), a duplicate model name.
bool loadProgram(llvm::StringRef path, llvm::StringRef stdDir,
                 DiagnosticEngine &diags, Program &program);

/// Like loadProgram, for a main file already in memory (the fuzzer's input);
/// its imports are read from disk.
bool loadProgramFromBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                           llvm::StringRef stdDir, DiagnosticEngine &diags,
                           Program &program);

} // namespace loom

#endif // LOOM_FRONTEND_PROGRAM_H
