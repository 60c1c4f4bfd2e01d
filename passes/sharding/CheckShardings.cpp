//===- CheckShardings.cpp - --loom-check-shardings ------------------------===//
//
// Part of Loom. This file implements --loom-check-shardings (Passes.td): a
// sharded value that reaches an op without a sharding rule is an error at
// that op, never a silent full replication.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Mesh/IR/MeshDialect.h"
#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterface.h"

#include <optional>

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMCHECKSHARDINGS
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

struct CheckShardingsPass
    : public mlir::loom::impl::LoomCheckShardingsBase<CheckShardingsPass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation().walk([&](Operation *op) {
      if (isa<mesh::MeshDialect>(op->getDialect()) ||
          isa<func::FuncOp, func::ReturnOp, ModuleOp>(op))
        return;
      SmallVector<mesh::MeshShardingAttr> operands;
      std::optional<unsigned> sharded;
      for (OpOperand &operand : op->getOpOperands()) {
        auto shard = operand.get().getDefiningOp<mesh::ShardOp>();
        operands.push_back(shard ? shard.getShard() : nullptr);
        if (shard && !mesh::isFullReplication(shard.getShard()) && !sharded)
          sharded = operand.getOperandNumber();
      }
      if (!sharded)
        return;
      auto rule = dyn_cast<mesh::ShardingInterface>(op);
      if (!rule) {
        op->emitError() << "'" << op->getName()
                        << "' has no sharding rule, so operand " << *sharded
                        << " (sharded as " << operands[*sharded]
                        << ") cannot pass its sharding on; the ops with "
                           "rules are listed in docs/sharding.md";
        failed = true;
        return;
      }
      // Propagation also accepts an op by dropping its operands'
      // shardings; the shardings the op reads must fit its rule.
      SmallVector<mesh::MeshShardingAttr> results;
      for (Value r : op->getResults()) {
        mesh::MeshShardingAttr s;
        if (r.hasOneUse())
          if (auto shard = dyn_cast<mesh::ShardOp>(*r.getUsers().begin()))
            if (!shard.getAnnotateForUsers())
              s = shard.getShard();
        results.push_back(s);
      }
      if (::mlir::failed(rule.getShardingOption(operands, results))) {
        op->emitError() << "'" << op->getName()
                        << "' cannot take its operands sharded as they are ("
                        << "operand " << *sharded << ": " << operands[*sharded]
                        << "): its sharding rule keeps some of these "
                           "dimensions whole (docs/sharding.md)";
        failed = true;
      }
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
