//===- MemoryPlan.h - Liveness and arena offsets of a step ------*- C++ -*-===//
//
// Part of Loom. The memory plan of one single-block function (the training
// step): one buffer per SSA tensor value, its byte size, its live range in op
// order, and its offset in one arena laid out as
//
//   [ persistent: parameters, optimizer state | transient: everything else ]
//   0                                persistentSize                 arenaSize
//
// The rules, for a generic step in which every op but a view is one kernel
// that reads its operands and writes its results:
//
// * Sizes: elements x element bytes (i1 takes a byte, bf16/f16 two), rounded
//   up to the alignment (64). A zero-size tensor takes no bytes.
// * Positions: op i of the body (the return excluded) is position i; the
//   return is position N = number of ops, "after the step". A value is live
//   from the op that defines it to its last use, both included: a kernel's
//   operands and results never share bytes unless the plan says so. A
//   backend whose kernels are not one per op says which ops launch one
//   (`planArena`'s `launches`): then only those take positions, 0..N-1, the
//   positions of its kernels, and an op that launches nothing shares the
//   position of the next op that does (N if none does). Live ranges are
//   then ranges of kernels, so an argument nothing reads is still live at
//   the first kernel, which the runtime writes it before.
// * Persistent arguments (`loom.param`, `loom.opt_state`, and `loom.state`:
//   what a program keeps between its runs, such as a decoding program's KV
//   caches) are live throughout, in their own region, in argument order. Other
//   arguments (the batch, `step`, `lr_scale`) are inputs the runtime writes
//   before the step: transient buffers live from position 0.
// * Views (`getViewSource`: today `loom.reshape`) are no kernel: their result
//   is the same bytes as their source, and the source stays live as long as
//   any view of it is used.
// * Constants (`loom.constant`) are ordinary transient buffers that their op
//   fills when it runs. GPT-2's step has 150 MB of splat zeros
//   (`dense<0.0> : tensor<50257x768xf32>` among them): a read-only constant
//   segment live throughout would hold them for the whole step, and in the
//   artifact. Fusion folds the many scalar constants into their consumers.
// * In-place updates: a result returned as the new value of a persistent
//   argument (the same `loom.param` / `loom.opt_state` / `loom.state` name)
//   is written straight into that argument's bytes when it is safe (see
//   `planArena`); otherwise the plan lists a copy at the end of the step.
// * Accumulation in place: an op that adds into an operand
//   (`getAccumulatedOperand`: today `loom.scatter_add`'s destination) writes
//   its result over that operand's bytes when the operand is a transient
//   buffer (no view of another) that this op reads last, through no other
//   operand, and has the result's byte size. The two share one allocation,
//   live from the operand's definition to the result's last use. GPT-2's
//   tied embedding gradient (the head's, then the gather's scattered into
//   it) is one 147 MiB buffer instead of two.
// * Offsets of the transient buffers: one sweep in op order with a best-fit
//   free list (see MemoryPlan.cpp), O(n log n).
//
// `checkArenaPlan` verifies the result: no two buffers share a byte while
// both are live unless they are the same storage (a view, an in-place update).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_MEMORY_MEMORYPLAN_H
#define LOOM_PASSES_MEMORY_MEMORYPLAN_H

#include "mlir/IR/Value.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class Operation;
namespace func {
class FuncOp;
} // namespace func

namespace loom {

/// What a buffer holds, which decides where it lives.
enum class BufferKind : uint8_t {
  Persistent, ///< a `loom.param` / `loom.opt_state` / `loom.state` argument
  Input,      ///< any other argument, written by the runtime before the step
  Constant,   ///< a ConstantLike op's result (`loom.constant`), transient
  Transient,  ///< any other op result
  View,       ///< the same bytes as buffer `aliasOf` (see getViewSource)
};

/// "persistent", "input", ...
const char *stringifyBufferKind(BufferKind kind);

/// One SSA tensor value of the function and the bytes that hold it.
struct PlannedBuffer {
  Value value;
  /// The argument's `loom.param` / `loom.opt_state` / `loom.state` /
  /// `loom.input` name, or
  /// the first NameLoc in the defining op's location; may be empty. For
  /// printing.
  std::string name;
  BufferKind kind = BufferKind::Transient;
  /// Bytes, a multiple of the alignment; 0 for a tensor with no elements.
  uint64_t size = 0;
  uint64_t offset = 0;
  /// Positions of the first and last op that touches the bytes, inclusive;
  /// numOps means "after the step". A buffer that other views alias is live
  /// while any of them is used; a persistent one is live [0, numOps] unless
  /// its new value is written into it in place, in which case it is live
  /// until its last read and the new value from its definition on.
  uint32_t firstUse = 0, lastUse = 0;
  /// View: the buffer (never itself a view) whose bytes this one is.
  int64_t aliasOf = -1;
  /// A transient buffer placed in the bytes of this persistent buffer: the
  /// argument's new value, written in place.
  int64_t inPlaceOf = -1;
  /// A transient buffer that its defining op accumulates into the bytes of
  /// this earlier transient buffer (the first of such a chain), which it
  /// reads last (see getAccumulatedOperand).
  int64_t accumulatesInto = -1;
};

/// The new value of a persistent argument: result `result` of the function,
/// buffer `from`, replaces argument buffer `to`.
struct StateUpdate {
  unsigned result = 0;
  uint32_t from = 0, to = 0;
  /// `from` lives in `to`'s bytes; otherwise `from` is copied into `to`
  /// after the last op, and `reason` says why it could not be in place.
  bool inPlace = false;
  std::string reason;
};

/// The memory plan of one function.
struct ArenaPlan {
  /// Every offset and size is a multiple of this power of two.
  uint64_t alignment = 64;
  /// Ops of the body, the return excluded (or those that launch a kernel,
  /// see `planArena`): positions run 0..numOps.
  uint32_t numOps = 0;
  /// [0, persistentSize) holds the persistent arguments.
  uint64_t persistentSize = 0;
  /// The whole arena: persistent region plus the transient peak.
  uint64_t arenaSize = 0;
  /// The most bytes of buffers live at any one position (persistent
  /// included): no offset assignment can do with less than this.
  uint64_t maxLiveBytes = 0;
  /// The arguments in order, then every op's results in op order: an
  /// argument's buffer id is its number.
  std::vector<PlannedBuffer> buffers;
  /// Persistent arguments with a new value, in result order. Those not in
  /// place are the copies to run after the last op, in the order given by
  /// `copies`.
  std::vector<StateUpdate> updates;
  /// Indices into `updates` of the copies, in an order where a copy reading
  /// a persistent argument's bytes runs before the copy that overwrites them.
  std::vector<unsigned> copies;

  /// The sum of every buffer's bytes but views': the arena a plan without
  /// any reuse (and no in-place update) would need.
  uint64_t totalBufferBytes() const;
};

/// Plans `func`, which must have a single block of ops on statically shaped
/// ranked tensors. Errors (another type, several blocks, an alignment that
/// is no power of two, a size past 2^48 bytes, two results updating one
/// argument, copies that read each other's destinations in a cycle) are
/// emitted at the op or function.
///
/// A result returned as the new value of persistent argument k (same
/// `loom.param`, `loom.opt_state` or `loom.state` name) is placed in k's
/// bytes when its storage buffer (the value, or the source of a view chain)
/// is an op result that updates no other argument, has k's byte size, and
///   - every read of k (or of a view of it) happens no later than the op
///     defining the new value, and
///   - where that op reads k itself, `canOverwriteOperand` holds for each
///     such operand and the result.
/// Otherwise the plan records a copy into k's bytes after the last op.
///
/// `launches` says which ops of the body launch a kernel (see Positions
/// above); null: every op takes a position.
FailureOr<ArenaPlan>
planArena(func::FuncOp func, uint64_t alignment = 64,
          llvm::function_ref<bool(Operation *)> launches = nullptr);

/// The invariant check: offsets and sizes aligned and inside the arena,
/// persistent buffers in the persistent region and the rest after it, a view
/// or in-place update on exactly the bytes of its storage, and no two
/// buffers of different storage sharing a byte while both are live.
/// O(n log n). Returns "" if the plan holds, else the first violation.
std::string checkArenaPlan(const ArenaPlan &plan);

//===----------------------------------------------------------------------===//
// Hooks: which ops are views, which may write over their operands
//===----------------------------------------------------------------------===//

/// The operand whose bytes `op`'s single result is, unchanged and whole, or
/// null when `op` is a kernel. A view costs nothing at run time and keeps
/// its source alive. Today: `loom.reshape` (row-major order kept). A new
/// view op returns its source here; it must cover exactly the source's
/// bytes (no byte offset), as the artifact's alias rule requires.
Value getViewSource(Operation *op);

/// Whether `op` may write its result #`resultIndex` over operand
/// `operandIndex` while reading it: each element of the result depends only
/// on the operand's element at the same index. Holds for the loom
/// elementwise ops (the unary ops, gelu, cast, the broadcasting binary ops,
/// compare, select) when the operand is not broadcast (its shape is the
/// result's) and has the result's element width; for an elementwise
/// `loom.fusion_group` whose operand has the group's domain shape (the group
/// is one loop nest); and for a `loom.multi_tensor_group` when the member
/// computing the result is the only member reading the operand and may itself.
bool canOverwriteOperand(Operation *op, unsigned operandIndex,
                         unsigned resultIndex = 0);

/// The operand that `op`'s single result is, plus what `op` adds into it,
/// when the result may take that operand's bytes once `op` is its last
/// reader; none otherwise. Today `loom.scatter_add`'s destination: its CPU
/// kernel copies the destination into the result, each element read before
/// the same element is written, then adds the updates in.
std::optional<unsigned> getAccumulatedOperand(Operation *op);

} // namespace loom
} // namespace mlir

#endif // LOOM_PASSES_MEMORY_MEMORYPLAN_H
