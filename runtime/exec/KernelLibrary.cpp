//===- KernelLibrary.cpp - Generated kernels loaded at run time -----------===//
//
// Part of Loom. See KernelLibrary.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/KernelLibrary.h"

#include "runtime/exec/Parallel.h"
#include "runtime/exec/Scratch.h"

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace loom;

KernelLibrary::KernelLibrary(KernelLibrary &&o) noexcept {
  *this = std::move(o);
}

KernelLibrary &KernelLibrary::operator=(KernelLibrary &&o) noexcept {
  if (this != &o) {
    if (handle)
      dlclose(handle);
    handle = o.handle;
    libName = std::move(o.libName);
    o.handle = nullptr;
  }
  return *this;
}

KernelLibrary::~KernelLibrary() {
  if (handle)
    dlclose(handle);
}

StatusOr<KernelLibrary> KernelLibrary::load(const std::vector<uint8_t> &bytes,
                                            const std::string &name) {
  // An ELF shared object starts with 0x7f 'E' 'L' 'F'; anything else would
  // only get a vaguer message from dlopen.
  if (bytes.size() < 64 || std::memcmp(bytes.data(),
                                       "\x7f"
                                       "ELF",
                                       4) != 0)
    return Status::error(name + ": the generated kernels are not a shared "
                                "object");
  int fd = memfd_create("loom-kernels", MFD_CLOEXEC);
  if (fd < 0)
    return Status::error(name +
                         ": cannot create a memory file for the "
                         "generated kernels: " +
                         std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Status::error(
          name + ": cannot stage the generated kernels: " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ::close(fd); // the mapping keeps the contents alive
  if (!h) {
    const char *why = dlerror();
    return Status::error(name + ": cannot load the generated kernels: " +
                         (why ? why : "unknown dlopen error"));
  }
  // Kernels compiled for another calling convention would be called with
  // the wrong arguments.
  const void *abi = dlsym(h, "loom_kernel_abi");
  int32_t version = 1;
  if (abi)
    std::memcpy(&version, abi, sizeof version);
  if (version != kKernelAbi) {
    dlclose(h);
    return Status::error(name +
                         ": the generated kernels use calling "
                         "convention " +
                         std::to_string(version) + ", this runtime " +
                         std::to_string(kKernelAbi) +
                         "; compile the .loom program again with this loom");
  }
  // Temporary buffers come from the runtime's scratch arena.
  if (void *slot = dlsym(h, "loom_alloc_hook")) {
    void *(*fn)(uint64_t) = &loomScratchAlloc;
    std::memcpy(slot, &fn, sizeof fn);
  }
  if (void *slot = dlsym(h, "loom_free_hook")) {
    void (*fn)(void *) = &loomScratchFree;
    std::memcpy(slot, &fn, sizeof fn);
  }
  // Large loop nests run on the runtime's threads.
  if (void *slot = dlsym(h, "loom_parallel_hook")) {
    void (*fn)(LoopBody, void *, int64_t) = &loomParallelFor;
    std::memcpy(slot, &fn, sizeof fn);
  }
  KernelLibrary lib;
  lib.handle = h;
  lib.libName = name;
  return lib;
}

StatusOr<KernelEntry> KernelLibrary::lookup(const std::string &kernel) const {
  if (!handle)
    return Status::error(libName + ": no generated kernels are loaded");
  dlerror();
  void *sym = dlsym(handle, (kernel + "_entry").c_str());
  if (!sym)
    return Status::error(libName +
                         ": the generated kernels have no entry "
                         "for kernel '" +
                         kernel + "'");
  KernelEntry entry;
  static_assert(sizeof(entry) == sizeof(sym), "function pointer size");
  std::memcpy(&entry, &sym, sizeof entry);
  return entry;
}
