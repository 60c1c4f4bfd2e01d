//===- Checkpoint.cpp - Checkpoint directories ----------------------------===//
//
// Part of Loom. This file implements checkpoint directories: the step's
// file written atomically and made durable, then `latest` replaced the same
// way, then old checkpoints pruned and the temporary files of killed
// writers removed; and the resolution of a path or directory to the
// checkpoint file it means, with `latest` read as untrusted input; and the
// removal of a directory's checkpoints (loom train --overwrite).
//
//===----------------------------------------------------------------------===//

#include "runtime/File.h"
#include "runtime/checkpoint/SafetensorsFormat.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;
using namespace loom::safetensors;

namespace {

constexpr const char *kPrefix = "ckpt-";
constexpr const char *kSuffix = ".safetensors";
/// `latest` holds a name of about 26 bytes; anything past this is no name.
constexpr size_t kMaxLatest = 256;

Status ioError(const std::string &who, const std::string &what) {
  return Status::error(who + ": cannot " + what + ": " + std::strerror(errno));
}

/// `dir` without trailing slashes ("/" stays).
std::string trimDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir;
}

/// Removes the checkpoints of `dir` older than its newest `keep` (but
/// `step`), and the temporary files of writers that no longer run.
Status prune(const std::string &dir, uint64_t step, unsigned keep) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return ioError(dir, "list");
  std::vector<std::pair<uint64_t, std::string>> ckpts;
  std::vector<std::string> stale;
  while (dirent *e = ::readdir(d)) {
    std::string name = e->d_name, target;
    uint64_t s;
    long pid;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        S_ISDIR(st.st_mode))
      continue;
    if (parseCheckpointFileName(name, s)) {
      ckpts.push_back({s, name});
    } else if (parseTempFileName(name, target, pid) &&
               (target == "latest" || parseCheckpointFileName(target, s)) &&
               pid != long(::getpid())) {
      // A writer that still runs (or a process that took its pid since)
      // keeps its file; a later save removes it once the pid is free.
      if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
        stale.push_back(name);
    }
  }
  ::closedir(d);
  for (const std::string &name : stale)
    (void)::unlink((dir + "/" + name).c_str());
  if (keep == 0)
    return Status();
  std::sort(ckpts.begin(), ckpts.end(),
            [](const auto &a, const auto &b) { return a.first > b.first; });
  unsigned kept = 0;
  for (const auto &[s, name] : ckpts) {
    if (kept < keep) {
      ++kept;
      continue;
    }
    if (s == step)
      continue;
    std::string path = dir + "/" + name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return ioError(dir, "remove the old checkpoint " + quote(name) + " (" +
                              checkpointFileName(step) + " is saved)");
  }
  return Status();
}

} // namespace

std::string loom::checkpointFileName(uint64_t step) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%08llu%s", kPrefix,
                (unsigned long long)step, kSuffix);
  return buf;
}

bool loom::parseCheckpointFileName(const std::string &fileName,
                                   uint64_t &step) {
  size_t pre = std::strlen(kPrefix), suf = std::strlen(kSuffix);
  if (fileName.size() < pre + 8 + suf || fileName.size() > pre + 20 + suf ||
      fileName.compare(0, pre, kPrefix) != 0 ||
      fileName.compare(fileName.size() - suf, suf, kSuffix) != 0)
    return false;
  uint64_t v = 0;
  for (size_t i = pre; i < fileName.size() - suf; ++i) {
    char c = fileName[i];
    if (c < '0' || c > '9')
      return false;
    uint64_t digit = uint64_t(c - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return false;
    v = v * 10 + digit;
  }
  step = v;
  return true;
}

StatusOr<std::string>
loom::saveCheckpoint(const std::string &dir, uint64_t step,
                     const std::vector<TensorView> &tensors,
                     const std::map<std::string, std::string> &metadata,
                     unsigned keep) {
  if (dir.empty())
    return Status::error("checkpoint directory: the name is empty");
  std::string d = trimDir(dir);
  if (Status s = makeDirectories(d); !s.ok())
    return s;
  std::string file = checkpointFileName(step);
  std::string path = (d == "/" ? "" : d) + "/" + file;
  std::map<std::string, std::string> meta = metadata;
  meta["loom.step"] = std::to_string(step);
  // writeSafetensors flushes the file and the directory before it returns:
  // only then may `latest` name it.
  if (Status s = writeSafetensors(path, tensors, meta); !s.ok())
    return s;
  std::string line = file + "\n";
  std::string latest = (d == "/" ? "" : d) + "/latest";
  if (Status s = writeFileAtomically(latest, {{line.data(), line.size()}});
      !s.ok())
    return s;
  if (Status s = prune(d, step, keep); !s.ok())
    return s;
  return path;
}

StatusOr<std::string> loom::resolveCheckpoint(const std::string &pathOrDir) {
  struct stat st;
  if (::stat(pathOrDir.c_str(), &st) != 0)
    return ioError(pathOrDir, "access");
  if (S_ISREG(st.st_mode))
    return pathOrDir;
  if (!S_ISDIR(st.st_mode))
    return Status::error(pathOrDir + ": not a file or a directory");

  std::string d = trimDir(pathOrDir);
  std::string base = d == "/" ? "" : d;
  std::string latest = base + "/latest";
  int fd = ::open(latest.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    return Status::error(d + ": no checkpoint: the directory has no 'latest' "
                             "file");
  if (fd < 0)
    return ioError(latest, "open");
  char buf[kMaxLatest + 1];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t k = ::read(fd, buf + got, sizeof buf - got);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0) {
      Status s = ioError(latest, "read");
      ::close(fd);
      return s;
    }
    if (k == 0)
      break;
    got += size_t(k);
  }
  ::close(fd);
  std::string text(buf, got);
  if (got > kMaxLatest)
    return Status::error(latest + ": too long (more than " +
                         std::to_string(kMaxLatest) +
                         " bytes; expected a checkpoint file name and a "
                         "newline)");
  if (text.empty() || text.back() != '\n' ||
      text.find('\n') != text.size() - 1 || text.size() == 1)
    return Status::error(latest +
                         ": malformed: expected a checkpoint file "
                         "name and a newline, found " +
                         quote(text));
  std::string name = text.substr(0, text.size() - 1);
  if (name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos)
    return Status::error(latest + ": names " + quote(name) +
                         ", a path (expected a file name in " + d + ")");
  uint64_t step;
  if (!parseCheckpointFileName(name, step))
    return Status::error(latest + ": names " + quote(name) +
                         ", not a checkpoint file name "
                         "(expected ckpt-<step>.safetensors)");
  std::string path = base + "/" + name;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return Status::error(latest + ": names " + quote(name) +
                           ", which does not exist");
    return ioError(path, "access");
  }
  if (!S_ISREG(st.st_mode))
    return Status::error(latest + ": names " + quote(name) +
                         ", which is not a regular file");
  return path;
}

namespace {

/// The names in `dir` that saveCheckpoint writes: checkpoint files,
/// `latest` and their temporary files. False if `dir` cannot be listed.
bool checkpointNames(const std::string &dir, std::vector<std::string> &names) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return false;
  while (dirent *e = ::readdir(d)) {
    std::string name = e->d_name, target;
    uint64_t step;
    long pid;
    if (name == "latest" || parseCheckpointFileName(name, step) ||
        (parseTempFileName(name, target, pid) &&
         (target == "latest" || parseCheckpointFileName(target, step))))
      names.push_back(name);
  }
  ::closedir(d);
  return true;
}

} // namespace

bool loom::hasCheckpoints(const std::string &dir) {
  std::vector<std::string> names;
  return checkpointNames(dir, names) && !names.empty();
}

Status loom::removeCheckpoints(const std::string &dir) {
  std::vector<std::string> names;
  if (!checkpointNames(dir, names))
    return errno == ENOENT ? Status() : ioError(dir, "list");
  for (const std::string &name : names)
    if (::unlink((dir + "/" + name).c_str()) != 0 && errno != ENOENT)
      return ioError(dir, "remove " + quote(name));
  if (::rmdir(dir.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST)
    return ioError(dir, "remove the directory");
  return Status();
}
