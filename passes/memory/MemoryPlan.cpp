//===- MemoryPlan.cpp - Liveness and arena offsets of a step --------------===//
//
// Part of Loom. This file implements the memory plan of MemoryPlan.h: buffer
// sizes, liveness in op order, views, the in-place updates of parameters and
// optimizer state, accumulation in place, and the offsets of the transient
// buffers (CheckArenaPlan.cpp checks the result).
//
// Offsets: one sweep over the transient buffers in order of first use
// (largest first among those born at the same op), freeing the buffers whose
// last use has passed, and placing each in the smallest free hole that holds
// it (lowest offset among equals). Holes live in two ordered sets, by offset
// (to coalesce neighbours when a buffer is freed) and by (size, offset) (for
// the best fit). When no hole fits the arena grows, from the start of the
// hole at its end if there is one. O(n log n) over n buffers. An offline
// greedy-by-size placement (TFLite's) can pack tighter but costs O(n^2) on a
// GPT-2 step; `maxLiveBytes`, printed next to the peak, shows what is left to
// gain.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/MemoryPlan.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <tuple>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Sizes past this are an error (the artifact's arena limit).
constexpr uint64_t kMaxBytes = uint64_t(1) << 48;

/// Bytes per element in memory (i1 takes a byte), or 0 for a type that is
/// no integer or float.
uint64_t elementBytes(Type t) {
  if (!t.isIntOrFloat())
    return 0;
  return (t.getIntOrFloatBitWidth() + 7) / 8;
}

/// The first NameLoc in `loc` (the DSL name of the value), or "".
std::string locationName(Location loc) {
  std::string name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      name = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// Best-fit offsets in a growing region with a coalescing free list.
class BestFitArena {
public:
  uint64_t allocate(uint64_t size) {
    auto fit = bySize.lower_bound({size, 0});
    if (fit != bySize.end()) {
      auto [holeSize, offset] = *fit;
      bySize.erase(fit);
      holes.erase(offset);
      if (holeSize > size)
        addHole(offset + size, holeSize - size);
      return offset;
    }
    // Nothing fits: grow, starting inside a free hole at the end if any.
    uint64_t offset = top;
    if (!holes.empty()) {
      auto last = std::prev(holes.end());
      if (last->first + last->second == top) {
        offset = last->first;
        bySize.erase({last->second, last->first});
        holes.erase(last);
      }
    }
    top = offset + size;
    return offset;
  }

  void release(uint64_t offset, uint64_t size) {
    auto next = holes.lower_bound(offset);
    if (next != holes.end() && offset + size == next->first) {
      size += next->second;
      bySize.erase({next->second, next->first});
      next = holes.erase(next);
    }
    if (next != holes.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == offset) {
        offset = prev->first;
        size += prev->second;
        bySize.erase({prev->second, prev->first});
        holes.erase(prev);
      }
    }
    addHole(offset, size);
  }

  /// The high-water mark: bytes the region needs.
  uint64_t size() const { return top; }

private:
  void addHole(uint64_t offset, uint64_t size) {
    holes.emplace(offset, size);
    bySize.emplace(size, offset);
  }

  std::map<uint64_t, uint64_t> holes;             // offset -> size
  std::set<std::pair<uint64_t, uint64_t>> bySize; // (size, offset)
  uint64_t top = 0;
};

/// Builds the plan of one function; see planArena.
class Planner {
public:
  Planner(func::FuncOp func, uint64_t alignment,
          llvm::function_ref<bool(Operation *)> launches)
      : func(func), launches(launches) {
    plan.alignment = alignment;
  }

  FailureOr<ArenaPlan> run() {
    if (!plan.alignment || !llvm::isPowerOf2_64(plan.alignment) ||
        plan.alignment > (uint64_t(1) << 20))
      return func.emitError("memory planning: alignment ")
             << plan.alignment << " is not a power of two up to 2^20";
    if (!func.getBody().hasOneBlock())
      return func.emitError("memory planning needs a function with one "
                            "block");
    Block &block = func.getBody().front();
    if (failed(collectBuffers(block)) || failed(decideUpdates(block)) ||
        failed(orderCopies()))
      return failure();
    setLiveRanges();
    decideAccumulations();
    assignOffsets();
    plan.maxLiveBytes = computeMaxLiveBytes();
    return std::move(plan);
  }

private:
  /// The buffer whose bytes `id` is: itself, or the source of its views.
  uint32_t root(uint32_t id) const {
    int64_t a = plan.buffers[id].aliasOf;
    return a < 0 ? id : uint32_t(a);
  }

  /// The buffer that owns `id`'s bytes: its root, the persistent argument
  /// the root is written into in place, or the transient buffer it
  /// accumulates into.
  uint32_t storage(uint32_t id) const {
    uint32_t r = root(id);
    int64_t p = plan.buffers[r].inPlaceOf;
    if (p < 0)
      p = plan.buffers[r].accumulatesInto;
    return p < 0 ? r : uint32_t(p);
  }

  /// The bytes of `v`'s elements, unaligned.
  static uint64_t exactBytes(Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    return elementBytes(type.getElementType()) * type.getNumElements();
  }

  LogicalResult addBuffer(Value v, BufferKind kind, std::string name,
                          Operation *op) {
    auto fail = [&]() -> InFlightDiagnostic {
      return op ? op->emitOpError() : func.emitError();
    };
    auto type = dyn_cast<RankedTensorType>(v.getType());
    uint64_t bytes = type ? elementBytes(type.getElementType()) : 0;
    if (!type || !type.hasStaticShape() || !bytes)
      return fail() << "memory planning needs statically shaped tensors of "
                       "integers or floats, not "
                    << v.getType();
    for (int64_t d : type.getShape()) {
      if (d && bytes > kMaxBytes / uint64_t(d))
        return fail() << "memory planning: " << type
                      << " takes more than 2^48 bytes";
      bytes *= uint64_t(d);
    }
    PlannedBuffer b;
    b.value = v;
    b.name = std::move(name);
    b.kind = kind;
    b.size = llvm::alignTo(bytes, plan.alignment);
    ids.try_emplace(v, uint32_t(plan.buffers.size()));
    plan.buffers.push_back(std::move(b));
    return success();
  }

  /// A buffer per argument and op result; the positions of the ops; the
  /// last use of every buffer and the last kernel read of every root.
  LogicalResult collectBuffers(Block &block) {
    for (BlockArgument arg : block.getArguments()) {
      unsigned i = arg.getArgNumber();
      BufferKind kind = BufferKind::Input;
      std::string name;
      for (StringRef key :
           {"loom.param", "loom.opt_state", "loom.state", "loom.input"})
        if (auto s = func.getArgAttrOfType<StringAttr>(i, key)) {
          name = s.str();
          if (key != "loom.input") {
            kind = BufferKind::Persistent;
            stateArgs[(key + ":" + s.getValue()).str()] = i;
          }
          break;
        }
      if (failed(addBuffer(arg, kind, std::move(name), nullptr)))
        return failure();
    }
    // Positions: an op that launches nothing shares the position of the
    // next op that does (numOps, "after the step", if none does).
    uint32_t n = 0;
    std::vector<std::pair<Operation *, uint32_t>> &ops = opPositions;
    Operation *ret =
        block.mightHaveTerminator() ? block.getTerminator() : nullptr;
    for (Operation &op : block) {
      if (&op == ret)
        break;
      ops.push_back({&op, n});
      if (!launches || launches(&op))
        ++n;
    }
    plan.numOps = n;
    lastUse.assign(plan.buffers.size(), 0);
    lastRead.assign(plan.buffers.size(), 0);
    lastReader.assign(plan.buffers.size(), nullptr);
    defAt.assign(plan.buffers.size(), 0);
    auto use = [&](Value v, uint32_t pos, Operation *reader) {
      auto it = ids.find(v);
      if (it == ids.end())
        return; // defined inside the op's own regions
      uint32_t id = it->second;
      lastUse[id] = std::max(lastUse[id], pos);
      if (reader && pos >= lastRead[root(id)]) {
        lastRead[root(id)] = pos;
        lastReader[root(id)] = reader;
      }
    };
    for (auto [op, pos] : ops) {
      Value source = getViewSource(op);
      for (Value v : op->getOperands())
        use(v, pos, source ? nullptr : op);
      // An op with a body (an outlined kernel, say) reads what it uses.
      if (op->getNumRegions())
        op->walk([&, op = op, pos = pos](Operation *nested) {
          if (nested != op)
            for (Value v : nested->getOperands())
              use(v, pos, op);
        });
      for (OpResult r : op->getResults()) {
        BufferKind kind = source ? BufferKind::View
                          : op->hasTrait<OpTrait::ConstantLike>()
                              ? BufferKind::Constant
                              : BufferKind::Transient;
        if (failed(addBuffer(r, kind, locationName(op->getLoc()), op)))
          return failure();
        uint32_t id = plan.buffers.size() - 1;
        lastUse.push_back(pos);
        lastRead.push_back(pos); // the op writes it
        lastReader.push_back(op);
        defAt.push_back(pos);
        if (source) {
          uint32_t src = root(ids.lookup(source));
          if (plan.buffers[src].size != plan.buffers[id].size)
            return op->emitOpError("memory planning: a view must have the "
                                   "byte size of its source");
          plan.buffers[id].aliasOf = src;
        }
      }
    }
    if (ret)
      for (Value v : ret->getOperands())
        use(v, n, ret);
    return success();
  }

  /// Where a persistent argument's new value goes: in place or copied.
  LogicalResult decideUpdates(Block &block) {
    if (!block.mightHaveTerminator())
      return success();
    Operation *ret = block.getTerminator();
    DenseMap<uint32_t, unsigned> updatedBy; // argument -> result
    DenseMap<uint32_t, uint32_t> placed;    // root -> argument
    for (OpOperand &operand : ret->getOpOperands()) {
      unsigned result = operand.getOperandNumber();
      std::optional<uint32_t> arg;
      for (StringRef key : {"loom.param", "loom.opt_state", "loom.state"})
        if (auto s = func.getResultAttrOfType<StringAttr>(result, key)) {
          auto it = stateArgs.find((key + ":" + s.getValue()).str());
          if (it != stateArgs.end())
            arg = it->second;
        }
      uint32_t from = ids.lookup(operand.get());
      uint32_t r = root(from);
      if (!arg || r == *arg)
        continue; // nothing to update, or unchanged (frozen)
      auto [prior, first] = updatedBy.try_emplace(*arg, result);
      if (!first)
        return func.emitError("memory planning: results #")
               << prior->second << " and #" << result
               << " are both the new value of argument #" << *arg;
      StateUpdate u;
      u.result = result;
      u.from = from;
      u.to = *arg;
      u.reason = whyNotInPlace(r, *arg, placed);
      u.inPlace = u.reason.empty();
      if (u.inPlace) {
        plan.buffers[r].inPlaceOf = *arg;
        placed[r] = *arg;
      }
      plan.updates.push_back(std::move(u));
    }
    return success();
  }

  /// "" if root `r` may be placed in persistent argument `arg`'s bytes.
  std::string whyNotInPlace(uint32_t r, uint32_t arg,
                            const DenseMap<uint32_t, uint32_t> &placed) {
    const PlannedBuffer &b = plan.buffers[r];
    std::string argName = "argument #" + std::to_string(arg);
    if (b.kind == BufferKind::Persistent || b.kind == BufferKind::Input)
      return "the new value is argument #" +
             std::to_string(cast<BlockArgument>(b.value).getArgNumber());
    if (b.size != plan.buffers[arg].size)
      return "the new value has " + std::to_string(b.size) + " bytes, " +
             argName + " " + std::to_string(plan.buffers[arg].size);
    if (auto it = placed.find(r); it != placed.end())
      return "its bytes already hold the new value of argument #" +
             std::to_string(it->second);
    uint32_t def = defAt[r];
    Operation *op = b.value.getDefiningOp();
    std::string opName = "op " + std::to_string(def) + " (" +
                         op->getName().getStringRef().str() + ")";
    if (lastRead[arg] > def) {
      Operation *reader = lastReader[arg];
      if (isa<func::ReturnOp>(reader))
        return argName + " is returned, and " + opName +
               " defines its new value";
      return argName + " is read by op " + std::to_string(lastRead[arg]) +
             " (" + reader->getName().getStringRef().str() + "), after " +
             opName + " defines its new value";
    }
    if (lastRead[arg] == def && lastReader[arg] && lastReader[arg] != op)
      return argName + " is read by op " + std::to_string(def) + " (" +
             lastReader[arg]->getName().getStringRef().str() +
             "), at the position where " + opName + " defines its new value";
    if (lastRead[arg] == def)
      for (OpOperand &o : op->getOpOperands())
        if (root(ids.lookup(o.get())) == arg &&
            !canOverwriteOperand(op, o.getOperandNumber(),
                                 cast<OpResult>(b.value).getResultNumber()))
          return opName + " reads " + argName +
                 " and cannot write its result over it";
    return "";
  }

  /// Orders the copies so that one reading a persistent argument's bytes
  /// runs before the one overwriting them; a cycle is an error.
  LogicalResult orderCopies() {
    DenseMap<uint32_t, SmallVector<unsigned>> readersOf; // argument -> copies
    SmallVector<unsigned> copies;
    for (unsigned i = 0; i < plan.updates.size(); ++i) {
      if (plan.updates[i].inPlace)
        continue;
      copies.push_back(i);
      uint32_t s = storage(plan.updates[i].from);
      if (plan.buffers[s].kind == BufferKind::Persistent)
        readersOf[s].push_back(i);
    }
    SmallVector<uint8_t> state(plan.updates.size(), 0); // 1 open, 2 done
    // Few copies (at most one per argument): recursion depth is fine.
    std::function<LogicalResult(unsigned)> visit =
        [&](unsigned i) -> LogicalResult {
      if (state[i] == 2)
        return success();
      if (state[i] == 1)
        return func.emitError("memory planning: the new values of the "
                              "parameters and optimizer state read each "
                              "other's bytes in a cycle (argument #")
               << plan.updates[i].to << "); copying needs a temporary";
      state[i] = 1;
      for (unsigned reader : readersOf.lookup(plan.updates[i].to))
        if (failed(visit(reader)))
          return failure();
      state[i] = 2;
      plan.copies.push_back(i);
      return success();
    };
    for (unsigned i : copies)
      if (failed(visit(i)))
        return failure();
    return success();
  }

  /// Live ranges: roots cover their views; persistent storage covers the
  /// step, its old value until its last use when the new one is in place.
  void setLiveRanges() {
    std::vector<PlannedBuffer> &bs = plan.buffers;
    for (uint32_t i = 0; i < bs.size(); ++i) {
      bool argument = isa<BlockArgument>(bs[i].value);
      bs[i].firstUse = argument ? 0 : defAt[i];
      bs[i].lastUse = lastUse[i];
    }
    // A view comes after its root and before its own views.
    for (PlannedBuffer &b : bs)
      if (b.aliasOf >= 0)
        bs[b.aliasOf].lastUse = std::max(bs[b.aliasOf].lastUse, b.lastUse);
    DenseSet<uint32_t> inPlace;
    for (const StateUpdate &u : plan.updates)
      if (u.inPlace)
        inPlace.insert(u.to);
    for (uint32_t i = 0; i < bs.size(); ++i)
      if (bs[i].kind == BufferKind::Persistent && !inPlace.contains(i))
        bs[i].lastUse = plan.numOps;
  }

  /// Accumulation in place (MemoryPlan.h): a result takes the bytes of the
  /// operand its op adds into, when that operand's root is a transient
  /// buffer the op reads last, through that operand only, of the same size.
  /// Runs after setLiveRanges, so a root's last use covers its views'.
  void decideAccumulations() {
    std::vector<PlannedBuffer> &bs = plan.buffers;
    DenseSet<uint32_t> taken; // buffers something accumulates into
    for (auto [op, pos] : opPositions) {
      std::optional<unsigned> acc = getAccumulatedOperand(op);
      if (!acc || op->getNumResults() != 1)
        continue;
      uint32_t r = ids.lookup(op->getResult(0));
      auto it = ids.find(op->getOperand(*acc));
      if (it == ids.end() || bs[r].kind != BufferKind::Transient ||
          bs[r].inPlaceOf >= 0)
        continue;
      uint32_t x = root(it->second);
      const PlannedBuffer &xb = bs[x];
      if (xb.kind != BufferKind::Transient || xb.inPlaceOf >= 0 ||
          exactBytes(xb.value) != exactBytes(bs[r].value) ||
          xb.lastUse != pos || lastReader[x] != op || taken.contains(x))
        continue;
      bool readElsewhere = false;
      for (OpOperand &o : op->getOpOperands()) {
        auto other = ids.find(o.get());
        readElsewhere |= o.getOperandNumber() != *acc && other != ids.end() &&
                         root(other->second) == x;
      }
      if (readElsewhere)
        continue;
      taken.insert(x);
      bs[r].accumulatesInto = xb.accumulatesInto >= 0 ? xb.accumulatesInto : x;
    }
  }

  /// The last use of the bytes of buffer `i`: its own, or for the first of
  /// an accumulation chain the chain's.
  std::vector<uint32_t> storageLastUses() const {
    const std::vector<PlannedBuffer> &bs = plan.buffers;
    std::vector<uint32_t> last(bs.size());
    for (uint32_t i = 0; i < bs.size(); ++i)
      last[i] = bs[i].lastUse;
    for (const PlannedBuffer &b : bs)
      if (b.accumulatesInto >= 0)
        last[b.accumulatesInto] = std::max(last[b.accumulatesInto], b.lastUse);
    return last;
  }

  void assignOffsets() {
    std::vector<PlannedBuffer> &bs = plan.buffers;
    std::vector<uint32_t> last = storageLastUses();
    uint64_t cursor = 0;
    for (PlannedBuffer &b : bs)
      if (b.kind == BufferKind::Persistent) {
        b.offset = cursor;
        cursor += b.size;
      }
    plan.persistentSize = cursor;

    std::vector<uint32_t> order;
    for (uint32_t i = 0; i < bs.size(); ++i) {
      const PlannedBuffer &b = bs[i];
      if (b.kind == BufferKind::Persistent || b.kind == BufferKind::View ||
          b.inPlaceOf >= 0 || b.accumulatesInto >= 0)
        continue;
      bs[i].offset = cursor; // zero-size buffers stay here
      if (b.size)
        order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      return std::make_tuple(bs[x].firstUse, ~bs[x].size, x) <
             std::make_tuple(bs[y].firstUse, ~bs[y].size, y);
    });
    BestFitArena arena;
    using Expiry = std::pair<uint32_t, uint32_t>; // (last use, buffer)
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> live;
    for (uint32_t i : order) {
      PlannedBuffer &b = bs[i];
      while (!live.empty() && live.top().first < b.firstUse) {
        const PlannedBuffer &dead = bs[live.top().second];
        arena.release(dead.offset - cursor, dead.size);
        live.pop();
      }
      b.offset = cursor + arena.allocate(b.size);
      live.push({last[i], i});
    }
    plan.arenaSize = cursor + arena.size();

    for (PlannedBuffer &b : bs)
      if (b.inPlaceOf >= 0)
        b.offset = bs[b.inPlaceOf].offset;
      else if (b.accumulatesInto >= 0)
        b.offset = bs[b.accumulatesInto].offset;
    for (PlannedBuffer &b : bs)
      if (b.aliasOf >= 0)
        b.offset = bs[b.aliasOf].offset;
  }

  /// The most bytes live at one position, each storage counted once.
  uint64_t computeMaxLiveBytes() const {
    std::vector<std::pair<uint64_t, int64_t>> events; // (position, +-bytes)
    std::vector<uint32_t> storageLast = storageLastUses();
    for (auto [i, b] : llvm::enumerate(plan.buffers)) {
      if (b.kind == BufferKind::View || b.inPlaceOf >= 0 ||
          b.accumulatesInto >= 0 || !b.size)
        continue;
      // Persistent bytes are taken throughout, by the old value or the new.
      uint64_t last =
          b.kind == BufferKind::Persistent ? plan.numOps : storageLast[i];
      events.push_back({b.firstUse, int64_t(b.size)});
      events.push_back({last + 1, -int64_t(b.size)});
    }
    std::sort(events.begin(), events.end());
    int64_t live = 0, most = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      live += events[i].second;
      if (i + 1 == events.size() || events[i + 1].first != events[i].first)
        most = std::max(most, live);
    }
    return uint64_t(most);
  }

  func::FuncOp func;
  ArenaPlan plan;
  DenseMap<Value, uint32_t> ids;
  llvm::StringMap<uint32_t> stateArgs; // "loom.param:w" -> argument
  /// Which ops take a position of their own; null: every op.
  llvm::function_ref<bool(Operation *)> launches;
  /// Per buffer: the op defining it (0 for arguments), its last use, and
  /// for a root the last kernel (or the return) reading it or a view of it,
  /// and that op.
  std::vector<uint32_t> defAt, lastUse, lastRead;
  std::vector<Operation *> lastReader;
  /// The ops of the body (the return excluded) and their positions.
  std::vector<std::pair<Operation *, uint32_t>> opPositions;
};

} // namespace

const char *mlir::loom::stringifyBufferKind(BufferKind kind) {
  switch (kind) {
  case BufferKind::Persistent:
    return "persistent";
  case BufferKind::Input:
    return "input";
  case BufferKind::Constant:
    return "constant";
  case BufferKind::Transient:
    return "transient";
  case BufferKind::View:
    return "view";
  }
  return "?";
}

uint64_t ArenaPlan::totalBufferBytes() const {
  uint64_t total = 0;
  for (const PlannedBuffer &b : buffers)
    if (b.kind != BufferKind::View)
      total += b.size;
  return total;
}

FailureOr<ArenaPlan>
mlir::loom::planArena(func::FuncOp func, uint64_t alignment,
                      llvm::function_ref<bool(Operation *)> launches) {
  return Planner(func, alignment, launches).run();
}

//===----------------------------------------------------------------------===//
// Hooks
//===----------------------------------------------------------------------===//

Value mlir::loom::getViewSource(Operation *op) {
  // loom.reshape: same elements, same row-major order, same bytes.
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    return reshape.getInput();
  return nullptr;
}

std::optional<unsigned> mlir::loom::getAccumulatedOperand(Operation *op) {
  // loom.scatter_add: dest, then the updates added in (see
  // backends/cpu/codegen/LowerIndexing.cpp).
  if (auto scatter = dyn_cast<ScatterAddOp>(op))
    return scatter.getDestMutable().getOperandNumber();
  return std::nullopt;
}

bool mlir::loom::canOverwriteOperand(Operation *op, unsigned operandIndex,
                                     unsigned resultIndex) {
  if (operandIndex >= op->getNumOperands() ||
      resultIndex >= op->getNumResults())
    return false;
  // A multi_tensor group runs its members' nests one after the other (or
  // at once): only the member computing the result may read the operand.
  if (auto group = dyn_cast<MultiTensorGroupOp>(op)) {
    auto memberOfResult = group.getMemberOfResult(resultIndex);
    FusionGroupOp member = memberOfResult.first;
    unsigned memberResult = memberOfResult.second;
    BlockArgument arg = group.getBodyBlock().getArgument(operandIndex);
    if (llvm::any_of(arg.getUsers(),
                     [&](Operation *user) { return user != member; }))
      return false;
    for (OpOperand &use : arg.getUses())
      if (!canOverwriteOperand(member, use.getOperandNumber(), memberResult))
        return false;
    return true;
  }
  // An elementwise group is one loop nest over its domain: each element of
  // every result is written after the inputs at its index are read (the CPU
  // backend checks that its kernel is one nest).
  if (auto group = dyn_cast<FusionGroupOp>(op)) {
    auto in =
        dyn_cast<RankedTensorType>(op->getOperand(operandIndex).getType());
    return group.getKind() == FusionKind::elementwise && in &&
           in.getShape() == group.getDomain();
  }
  if (op->getNumResults() != 1)
    return false;
  if (!op->hasTrait<OpTrait::Elementwise>() &&
      !isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, CompareOp,
           SelectOp>(op))
    return false;
  auto in = dyn_cast<RankedTensorType>(op->getOperand(operandIndex).getType());
  auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return in && out && in.getShape() == out.getShape() &&
         elementBytes(in.getElementType()) ==
             elementBytes(out.getElementType());
}
