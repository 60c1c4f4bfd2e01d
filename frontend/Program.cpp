//===- Program.cpp - A .loom program and its imports ----------------------===//
//
// Part of Loom. This file implements loading a program and its imports.
//
//===----------------------------------------------------------------------===//

#include "frontend/Program.h"
#include "frontend/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace loom;

std::string loom::defaultStdDir() {
  if (const char *env = std::getenv("LOOM_STD_DIR"))
    return env;
  return LOOM_DEFAULT_STD_DIR;
}

namespace {
class Loader {
public:
  Loader(llvm::StringRef stdDir, DiagnosticEngine &diags, Program &program)
      : stdDir(stdDir), diags(diags), program(program) {}

  /// Loads one file; `importedAt` is the import that asked for it (invalid
  /// for the main file).
  bool load(const std::string &path, llvm::SMRange importedAt) {
    std::string canonical = path;
    llvm::SmallString<256> real;
    if (!llvm::sys::fs::real_path(path, real))
      canonical = std::string(real);
    if (!seen.insert(canonical).second)
      return true;
    auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
    if (std::error_code ec = buffer.getError()) {
      if (importedAt.isValid())
        diags.error(importedAt, "cannot read imported file '" + path +
                                    "': " + ec.message());
      else
        llvm::errs() << "loom: error: cannot read '" << path
                     << "': " << ec.message() << "\n";
      return false;
    }
    return loadBuffer(std::move(*buffer), path, importedAt);
  }

  bool loadBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                  const std::string &path, llvm::SMRange importedAt) {
    llvm::SourceMgr &sm = diags.getSourceMgr();
    unsigned id = sm.AddNewSourceBuffer(std::move(buffer), importedAt.Start);
    Parser parser(diags, id);
    std::unique_ptr<ast::File> file = parser.parseFile();
    file->filename = path;
    if (diags.hadError())
      return false;
    const ast::File &ref = *file;
    program.files.push_back(std::move(file));
    for (const auto &model : ref.models) {
      auto [it, inserted] =
          program.models.try_emplace(model->name.name, model.get());
      if (!inserted) {
        diags.error(model->name.range,
                    "model '" + model->name.name + "' is defined twice");
        diags.note(it->second->name.range, "the first definition is here");
        return false;
      }
    }
    for (const ast::ImportDecl &import : ref.imports) {
      std::string target = resolve(import.path, path);
      if (!load(target, import.range))
        return false;
    }
    return true;
  }

private:
  /// `std.nn` -> <stdDir>/nn.loom; `a.b` -> <dir of importer>/a/b.loom.
  std::string resolve(llvm::StringRef dotted, llvm::StringRef importer) {
    llvm::SmallString<256> out;
    llvm::StringRef rest = dotted;
    if (rest.consume_front("std."))
      out = stdDir;
    else
      out = llvm::sys::path::parent_path(importer);
    llvm::SmallVector<llvm::StringRef> parts;
    rest.split(parts, '.');
    for (llvm::StringRef part : parts)
      llvm::sys::path::append(out, part);
    out += ".loom";
    return std::string(out);
  }

  std::string stdDir;
  DiagnosticEngine &diags;
  Program &program;
  llvm::StringSet<> seen;
};
} // namespace

bool loom::loadProgram(llvm::StringRef path, llvm::StringRef stdDir,
                       DiagnosticEngine &diags, Program &program) {
  return Loader(stdDir, diags, program).load(path.str(), llvm::SMRange());
}

bool loom::loadProgramFromBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                 llvm::StringRef stdDir,
                                 DiagnosticEngine &diags, Program &program) {
  std::string name = buffer->getBufferIdentifier().str();
  return Loader(stdDir, diags, program)
      .loadBuffer(std::move(buffer), name, llvm::SMRange());
}
