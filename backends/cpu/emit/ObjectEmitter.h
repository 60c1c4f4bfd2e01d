//===- ObjectEmitter.h - Generated kernels to host object code ---*- C++
//-*-===//
//
// Part of Loom. The back half of the CPU backend's code generator: takes
// kernel functions of loom ops (or already in linalg, tensor, arith, math,
// scf on tensors) and turns them into one shared object for the host CPU:
//
//   --loom-cpu-pipeline (Pipelines.h): linalg on tensors, results become
//     out-parameters, one-shot bufferization with empty-tensor
//     elimination, temporaries freed or on the stack, loops, LLVM dialect
//     (bare-pointer calling convention)
//   → LLVM IR, plus `void <kernel>_entry(void **operands)` per kernel
//   → LLVM's -O3 pipeline for the host CPU (its loop vectorizer is what
//     vectorizes the loops: AVX-512 where the host has it)
//   → object code → a shared object linked by the system C compiler.
//
// The runtime maps the shared object and calls `<kernel>_entry` with the
// arena addresses of the kernel's operands: its inputs in order, then its
// results; the kernel's large loop nests run on the runtime's threads
// through its parallel-for hook (see emitKernelLibrary).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_EMIT_OBJECTEMITTER_H
#define LOOM_BACKENDS_CPU_EMIT_OBJECTEMITTER_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
namespace loom {
class IrPrinter;
} // namespace loom
} // namespace mlir

namespace mlir::loom::cpu {

/// What the code was generated for.
struct HostTarget {
  std::string triple;   ///< "x86_64-pc-linux-gnu"
  std::string cpu;      ///< "skylake-avx512"
  std::string features; ///< "+avx512f,+avx2,..."
  /// A short name for the artifact's target field: "cpu-x86_64-avx512",
  /// "cpu-x86_64-avx2" or "cpu-<arch>".
  std::string name() const;
};

/// The host this process runs on.
HostTarget hostTarget();

/// How a kernel's loop nests run, as --loom-kernel-ranges recorded it.
struct KernelThreading {
  int64_t parallelLoops = 0; ///< nests the runtime's threads split
  int64_t serialLoops = 0;   ///< nests of 64 KiB or more on one thread
};

/// Compiles every public func.func of `module` (which it consumes: the
/// module is lowered in place by --loom-cpu-pipeline, with `checkIndices`)
/// into a shared object and returns its bytes. `printer`, when given,
/// reports every pass of the pipeline. `threading`, when given, receives
/// each kernel's KernelThreading. On failure returns false with a message in
/// `error`; MLIR diagnostics of the lowering go to the context's handlers.
///
/// Each call of a loop nest that --loom-kernel-ranges outlined,
/// `@k.loopN(args..., begin, end)`, becomes a call of
/// `loom_parallel_hook(body, context, extent)`, a pointer the shared object
/// exports and the runtime sets: `context` holds the arguments,
/// `body(context, begin, end)` runs iterations [begin, end) of the nest's
/// split dimension, and the hook runs [0, extent) in ranges on its threads
/// before it returns. While the hook is null, the kernel runs
/// `body(context, 0, extent)` itself.
bool emitKernelLibrary(
    mlir::ModuleOp module, const HostTarget &target,
    std::vector<uint8_t> &library, std::string &error, bool checkIndices = true,
    mlir::loom::IrPrinter *printer = nullptr,
    std::map<std::string, KernelThreading> *threading = nullptr);

/// The symbol the runtime calls for kernel function `name`:
/// `void <name>_entry(void **operands)`.
std::string entrySymbol(const std::string &name);

/// The calling convention of the entries and hooks above, exported as the
/// `int32_t loom_kernel_abi` of the shared object; the runtime refuses
/// other values (runtime/exec/KernelLibrary.h). 2: entries of the operands
/// alone, loop nests through `loom_parallel_hook` (1, unexported: entries
/// of the operands and a range of the outer loop).
constexpr int32_t kKernelAbiVersion = 2;

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_EMIT_OBJECTEMITTER_H
