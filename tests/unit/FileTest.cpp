//===- FileTest.cpp - The runtime's atomic file write ---------------------===//
//
// Part of Loom. Checks runtime/File.h: a regular file or a missing path is
// replaced whole; a directory, FIFO, socket or device (made here, in the
// test's own directory, never a system one) is refused before anything is
// written, and is still there afterwards.
//
//===----------------------------------------------------------------------===//

#include "runtime/File.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

using namespace loom;

namespace {

/// A fresh directory under gtest's temporary directory, removed at the end.
class TempDir {
public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "loom-file-XXXXXX";
    const char *d = mkdtemp(tmpl.data());
    EXPECT_NE(d, nullptr);
    dir = d ? d : ::testing::TempDir();
  }
  ~TempDir() {
    for (const std::string &name : names()) {
      std::string p = path(name);
      if (::rmdir(p.c_str()) != 0)
        std::remove(p.c_str());
    }
    ::rmdir(dir.c_str());
  }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (DIR *d = ::opendir(dir.c_str())) {
      while (dirent *e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
          out.push_back(e->d_name);
      ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

private:
  std::string dir;
};

std::string readText(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

mode_t typeOf(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & S_IFMT : 0;
}

TEST(File, ReplacesARegularFileOrMakesOne) {
  TempDir tmp;
  std::string path = tmp.path("out.bin");
  ASSERT_TRUE(writeFileAtomically(path, "first").ok());
  ASSERT_TRUE(writeFileAtomically(path, {{"sec", 3}, {"ond", 3}}).ok());
  EXPECT_EQ(readText(path), "second");
  // Through a link to a regular file: the link's place takes the file.
  std::string link = tmp.path("link.bin");
  ASSERT_EQ(::symlink("out.bin", link.c_str()), 0);
  ASSERT_TRUE(writeFileAtomically(link, "third").ok());
  EXPECT_EQ(readText(link), "third");
  EXPECT_EQ(tmp.names(), (std::vector<std::string>{"link.bin", "out.bin"}));
}

TEST(File, RefusesADirectoryFifoAndSocket) {
  TempDir tmp;
  std::string dir = tmp.path("d"), fifo = tmp.path("fifo"),
              sock = tmp.path("sock"), link = tmp.path("link");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(::symlink("fifo", link.c_str()), 0);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  ::close(fd);

  EXPECT_EQ(writeFileAtomically(dir, "x").message(),
            dir + ": is a directory; only a regular file is replaced");
  EXPECT_EQ(writeFileAtomically(fifo, "x").message(),
            fifo + ": is a FIFO; only a regular file is replaced");
  EXPECT_EQ(writeFileAtomically(sock, "x").message(),
            sock + ": is a socket; only a regular file is replaced");
  // A link counts as what it names.
  EXPECT_EQ(writeFileAtomically(link, "x").message(),
            link + ": is a FIFO; only a regular file is replaced");
  EXPECT_TRUE(checkReplaceable(tmp.path("missing")).ok());

  // All still there, and no temporary file left behind.
  EXPECT_EQ(typeOf(dir), mode_t(S_IFDIR));
  EXPECT_EQ(typeOf(fifo), mode_t(S_IFIFO));
  EXPECT_EQ(typeOf(sock), mode_t(S_IFSOCK));
  EXPECT_EQ(typeOf(link), mode_t(S_IFLNK));
  EXPECT_EQ(tmp.names(),
            (std::vector<std::string>{"d", "fifo", "link", "sock"}));
}

TEST(File, RefusesADevice) {
  TempDir tmp;
  // /dev/full's numbers (1, 7), made in the test's own directory.
  std::string dev = tmp.path("full");
  if (::mknod(dev.c_str(), S_IFCHR | 0600, makedev(1, 7)) != 0)
    GTEST_SKIP() << "mknod: " << std::strerror(errno) << " (needs root)";
  EXPECT_EQ(writeFileAtomically(dev, "x").message(),
            dev + ": is a character device; only a regular file is replaced");
  EXPECT_EQ(typeOf(dev), mode_t(S_IFCHR));
  EXPECT_EQ(tmp.names(), std::vector<std::string>{"full"});
}

TEST(File, ParsesItsTemporaryNames) {
  std::string target;
  long pid = 0;
  EXPECT_TRUE(parseTempFileName(".latest.tmp.123.7", target, pid));
  EXPECT_EQ(target, "latest");
  EXPECT_EQ(pid, 123);
  EXPECT_FALSE(parseTempFileName("latest.tmp.123.7", target, pid));
  EXPECT_FALSE(parseTempFileName(".latest.tmp.123", target, pid));
  EXPECT_FALSE(parseTempFileName(".latest.tmp.x.7", target, pid));
}

} // namespace
