//===- CheckArenaPlan.cpp - The memory plan's invariant check -------------===//
//
// Part of Loom. This file implements checkArenaPlan (MemoryPlan.h): every
// buffer aligned and inside its region, views, in-place updates and
// accumulations on exactly their storage's bytes, and no two storages
// sharing a byte while both are live.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/MemoryPlan.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <map>
#include <queue>
#include <string>
#include <tuple>

using namespace mlir;
using namespace mlir::loom;

std::string mlir::loom::checkArenaPlan(const ArenaPlan &plan) {
  const std::vector<PlannedBuffer> &bs = plan.buffers;
  auto num = [](uint64_t v) { return std::to_string(v); };
  auto name = [&](uint32_t i) { return "buffer #" + num(i); };
  uint64_t al = plan.alignment;
  if (!al || !llvm::isPowerOf2_64(al))
    return "alignment " + num(al) + " is not a power of two";
  if (plan.persistentSize > plan.arenaSize)
    return "the persistent region is larger than the arena";
  // The buffer owning each buffer's bytes, and its live range.
  std::vector<uint32_t> owner(bs.size());
  std::vector<std::pair<uint32_t, uint32_t>> range(bs.size(), {~0u, 0u});
  for (uint32_t i = 0; i < bs.size(); ++i) {
    const PlannedBuffer &b = bs[i];
    if (b.offset % al || b.size % al)
      return name(i) + " is not aligned to " + num(al);
    if (b.offset > plan.arenaSize || b.size > plan.arenaSize - b.offset)
      return name(i) + " ends past the arena";
    if (b.firstUse > b.lastUse || b.lastUse > plan.numOps)
      return name(i) + " has live range [" + num(b.firstUse) + ", " +
             num(b.lastUse) + "]";
    int64_t r = b.aliasOf < 0 ? i : b.aliasOf;
    if (r >= int64_t(bs.size()) || bs[r].aliasOf >= 0)
      return name(i) + " is a view of no root buffer";
    int64_t s = bs[r].inPlaceOf < 0 ? r : bs[r].inPlaceOf;
    if (s != r &&
        (s >= int64_t(bs.size()) || bs[s].kind != BufferKind::Persistent ||
         bs[s].inPlaceOf >= 0))
      return name(i) + " is in place of no persistent buffer";
    if (int64_t a = bs[r].accumulatesInto; a >= 0) {
      if (s != r || a >= int64_t(bs.size()) ||
          bs[a].kind != BufferKind::Transient || bs[a].aliasOf >= 0 ||
          bs[a].inPlaceOf >= 0 || bs[a].accumulatesInto >= 0)
        return name(i) + " accumulates into no transient buffer";
      s = a;
    }
    owner[i] = uint32_t(s);
    if (!b.size)
      continue;
    if (s != int64_t(i) && (b.offset != bs[s].offset || b.size != bs[s].size))
      return name(i) + " is not exactly the bytes of buffer #" + num(s) +
             " it aliases";
    bool persistent = bs[s].kind == BufferKind::Persistent;
    if (persistent ? b.offset + b.size > plan.persistentSize
                   : b.offset < plan.persistentSize)
      return name(i) + " is outside its region";
    range[s].first = std::min(range[s].first, b.firstUse);
    range[s].second = std::max(range[s].second, b.lastUse);
  }
  // A sweep over first uses with the live owners in an offset-ordered map
  // (disjoint while the plan holds).
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < bs.size(); ++i)
    if (owner[i] == i && bs[i].size)
      order.push_back(i);
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return std::make_tuple(range[x].first, bs[x].offset, x) <
           std::make_tuple(range[y].first, bs[y].offset, y);
  });
  std::map<uint64_t, uint32_t> live; // offset -> owner
  using Expiry = std::pair<uint32_t, uint32_t>;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> heap;
  for (uint32_t i : order) {
    const PlannedBuffer &b = bs[i];
    while (!heap.empty() && heap.top().first < range[i].first) {
      live.erase(bs[heap.top().second].offset);
      heap.pop();
    }
    auto it = live.lower_bound(b.offset);
    const uint32_t *other = nullptr;
    if (it != live.end() && it->first < b.offset + b.size)
      other = &it->second;
    else if (it != live.begin() &&
             std::prev(it)->first + bs[std::prev(it)->second].size > b.offset)
      other = &std::prev(it)->second;
    if (other)
      return "buffers #" + num(*other) + " and #" + num(i) +
             " share bytes while both are live at op " + num(range[i].first);
    live.emplace(b.offset, i);
    heap.push({range[i].second, i});
  }
  return "";
}
