//===- OutputDir.cpp - A run's output directory ---------------------------===//
//
// Part of Loom. See OutputDir.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/OutputDir.h"

#include "runtime/File.h"
#include "runtime/checkpoint/Checkpoint.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace loom;
using namespace loom::train;

namespace {

bool exists(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

/// The files of a run besides its checkpoints.
std::vector<std::string> runFiles(const std::string &name) {
  return {"metrics.jsonl", "summary.json", "plot.svg", "prep.json",
          (name.empty() ? std::string("model") : name) + ".safetensors"};
}

constexpr const char *kLockFile = ".loom-train.lock";

/// The process id written in the lock file `fd`, or 0. The owner writes it
/// just after it takes the lock, so an empty file is retried for a while.
long lockOwner(int fd) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
    if (pid > 0)
      return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

} // namespace

OutputDirLock::OutputDirLock(OutputDirLock &&other) noexcept : fd(other.fd) {
  other.fd = -1;
}

OutputDirLock &OutputDirLock::operator=(OutputDirLock &&other) noexcept {
  if (this != &other) {
    if (fd >= 0)
      ::close(fd);
    fd = other.fd;
    other.fd = -1;
  }
  return *this;
}

OutputDirLock::~OutputDirLock() {
  if (fd >= 0)
    ::close(fd); // releases the flock
}

StatusOr<OutputDirLock> OutputDirLock::take(const std::string &dir) {
  if (Status s = makeDirectories(dir); !s)
    return s;
  std::string path = dir + "/" + kLockFile;
  // O_CLOEXEC: a program the run starts (the linker) must not keep it.
  int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error(path + ": not a regular file");
  }
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR)
      continue;
    int e = errno;
    if (e != EWOULDBLOCK) {
      ::close(fd);
      return Status::error(path + ": cannot lock: " + std::strerror(e));
    }
    long pid = lockOwner(fd);
    ::close(fd);
    return Status::error(
        dir + " is in use by another loom train or loom sweep" +
        (pid > 0 ? " (process " + std::to_string(pid) + ")" : std::string()));
  }
  std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
    int e = errno;
    ::close(fd);
    return Status::error(path + ": cannot write: " + std::strerror(e));
  }
  OutputDirLock lock;
  lock.fd = fd;
  return lock;
}

std::vector<std::string> loom::train::earlierRun(const std::string &dir,
                                                 const std::string &name) {
  std::vector<std::string> found;
  for (const std::string &f : runFiles(name))
    if (exists(dir + "/" + f))
      found.push_back(f);
  if (hasCheckpoints(dir + "/checkpoints"))
    found.push_back("checkpoints/");
  return found;
}

StatusOr<std::vector<std::string>>
loom::train::claimOutputDir(const std::string &dir, const std::string &name,
                            EarlierRun earlier, OutputDirLock &lock) {
  // Before anything else: two runs must never share the directory, whatever
  // --resume or --overwrite say.
  StatusOr<OutputDirLock> taken = OutputDirLock::take(dir);
  if (!taken)
    return taken.status();
  lock = std::move(*taken);
  std::vector<std::string> found = earlierRun(dir, name);
  // A run is its metrics or its checkpoints; a plot or a model alone (a
  // file put there by hand, an init_from source) is not one.
  bool isRun = false;
  for (const std::string &f : found)
    isRun |= f == "metrics.jsonl" || f == "summary.json" || f == "checkpoints/";
  if (!isRun || earlier == EarlierRun::Resume)
    return std::vector<std::string>();
  if (earlier == EarlierRun::Refuse) {
    std::string list;
    for (const std::string &f : found)
      list += (list.empty() ? "" : ", ") + f;
    bool resumable = found.back() == "checkpoints/";
    return Status::error(
        dir + ": the directory holds an earlier run (" + list + "); " +
        (resumable ? "continue it with --resume " + dir +
                         "/checkpoints, or start over with --overwrite"
                   : "it has no checkpoint to resume; start over with "
                     "--overwrite") +
        " (or give another --out)");
  }
  for (const std::string &f : found) {
    if (f == "checkpoints/") {
      if (Status s = removeCheckpoints(dir + "/checkpoints"); !s)
        return s;
      continue;
    }
    std::string path = dir + "/" + f;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return Status::error(path + ": cannot remove: " + std::strerror(errno));
  }
  return found;
}
