//===- OneDnnKernels.cpp - From kernel records to oneDNN kernels ----------===//
//
// Part of Loom. This file implements createOneDnnKernel: it finds the
// family factory of a record's kind, reads the record's operands, and turns
// every exception oneDNN throws while making primitives into a Status.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

#include <oneapi/dnnl/dnnl_debug.h>

#include <cstring>
#include <new>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;

namespace {
struct KindFactory {
  const char *kind;
  KernelFactory factory;
};
} // namespace

/// Sorted by kind.
static const KindFactory kFactories[] = {
    {"cpu.flash_attention", createFlashAttention},
    {"cpu.flash_attention_backward", createFlashAttentionBackward},
    {"onednn.binary", createBinary},
    {"onednn.conv2d", createConv2d},
    {"onednn.conv2d_backward_filter", createConv2dBackwardFilter},
    {"onednn.conv2d_backward_input", createConv2dBackwardInput},
    {"onednn.eltwise", createEltwise},
    {"onednn.layer_norm", createLayerNorm},
    {"onednn.log_softmax", createLogSoftmax},
    {"onednn.matmul", createMatmul},
    {"onednn.pool2d", createPool2d},
    {"onednn.pool2d_backward", createPool2dBackward},
    {"onednn.reduce", createReduce},
    {"onednn.softmax", createSoftmax},
};

static KernelFactory findFactory(const std::string &kind) {
  for (const KindFactory &f : kFactories)
    if (kind == f.kind)
      return f.factory;
  return nullptr;
}

bool loom::cpu::isOneDnnKind(const std::string &kind) {
  return findFactory(kind) != nullptr;
}

std::vector<std::string> loom::cpu::oneDnnKinds() {
  std::vector<std::string> kinds;
  for (const KindFactory &f : kFactories)
    kinds.push_back(f.kind);
  return kinds;
}

StatusOr<std::unique_ptr<Kernel>>
loom::cpu::createOneDnnKernel(CpuContext &ctx, const KernelRecord &record,
                              const std::vector<OperandBuffer> &operands) {
  KernelFactory factory = findFactory(record.kind);
  if (!factory) {
    std::string known;
    for (const KindFactory &f : kFactories)
      known += (known.empty() ? "" : ", ") + std::string(f.kind);
    return Status::error("'" + record.kind +
                         "' is not a oneDNN kernel kind (known: " + known +
                         ")");
  }
  StatusOr<KernelSpec> spec = KernelSpec::read(record, operands);
  if (!spec.ok())
    return spec.status();
  try {
    KernelBuilder builder(ctx, *spec);
    return factory(builder, *spec);
  } catch (const dnnl::error &e) {
    return spec->error(std::string("oneDNN cannot make this kernel: ") +
                       e.what() + " (" + dnnl_status2str(e.status) + ")");
  } catch (const std::bad_alloc &) {
    return spec->error("out of memory while making the kernel");
  } catch (const std::exception &e) {
    return spec->error(std::string("internal error: ") + e.what());
  }
}
