//===- File.h - Files the runtime reads and writes --------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Every file Loom writes in one piece (a token
// file, an artifact, a checkpoint and its `latest`, summary.json, the plot,
// a rewritten metrics.jsonl) goes through writeFileAtomically: a crash
// leaves the old file or the whole new one, never a part, and only a
// regular file (or nothing) is ever replaced, so `-o /dev/full` is an error
// rather than a regular file where the device was. Every data file it reads
// is opened by openInputFile: a regular file of a size its reader can hold,
// never a FIFO to wait on or a /dev/zero to read for ever.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_FILE_H
#define LOOM_RUNTIME_FILE_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// "a directory", "a character device", "a FIFO", ...: what a file of type
/// `mode` (stat's st_mode) is, for messages; "" for a regular file.
const char *fileKindOf(unsigned mode);

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

/// Opens `path` for reading: it must be a regular file (a link counts as
/// what it names) of at most `maxBytes`. The open never waits (a FIFO is
/// refused, not waited on). `what` names the file in messages ("CSV
/// file"): "d.csv: cannot open the CSV file: No such file or directory",
/// "d.csv: the CSV file is a FIFO, not a regular file", "d.csv: the CSV
/// file has 5000000000 bytes, more than the 4294967296 (4 GiB) a CSV file
/// may have". Returns the descriptor (close-on-exec); `size` is the file's.
StatusOr<int> openInputFile(const std::string &path, const std::string &what,
                            uint64_t maxBytes, uint64_t &size);

/// All of `path`, opened by openInputFile (a file that grows past
/// `maxBytes` while it is read is refused the same way).
StatusOr<std::string> readInputFile(const std::string &path,
                                    const std::string &what, uint64_t maxBytes);

/// "4 GiB", "16 MiB", "512 bytes": a limit as messages print it.
std::string sizeText(uint64_t bytes);

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
