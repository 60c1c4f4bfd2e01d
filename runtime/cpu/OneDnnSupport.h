//===- OneDnnSupport.h - What every oneDNN kernel family shares -*- C++ -*-===//
//
// Part of Loom. Private to runtime/cpu. A KernelSpec is a kernel record read
// and checked up to what every kind shares (operand shapes and element
// types from the `s<i>` / `t<i>` attributes, the buffers' sizes) with typed
// access to the rest of its attributes; a KernelBuilder collects the oneDNN
// primitives a kind needs into a Kernel. Each family file (OneDnnMatmul.cpp,
// OneDnnConv.cpp, ...) turns a KernelSpec into primitives with them. Family
// code may throw dnnl::error while it makes primitives: createOneDnnKernel
// catches it and reports it as a Status naming the kernel.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CPU_ONEDNNSUPPORT_H
#define LOOM_RUNTIME_CPU_ONEDNNSUPPORT_H

#include "runtime/cpu/OneDnnKernels.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loom::cpu::detail {

using Dims = std::vector<int64_t>;

/// "[2, 3]".
std::string dimsString(const Dims &dims);
/// The product of `dims` (1 for rank 0).
int64_t numElements(const Dims &dims);

/// One operand of a record: its type, shape and bytes.
struct Operand {
  DType type = DType::F32;
  Dims shape;
  int64_t elements = 0;
  void *data = nullptr;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  bool empty() const { return elements == 0; }
};

/// A kernel record whose operands have been read and checked.
class KernelSpec {
public:
  /// Reads `s<i>` and `t<i>` of every operand and checks them against
  /// `buffers` (count, null pointers, sizes). Errors start with the kind.
  static StatusOr<KernelSpec> read(const KernelRecord &record,
                                   const std::vector<OperandBuffer> &buffers);

  const std::string &kind() const { return rec->kind; }
  const KernelRecord &record() const { return *rec; }
  size_t size() const { return ops.size(); }
  const Operand &operator[](size_t i) const { return ops[i]; }
  const Operand &back() const { return ops.back(); }
  /// "onednn.matmul(f32[2, 3], f32[3, 4]) -> f32[2, 4]" (the last operand
  /// is the result).
  const std::string &signature() const { return sig; }

  /// An error naming the kernel: "<signature>: <message>".
  Status error(const std::string &message, const char *file = __builtin_FILE(),
               int line = __builtin_LINE()) const;

  /// Checks that the record has exactly the operands `names` (inputs in the
  /// loom op's order, then the result).
  Status expectOperands(const std::vector<std::string> &names) const;
  /// Checks that every operand is f32, the one type these kernels compute in.
  Status expectF32() const;

  /// Typed attributes. A missing attribute takes `def` when there is one
  /// and is an error otherwise; one of another type is an error.
  Status getInt(const std::string &key, int64_t &out,
                std::optional<int64_t> def = std::nullopt) const;
  /// An Int that must be 0 or 1 (a loom UnitAttr), false when missing.
  Status getFlag(const std::string &key, bool &out) const;
  Status getFloat(const std::string &key, double &out,
                  std::optional<double> def = std::nullopt) const;
  Status getString(const std::string &key, std::string &out,
                   std::optional<std::string> def = std::nullopt) const;
  /// An IntList of `count` entries (any count when 0), each >= `min`.
  Status getInts(const std::string &key, Dims &out, size_t count, int64_t min,
                 std::optional<Dims> def = std::nullopt) const;

private:
  KernelSpec() = default;
  /// The attribute `key` if present with type `type`; `found` false and ok
  /// when missing; an error when present with another type.
  Status find(const std::string &key, KernelAttr::Type type,
              const KernelAttr *&found) const;

  const KernelRecord *rec = nullptr;
  std::vector<Operand> ops;
  std::string sig;
};

/// The f32 memory descriptor of a row-major tensor of `dims` (rank 0 reads
/// as [1]).
dnnl::memory::desc plainDesc(const Dims &dims);
/// The f32 memory descriptor of `dims` laid out with `strides` (elements).
dnnl::memory::desc stridedDesc(const Dims &dims, const Dims &strides);
/// Row-major strides of `dims`.
Dims rowMajorStrides(const Dims &dims);

/// Collects a kernel's steps: oneDNN primitives over memory objects bound
/// to operands, and plain fills. Everything is allocated here, none of it
/// when the kernel runs.
class KernelBuilder {
public:
  KernelBuilder(CpuContext &ctx, const KernelSpec &spec)
      : ctx(ctx), spec(spec) {}

  const dnnl::engine &engine() const { return ctx.engine(); }
  /// The context (its scratchpad serves kernels that are not primitives).
  CpuContext &context() const { return ctx; }
  /// Primitive attributes every primitive starts from: the scratchpad is
  /// the context's (user mode), so that no execution allocates one.
  dnnl::primitive_attr attr() const;

  /// A memory object over operand `i`'s bytes, described by `md`.
  dnnl::memory operand(size_t i, const dnnl::memory::desc &md);
  /// A memory object over bytes the kernel owns (a workspace, a temporary),
  /// allocated now.
  dnnl::memory owned(const dnnl::memory::desc &md);

  /// Appends the primitive of `pd`, executed with `args`; reserves its
  /// scratchpad in the context.
  Status add(const dnnl::primitive_desc_base &pd,
             const std::vector<std::pair<int, dnnl::memory>> &args);
  /// Appends a fill of operand `i` (f32) with `value`.
  void fill(size_t i, float value);

  /// The kernel (no steps: a kernel with nothing to do, for empty results).
  std::unique_ptr<Kernel> finish();

private:
  struct Step {
    dnnl::primitive prim; ///< empty for a fill
    std::vector<dnnl_exec_arg_t> args;
    dnnl::memory scratchpad; ///< pointed at the context's before each run
    float *fillData = nullptr;
    size_t fillCount = 0;
    float fillValue = 0;
  };
  class StepKernel;

  CpuContext &ctx;
  const KernelSpec &spec;
  std::vector<Step> steps;
  std::vector<dnnl::memory> keep; ///< every memory the steps use
  std::string impl;
};

/// A kernel family's factory.
using KernelFactory = StatusOr<std::unique_ptr<Kernel>> (*)(
    KernelBuilder &builder, const KernelSpec &spec);

// OneDnnMatmul.cpp
StatusOr<std::unique_ptr<Kernel>> createMatmul(KernelBuilder &,
                                               const KernelSpec &);
// OneDnnConv.cpp
StatusOr<std::unique_ptr<Kernel>> createConv2d(KernelBuilder &,
                                               const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>> createConv2dBackwardInput(KernelBuilder &,
                                                            const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>>
createConv2dBackwardFilter(KernelBuilder &, const KernelSpec &);
// OneDnnPool.cpp
StatusOr<std::unique_ptr<Kernel>> createPool2d(KernelBuilder &,
                                               const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>> createPool2dBackward(KernelBuilder &,
                                                       const KernelSpec &);
// OneDnnNorm.cpp
StatusOr<std::unique_ptr<Kernel>> createSoftmax(KernelBuilder &,
                                                const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>> createLogSoftmax(KernelBuilder &,
                                                   const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>> createLayerNorm(KernelBuilder &,
                                                  const KernelSpec &);
// OneDnnEltwise.cpp
StatusOr<std::unique_ptr<Kernel>> createEltwise(KernelBuilder &,
                                                const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>> createBinary(KernelBuilder &,
                                               const KernelSpec &);
// OneDnnReduce.cpp
StatusOr<std::unique_ptr<Kernel>> createReduce(KernelBuilder &,
                                               const KernelSpec &);
// FlashKernels.cpp: the runtime's own kernels (FlashAttention.h), which
// share the context's scratchpad and the record checks.
StatusOr<std::unique_ptr<Kernel>> createFlashAttention(KernelBuilder &,
                                                       const KernelSpec &);
StatusOr<std::unique_ptr<Kernel>>
createFlashAttentionBackward(KernelBuilder &, const KernelSpec &);

} // namespace loom::cpu::detail

#endif // LOOM_RUNTIME_CPU_ONEDNNSUPPORT_H
