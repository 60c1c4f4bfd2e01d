//===- KernelLibrary.h - Generated kernels loaded at run time ----*- C++
//-*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR or LLVM). An
// artifact carries its generated kernels as one shared object (see
// backends/cpu/emit/ObjectEmitter.h); the runtime maps it from memory — an
// anonymous memfd, so nothing is written to disk — with dlopen, sets its
// hooks (temporaries from the scratch arena, loop nests on the runtime's
// threads), and looks up each kernel's `<name>_entry(void **operands)`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EXEC_KERNELLIBRARY_H
#define LOOM_RUNTIME_EXEC_KERNELLIBRARY_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// A generated kernel: reads and writes the operands at the addresses it is
/// given (inputs, then results). Its large loop nests run on the runtime's
/// threads (runtime/exec/Parallel.h); the kernel returns when all are done.
using KernelEntry = void (*)(void **operands);

/// The calling convention this runtime calls generated kernels with; a
/// shared object exports its own as `int32_t loom_kernel_abi` (1 when it
/// exports none), and load() refuses any other
/// (mlir::loom::cpu::kKernelAbiVersion is the compiler's).
constexpr int32_t kKernelAbi = 2;

class KernelLibrary {
public:
  KernelLibrary() = default;
  KernelLibrary(KernelLibrary &&o) noexcept;
  KernelLibrary &operator=(KernelLibrary &&o) noexcept;
  KernelLibrary(const KernelLibrary &) = delete;
  KernelLibrary &operator=(const KernelLibrary &) = delete;
  ~KernelLibrary();

  /// Loads the shared object `bytes` (`name` is for messages).
  static StatusOr<KernelLibrary> load(const std::vector<uint8_t> &bytes,
                                      const std::string &name);

  /// The entry of kernel `kernel` (the name before `_entry`).
  StatusOr<KernelEntry> lookup(const std::string &kernel) const;

private:
  void *handle = nullptr;
  std::string libName;
};

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_KERNELLIBRARY_H
