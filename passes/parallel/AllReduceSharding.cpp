//===- AllReduceSharding.cpp - The sharding rule of loom.all_reduce -------===//
//
// Part of Loom. This file implements the mesh ShardingInterface of
// `loom.all_reduce` as an external model (see AllReduceSharding.h). On a
// mesh (data, model), --loom-data-parallel averages each gradient over the
// data axis before --loom-partition-step splits the step over the model
// axis; an all-reduce over `data` is then elementwise from the model axis's
// point of view: a gradient split over `model` is averaged slice by slice,
// each rank's slice with the slices of the same model coordinate. So its
// rule is the elementwise one (one parallel loop per dimension, operand and
// result alike), and its SPMD form is the op itself on the slices.
//
//===----------------------------------------------------------------------===//

#include "passes/parallel/AllReduceSharding.h"

#include "ir/LoomDialect.h"
#include "ir/LoomOps.h"

#include "mlir/Dialect/Mesh/IR/MeshDialect.h"
#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterface.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterfaceImpl.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::loom;
using mesh::MeshShardingAttr;
using mesh::ShardingOption;

namespace {

/// The mesh axes by index, as the frontend builds the mesh (Sharding.cpp).
const char *const kAxisNames[] = {"data", "model"};

/// Whether `sharding` splits a dimension over (or is partial over) one of
/// the axes `op` reduces over: the all-reduce would mix the slices.
bool usesOwnAxis(AllReduceOp op, MeshShardingAttr sharding) {
  if (!sharding)
    return false;
  auto own = [&](int16_t axis) {
    return axis >= 0 && axis < 2 &&
           llvm::any_of(op.getAxes().getAsValueRange<StringAttr>(),
                        [&](StringRef a) { return a == kAxisNames[axis]; });
  };
  for (mesh::MeshAxesAttr axes : sharding.getSplitAxes())
    if (llvm::any_of(axes.asArrayRef(), own))
      return true;
  return llvm::any_of(sharding.getPartialAxes(), own);
}

struct AllReduceShardingModel
    : mesh::ShardingInterface::ExternalModel<AllReduceShardingModel,
                                             AllReduceOp> {
  static int64_t rank(Operation *op) {
    return cast<RankedTensorType>(op->getResult(0).getType()).getRank();
  }
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(rank(op),
                                            utils::IteratorType::parallel);
  }
  SmallVector<AffineMap> getIndexingMaps(Operation *op) const {
    return {AffineMap::getMultiDimIdentityMap(rank(op), op->getContext()),
            AffineMap::getMultiDimIdentityMap(rank(op), op->getContext())};
  }
  FailureOr<ShardingOption>
  getShardingOption(Operation *op, ArrayRef<MeshShardingAttr> operands,
                    ArrayRef<MeshShardingAttr> results) const {
    // As the other Loom ops' rules (ShardingRules.cpp): replication does not
    // travel, so an all-reduce whose shardings are all whole decides
    // nothing.
    auto whole = [](MeshShardingAttr s) {
      return !s || mesh::isFullReplication(s);
    };
    if (llvm::all_of(operands, whole) && llvm::all_of(results, whole))
      return ShardingOption::makeEmpty();
    auto allReduce = cast<AllReduceOp>(op);
    for (MeshShardingAttr s :
         llvm::concat<const MeshShardingAttr>(operands, results))
      if (usesOwnAxis(allReduce, s))
        return failure();
    FailureOr<ShardingOption> option =
        mesh::detail::defaultGetShardingOption(op, operands, results);
    if (failed(option))
      return failure();
    // An operand that is only partial leaves the default without a mesh.
    if (!option->empty && !option->mesh)
      for (MeshShardingAttr s :
           llvm::concat<const MeshShardingAttr>(operands, results))
        if (s)
          option->mesh = s.getMesh();
    return option;
  }
  LogicalResult spmdize(Operation *op, ArrayRef<Value> spmdizedOperands,
                        ArrayRef<MeshShardingAttr> operandShardings,
                        ArrayRef<MeshShardingAttr> resultShardings,
                        IRMapping &spmdizationMap,
                        SymbolTableCollection &symbolTable,
                        OpBuilder &builder) const {
    mesh::spmdizeTriviallyShardableOperation(
        *op, spmdizedOperands, operandShardings, resultShardings,
        spmdizationMap, symbolTable, builder);
    return success();
  }
};

} // namespace

void mlir::loom::registerAllReduceShardingRule(DialectRegistry &registry) {
  registry.insert<mesh::MeshDialect>();
  registry.addExtension(+[](MLIRContext *ctx, LoomDialect *) {
    AllReduceOp::attachInterface<AllReduceShardingModel>(*ctx);
  });
}
