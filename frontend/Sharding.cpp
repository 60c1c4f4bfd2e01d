//===- Sharding.cpp - A train block's mesh and parameter shardings --------===//
//
// Part of Loom. This file implements the lowering of a train block's `mesh`
// to `mesh.mesh @mesh` (MLIR's mesh dialect; axis 0 is `data`, axis 1 is
// `model`) and of a parameter's `shard [...]` to a `mesh.shard` of its
// argument, with the checks of each list against the mesh and the
// parameter's shape: a `mesh.shard` op (`loom compile --emit=ir`) or a
// `loom.shard` argument attribute, which --loom-partition-step reads
// (training); docs/sharding.md describes what exists.
//
//===----------------------------------------------------------------------===//

#include "frontend/Elaborator.h"

#include "mlir/Dialect/Mesh/IR/MeshDialect.h"
#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir::loom;
using namespace mlir;
using llvm::SMRange;

namespace {
const char *const kAxisNames[] = {"data", "model"};
constexpr llvm::StringLiteral kMeshName = "mesh";
} // namespace

bool Elaborator::evalShard(const ast::Expr &shard, const Instance &inst,
                           ParamInfo &info) {
  auto *list = llvm::dyn_cast<ast::ListExpr>(&shard);
  if (!list) {
    error(shard.range, "shard is a list with one entry per dimension, each a "
                       "mesh axis or '_', e.g. 'shard [model, _]'");
    return false;
  }
  int64_t rank = info.type.getRank();
  if (int64_t(list->elements.size()) > rank) {
    error(list->elements[rank]->range,
          "shard has " + llvm::Twine(list->elements.size()) +
              " entries, but parameter '" + info.path + "' has " +
              llvm::Twine(rank) + " dimension" + (rank == 1 ? "" : "s"));
    return false;
  }
  std::vector<int> axes(rank, -1);
  SMRange seen[2];
  for (auto [dim, element] : llvm::enumerate(list->elements)) {
    auto *name = llvm::dyn_cast<ast::NameExpr>(element.get());
    if (!name) {
      error(element->range, "a shard entry is a mesh axis (data or model) or "
                            "'_' for a dimension kept whole");
      return false;
    }
    if (name->name == "_")
      continue;
    const auto *it = llvm::find(kAxisNames, name->name);
    if (it == std::end(kAxisNames)) {
      std::string message = "'" + name->name +
                            "' is not a mesh axis (the axes are data and "
                            "model)";
      std::string hint = closestName(name->name, {"data", "model"});
      if (!hint.empty())
        message += "; did you mean '" + hint + "'?";
      error(name->range, message);
      return false;
    }
    int axis = it - std::begin(kAxisNames);
    if (seen[axis].isValid()) {
      error(name->range,
            "mesh axis '" + name->name +
                "' splits two dimensions of parameter '" + info.path +
                "'; each axis splits at most one",
            [&, first = seen[axis]] { note(first, "first used here"); });
      return false;
    }
    if (axis == 0 && sharding == ShardingLowering::ArgAttrs) {
      error(name->range, "splitting a parameter over the 'data' axis is not "
                         "supported yet (the data axis splits the batch; "
                         "split parameters over 'model')");
      return false;
    }
    seen[axis] = name->range;
    // An axis of one rank (one the mesh leaves out, or no mesh at all)
    // splits nothing: a layer library declares its layout once, and it
    // takes effect where the mesh gives the axis several ranks.
    if (meshRanks[axis] <= 1)
      continue;
    int64_t size = info.type.getDimSize(dim);
    if (!ShapedType::isDynamic(size) && size % meshRanks[axis] != 0) {
      error(name->range,
            "dimension " + llvm::Twine(dim) + " of parameter '" + info.path +
                "' (" + llvm::Twine(size) + ") does not divide over the " +
                llvm::Twine(meshRanks[axis]) + " ranks of mesh axis '" +
                name->name + "'",
            [&] {
              // Linear(d, 3): the shard is written in std, the 3 where it
              // is made.
              if (inst.createdAt.isValid())
                note(inst.createdAt,
                     "in model '" + inst.decl->name.name + "', created here");
            });
      return false;
    }
    axes[dim] = axis;
  }
  info.shard = std::move(axes);
  info.shardRange = shard.range;
  return true;
}

void Elaborator::buildMesh(ModuleOp module) {
  if (meshRanks[0] == 0 && meshRanks[1] == 0)
    return;
  // Training without a model axis of several ranks is plain data
  // parallelism: nothing to partition over (a split over one rank is
  // whole; shardParams leaves it out).
  if (sharding == ShardingLowering::ArgAttrs && meshRanks[1] <= 1)
    return;
  ctx.getOrLoadDialect<mesh::MeshDialect>();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  int64_t shape[] = {std::max<int64_t>(meshRanks[0], 1),
                     std::max<int64_t>(meshRanks[1], 1)};
  b.create<mesh::MeshOp>(module.getLoc(), kMeshName, shape);
}

void Elaborator::shardParams() {
  // Training splits parameters over the ranks of a model axis only when it
  // has several (buildMesh).
  if (sharding == ShardingLowering::ArgAttrs && meshRanks[1] <= 1)
    return;
  for (auto [i, p] : llvm::enumerate(params)) {
    if (llvm::all_of(p.shard, [](int axis) { return axis < 0; }))
      continue;
    llvm::SmallVector<llvm::SmallVector<mesh::MeshAxis>> split;
    for (int axis : p.shard) {
      split.emplace_back();
      if (axis >= 0)
        split.back().push_back(mesh::MeshAxis(axis));
    }
    // Trailing whole dimensions are left out, but not all of them: MLIR 19
    // prints `<@mesh, []>` and cannot parse it back.
    while (split.size() > 1 && split.back().empty())
      split.pop_back();
    auto attr = mesh::MeshShardingAttr::get(
        &ctx, FlatSymbolRefAttr::get(&ctx, kMeshName), split);
    if (sharding == ShardingLowering::ArgAttrs)
      currentFunc.setArgAttr(i, "loom.shard", attr);
    else
      paramValues[i] =
          b.create<mesh::ShardOp>(loc(p.shardRange), paramValues[i], attr);
  }
}
