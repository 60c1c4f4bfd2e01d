//===- Partition.cpp - The training step as a sequence of kernels ---------===//
//
// Part of Loom. See Partition.h.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/Partition.h"

#include "ir/Decompose.h"
#include "ir/ElementType.h"
#include "ir/LoomOps.h"
#include "passes/memory/MemoryPlan.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
namespace lir = mlir::loom;
using ::loom::KernelAttr;

namespace {

RankedTensorType tt(Value v) { return cast<RankedTensorType>(v.getType()); }

bool isF32(Value v) { return tt(v).getElementType().isF32(); }

/// The constant `v` is, directly or through views of it (a reshape of a
/// constant), or null. No kernel writes a constant's bytes: a kernel that
/// reads one clones it, views and all.
lir::ConstantOp constantOf(Value v) {
  for (Operation *def = v.getDefiningOp(); def;) {
    if (auto c = dyn_cast<lir::ConstantOp>(def))
      return c;
    Value source = lir::getViewSource(def);
    def = source ? source.getDefiningOp() : nullptr;
  }
  return nullptr;
}

bool isConstant(Value v) { return static_cast<bool>(constantOf(v)); }

/// Appends to `ops` what computes the constant `v`: its constant, then the
/// views down to `v`, each once.
void appendConstantChain(Value v, SmallVectorImpl<Operation *> &ops) {
  SmallVector<Operation *> chain;
  for (Operation *def = v.getDefiningOp(); def;) {
    chain.push_back(def);
    if (isa<lir::ConstantOp>(def))
      break;
    def = lir::getViewSource(def).getDefiningOp();
  }
  for (Operation *op : llvm::reverse(chain))
    if (!llvm::is_contained(ops, op))
      ops.push_back(op);
}

std::vector<int64_t> ints(ArrayRef<int64_t> a) {
  return std::vector<int64_t>(a.begin(), a.end());
}

/// The oneDNN kind of `op` and its op-specific attributes, or "" when the op
/// is generated instead.
std::string oneDnnKind(Operation *op, std::vector<KernelAttr> &attrs) {
  // oneDNN runs f32 only, on values that have storage (not constants).
  for (Value v : op->getOperands())
    if (!isF32(v) || isConstant(v))
      return "";
  for (Value v : op->getResults())
    if (!isF32(v))
      return "";
  auto flag = [&](const char *key, bool on) {
    attrs.push_back(KernelAttr::ofInt(key, on ? 1 : 0));
  };
  // The conv family and the pool family each share their attributes.
  auto convAttrs = [&](auto o) {
    attrs.push_back(KernelAttr::ofInts("strides", ints(o.getStrides())));
    attrs.push_back(KernelAttr::ofInts("padding", ints(o.getPadding())));
    attrs.push_back(KernelAttr::ofInts("dilations", ints(o.getDilations())));
    attrs.push_back(KernelAttr::ofInt("groups", o.getGroups()));
  };
  auto poolAttrs = [&](auto o) {
    attrs.push_back(KernelAttr::ofString(
        "kind", lir::stringifyPoolKind(o.getKind()).str()));
    attrs.push_back(KernelAttr::ofInts("window", ints(o.getWindow())));
    attrs.push_back(KernelAttr::ofInts("strides", ints(o.getStrides())));
    attrs.push_back(KernelAttr::ofInts("padding", ints(o.getPadding())));
    flag("count_include_pad", o.getCountIncludePad());
  };
  // Elementwise ops and reductions are memory-bound: a generated loop
  // runs them on one thread without a parallel region's fork and barrier,
  // which dominate below about a million elements on this 2-core machine
  // (measured with `loom run --backend=cpu --profile`). oneDNN takes the
  // large ones.
  auto big = [&] {
    return tt(op->getOperand(0)).getNumElements() >= (int64_t(1) << 20);
  };
  auto unary = [&](const char *name) -> std::string {
    if (!big())
      return "";
    attrs.push_back(KernelAttr::ofString("op", name));
    return std::string("onednn.eltwise");
  };
  // oneDNN's binary primitive broadcasts its second source only.
  auto binary = [&](const char *name) -> std::string {
    if (!big() ||
        tt(op->getOperand(0)).getShape() != tt(op->getResult(0)).getShape())
      return "";
    attrs.push_back(KernelAttr::ofString("op", name));
    return "onednn.binary";
  };
  return llvm::TypeSwitch<Operation *, std::string>(op)
      .Case([&](lir::MatmulOp o) {
        flag("transpose_lhs", o.getTransposeLhs());
        flag("transpose_rhs", o.getTransposeRhs());
        return "onednn.matmul";
      })
      .Case([&](lir::Conv2dOp o) {
        convAttrs(o);
        return "onednn.conv2d";
      })
      .Case([&](lir::Conv2dBackwardInputOp o) {
        convAttrs(o);
        return "onednn.conv2d_backward_input";
      })
      .Case([&](lir::Conv2dBackwardFilterOp o) {
        convAttrs(o);
        return "onednn.conv2d_backward_filter";
      })
      .Case([&](lir::Pool2dOp o) {
        poolAttrs(o);
        return "onednn.pool2d";
      })
      .Case([&](lir::Pool2dBackwardOp o) {
        poolAttrs(o);
        return "onednn.pool2d_backward";
      })
      .Case([&](lir::SoftmaxOp o) {
        attrs.push_back(KernelAttr::ofInt("dim", o.getDim()));
        return "onednn.softmax";
      })
      .Case([&](lir::LogSoftmaxOp o) {
        attrs.push_back(KernelAttr::ofInt("dim", o.getDim()));
        return "onednn.log_softmax";
      })
      .Case([&](lir::AttentionWithLseOp o) {
        flag("causal", o.getCausal());
        attrs.push_back(KernelAttr::ofFloat("scale", lir::attentionScale(o)));
        return "cpu.flash_attention";
      })
      .Case([&](lir::AttentionBackwardOp o) {
        flag("causal", o.getCausal());
        attrs.push_back(KernelAttr::ofFloat("scale", lir::attentionScale(o)));
        return "cpu.flash_attention_backward";
      })
      .Case([&](lir::LayerNormOp o) {
        attrs.push_back(
            KernelAttr::ofFloat("epsilon", o.getEpsilon().convertToDouble()));
        return "onednn.layer_norm";
      })
      .Case([&](lir::ReduceOp o) -> std::string {
        if (!big())
          return "";
        attrs.push_back(KernelAttr::ofString(
            "kind", lir::stringifyReduceKind(o.getKind()).str()));
        attrs.push_back(KernelAttr::ofInts("dims", ints(o.getDims())));
        flag("keep_dims", o.getKeepDims());
        return "onednn.reduce";
      })
      .Case([&](lir::ReluOp) { return unary("relu"); })
      .Case([&](lir::TanhOp) { return unary("tanh"); })
      .Case([&](lir::SigmoidOp) { return unary("sigmoid"); })
      .Case([&](lir::ExpOp) { return unary("exp"); })
      .Case([&](lir::LogOp) { return unary("log"); })
      .Case([&](lir::SqrtOp) { return unary("sqrt"); })
      .Case([&](lir::AbsOp) { return unary("abs"); })
      .Case([&](lir::NegOp) { return unary("neg"); })
      .Case([&](lir::GeluOp o) {
        return unary(o.getApproximate() ? "gelu_tanh" : "gelu_erf");
      })
      .Case([&](lir::AddOp) { return binary("add"); })
      .Case([&](lir::SubOp) { return binary("sub"); })
      .Case([&](lir::MulOp) { return binary("mul"); })
      .Case([&](lir::DivOp) { return binary("div"); })
      .Case([&](lir::MaxOp) { return binary("max"); })
      .Case([&](lir::MinOp) { return binary("min"); })
      .Default([](Operation *) { return ""; });
}

/// Multiply-adds times two for the contractions; one per result element
/// for everything else.
uint64_t flopsOf(Operation *op) {
  if (auto m = dyn_cast<lir::MatmulOp>(op)) {
    RankedTensorType l = tt(m.getLhs());
    int64_t k = l.getDimSize(l.getRank() - (m.getTransposeLhs() ? 2 : 1));
    return 2 * static_cast<uint64_t>(tt(m.getResult()).getNumElements()) * k;
  }
  if (isa<lir::Conv2dOp, lir::Conv2dBackwardInputOp,
          lir::Conv2dBackwardFilterOp>(op)) {
    // Every variant performs the forward's multiply-adds: per output
    // element of the forward, C/g * KH * KW of them.
    Value filter = isa<lir::Conv2dBackwardFilterOp>(op) ? op->getResult(0)
                                                        : op->getOperand(1);
    Value forwardOut = isa<lir::Conv2dOp>(op) ? op->getResult(0)
                       : isa<lir::Conv2dBackwardInputOp>(op)
                           ? op->getOperand(0)
                           : op->getOperand(1);
    RankedTensorType f = tt(filter);
    uint64_t perOut = f.getDimSize(1) * f.getDimSize(2) * f.getDimSize(3);
    return 2 * static_cast<uint64_t>(tt(forwardOut).getNumElements()) * perOut;
  }
  if (isa<lir::AttentionWithLseOp, lir::AttentionBackwardOp>(op)) {
    // The (query, key) pairs the kernel computes (under a causal mask, the
    // diagonal and below); per pair 2 (D + DV) flops forward, and the
    // backward's 2 (3 D + 2 DV): S, dP, dV, dK, dQ.
    RankedTensorType q = tt(op->getOperand(0)), v = tt(op->getOperand(2));
    int64_t rank = q.getRank();
    uint64_t t = q.getDimSize(rank - 2),
             s = tt(op->getOperand(1)).getDimSize(rank - 2);
    uint64_t d = q.getDimSize(rank - 1), dv = v.getDimSize(rank - 1);
    uint64_t batch = q.getNumElements() / std::max<uint64_t>(t * d, 1);
    bool causal = op->hasAttr("causal");
    uint64_t pairs = batch * (causal ? t * (t + 1) / 2 : t * s);
    return isa<lir::AttentionWithLseOp>(op) ? pairs * 2 * (d + dv)
                                            : pairs * 2 * (3 * d + 2 * dv);
  }
  uint64_t n = 0;
  for (Value r : op->getResults())
    n += static_cast<uint64_t>(tt(r).getNumElements());
  return n;
}

/// Clones `group`'s body after `b`, its arguments taking what `map` maps
/// its inputs to, and maps its results to their clones. A multi_tensor
/// group's members are inlined the same way, in order.
void inlineGroup(Operation *group, OpBuilder &b, IRMapping &map) {
  Block &body = group->getRegion(0).front();
  for (auto [input, arg] : llvm::zip(group->getOperands(), body.getArguments()))
    map.map(arg, map.lookup(input));
  for (Operation &op : body.without_terminator()) {
    if (isa<lir::FusionGroupOp>(op))
      inlineGroup(&op, b, map);
    else
      b.clone(op, map);
  }
  Operation *yield = body.getTerminator();
  for (auto [r, y] : llvm::zip(group->getResults(), yield->getOperands()))
    map.map(r, map.lookup(y));
}

/// What a group fuses, for `loom inspect` and the profile: "mul+add+relu";
/// for a multi_tensor group, its members' in braces, a run of alike ones
/// counted: "{mul+reduce}x75".
std::string fusedOpsOf(Operation *group) {
  std::string ops, run;
  unsigned count = 0;
  auto endRun = [&] {
    if (!count)
      return;
    ops += (ops.empty() ? "{" : "+{") + run + "}";
    if (count > 1)
      ops += "x" + std::to_string(count);
    count = 0;
  };
  for (Operation &op : group->getRegion(0).front().without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    if (isa<lir::FusionGroupOp>(op)) {
      std::string m = fusedOpsOf(&op);
      if (count && m != run)
        endRun();
      run = m;
      ++count;
      continue;
    }
    if (!ops.empty())
      ops += "+";
    ops += op.getName().stripDialect();
  }
  endRun();
  return ops;
}

} // namespace

namespace mlir::loom::cpu {

std::vector<int64_t> shapeOf(Value v) { return ints(tt(v).getShape()); }

uint64_t bytesOf(Value v) {
  return static_cast<uint64_t>(tt(v).getNumElements()) *
         ::loom::dtypeSize(*lir::toDType(tt(v).getElementType()));
}

void addOperandTypes(PlannedKernel &k) {
  for (auto [i, v] : llvm::enumerate(k.operands)) {
    k.attrs.push_back(KernelAttr::ofInts("s" + std::to_string(i), shapeOf(v)));
    k.attrs.push_back(KernelAttr::ofInt(
        "t" + std::to_string(i),
        static_cast<int64_t>(*lir::toDType(tt(v).getElementType()))));
    k.bytesMoved += bytesOf(v);
  }
}

Value storageOf(const StepPartition &p, Value v) {
  while (true) {
    auto it = p.viewOf.find(v);
    if (it == p.viewOf.end())
      return v;
    v = it->second;
  }
}

GeneratedKernels::GeneratedKernels(MLIRContext *ctx)
    : module(ModuleOp::create(UnknownLoc::get(ctx))) {}

bool launchesKernel(Operation *op) {
  return !isa<lir::ConstantOp>(op) && !lir::getViewSource(op);
}

FailureOr<StepPartition> partitionStep(func::FuncOp step,
                                       GeneratedKernels &generated) {
  StepPartition p;
  MLIRContext *ctx = step.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(generated.module->getBody());

  // A generated kernel: a function of `inputs` (constants among them are
  // cloned in, views and all) that `cloneBody` fills and that returns
  // `results`, mapped. Kernels that compute the same thing on the same
  // shapes share one function.
  auto emitKernel =
      [&](Location loc, ArrayRef<Value> candidates, ArrayRef<Value> results,
          llvm::function_ref<void(OpBuilder &, IRMapping &)> cloneBody,
          ArrayRef<Operation *> ops, uint64_t flops, StringRef fusionKind = "",
          int64_t members = 0) {
        PlannedKernel k;
        k.kind = "codegen";
        k.symbol = "k" + std::to_string(generated.next);
        SmallVector<Value> inputs;
        SmallVector<Operation *> constants;
        for (Value v : candidates) {
          if (isConstant(v))
            appendConstantChain(v, constants);
          else if (!llvm::is_contained(inputs, v))
            inputs.push_back(v);
        }
        auto fn = b.create<func::FuncOp>(
            loc, k.symbol,
            b.getFunctionType(ValueRange(inputs).getTypes(),
                              ValueRange(results).getTypes()));
        if (!fusionKind.empty())
          fn->setAttr("loom.fusion_group", b.getStringAttr(fusionKind));
        if (members)
          fn->setAttr("loom.fusion_members", b.getI64IntegerAttr(members));
        // Each argument at the location of the value it takes (a fusion
        // group's location fuses all its members').
        Block *body = new Block();
        fn.getBody().push_back(body);
        for (Value v : inputs)
          body->addArgument(v.getType(), v.getLoc());
        OpBuilder fb = OpBuilder::atBlockBegin(body);
        IRMapping map;
        for (auto [v, arg] : llvm::zip(inputs, body->getArguments()))
          map.map(v, arg);
        for (Operation *c : constants)
          fb.clone(*c, map);
        cloneBody(fb, map);
        SmallVector<Value> returned;
        for (Value r : results)
          returned.push_back(map.lookup(r));
        fb.create<func::ReturnOp>(loc, returned);
        std::string key;
        {
          llvm::raw_string_ostream os(key);
          fn.setSymName("k");
          fn->print(os, OpPrintingFlags().useLocalScope());
        }
        auto [existing, fresh] = generated.byText.try_emplace(key, k.symbol);
        if (fresh) {
          fn.setSymName(k.symbol);
          ++generated.next;
        } else {
          fn.erase();
          k.symbol = existing->second;
        }
        k.operands.assign(inputs.begin(), inputs.end());
        k.numInputs = static_cast<unsigned>(inputs.size());
        k.operands.insert(k.operands.end(), results.begin(), results.end());
        k.flops = flops;
        k.ops.assign(ops.begin(), ops.end());
        addOperandTypes(k);
        p.kernels.push_back(std::move(k));
      };

  // A generated kernel running `ops` (in order): its inputs are the values
  // they read that are defined outside the group, its results the values
  // used after it.
  auto generate = [&](ArrayRef<Operation *> ops) {
    llvm::SmallPtrSet<Operation *, 8> inGroup(ops.begin(), ops.end());
    SmallVector<Value> inputs, results;
    uint64_t flops = 0;
    for (Operation *op : ops) {
      flops += flopsOf(op);
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!(def && inGroup.count(def)))
          inputs.push_back(v);
      }
    }
    for (Operation *op : ops)
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(),
                         [&](Operation *u) { return !inGroup.count(u); }))
          results.push_back(r);
    emitKernel(
        ops.front()->getLoc(), inputs, results,
        [&](OpBuilder &fb, IRMapping &map) {
          for (Operation *op : ops)
            fb.clone(*op, map);
        },
        ops, flops);
  };

  // A fusion group is one kernel: its body, the block's arguments taking
  // the group's inputs; a multi_tensor group's members are inlined one
  // after the other, each a loop nest of its own.
  auto generateGroup = [&](Operation *group, StringRef kind, int64_t members) {
    uint64_t flops = 0;
    group->getRegion(0).walk([&](Operation *op) {
      if (!isa<lir::FusionGroupOp, lir::YieldOp>(op))
        flops += flopsOf(op);
    });
    emitKernel(
        group->getLoc(), SmallVector<Value>(group->getOperands()),
        SmallVector<Value>(group->getResults()),
        [&](OpBuilder &fb, IRMapping &map) { inlineGroup(group, fb, map); },
        {group}, flops, kind, members);
    PlannedKernel &k = p.kernels.back();
    k.attrs.insert(k.attrs.begin(),
                   KernelAttr::ofString("fused", fusedOpsOf(group)));
  };

  Block &body = step.getBody().front();
  for (Operation &op : body.without_terminator()) {
    if (!launchesKernel(&op)) {
      if (Value source = lir::getViewSource(&op))
        p.viewOf[op.getResult(0)] = source;
      continue;
    }
    if (auto group = dyn_cast<lir::FusionGroupOp>(op)) {
      if (std::optional<PlannedKernel> k = planContractionGroup(group))
        p.kernels.push_back(std::move(*k));
      else
        generateGroup(group, lir::stringifyFusionKind(group.getKind()), 0);
      continue;
    }
    if (auto multi = dyn_cast<lir::MultiTensorGroupOp>(op)) {
      generateGroup(multi, "multi_tensor",
                    static_cast<int64_t>(llvm::range_size(
                        multi.getBodyBlock().without_terminator())));
      continue;
    }
    if (isa<lir::AllReduceOp, lir::AllGatherOp, lir::ReduceScatterOp>(op)) {
      FailureOr<PlannedKernel> k = planCollective(&op);
      if (failed(k))
        return failure();
      p.kernels.push_back(std::move(*k));
      continue;
    }
    if (op.getNumRegions() != 0 || op.getDialect() == nullptr ||
        op.getDialect()->getNamespace() != "loom")
      return op.emitOpError("cannot be compiled for the CPU: the step holds "
                            "only loom ops");
    std::vector<KernelAttr> attrs;
    std::string kind = oneDnnKind(&op, attrs);
    if (kind.empty()) {
      generate({&op});
      continue;
    }
    PlannedKernel k;
    k.kind = kind;
    k.operands.assign(op.getOperands().begin(), op.getOperands().end());
    k.numInputs = op.getNumOperands();
    k.operands.insert(k.operands.end(), op.getResults().begin(),
                      op.getResults().end());
    k.attrs = std::move(attrs);
    k.flops = flopsOf(&op);
    k.ops = {&op};
    addOperandTypes(k);
    p.kernels.push_back(std::move(k));
  }
  if (failed(placeCollectives(p)))
    return failure();
  // A constant the step returns gets bytes from a kernel that writes it.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (Value v : ret.getOperands())
    if (lir::ConstantOp c = constantOf(v);
        c && llvm::none_of(p.kernels, [&](const PlannedKernel &k) {
          return llvm::is_contained(k.operands, c.getResult());
        }))
      generate({c});
  // Every kernel reads an argument or what a kernel before it wrote: a value
  // nothing writes (a constant seen through a view, once) would be read as
  // whatever bytes the arena held.
  DenseSet<Value> written;
  for (const PlannedKernel &k : p.kernels) {
    for (unsigned i = 0; i < k.numInputs; ++i) {
      Value v = storageOf(p, k.operands[i]);
      if (!isa<BlockArgument>(v) && !written.count(v))
        return k.ops.front()->emitOpError(
                   "internal error: the CPU partition's kernel ")
               << k.symbol << " reads operand " << i
               << ", which no kernel before it writes";
    }
    for (size_t i = k.numInputs; i < k.operands.size(); ++i)
      written.insert(storageOf(p, k.operands[i]));
  }
  return p;
}

} // namespace mlir::loom::cpu
