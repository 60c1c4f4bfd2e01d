//===- ArtifactValidate.cpp - Checks across an artifact's sections --------===//
//
// Part of Loom. This file implements validateArtifact, which the loader runs
// on every decoded file and the writer on every artifact before writing it:
// strings are short UTF-8 without NUL, element types and ranks are known,
// shapes fit in their bytes, every range lies in the arena at its alignment,
// parameters and optimizer state never share a byte, buffers that share
// bytes are never live at once (unless they alias exactly), and every
// reference (kernel operand, input, output, optimizer state's parameter)
// names something that exists.
//
//===----------------------------------------------------------------------===//

#include "runtime/Text.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/artifact/Format.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>

using namespace loom;

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

std::string range(uint64_t offset, uint64_t size) {
  return "[" + num(offset) + ", " + num(offset + size) + ")";
}

/// The byte index of the first invalid UTF-8 sequence in `s`, or npos.
size_t invalidUtf8At(const std::string &s) {
  return loom::invalidUtf8At(reinterpret_cast<const uint8_t *>(s.data()),
                             s.size());
}

bool isInitKind(const std::string &k) {
  static const std::set<std::string> kinds = {
      "zeros",          "ones",          "constant",   "normal",   "uniform",
      "xavier_uniform", "xavier_normal", "he_uniform", "he_normal"};
  return kinds.count(k) != 0;
}

/// A persistent range (a parameter or optimizer state tensor).
struct Slot {
  uint64_t offset, size;
  std::string label;
  size_t index; ///< order of appearance
};

class Validator {
public:
  Validator(const Artifact &a, const std::string &name) : a(a), name(name) {}
  Status run();

private:
  Status fail(const std::string &msg) const {
    return Status::error(name + ": " + msg);
  }
  Status text(const std::string &what, const std::string &s,
              bool isName = true) const;
  Status tensor(const std::string &what, DType dtype,
                const std::vector<int64_t> &shape, uint64_t &bytes) const;
  Status inArena(const std::string &what, uint64_t offset, uint64_t size) const;
  bool fits(uint64_t offset, uint64_t size) const {
    uint64_t end;
    return offset % a.memory.alignment == 0 &&
           !__builtin_add_overflow(offset, size, &end) &&
           end <= a.memory.arenaSize;
  }
  Status persistent();
  Status buffers();
  Status bufferLifetimes() const;
  Status kernels() const;
  Status collective(const KernelRecord &k, const std::string &what) const;
  Status io(const char *what, const std::vector<IoRecord> &records) const;
  Status programs() const;

  const Artifact &a;
  const std::string &name;
  std::vector<Slot> slots; ///< sorted by offset, disjoint
  std::unordered_map<uint32_t, size_t> bufferIndex;
};

/// Names are short, without NUL; any text is UTF-8.
bool clean(const std::string &s, bool isName = true) {
  return (!isName || (s.size() <= kArtifactMaxNameLength &&
                      s.find('\0') == std::string::npos)) &&
         invalidUtf8At(s) == std::string::npos;
}

/// The error for a string that is not clean.
Status Validator::text(const std::string &what, const std::string &s,
                       bool isName) const {
  if (isName && s.size() > kArtifactMaxNameLength)
    return fail(what + " is " + num(s.size()) +
                " bytes long, more than the limit of " +
                num(kArtifactMaxNameLength));
  if (isName && s.find('\0') != std::string::npos)
    return fail(what + " contains a NUL byte");
  size_t bad = invalidUtf8At(s);
  if (bad != std::string::npos)
    return fail(what + " is not valid UTF-8 (at byte " + num(bad) + ")");
  return Status();
}

Status Validator::tensor(const std::string &what, DType dtype,
                         const std::vector<int64_t> &shape,
                         uint64_t &bytes) const {
  bytes = dtypeSize(dtype);
  if (!bytes)
    return fail(what + ": unknown dtype " + num(uint8_t(dtype)));
  if (shape.size() > kArtifactMaxRank)
    return fail(what + ": rank " + num(shape.size()) +
                " exceeds the limit of " + num(kArtifactMaxRank));
  std::string type = std::string(dtypeName(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    type += (i ? "," : "") + std::to_string(shape[i]);
  type += "]";
  bool overflow = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0)
      return fail(what + ": " + type + " has a negative dimension");
    overflow |= __builtin_mul_overflow(bytes, uint64_t(shape[i]), &bytes);
  }
  if (overflow || bytes > format::kMaxArenaSize)
    return fail(what + ": " + type + " is larger than the limit of 2^48 bytes");
  return Status();
}

Status Validator::inArena(const std::string &what, uint64_t offset,
                          uint64_t size) const {
  const MemoryPlan &m = a.memory;
  if (offset % m.alignment)
    return fail(what + ": offset " + num(offset) +
                " is not a multiple of the arena alignment " +
                num(m.alignment));
  uint64_t end;
  if (__builtin_add_overflow(offset, size, &end) || end > m.arenaSize)
    return fail(what + ": " + num(size) + " bytes at offset " + num(offset) +
                " lie outside the " + num(m.arenaSize) + "-byte arena");
  return Status();
}

/// Parameters and optimizer state: names, types, init, ranges; none shares
/// a byte with another.
Status Validator::persistent() {
  std::unordered_map<std::string, const ParamRecord *> params;
  for (const ParamRecord &p : a.params) {
    std::string what = "parameter '" + p.name + "'";
    uint64_t bytes;
    if (Status s = text("parameter name", p.name); !s.ok())
      return s;
    if (p.name.empty())
      return fail("a parameter has an empty name");
    if (!params.emplace(p.name, &p).second)
      return fail(what + " appears twice");
    if (Status s = tensor(what, p.dtype, p.shape, bytes); !s.ok())
      return s;
    if (Status s = text(what + ": sharding", p.sharding); !s.ok())
      return s;
    if (p.sharding.empty() ? p.size != bytes
                           : p.size > bytes || p.size % dtypeSize(p.dtype))
      return fail(what + ": " + num(p.size) + " bytes in the arena do not " +
                  (p.sharding.empty() ? "hold" : "hold a shard of") + " its " +
                  num(bytes) + " bytes");
    if (Status s = inArena(what, p.offset, p.size); !s.ok())
      return s;
    const InitSpec &i = p.init;
    if (Status s = text(what + ": init kind", i.kind); !s.ok())
      return s;
    if (!isInitKind(i.kind))
      return fail(what + ": unknown init kind '" + i.kind + "'");
    for (double v :
         {i.mean, i.std, i.low, i.high, i.gain, i.value, i.fanIn, i.fanOut})
      if (!std::isfinite(v))
        return fail(what + ": init '" + i.kind + "' has a non-finite argument");
    if (i.std < 0 || i.low > i.high || i.fanIn < 0 || i.fanOut < 0)
      return fail(what + ": init '" + i.kind +
                  "' has a negative std or fan, or low > high");
    if (p.size)
      slots.push_back({p.offset, p.size, what, slots.size()});
  }
  std::unordered_map<std::string, const OptStateRecord *> state;
  for (const OptStateRecord &s : a.optState) {
    std::string what = "optimizer state '" + s.name + "'";
    uint64_t bytes;
    if (Status st = text("optimizer state name", s.name); !st.ok())
      return st;
    if (s.name.empty())
      return fail("an optimizer state tensor has an empty name");
    if (params.count(s.name))
      return fail(what + " has the name of a parameter");
    if (!state.emplace(s.name, &s).second)
      return fail(what + " appears twice");
    if (Status st = tensor(what, s.dtype, s.shape, bytes); !st.ok())
      return st;
    auto it = params.find(s.param);
    if (it == params.end())
      return fail(what + " belongs to unknown parameter '" + s.param + "'");
    // The state of a sharded parameter is sharded like it.
    bool sharded = !it->second->sharding.empty();
    if (sharded ? s.size > bytes || s.size % dtypeSize(s.dtype)
                : s.size != bytes)
      return fail(what + ": " + num(s.size) + " bytes in the arena do not " +
                  (sharded ? "hold a shard of" : "hold") + " its " +
                  num(bytes) + " bytes");
    if (Status st = inArena(what, s.offset, s.size); !st.ok())
      return st;
    if (s.size)
      slots.push_back({s.offset, s.size, what, slots.size()});
  }
  // Ties in the order of the records (parameters first), for one message.
  std::sort(slots.begin(), slots.end(), [](const Slot &x, const Slot &y) {
    return x.offset != y.offset ? x.offset < y.offset : x.index < y.index;
  });
  for (size_t i = 1; i < slots.size(); ++i) {
    const Slot &p = slots[i - 1], &q = slots[i];
    if (p.offset + p.size > q.offset)
      return fail(p.label + " " + range(p.offset, p.size) + " overlaps " +
                  q.label + " " + range(q.offset, q.size));
  }
  return Status();
}

Status Validator::buffers() {
  const MemoryPlan &m = a.memory;
  if (m.alignment == 0 || (m.alignment & (m.alignment - 1)) ||
      m.alignment > format::kMaxAlignment)
    return fail("arena alignment " + num(m.alignment) +
                " is not a power of two up to 2^20");
  if (m.arenaSize > format::kMaxArenaSize)
    return fail("arena of " + num(m.arenaSize) +
                " bytes is larger than the limit of 2^48 bytes");
  if (Status s = persistent(); !s.ok())
    return s;
  uint64_t steps = a.kernels.size();
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    const BufferRecord &b = m.buffers[i];
    // Messages are made only when needed: plans have many buffers.
    auto what = [&] { return "buffer " + num(b.id); };
    if (!clean(b.name))
      return text(what() + ": name", b.name);
    if (!bufferIndex.emplace(b.id, i).second)
      return fail("buffer id " + num(b.id) + " appears twice");
    if (!fits(b.offset, b.size))
      return inArena(what(), b.offset, b.size);
    if (b.firstUse > b.lastUse)
      return fail(what() + ": first use " + num(b.firstUse) +
                  " is after its last use " + num(b.lastUse));
    if (b.lastUse > steps)
      return fail(what() + ": last use " + num(b.lastUse) + " is past the " +
                  num(steps) + " kernels of the step");
    if (!b.size)
      continue;
    // It is a parameter's (or state's) storage exactly, or shares no byte
    // with any.
    auto next = std::upper_bound(
        slots.begin(), slots.end(), b.offset,
        [](uint64_t off, const Slot &s) { return off < s.offset; });
    const Slot *hit = nullptr;
    if (next != slots.begin() &&
        std::prev(next)->offset + std::prev(next)->size > b.offset)
      hit = &*std::prev(next);
    else if (next != slots.end() && next->offset < b.offset + b.size)
      hit = &*next;
    if (hit && !(hit->offset == b.offset && hit->size == b.size))
      return fail(what() + " " + range(b.offset, b.size) + " partly overlaps " +
                  hit->label + " " + range(hit->offset, hit->size));
  }
  return bufferLifetimes();
}

/// Buffers sharing bytes are never live at once, unless they cover the same
/// bytes. A sweep over first uses with the live buffers in an offset-ordered
/// map (disjoint by construction): O(n log n) however hostile the plan.
Status Validator::bufferLifetimes() const {
  const std::vector<BufferRecord> &bs = a.memory.buffers;
  std::vector<size_t> order;
  for (size_t i = 0; i < bs.size(); ++i)
    if (bs[i].size)
      order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::make_tuple(bs[x].firstUse, bs[x].offset, x) <
           std::make_tuple(bs[y].firstUse, bs[y].offset, y);
  });
  struct Live {
    uint64_t end;
    uint32_t lastUse;
    size_t buffer;
  };
  std::map<uint64_t, Live> live;                // by offset
  using Expiry = std::pair<uint32_t, uint64_t>; // (last use, offset)
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> heap;
  for (size_t i : order) {
    const BufferRecord &b = bs[i];
    while (!heap.empty() && heap.top().first < b.firstUse) {
      auto it = live.find(heap.top().second);
      if (it != live.end() && it->second.lastUse == heap.top().first)
        live.erase(it);
      heap.pop();
    }
    uint64_t end = b.offset + b.size;
    auto it = live.lower_bound(b.offset);
    if (it != live.end() && it->first == b.offset && it->second.end == end) {
      it->second.lastUse = std::max(it->second.lastUse, b.lastUse);
      heap.push({it->second.lastUse, b.offset});
      continue;
    }
    const Live *other = nullptr;
    if (it != live.end() && it->first < end)
      other = &it->second;
    else if (it != live.begin() && std::prev(it)->second.end > b.offset)
      other = &std::prev(it)->second;
    if (other) {
      const BufferRecord &o = bs[other->buffer];
      uint64_t lo = std::max(o.offset, b.offset);
      uint64_t hi = std::min(o.offset + o.size, end);
      return fail("buffers " + num(o.id) + " and " + num(b.id) +
                  " overlap in bytes " + range(lo, hi - lo) +
                  " while both are live at kernel " + num(b.firstUse));
    }
    live[b.offset] = {end, b.lastUse, i};
    heap.push({b.lastUse, b.offset});
  }
  return Status();
}

Status Validator::kernels() const {
  for (size_t i = 0; i < a.kernels.size(); ++i) {
    const KernelRecord &k = a.kernels[i];
    auto what = [&] {
      return "kernel " + num(i) + " ('" + k.kind + "' " + k.symbol + ")";
    };
    if (!clean(k.kind))
      return text("kernel " + num(i) + ": kind", k.kind);
    if (!clean(k.symbol))
      return text("kernel " + num(i) + ": symbol", k.symbol);
    if (k.kind.empty())
      return fail("kernel " + num(i) + " has an empty kind");
    for (size_t j = 0; j < k.operands.size(); ++j)
      if (!bufferIndex.count(k.operands[j]))
        return fail(what() + ": operand " + num(j) + " is buffer " +
                    num(k.operands[j]) + ", which does not exist");
    std::set<std::string> keys;
    for (const KernelAttr &attr : k.attrs) {
      if (!clean(attr.key))
        return text(what() + ": attribute key", attr.key);
      if (!keys.insert(attr.key).second)
        return fail(what() + ": attribute '" + attr.key + "' appears twice");
      uint8_t type = uint8_t(attr.type);
      if (type < 1 || type > 4)
        return fail(what() + ": attribute '" + attr.key +
                    "' has unknown type " + num(type));
      if (attr.type == KernelAttr::Type::String && !clean(attr.s, false))
        return text(what() + ": attribute '" + attr.key + "'", attr.s,
                    /*isName=*/false);
    }
    if (k.kind == "comm.all_reduce" || k.kind == "comm.reduce_scatter" ||
        k.kind == "comm.all_gather")
      if (Status s = collective(k, what()); !s.ok())
        return s;
  }
  return Status();
}

/// A `comm.all_reduce`, `comm.reduce_scatter` or `comm.all_gather` kernel
/// (backends/cpu/emit/Collectives.cpp): its input and result, f32 of
/// `count` elements (each rank's block: a reduce-scatter's input and an
/// all-gather's result hold `group_size` blocks); the reduction (not of an
/// all-gather), the mesh axes and the group; its place in its bucket.
Status Validator::collective(const KernelRecord &k,
                             const std::string &what) const {
  if (k.operands.size() != 2)
    return fail(what + " has " + num(k.operands.size()) +
                " operands, not 2 (input, result)");
  auto integer = [&](const char *key, int64_t min, int64_t max,
                     int64_t &v) -> Status {
    const KernelAttr *attr = k.attr(key);
    if (!attr || attr->type != KernelAttr::Type::Int)
      return fail(what + ": attribute '" + key +
                  "' is missing or not an "
                  "integer");
    if (attr->i < min || attr->i > max)
      return fail(what + ": attribute '" + key + "' is " +
                  std::to_string(attr->i) + ", outside [" +
                  std::to_string(min) + ", " + std::to_string(max) + "]");
    v = attr->i;
    return Status();
  };
  const int64_t big = int64_t(1) << 31;
  int64_t groupSize, bucket, count, offset, start, waitIn = 0;
  for (Status s :
       {integer("group_size", 1, big, groupSize),
        integer("bucket", 0, big, bucket), integer("count", 1, big, count),
        integer("offset", 0, big, offset), integer("start", 0, 1, start)})
    if (!s.ok())
      return s;
  if (start)
    if (Status s = integer("wait_in", 1, big, waitIn); !s.ok())
      return s;
  const KernelAttr *reduce = k.attr("reduce");
  bool gather = k.kind == "comm.all_gather";
  if (gather && reduce)
    return fail(what + ": an all-gather has no attribute 'reduce'");
  if (!gather && (!reduce || reduce->type != KernelAttr::Type::String ||
                  (reduce->s != "sum" && reduce->s != "mean")))
    return fail(what + ": attribute 'reduce' must be \"sum\" or \"mean\"");
  const KernelAttr *axes = k.attr("axes");
  if (!axes || axes->type != KernelAttr::Type::String || axes->s.empty())
    return fail(what + ": attribute 'axes' must name the mesh axes");
  for (size_t j = 0; j < 2; ++j) {
    const KernelAttr *t = k.attr("t" + num(j));
    if (!t || t->type != KernelAttr::Type::Int || t->i != int64_t(DType::F32))
      return fail(what + ": operand " + num(j) + " must be f32");
    uint64_t have = a.memory.buffers[bufferIndex.at(k.operands[j])].size;
    // The side that holds every rank's block.
    bool whole =
        (j == 0 && k.kind == "comm.reduce_scatter") || (j == 1 && gather);
    uint64_t elements = uint64_t(count) * (whole ? uint64_t(groupSize) : 1);
    if (have < elements * 4)
      return fail(
          what + ": operand " + num(j) + " is buffer " + num(k.operands[j]) +
          " of " + num(have) + " bytes, but the " +
          (k.kind == "comm.all_reduce" ? "kernel reduces " : "kernel needs ") +
          num(elements) + " f32 elements" +
          (k.kind == "comm.all_reduce" ? "" : " there"));
  }
  return Status();
}

Status Validator::io(const char *what,
                     const std::vector<IoRecord> &records) const {
  std::set<std::string> names;
  for (const IoRecord &r : records) {
    std::string label = std::string(what) + " '" + r.name + "'";
    uint64_t bytes;
    if (Status s = text(std::string(what) + " name", r.name); !s.ok())
      return s;
    if (Status s = text(label + ": role", r.role); !s.ok())
      return s;
    if (r.name.empty() || r.role.empty())
      return fail(std::string(*what == 'p' ? "a " : "an ") + what +
                  " has an empty name or role");
    if (!names.insert(r.name).second)
      return fail(label + " appears twice");
    if (Status s = tensor(label, r.dtype, r.shape, bytes); !s.ok())
      return s;
    auto it = bufferIndex.find(r.buffer);
    if (it == bufferIndex.end())
      return fail(label + ": buffer " + num(r.buffer) + " does not exist");
    uint64_t have = a.memory.buffers[it->second].size;
    if (have < bytes)
      return fail(label + ": buffer " + num(r.buffer) + " holds " + num(have) +
                  " bytes but its tensor needs " + num(bytes));
  }
  return Status();
}

/// The other programs tile the kernels after the step's, in order, under
/// distinct names.
Status Validator::programs() const {
  std::set<std::string> names;
  uint32_t next = a.trainKernelEnd();
  for (const ProgramRecord &p : a.programs) {
    if (Status s = text("program name", p.name); !s.ok())
      return s;
    if (p.name.empty() || p.name == "train")
      return fail("a program is named '" + p.name +
                  "' (empty, or the training step's own name)");
    if (!names.insert(p.name).second)
      return fail("program '" + p.name + "' appears twice");
    if (p.firstKernel != next || p.endKernel < p.firstKernel ||
        p.endKernel > a.kernels.size())
      return fail("program '" + p.name + "' runs kernels [" +
                  num(p.firstKernel) + ", " + num(p.endKernel) +
                  "), but the next kernels of the " + num(a.kernels.size()) +
                  " start at " + num(next));
    next = p.endKernel;
    if (Status s = io(("program '" + p.name + "' input").c_str(), p.inputs);
        !s.ok())
      return s;
    if (Status s = io(("program '" + p.name + "' output").c_str(), p.outputs);
        !s.ok())
      return s;
  }
  if (next != a.kernels.size())
    return fail("the programs end at kernel " + num(next) + " of " +
                num(a.kernels.size()));
  return Status();
}

Status Validator::run() {
  const ArtifactMeta &m = a.meta;
  for (auto [what, s] : {std::pair<const char *, const std::string *>{
                             "meta: producer", &m.producer},
                         {"meta: target", &m.target},
                         {"meta: source", &m.source}})
    if (Status st = text(what, *s); !st.ok())
      return st;
  if (Status s = buffers(); !s.ok())
    return s;
  if (Status s = kernels(); !s.ok())
    return s;
  if (Status s = io("input", a.inputs); !s.ok())
    return s;
  if (Status s = io("output", a.outputs); !s.ok())
    return s;
  if (Status s = programs(); !s.ok())
    return s;
  std::set<std::string> names;
  for (const ObjectBlob &o : a.objects) {
    if (Status s = text("object name", o.name); !s.ok())
      return s;
    if (!names.insert(o.name).second)
      return fail("object '" + o.name + "' appears twice");
  }
  if (Status s = text("recipe", a.recipe, /*name=*/false); !s.ok())
    return s;
  names.clear();
  for (const IrText &t : a.ir) {
    if (Status s = text("IR stage name", t.stage); !s.ok())
      return s;
    if (!names.insert(t.stage).second)
      return fail("IR stage '" + t.stage + "' appears twice");
    if (Status s = text("IR '" + t.stage + "'", t.text, /*name=*/false);
        !s.ok())
      return s;
  }
  return Status();
}

} // namespace

Status loom::validateArtifact(const Artifact &a, const std::string &name) {
  return Validator(a, name).run();
}
