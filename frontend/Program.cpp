//===- Program.cpp - A .loom program and its imports ----------------------===//
//
// Part of Loom. This file implements loading a program and its imports.
//
//===----------------------------------------------------------------------===//

#include "frontend/Program.h"
#include "frontend/Parser.h"

#include "runtime/File.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir::loom;

std::string mlir::loom::defaultStdDir() {
  if (const char *env = std::getenv("LOOM_STD_DIR"))
    return env;
  return LOOM_DEFAULT_STD_DIR;
}

namespace {

/// The largest .loom source (a file or standard input) the loader reads. A
/// source is text a person writes: the largest example is a few KiB and all
/// of std/ together is under 100 KiB, so 16 MiB is far past any real one
/// and still nothing to hold in memory. It keeps a link to /dev/zero from
/// eating the machine's memory.
constexpr size_t kMaxSourceBytes = size_t(16) << 20;

/// The text of source `path` ("-": standard input), or null with `why` set:
/// a source is a regular file (a link counts as what it names) of at most
/// kMaxSourceBytes. Never waits on a FIFO.
std::unique_ptr<llvm::MemoryBuffer> readSource(const std::string &path,
                                               std::string &why) {
  std::string limit = std::to_string(kMaxSourceBytes) + " bytes (16 MiB)";
  if (path == "-") {
    std::string text;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        why = std::strerror(errno);
        return nullptr;
      }
      if (n == 0)
        break;
      if (text.size() + size_t(n) > kMaxSourceBytes) {
        why = "standard input holds more than the " + limit +
              " a source may have";
        return nullptr;
      }
      text.append(buf, size_t(n));
    }
    return llvm::MemoryBuffer::getMemBufferCopy(text, "<stdin>");
  }
  // O_NONBLOCK: opening a FIFO with no writer would wait for one.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = std::strerror(errno);
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode)) {
    why = std::string("it is ") + ::loom::fileKindOf(st.st_mode) +
          ", not a regular file";
    ::close(fd);
    return nullptr;
  }
  if (uint64_t(st.st_size) > kMaxSourceBytes) {
    why = "it has " + std::to_string(st.st_size) + " bytes, more than the " +
          limit + " a source may have";
    ::close(fd);
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getOpenFile(fd, path, uint64_t(st.st_size));
  ::close(fd);
  if (std::error_code ec = buffer.getError()) {
    why = ec.message();
    return nullptr;
  }
  return std::move(*buffer);
}

class Loader {
public:
  Loader(llvm::StringRef stdDir, DiagnosticEngine &diags, Program &program)
      : stdDir(stdDir), diags(diags), program(program) {
    program.stdDir = stdDir.str();
  }

  /// Loads one file; `importedAt` is the import that asked for it (invalid
  /// for the main file).
  bool load(const std::string &path, llvm::SMRange importedAt) {
    std::string canonical = path;
    llvm::SmallString<256> real;
    if (!llvm::sys::fs::real_path(path, real))
      canonical = std::string(real);
    if (!seen.insert(canonical).second)
      return true;
    std::string why;
    std::unique_ptr<llvm::MemoryBuffer> buffer = readSource(path, why);
    if (!buffer) {
      if (importedAt.isValid())
        diags.error(importedAt,
                    "cannot read imported file '" + path + "': " + why);
      else
        diags.fileError(path == "-" ? "<stdin>" : path, "cannot read: " + why);
      return false;
    }
    return loadBuffer(std::move(buffer), path, importedAt);
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
    llvm::StringMap<const ast::TrainDecl *> trains;
    for (const auto &train : ref.trains) {
      auto [it, inserted] = trains.try_emplace(train->name.name, train.get());
      if (!inserted) {
        diags.error(train->name.range,
                    "train block '" + train->name.name + "' is defined twice");
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

std::string mlir::loom::stdModuleDefining(llvm::StringRef stdDir,
                                          llvm::StringRef name) {
  std::error_code ec;
  std::vector<std::string> paths;
  for (llvm::sys::fs::directory_iterator it(stdDir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".loom")
      paths.push_back(it->path());
  llvm::sort(paths); // the same answer whatever the directory order
  for (const std::string &path : paths) {
    std::string why;
    std::unique_ptr<llvm::MemoryBuffer> buffer = readSource(path, why);
    if (!buffer)
      continue;
    // A broken library file is reported when it is imported, not here.
    llvm::SourceMgr sm;
    DiagnosticEngine quiet(sm, llvm::nulls());
    Parser parser(quiet, sm.AddNewSourceBuffer(std::move(buffer), {}));
    std::unique_ptr<ast::File> file = parser.parseFile();
    for (const auto &model : file->models)
      if (model->name.name == name)
        return "std." + llvm::sys::path::stem(path).str();
  }
  return "";
}

bool mlir::loom::loadProgram(llvm::StringRef path, llvm::StringRef stdDir,
                             DiagnosticEngine &diags, Program &program) {
  return Loader(stdDir, diags, program).load(path.str(), llvm::SMRange());
}

bool mlir::loom::loadProgramFromBuffer(
    std::unique_ptr<llvm::MemoryBuffer> buffer, llvm::StringRef stdDir,
    DiagnosticEngine &diags, Program &program) {
  std::string name = buffer->getBufferIdentifier().str();
  return Loader(stdDir, diags, program)
      .loadBuffer(std::move(buffer), name, llvm::SMRange());
}
