//===- StepModel.cpp - A program of an artifact, as the views see it ------===//
//
// Part of Loom. This file implements StepModel.h: origins, phases, module
// paths and the flow of values of one program of an artifact.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/StepModel.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

using namespace loom;

const char *loom::phaseName(Phase p) {
  switch (p) {
  case Phase::Forward:
    return "forward";
  case Phase::Backward:
    return "backward";
  case Phase::Optimizer:
    return "optimizer";
  }
  return "?";
}

SourceOrigin loom::parseSourceLoc(const std::string &text) {
  SourceOrigin o;
  o.text = text;
  std::string rest = text;
  const std::string grad = "the gradient of ";
  if (rest.compare(0, grad.size(), grad) == 0) {
    o.gradient = true;
    rest = rest.substr(grad.size());
  }
  const std::string called = ", called from ";
  std::vector<std::string> parts;
  for (size_t pos = 0;;) {
    size_t next = rest.find(called, pos);
    parts.push_back(rest.substr(pos, next - pos));
    if (next == std::string::npos)
      break;
    pos = next + called.size();
  }
  std::string &inner = parts.front();
  // "file.loom:L:C (blocks.3.attn)": the instance is in the parentheses.
  size_t open = inner.rfind(" (");
  if (!inner.empty() && inner.back() == ')' && open != std::string::npos) {
    o.instance = inner.substr(open + 2, inner.size() - open - 3);
    inner.resize(open);
  }
  o.location = inner;
  o.callers.assign(parts.begin() + 1, parts.end());
  return o;
}

std::vector<std::string> loom::moduleLevels(const std::string &path) {
  std::vector<std::string> levels;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t dot = path.find('.', pos);
    std::string part = path.substr(pos, dot - pos);
    bool index = !part.empty() &&
                 std::all_of(part.begin(), part.end(), [](unsigned char c) {
                   return c >= '0' && c <= '9';
                 });
    if (index && !levels.empty())
      levels.back() += "." + part;
    else
      levels.push_back(part);
    if (dot == std::string::npos)
      break;
    pos = dot + 1;
  }
  return levels;
}

std::string loom::byteSize(uint64_t b) {
  char text[32];
  if (b >= (uint64_t(1) << 30))
    std::snprintf(text, sizeof(text), "%.1f GiB", b / 1073741824.0);
  else if (b >= (uint64_t(1) << 20))
    std::snprintf(text, sizeof(text), "%.1f MiB", b / 1048576.0);
  else if (b >= 1024)
    std::snprintf(text, sizeof(text), "%.1f KiB", b / 1024.0);
  else
    std::snprintf(text, sizeof(text), "%llu B",
                  static_cast<unsigned long long>(b));
  return text;
}

std::string loom::flopCount(uint64_t f) {
  char text[32];
  if (f >= 1000000000ull)
    std::snprintf(text, sizeof(text), "%.2f GFLOP", f / 1e9);
  else if (f >= 1000000)
    std::snprintf(text, sizeof(text), "%.2f MFLOP", f / 1e6);
  else
    std::snprintf(text, sizeof(text), "%llu FLOP",
                  static_cast<unsigned long long>(f));
  return text;
}

int64_t StepModel::bufferOfId(uint32_t id) const {
  for (size_t i = 0; i < buffers.size(); ++i)
    if (buffers[i].record->id == id)
      return static_cast<int64_t>(i);
  return -1;
}

std::vector<std::string> StepModel::programNames(const Artifact &a) {
  std::vector<std::string> names = {"train"};
  for (const ProgramRecord &p : a.programs)
    names.push_back(p.name);
  return names;
}

namespace {

/// The longest common prefix of `a` and `b`.
std::vector<std::string> commonPrefix(const std::vector<std::string> &a,
                                      const std::vector<std::string> &b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n])
    ++n;
  return {a.begin(), a.begin() + n};
}

/// Whether operand `j` of `k` is a scalar: its shape attribute (`s<j>`)
/// is empty.
bool isScalar(const StepKernel &k, size_t j) {
  const KernelAttr *s = k.record->attr("s" + std::to_string(j));
  return s && s->type == KernelAttr::Type::IntList && s->ints.empty();
}

} // namespace

StatusOr<StepModel> loom::buildStepModel(const Artifact &a,
                                         const std::string &program,
                                         const std::string &fileName) {
  StepModel m;
  m.source = a.meta.source;
  m.program = program;
  m.arenaSize = a.memory.arenaSize;
  uint32_t end = 0;
  if (program == "train") {
    m.firstKernel = 0;
    end = a.trainKernelEnd();
    m.inputs = a.inputs;
    m.outputs = a.outputs;
  } else if (const ProgramRecord *p = a.program(program)) {
    m.firstKernel = p->firstKernel;
    end = p->endKernel;
    m.inputs = p->inputs;
    m.outputs = p->outputs;
  } else {
    std::string names;
    for (const std::string &n : StepModel::programNames(a))
      names += (names.empty() ? "" : ", ") + n;
    return Status::error(fileName + " has no program '" + program +
                         "'; it has: " + names);
  }
  const uint32_t n = end - m.firstKernel;

  // The program's buffers: those it starts using, and any its kernels name.
  std::map<uint32_t, const BufferRecord *> byId;
  for (const BufferRecord &b : a.memory.buffers)
    byId[b.id] = &b;
  std::set<uint32_t> ids;
  for (const BufferRecord &b : a.memory.buffers)
    if (b.firstUse >= m.firstKernel && b.firstUse < end)
      ids.insert(b.id);
  for (uint32_t k = m.firstKernel; k < end; ++k)
    for (uint32_t id : a.kernels[k].operands)
      if (byId.count(id))
        ids.insert(id);
  std::map<std::string, std::string> paramOf; // parameter or state -> param
  for (const ParamRecord &p : a.params)
    paramOf[p.name] = p.name;
  std::map<std::string, std::string> stateOf;
  for (const OptStateRecord &s : a.optState)
    stateOf[s.name] = s.param;
  std::map<uint32_t, std::string> inputRole, outputRole;
  for (const IoRecord &io : m.inputs)
    inputRole[io.buffer] = io.role;
  for (const IoRecord &io : m.outputs)
    outputRole[io.buffer] = io.role;
  std::map<uint32_t, uint32_t> position; // buffer id -> position
  for (uint32_t id : ids) {
    StepBuffer b;
    b.record = byId[id];
    b.label = b.record->name;
    if (b.label.empty() && inputRole.count(id))
      b.label = inputRole[id];
    if (b.label.empty() && outputRole.count(id))
      b.label = outputRole[id];
    const BufferRecord &r = *b.record;
    b.first = r.firstUse > m.firstKernel ? r.firstUse - m.firstKernel : 0;
    b.last = r.lastUse >= end ? n : r.lastUse - m.firstKernel;
    b.kind = StepBuffer::Kind::Other;
    if (paramOf.count(r.name)) {
      b.kind = StepBuffer::Kind::Parameter;
      b.param = r.name;
    } else if (stateOf.count(r.name)) {
      b.kind = StepBuffer::Kind::State;
      b.param = stateOf[r.name];
    } else if (inputRole.count(id)) {
      b.kind = StepBuffer::Kind::Input;
    }
    position[id] = static_cast<uint32_t>(m.buffers.size());
    m.buffers.push_back(std::move(b));
  }

  // Kernels, their origins, and the flow of values between them.
  std::vector<int64_t> lastWriter(m.buffers.size(), -1);
  for (uint32_t i = 0; i < n; ++i) {
    StepKernel k;
    k.index = m.firstKernel + i;
    k.record = &a.kernels[k.index];
    k.op = k.record->sourceOp();
    if (k.op.empty())
      k.op = k.record->kind;
    if (k.op.compare(0, 5, "loom.") == 0)
      k.op = k.op.substr(5);
    const KernelAttr *loc = k.record->attr("source_loc");
    if (loc && loc->type == KernelAttr::Type::String)
      k.origin = parseSourceLoc(loc->s);
    const KernelAttr *inputs = k.record->attr("num_inputs");
    size_t operands = k.record->operands.size();
    k.numInputs = static_cast<uint32_t>(
        inputs && inputs->type == KernelAttr::Type::Int && inputs->i >= 0
            ? std::min<size_t>(size_t(inputs->i), operands)
            : (operands ? operands - 1 : 0));
    for (uint32_t j = 0; j < operands; ++j) {
      auto it = position.find(k.record->operands[j]);
      if (it == position.end())
        continue;
      uint32_t b = it->second;
      if (j < k.numInputs) {
        std::vector<uint32_t> &readers = m.buffers[b].readers;
        if (!readers.empty() && readers.back() == i)
          continue; // read twice by this kernel
        readers.push_back(i);
        if (lastWriter[b] >= 0)
          m.flows.push_back({uint32_t(lastWriter[b]), i, b});
        else
          m.sourceReads.push_back({b, i});
      } else {
        lastWriter[b] = i;
        if (m.buffers[b].writer < 0)
          m.buffers[b].writer = i;
        // A parameter, state or input updated in place stays what it is.
        if (m.buffers[b].kind == StepBuffer::Kind::Other)
          m.buffers[b].kind = StepBuffer::Kind::Value;
      }
    }
    m.kernels.push_back(std::move(k));
  }

  // Phases. Only the training step has a backward pass and an optimizer:
  // its kernels that the loss depends on are forward, whatever their
  // location says.
  std::vector<bool> feedsLoss(n, false);
  const IoRecord *loss = nullptr;
  for (const IoRecord &io : m.outputs)
    if (io.role == "loss")
      loss = &io;
  if (program == "train" && loss && position.count(loss->buffer)) {
    std::vector<bool> needed(m.buffers.size(), false);
    needed[position[loss->buffer]] = true;
    for (uint32_t i = n; i-- > 0;) {
      const StepKernel &k = m.kernels[i];
      bool writesNeeded = false;
      for (size_t j = k.numInputs; j < k.record->operands.size(); ++j) {
        auto it = position.find(k.record->operands[j]);
        writesNeeded |= it != position.end() && needed[it->second];
      }
      if (!writesNeeded)
        continue;
      feedsLoss[i] = true;
      for (size_t j = 0; j < k.numInputs; ++j) {
        auto it = position.find(k.record->operands[j]);
        if (it != position.end())
          needed[it->second] = true;
      }
    }
  }
  std::vector<std::vector<std::string>> bufferModule(m.buffers.size());
  for (size_t b = 0; b < m.buffers.size(); ++b)
    if (!m.buffers[b].param.empty())
      bufferModule[b] = moduleLevels(m.buffers[b].param);
  for (uint32_t i = 0; i < n; ++i) {
    StepKernel &k = m.kernels[i];
    if (program != "train")
      k.phase = Phase::Forward;
    else if (k.origin.gradient)
      k.phase = Phase::Backward;
    else if (feedsLoss[i] || !k.origin.instance.empty())
      k.phase = Phase::Forward;
    else
      k.phase = Phase::Optimizer;
    if (k.phase != Phase::Optimizer) {
      k.module = moduleLevels(k.origin.instance);
    } else {
      // The deepest module that all inputs in a module share; scalars (the
      // learning rate, a clipping factor) count only when all inputs are.
      bool any = false, tensors = false;
      for (size_t j = 0; j < k.numInputs; ++j) {
        auto it = position.find(k.record->operands[j]);
        tensors |= it != position.end() && !isScalar(k, j);
      }
      for (size_t j = 0; j < k.numInputs; ++j) {
        auto it = position.find(k.record->operands[j]);
        if (it == position.end() || bufferModule[it->second].empty() ||
            (tensors && isScalar(k, j)))
          continue;
        k.module = any ? commonPrefix(k.module, bufferModule[it->second])
                       : bufferModule[it->second];
        any = true;
      }
    }
    for (size_t j = k.numInputs; j < k.record->operands.size(); ++j) {
      auto it = position.find(k.record->operands[j]);
      if (it != position.end() && m.buffers[it->second].param.empty())
        bufferModule[it->second] = k.module;
    }
  }
  return m;
}
