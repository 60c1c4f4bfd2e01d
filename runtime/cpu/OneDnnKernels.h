//===- OneDnnKernels.h - The CPU runtime's oneDNN kernels -------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The CPU backend
// lowers the ops that oneDNN covers to kernel records of kind
// "onednn.<op>" (runtime/cpu/README.md gives each kind's operands and
// attributes). Here a record becomes a Kernel: its oneDNN primitives are
// created once, with memory objects bound to the operands' bytes in the
// arena (fixed for the life of the run), and run() executes them once per
// step without allocating.
//
// Every check a hostile artifact could fail (a missing or ill-typed
// attribute, a wrong operand count, a shape the op does not allow, an
// element type oneDNN does not compute in, a buffer too small for its
// shape) is made when the kernel is created, and reported as a Status that
// names the kernel kind and what is wrong. No exception leaves this API.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CPU_ONEDNNKERNELS_H
#define LOOM_RUNTIME_CPU_ONEDNNKERNELS_H

#include "runtime/Status.h"
#include "runtime/artifact/Artifact.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loom::cpu {

/// The one oneDNN CPU engine and stream of a run, and the scratchpad its
/// kernels share. oneDNN parallelizes inside each primitive with OpenMP;
/// kernels of one context run one at a time, from one thread (they share
/// the scratchpad). A context outlives the kernels made with it.
class CpuContext {
public:
  /// The engine and stream; an error if oneDNN finds no usable CPU.
  static StatusOr<std::unique_ptr<CpuContext>> create();

  CpuContext(const CpuContext &) = delete;
  CpuContext &operator=(const CpuContext &) = delete;
  ~CpuContext();

  const dnnl::engine &engine() const { return eng; }
  const dnnl::stream &stream() const { return strm; }

  /// Grows the shared scratchpad to at least `bytes` (kernel creation
  /// calls this; kernels read scratchpad() when they run, so a later growth
  /// moves it for every kernel).
  Status reserveScratchpad(size_t bytes);
  /// 64-byte aligned, scratchpadSize() bytes; null while no kernel needs
  /// one.
  void *scratchpad() const { return scratch; }
  size_t scratchpadSize() const { return scratchBytes; }

private:
  CpuContext(dnnl::engine eng, dnnl::stream strm);

  dnnl::engine eng;
  dnnl::stream strm;
  void *scratch = nullptr;
  size_t scratchBytes = 0;
};

/// The bytes of one operand in the arena.
struct OperandBuffer {
  void *data = nullptr;
  /// Bytes available at `data`; at least the operand's shape times its
  /// element size (checked at creation).
  uint64_t size = 0;
};

/// One launch of the step: a record turned into oneDNN primitives.
class Kernel {
public:
  virtual ~Kernel();

  /// Executes the kernel on the operands it was made with. Allocates no
  /// tensor memory and throws nothing; an error names the kernel.
  virtual Status run() = 0;

  /// "onednn.matmul".
  const std::string &kind() const { return kindName; }
  /// "onednn.matmul(f32[8, 768], f32[3072, 768]) -> f32[8, 3072]": the kind
  /// and its operands' types, as errors show it.
  const std::string &signature() const { return sig; }
  /// The oneDNN implementations chosen, for `loom inspect` and tests:
  /// "gemm:jit", "jit:uni + ref:any", "" for a kernel with nothing to do.
  const std::string &implementation() const { return impl; }

protected:
  Kernel(std::string kind, std::string signature, std::string implementation)
      : kindName(std::move(kind)), sig(std::move(signature)),
        impl(std::move(implementation)) {}

private:
  std::string kindName, sig, impl;
};

/// True for the kinds createOneDnnKernel knows ("onednn.matmul", ...).
bool isOneDnnKind(const std::string &kind);
/// Every kind createOneDnnKernel knows, sorted.
std::vector<std::string> oneDnnKinds();

/// Makes the kernel of `record` (a kind for which isOneDnnKind holds) over
/// `operands`, one per record operand in order, which must stay valid for
/// the kernel's life. All validation happens here.
StatusOr<std::unique_ptr<Kernel>>
createOneDnnKernel(CpuContext &ctx, const KernelRecord &record,
                   const std::vector<OperandBuffer> &operands);

} // namespace loom::cpu

#endif // LOOM_RUNTIME_CPU_ONEDNNKERNELS_H
