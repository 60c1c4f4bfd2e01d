//===- OneDnnSupport.cpp - What every oneDNN kernel family shares ---------===//
//
// Part of Loom. This file implements the CPU context, the reading and
// checking of a kernel record's operands and attributes (KernelSpec), and
// the kernel that runs a list of oneDNN primitives (KernelBuilder).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

#include <oneapi/dnnl/dnnl_debug.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;

//===----------------------------------------------------------------------===//
// CpuContext
//===----------------------------------------------------------------------===//

CpuContext::CpuContext(dnnl::engine eng, dnnl::stream strm)
    : eng(std::move(eng)), strm(std::move(strm)) {}

CpuContext::~CpuContext() { std::free(scratch); }

StatusOr<std::unique_ptr<CpuContext>> CpuContext::create() {
  try {
    if (dnnl::engine::get_count(dnnl::engine::kind::cpu) == 0)
      return Status::error("oneDNN finds no CPU engine");
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    return std::unique_ptr<CpuContext>(
        new CpuContext(std::move(eng), std::move(strm)));
  } catch (const dnnl::error &e) {
    return Status::error(std::string("oneDNN cannot make the CPU engine: ") +
                         e.what());
  }
}

Status CpuContext::reserveScratchpad(size_t bytes) {
  if (bytes <= scratchBytes)
    return Status();
  // aligned_alloc wants a multiple of the alignment.
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded < bytes)
    return Status::error("oneDNN scratchpad of " + std::to_string(bytes) +
                         " bytes is too large");
  void *grown = std::aligned_alloc(64, rounded);
  if (!grown)
    return Status::error("cannot allocate a oneDNN scratchpad of " +
                         std::to_string(bytes) + " bytes");
  std::free(scratch);
  scratch = grown;
  scratchBytes = rounded;
  return Status();
}

Kernel::~Kernel() = default;

//===----------------------------------------------------------------------===//
// Shapes and memory descriptors
//===----------------------------------------------------------------------===//

std::string loom::cpu::detail::dimsString(const Dims &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

int64_t loom::cpu::detail::numElements(const Dims &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

Dims loom::cpu::detail::rowMajorStrides(const Dims &dims) {
  Dims strides(dims.size(), 1);
  for (int64_t i = static_cast<int64_t>(dims.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * std::max<int64_t>(dims[i + 1], 1);
  return strides;
}

dnnl::memory::desc loom::cpu::detail::plainDesc(const Dims &dims) {
  if (dims.empty())
    return stridedDesc({1}, {1});
  return stridedDesc(dims, rowMajorStrides(dims));
}

dnnl::memory::desc loom::cpu::detail::stridedDesc(const Dims &dims,
                                                  const Dims &strides) {
  return dnnl::memory::desc(dnnl::memory::dims(dims.begin(), dims.end()),
                            dnnl::memory::data_type::f32,
                            dnnl::memory::dims(strides.begin(), strides.end()));
}

//===----------------------------------------------------------------------===//
// KernelSpec
//===----------------------------------------------------------------------===//

static const char *attrTypeName(KernelAttr::Type t) {
  switch (t) {
  case KernelAttr::Type::Int:
    return "an int";
  case KernelAttr::Type::Float:
    return "a float";
  case KernelAttr::Type::String:
    return "a string";
  case KernelAttr::Type::IntList:
    return "an int list";
  }
  return "an attribute of unknown type";
}

static std::string typeString(const Operand &op) {
  return std::string(dtypeName(op.type)) + dimsString(op.shape);
}

StatusOr<KernelSpec>
KernelSpec::read(const KernelRecord &record,
                 const std::vector<OperandBuffer> &buffers) {
  const std::string &kind = record.kind;
  size_t n = record.operands.size();
  if (buffers.size() != n)
    return Status::error(kind + ": " + std::to_string(buffers.size()) +
                         " operand buffer(s) given for a record of " +
                         std::to_string(n) + " operand(s)");
  KernelSpec spec;
  spec.rec = &record;
  for (size_t i = 0; i < n; ++i) {
    std::string s = "s" + std::to_string(i), t = "t" + std::to_string(i);
    const KernelAttr *shape = record.attr(s), *type = record.attr(t);
    if (!shape || !type)
      return Status::error(kind + ": attribute '" + (shape ? t : s) +
                           "' (the " + (shape ? "element type" : "shape") +
                           " of operand " + std::to_string(i) + ") is missing");
    if (shape->type != KernelAttr::Type::IntList)
      return Status::error(kind + ": attribute '" + s + "' must be " +
                           attrTypeName(KernelAttr::Type::IntList) + ", not " +
                           attrTypeName(shape->type));
    if (type->type != KernelAttr::Type::Int)
      return Status::error(kind + ": attribute '" + t + "' must be " +
                           attrTypeName(KernelAttr::Type::Int) + ", not " +
                           attrTypeName(type->type));
    Operand op;
    if (type->i < 0 || type->i > 255 ||
        dtypeSize(static_cast<DType>(type->i)) == 0)
      return Status::error(kind + ": attribute '" + t +
                           "' = " + std::to_string(type->i) +
                           " is not an element type code");
    op.type = static_cast<DType>(type->i);
    op.shape = shape->ints;
    if (op.shape.size() > kArtifactMaxRank)
      return Status::error(kind + ": attribute '" + s +
                           "' = " + dimsString(op.shape) + " has rank above " +
                           std::to_string(kArtifactMaxRank));
    // Element and byte counts, guarded against overflow: no tensor of a
    // valid artifact comes near 2^62 bytes.
    const int64_t limit = std::numeric_limits<int64_t>::max() / 16;
    int64_t elements = 1;
    for (int64_t d : op.shape) {
      if (d < 0)
        return Status::error(kind + ": attribute '" + s + "' = " +
                             dimsString(op.shape) + " has a negative size");
      if (d != 0 && elements > limit / d)
        return Status::error(kind + ": attribute '" + s +
                             "' = " + dimsString(op.shape) + " is too large");
      elements *= d;
    }
    op.elements = elements;
    op.data = buffers[i].data;
    uint64_t elemSize = dtypeSize(op.type);
    uint64_t bytes = static_cast<uint64_t>(elements) * elemSize;
    if (bytes > buffers[i].size)
      return Status::error(kind + ": operand " + std::to_string(i) + " " +
                           typeString(op) + " needs " + std::to_string(bytes) +
                           " bytes but its buffer has " +
                           std::to_string(buffers[i].size));
    if (bytes > 0 && !op.data)
      return Status::error(kind + ": operand " + std::to_string(i) +
                           " has no buffer (a null pointer)");
    if (reinterpret_cast<uintptr_t>(op.data) % elemSize != 0)
      return Status::error(kind + ": operand " + std::to_string(i) +
                           " is not aligned to its element size " +
                           std::to_string(elemSize));
    spec.ops.push_back(std::move(op));
  }

  spec.sig = kind + "(";
  for (size_t i = 0; i + 1 < n; ++i)
    spec.sig += (i ? ", " : "") + typeString(spec.ops[i]);
  spec.sig += ")";
  if (n > 0)
    spec.sig += " -> " + typeString(spec.ops.back());
  return spec;
}

Status KernelSpec::error(const std::string &message, const char *file,
                         int line) const {
  return Status::error(sig + ": " + message, file, line);
}

Status KernelSpec::expectOperands(const std::vector<std::string> &names) const {
  if (ops.size() == names.size())
    return Status();
  std::string list;
  for (size_t i = 0; i < names.size(); ++i)
    list += (i ? ", " : "") + names[i];
  return error("expects " + std::to_string(names.size()) + " operands (" +
               list + ") but the record has " + std::to_string(ops.size()));
}

Status KernelSpec::expectF32() const {
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].type != DType::F32)
      return error("operand " + std::to_string(i) + " has element type " +
                   dtypeName(ops[i].type) +
                   ", which these oneDNN kernels do not compute in (f32 only)");
  return Status();
}

Status KernelSpec::find(const std::string &key, KernelAttr::Type type,
                        const KernelAttr *&found) const {
  found = rec->attr(key);
  if (found && found->type != type) {
    Status s = error("attribute '" + key + "' must be " + attrTypeName(type) +
                     ", not " + attrTypeName(found->type));
    found = nullptr;
    return s;
  }
  return Status();
}

Status KernelSpec::getInt(const std::string &key, int64_t &out,
                          std::optional<int64_t> def) const {
  const KernelAttr *a;
  if (Status s = find(key, KernelAttr::Type::Int, a); !s)
    return s;
  if (!a && !def)
    return error("attribute '" + key + "' is missing");
  out = a ? a->i : *def;
  return Status();
}

Status KernelSpec::getFlag(const std::string &key, bool &out) const {
  int64_t v;
  if (Status s = getInt(key, v, 0); !s)
    return s;
  if (v != 0 && v != 1)
    return error("attribute '" + key + "' = " + std::to_string(v) +
                 " must be 0 or 1");
  out = v == 1;
  return Status();
}

Status KernelSpec::getFloat(const std::string &key, double &out,
                            std::optional<double> def) const {
  const KernelAttr *a;
  if (Status s = find(key, KernelAttr::Type::Float, a); !s)
    return s;
  if (!a && !def)
    return error("attribute '" + key + "' is missing");
  out = a ? a->f : *def;
  return Status();
}

Status KernelSpec::getString(const std::string &key, std::string &out,
                             std::optional<std::string> def) const {
  const KernelAttr *a;
  if (Status s = find(key, KernelAttr::Type::String, a); !s)
    return s;
  if (!a && !def)
    return error("attribute '" + key + "' is missing");
  out = a ? a->s : *def;
  return Status();
}

Status KernelSpec::getInts(const std::string &key, Dims &out, size_t count,
                           int64_t min, std::optional<Dims> def) const {
  const KernelAttr *a;
  if (Status s = find(key, KernelAttr::Type::IntList, a); !s)
    return s;
  if (!a && !def)
    return error("attribute '" + key + "' is missing");
  out = a ? a->ints : *def;
  if (count && out.size() != count)
    return error("attribute '" + key + "' = " + dimsString(out) +
                 " must have " + std::to_string(count) + " entries");
  for (int64_t v : out)
    if (v < min)
      return error("attribute '" + key + "' = " + dimsString(out) +
                   " has an entry below " + std::to_string(min));
  return Status();
}

//===----------------------------------------------------------------------===//
// KernelBuilder and the kernel it makes
//===----------------------------------------------------------------------===//

/// Runs the steps in order on the context's stream.
class KernelBuilder::StepKernel final : public Kernel {
public:
  StepKernel(CpuContext &ctx, const KernelSpec &spec, std::vector<Step> steps,
             std::vector<dnnl::memory> keep, std::string impl)
      : Kernel(spec.kind(), spec.signature(), std::move(impl)), ctx(ctx),
        steps(std::move(steps)), keep(std::move(keep)) {}

  Status run() override {
    for (Step &step : steps) {
      if (!step.prim) {
        std::fill_n(step.fillData, step.fillCount, step.fillValue);
        continue;
      }
      dnnl_status_t st = dnnl_success;
      // The scratchpad may have moved since creation (a later kernel grew
      // it); pointing a memory object at it allocates nothing.
      if (step.scratchpad)
        st = dnnl_memory_set_data_handle(step.scratchpad.get(),
                                         ctx.scratchpad());
      if (st == dnnl_success)
        st = dnnl_primitive_execute(step.prim.get(), ctx.stream().get(),
                                    static_cast<int>(step.args.size()),
                                    step.args.data());
      if (st != dnnl_success)
        return Status::error(signature() + ": oneDNN failed to run (" +
                             dnnl_status2str(st) + ")");
    }
    if (!steps.empty()) {
      dnnl_status_t st = dnnl_stream_wait(ctx.stream().get());
      if (st != dnnl_success)
        return Status::error(signature() + ": oneDNN failed to run (" +
                             dnnl_status2str(st) + ")");
    }
    return Status();
  }

private:
  CpuContext &ctx;
  std::vector<Step> steps;
  std::vector<dnnl::memory> keep;
};

dnnl::primitive_attr KernelBuilder::attr() const {
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

dnnl::memory KernelBuilder::operand(size_t i, const dnnl::memory::desc &md) {
  const Operand &op = spec[i];
  // Every descriptor is made from the operand's checked shape; this guards
  // the arena against a mistake in that.
  if (md.get_size() > static_cast<size_t>(op.elements) * sizeof(float))
    throw std::logic_error("descriptor of operand " + std::to_string(i) +
                           " is larger than the operand");
  return dnnl::memory(md, engine(), op.data ? op.data : DNNL_MEMORY_NONE);
}

dnnl::memory KernelBuilder::owned(const dnnl::memory::desc &md) {
  return dnnl::memory(md, engine());
}

Status
KernelBuilder::add(const dnnl::primitive_desc_base &pd,
                   const std::vector<std::pair<int, dnnl::memory>> &args) {
  if (pd.get_primitive_attr().get_scratchpad_mode() !=
      dnnl::scratchpad_mode::user)
    return spec.error("internal error: a primitive without a user scratchpad");
  Step step;
  step.prim = dnnl::primitive(pd.get());
  dnnl::memory::desc scratchMd = pd.scratchpad_desc();
  if (size_t bytes = scratchMd.get_size()) {
    if (Status s = ctx.reserveScratchpad(bytes); !s)
      return s.withPrefix(spec.signature() + ": ");
    step.scratchpad = dnnl::memory(scratchMd, engine(), DNNL_MEMORY_NONE);
    step.args.push_back({DNNL_ARG_SCRATCHPAD, step.scratchpad.get()});
    keep.push_back(step.scratchpad);
  }
  for (const auto &[arg, mem] : args) {
    step.args.push_back({arg, mem.get()});
    keep.push_back(mem);
  }
  impl += (impl.empty() ? "" : " + ") + std::string(pd.impl_info_str());
  steps.push_back(std::move(step));
  return Status();
}

void KernelBuilder::fill(size_t i, float value) {
  Step step;
  step.fillData = static_cast<float *>(spec[i].data);
  step.fillCount = static_cast<size_t>(spec[i].elements);
  step.fillValue = value;
  impl += (impl.empty() ? "" : " + ") + std::string("fill");
  steps.push_back(std::move(step));
}

std::unique_ptr<Kernel> KernelBuilder::finish() {
  return std::make_unique<StepKernel>(ctx, spec, std::move(steps),
                                      std::move(keep), std::move(impl));
}
