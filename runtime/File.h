//===- File.h - Files the runtime writes ------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Every file Loom writes in one piece (a token
// file, an artifact, a checkpoint and its `latest`, summary.json, the plot,
// a rewritten metrics.jsonl) goes through writeFileAtomically: a crash
// leaves the old file or the whole new one, never a part, and only a
// regular file (or nothing) is ever replaced, so `-o /dev/full` is an error
// rather than a regular file where the device was.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_FILE_H
#define LOOM_RUNTIME_FILE_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// Ok when a new file may take the place of `path`: nothing is there, or a
/// regular file is (a symbolic link counts as what it names). A directory,
/// a device, a FIFO or a socket is an error naming the path
/// ("/dev/full: is a character device; only a regular file is replaced").
Status checkReplaceable(const std::string &path);

/// A piece of a file to write.
struct FileChunk {
  const void *data;
  uint64_t size;
};

/// Writes `chunks` to `path` atomically: checkReplaceable, a new temporary
/// file ".<base>.tmp.<pid>.<n>" in the same directory, fsync, rename over
/// `path`, fsync of the directory. On any error before the rename `path` is
/// untouched and the temporary file removed. Messages start with `path`.
Status writeFileAtomically(const std::string &path,
                           const std::vector<FileChunk> &chunks);
inline Status writeFileAtomically(const std::string &path,
                                  const std::string &text) {
  return writeFileAtomically(path, {{text.data(), text.size()}});
}

/// Creates directory `dir` and its missing parents (mkdir -p); an error
/// when it cannot, or when `dir` is something else than a directory.
Status makeDirectories(const std::string &dir);

/// Whether `fileName` is a temporary file of writeFileAtomically's; if so,
/// `target` is the base name of the file it was to replace and `pid` the
/// writer's process id.
bool parseTempFileName(const std::string &fileName, std::string &target,
                       long &pid);

} // namespace loom

#endif // LOOM_RUNTIME_FILE_H
