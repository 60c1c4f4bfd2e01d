//===- File.cpp - Files the runtime writes --------------------------------===//
//
// Part of Loom. This file implements the one atomic file write every
// writer of the runtime uses, the check that keeps it from replacing
// anything but a regular file, the parser of its temporary names (the
// checkpoint directories remove those that killed writers left), mkdir -p,
// and the checked open of every data file the runtime reads.
//
//===----------------------------------------------------------------------===//

#include "runtime/File.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;

namespace {

Status ioError(const std::string &path, const std::string &what) {
  return Status::error(path + ": cannot " + what + ": " + std::strerror(errno));
}

Status writeAll(int fd, const uint8_t *p, uint64_t n, const std::string &path,
                const std::string &tmp) {
  while (n > 0) {
    // Linux writes at most about 2 GiB at once.
    size_t want = size_t(std::min<uint64_t>(n, uint64_t(1) << 30));
    ssize_t k = ::write(fd, p, want);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      return ioError(path, "write '" + tmp + "'");
    }
    p += k;
    n -= uint64_t(k);
  }
  return Status();
}

} // namespace

const char *loom::fileKindOf(unsigned mode) {
  if (S_ISREG(mode))
    return "";
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

Status loom::checkReplaceable(const std::string &path) {
  struct stat st;
  // stat, not lstat: a link to a device is refused like the device; a
  // dangling link is a missing file, which the rename replaces.
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return Status();
    return ioError(path, "examine it");
  }
  if (S_ISREG(st.st_mode))
    return Status();
  return Status::error(path + ": is " + fileKindOf(st.st_mode) +
                       "; only a regular file is replaced");
}

Status loom::writeFileAtomically(const std::string &path,
                                 const std::vector<FileChunk> &chunks) {
  // Refused before any byte is written, so nothing is left behind.
  if (Status s = checkReplaceable(path); !s.ok())
    return s;
  static std::atomic<unsigned> counter{0};
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = dir + "." + base + ".tmp." + std::to_string(::getpid()) + "." +
          std::to_string(counter++);
    // O_EXCL: never reuse a file someone else made; 0666 less the umask,
    // like any file the user writes.
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt >= 100))
      return ioError(path, "create the temporary file '" + tmp + "'");
  }
  Status s;
  for (const FileChunk &c : chunks) {
    s = writeAll(fd, static_cast<const uint8_t *>(c.data), c.size, path, tmp);
    if (!s.ok())
      break;
  }
  if (s.ok() && ::fsync(fd) != 0)
    s = ioError(path, "flush '" + tmp + "'");
  if (::close(fd) != 0 && s.ok())
    s = ioError(path, "close '" + tmp + "'");
  // Again just before the rename: the write may have taken a while.
  if (s.ok())
    s = checkReplaceable(path);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = ioError(path, "rename '" + tmp + "' over it");
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename reaches the disk with the directory. A file system that
  // cannot flush directories (EINVAL) makes renames durable by itself.
  std::string d = dir.empty() ? "." : dir;
  int dfd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return ioError(path, "open its directory to flush it");
  if (::fsync(dfd) != 0 && errno != EINVAL) {
    s = ioError(path, "flush its directory");
    ::close(dfd);
    return s;
  }
  ::close(dfd);
  return Status();
}

std::string loom::sizeText(uint64_t bytes) {
  const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + " " + units[u];
}

StatusOr<int> loom::openInputFile(const std::string &path,
                                  const std::string &what, uint64_t maxBytes,
                                  uint64_t &size) {
  // O_NONBLOCK: opening a FIFO with no writer would wait for one.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return ioError(path, "open the " + what);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = ioError(path, "examine the " + what);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error(path + ": the " + what + " is " +
                         fileKindOf(st.st_mode) + ", not a regular file");
  }
  size = uint64_t(st.st_size);
  if (size > maxBytes) {
    ::close(fd);
    return Status::error(path + ": the " + what + " has " +
                         std::to_string(size) + " bytes, more than the " +
                         std::to_string(maxBytes) + " (" + sizeText(maxBytes) +
                         ") a " + what + " may have");
  }
  // Reads of a regular file never wait anyway; clear the flag for what
  // reads the descriptor next (zlib, mmap).
  (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

StatusOr<std::string> loom::readInputFile(const std::string &path,
                                          const std::string &what,
                                          uint64_t maxBytes) {
  uint64_t size = 0;
  StatusOr<int> fd = openInputFile(path, what, maxBytes, size);
  if (!fd)
    return fd.status();
  std::string out;
  out.reserve(size_t(size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(*fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      Status s = ioError(path, "read the " + what);
      ::close(*fd);
      return s;
    }
    if (n == 0)
      break;
    if (out.size() + size_t(n) > maxBytes) {
      ::close(*fd);
      return Status::error(path + ": the " + what + " grew past the " +
                           std::to_string(maxBytes) + " (" +
                           sizeText(maxBytes) + ") a " + what +
                           " may have while it was read");
    }
    out.append(buf, size_t(n));
  }
  ::close(*fd);
  return out;
}

Status loom::makeDirectories(const std::string &dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos < dir.size() && dir[pos] != '/')
      continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return ioError(dir, "create the directory '" + prefix + "'");
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0)
    return ioError(dir, "access");
  if (!S_ISDIR(st.st_mode))
    return Status::error(dir + ": not a directory");
  return Status();
}

bool loom::parseTempFileName(const std::string &fileName, std::string &target,
                             long &pid) {
  size_t at = fileName.rfind(".tmp.");
  if (fileName.size() < 2 || fileName[0] != '.' || at == std::string::npos ||
      at < 2)
    return false;
  // ".tmp.<pid>.<n>"
  std::string rest = fileName.substr(at + 5);
  size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos || dot + 1 == rest.size() ||
      dot > 9 || rest.find_first_not_of("0123456789") != dot ||
      rest.find_first_not_of("0123456789", dot + 1) != std::string::npos)
    return false;
  target = fileName.substr(1, at - 1);
  pid = 0;
  for (size_t i = 0; i < dot; ++i) // at most 9 digits: no overflow
    pid = pid * 10 + (rest[i] - '0');
  return true;
}
