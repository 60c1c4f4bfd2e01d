//===- Train.cpp - Lowering a train block to a module ---------------------===//
//
// Part of Loom. This file implements the driver of a train block's lowering:
// it checks the settings, instantiates the model, applies `freeze`, binds the
// input shapes from the data and the batch size, and builds @forward, @loss
// and the recipe attribute (Recipe.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"

#include "ir/LoomOps.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/GlobPattern.h"

#include <cmath>

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using llvm::SMRange;

namespace {
const char *const kTrainKeys[] = {
    "model",     "data",     "test",  "batch",  "split", "loss",
    "optimizer", "schedule", "steps", "epochs", "eval",  "checkpoint",
    "init_from", "freeze",   "mesh",  "seed",   "remat", "shard_optimizer",
    "prep"};

std::string suggestion(llvm::StringRef name, std::vector<std::string> names) {
  std::string hint = closestName(name, names);
  return hint.empty() ? std::string() : "; did you mean '" + hint + "'?";
}
} // namespace

bool Elaborator::readOverrides(const ast::ModelDecl &decl, SMRange at) {
  rootOverrides.clear();
  for (const HParamOverride &o : hparamOverrides) {
    std::string flag = "--set " + o.name + "=" + o.value + ": ";
    auto h = llvm::find_if(decl.hparams, [&](const ast::HParam &p) {
      return p.name.name == o.name;
    });
    if (h == decl.hparams.end() && o.name == "epochs" && epochsOverride)
      continue;
    if (h == decl.hparams.end()) {
      std::vector<std::string> names;
      for (const ast::HParam &p : decl.hparams)
        names.push_back(p.name.name);
      std::string hint = closestName(o.name, names);
      error(at,
            flag + "model '" + decl.name.name + "' has no hyper-parameter '" +
                o.name + "'" +
                (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                (names.empty() ? " (it has none)"
                               : " (it has " + llvm::join(names, ", ") + ")"));
      return false;
    }
    llvm::StringRef type = h->type.name, text = o.value;
    std::optional<Val> v;
    if (type == "int") {
      int64_t i;
      if (!text.getAsInteger(10, i))
        v = Val::ofInt(i, at);
    } else if (type == "float") {
      double f;
      if (!text.getAsDouble(f) && std::isfinite(f))
        v = Val::ofFloat(f, at);
    } else if (type == "bool") {
      if (text == "true" || text == "false")
        v = Val::ofBool(text == "true", at);
    } else if (type == "str") {
      Val s;
      s.kind = Val::Kind::Str;
      s.s = o.value;
      s.origin = at;
      v = s;
    } else {
      error(at, flag + "hyper-parameter '" + o.name + "' of model '" +
                    decl.name.name + "' is of type " + type.str() +
                    ", which --set cannot give (int, float, bool or str)");
      return false;
    }
    if (!v) {
      std::string what = type == "int"     ? "an integer"
                         : type == "float" ? "a finite number"
                                           : "true or false";
      error(at, flag + "hyper-parameter '" + o.name + "' of model '" +
                    decl.name.name + "' is " + type.str() + ", so the value " +
                    "must be " + what);
      return false;
    }
    rootOverrides[o.name] = *v;
  }
  return true;
}

OwningOpRef<ModuleOp> Elaborator::lowerTrain(const ast::TrainDecl &train) {
  // Settings: known keys, each once, the required ones present.
  llvm::StringMap<const ast::TrainEntry *> entries;
  std::vector<std::string> known(std::begin(kTrainKeys), std::end(kTrainKeys));
  for (const ast::TrainEntry &e : train.entries) {
    if (!llvm::is_contained(known, e.key.name)) {
      error(e.key.range, "unknown train setting '" + e.key.name + "'" +
                             suggestion(e.key.name, known));
      return nullptr;
    }
    auto [it, inserted] = entries.try_emplace(e.key.name, &e);
    if (!inserted) {
      error(e.key.range, "'" + e.key.name + "' is set twice",
            [&, first = it->second->key.range] {
              note(first, "first set here");
            });
      return nullptr;
    }
  }
  for (const char *required : {"model", "data", "batch", "loss", "optimizer"})
    if (!entries.count(required)) {
      error(train.name.range,
            "train block '" + train.name.name + "' needs '" + required + "'");
      return nullptr;
    }
  if (entries.count("steps") == entries.count("epochs")) {
    error(train.name.range, "train block '" + train.name.name +
                                "' needs exactly one of 'steps' and 'epochs'");
    return nullptr;
  }

  if (!lowerMesh(entries.lookup("mesh")))
    return nullptr;

  // The model tree.
  Scope scope;
  const ast::Expr &modelExpr = *entries["model"]->value;
  auto *call = llvm::dyn_cast<ast::CallExpr>(&modelExpr);
  auto *named =
      llvm::dyn_cast<ast::NameExpr>(call ? call->callee.get() : &modelExpr);
  if (named && !program.models.count(named->name)) {
    error(named->range,
          "unknown model '" + named->name + "'" + modelHint(named->name));
    return nullptr;
  }
  auto *callee = call ? named : nullptr;
  if (!callee) {
    error(modelExpr.range,
          "'model' instantiates a model, e.g. 'model = GPT(d = 384)'");
    return nullptr;
  }
  const ast::ModelDecl &rootDecl = *program.models.lookup(callee->name);
  // `--set epochs=N`, when the model has no hyper-parameter `epochs`: the
  // recipe's length.
  epochsOverride.reset();
  for (const HParamOverride &o : hparamOverrides) {
    if (o.name != "epochs" ||
        llvm::any_of(rootDecl.hparams, [](const ast::HParam &h) {
          return h.name.name == "epochs";
        }))
      continue;
    std::string flag = "--set epochs=" + o.value + ": ";
    if (!entries.count("epochs")) {
      error(entries["steps"]->key.range,
            flag + "train block '" + train.name.name +
                "' counts its length in steps; --steps changes it");
      return nullptr;
    }
    int64_t n = 0;
    if (llvm::StringRef(o.value).getAsInteger(10, n) || n < 1) {
      error(entries["epochs"]->value->range,
            flag + "the number of epochs is a positive integer");
      return nullptr;
    }
    epochsOverride = n;
  }
  if (!readOverrides(rootDecl, modelExpr.range))
    return nullptr;
  std::unique_ptr<Instance> root =
      instantiate(rootDecl, call, scope, "", modelExpr.range);
  if (!root)
    return nullptr;

  // Freeze patterns mark parameters frozen.
  if (auto *f = entries.lookup("freeze")) {
    std::optional<Val> v = eval(*f->value, scope);
    if (!v)
      return nullptr;
    for (const Val &pattern : v->elems) {
      if (pattern.kind != Val::Kind::Str) {
        error(f->value->range, "freeze is a list of parameter patterns such "
                               "as [\"body.*\"]");
        return nullptr;
      }
      auto glob = llvm::GlobPattern::create(pattern.s);
      if (!glob) {
        llvm::consumeError(glob.takeError());
        error(f->value->range, "invalid pattern '" + pattern.s + "'");
        return nullptr;
      }
      bool any = false;
      for (ParamInfo &p : params)
        if (glob->match(p.path))
          any = p.frozen = true;
      if (!any) {
        error(f->value->range, "no parameter matches '" + pattern.s + "'");
        return nullptr;
      }
    }
  }

  // Inputs: the model's forward argument, with symbolic dims bound by the
  // batch size and the data (`seq` for token streams).
  std::optional<int64_t> batch =
      evalInt(*entries["batch"]->value, scope, "'batch'");
  if (!batch)
    return nullptr;
  if (*batch < 1) {
    error(entries["batch"]->value->range,
          "'batch' must be at least 1, not " + llvm::Twine(*batch));
    return nullptr;
  }
  if (batchOverride)
    batch = batchOverride;
  // The recipe's batch is the global one; each rank's program runs its
  // share.
  if (*batch % dataRanks != 0) {
    error(entries["batch"]->value->range,
          "'batch' is the global batch, split evenly over the " +
              llvm::Twine(dataRanks) + " ranks of the mesh's data axis; " +
              llvm::Twine(*batch) + " is not divisible by " +
              llvm::Twine(dataRanks),
          [&] { noteMeshOverride(); });
    return nullptr;
  }
  batch = *batch / dataRanks;
  const ast::Forward &fwd = *root->decl->forward;
  if (fwd.args.size() != 1) {
    error(fwd.range, "a trained model's forward takes one input, the batch "
                     "'x'; this one takes " +
                         llvm::Twine(fwd.args.size()));
    return nullptr;
  }
  const ast::Expr &dataExpr = *entries["data"]->value;
  auto *dataCall = llvm::dyn_cast<ast::CallExpr>(&dataExpr);
  auto *dataKind = dataCall
                       ? llvm::dyn_cast<ast::NameExpr>(dataCall->callee.get())
                       : nullptr;
  bool tokens = dataKind && dataKind->name == "tokens";
  std::vector<int64_t> dataDims = {*batch};
  if (tokens) {
    for (const ast::Arg &a : dataCall->args)
      if (a.name.name == "seq" ||
          (a.name.name.empty() &&
           &a == &dataCall
                      ->args[std::min<size_t>(1, dataCall->args.size() - 1)] &&
           dataCall->args.size() > 1)) {
        std::optional<int64_t> seq = evalInt(*a.value, scope, "'seq'");
        if (!seq)
          return nullptr;
        if (*seq < 1) {
          error(a.value->range, "'seq' must be positive");
          return nullptr;
        }
        dataDims.push_back(*seq);
      }
  }
  Scope bind;
  bind.inst = root.get();
  llvm::SmallVector<int64_t> xShape;
  size_t nextData = 0;
  for (const ast::ExprPtr &d : fwd.args[0].type.dims) {
    auto *name = llvm::dyn_cast<ast::NameExpr>(d.get());
    if (name && name->name == "...") {
      error(d->range, "the input of a trained model needs every dimension "
                      "spelled out, not '...'");
      return nullptr;
    }
    if (name && !bind.locals.count(name->name) &&
        !root->env.count(name->name)) {
      if (nextData >= dataDims.size()) {
        error(d->range, "cannot bind dimension '" + name->name +
                            "' of the model's input: the data gives " +
                            (tokens ? "batch and seq" : "only the batch size"));
        return nullptr;
      }
      bind.locals[name->name] = Val::ofInt(dataDims[nextData++], d->range);
    }
    std::optional<int64_t> n = evalInt(*d, bind, "a dimension");
    if (!n)
      return nullptr;
    xShape.push_back(*n);
  }
  std::optional<Type> xElem = dtypeByName(fwd.args[0].type.dtype.name);
  if (!xElem) {
    (void)evalType(fwd.args[0].type, bind);
    return nullptr;
  }
  if (!checkWrittenShape(xShape, *xElem, fwd.args[0].type.range,
                         "the model's input"))
    return nullptr;
  auto xType = RankedTensorType::get(xShape, *xElem);
  RankedTensorType yType =
      tokens ? RankedTensorType::get(xShape, b.getI32Type())
             : RankedTensorType::get({*batch}, b.getI32Type());
  // csv(..., target = C): one f32 regression target per example, in the
  // shape of the model's output ([B] or [B, 1]), set once @forward is built.
  const ast::Arg *targetArg = nullptr;
  bool inferred = false;
  if (dataKind && dataKind->name == "csv") {
    for (const ast::Arg &a : dataCall->args)
      if (a.name.name == "target" ||
          (a.name.name.empty() && &a == &dataCall->args[0] + 2))
        targetArg = &a;
    // A label column of numbers not all integral (Recipe.cpp).
    if (!targetArg)
      inferred = (targetArg = inferredTarget(*dataCall, scope)) != nullptr;
  }
  if (tokens && !xElem->isInteger(32)) {
    error(fwd.args[0].type.range, "a model trained on tokens takes i32 "
                                  "token ids");
    return nullptr;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(loc(train.range));
  buildMesh(*module);
  // @forward: inference, dropout off.
  trainingMode = false;
  beginFunction(*module, "forward", {xType}, {"x"}, fwd.range);
  {
    Val x = Val::ofTensor(currentFunc.getArgument(params.size()),
                          fwd.args[0].name.range);
    std::optional<Val> out = callForward(*root, {x}, modelExpr.range);
    if (!out)
      return nullptr;
    endFunction(out->tensor, fwd.range);
  }
  if (targetArg) {
    auto out = dyn_cast<RankedTensorType>(
        module->lookupSymbol<func::FuncOp>("forward").getResultTypes()[0]);
    // Several targets: one number per target column, f32[B, K].
    int64_t k = 1;
    if (auto *list = dyn_cast<ast::ListExpr>(targetArg->value.get()))
      k = static_cast<int64_t>(list->elements.size());
    else if (auto *tuple = dyn_cast<ast::TupleExpr>(targetArg->value.get()))
      k = static_cast<int64_t>(tuple->elements.size());
    bool fits = out && out.getElementType().isF32() && out.getRank() >= 1 &&
                out.getRank() <= 2 && out.getDimSize(0) == *batch &&
                (k == 1 ? out.getRank() == 1 || out.getDimSize(1) == 1
                        : out.getRank() == 2 && out.getDimSize(1) == k);
    if (!fits) {
      std::string got = out ? typeStr(out) : std::string("that");
      if (k == 1)
        error(targetArg->value->range,
              std::string(inferred
                              ? "the label column holds numbers that are not "
                                "all integral, a regression target (classes "
                                "= \"numbers\" reads classes): "
                              : "") +
                  "a regression target is one number per example, so the "
                  "model's output must be f32[" +
                  llvm::Twine(*batch) + "] or f32[" + llvm::Twine(*batch) +
                  ", 1], not " + got);
      else
        error(targetArg->value->range,
              llvm::Twine(k) + " regression targets are " + llvm::Twine(k) +
                  " numbers per example, so the model's output must be f32[" +
                  llvm::Twine(*batch) + ", " + llvm::Twine(k) + "], not " +
                  got);
      return nullptr;
    }
    yType = out;
  }
  // @loss: the training objective, dropout on.
  trainingMode = true;
  const ast::Expr &lossExpr = *entries["loss"]->value;
  beginFunction(*module, "loss", {xType, yType}, {"x", "y"}, lossExpr.range);
  {
    Scope lossScope;
    lossScope.locals["x"] =
        Val::ofTensor(currentFunc.getArgument(params.size()), lossExpr.range);
    lossScope.locals["y"] = Val::ofTensor(
        currentFunc.getArgument(params.size() + 1), lossExpr.range);
    Val model;
    model.kind = Val::Kind::Instance;
    model.inst = root.get();
    lossScope.locals["model"] = model;
    std::optional<Val> loss = eval(lossExpr, lossScope);
    if (!loss)
      return nullptr;
    std::optional<Value> t = tensorOf(*loss, lossExpr.range, "the loss");
    if (!t)
      return nullptr;
    auto type = cast<RankedTensorType>(t->getType());
    if (type.getRank() != 0 || !isa<FloatType>(type.getElementType())) {
      error(lossExpr.range, "the loss must be a floating-point scalar, but "
                            "is " +
                                typeStr(type) +
                                "; reduce it, e.g. with mean()");
      return nullptr;
    }
    endFunction(*t, lossExpr.range);
  }

  Attribute recipe = buildRecipe(train, scope);
  if (!recipe)
    return nullptr;
  (*module)->setAttr("loom.train", recipe);
  if (failed(verify(*module))) {
    error(train.range, "internal error: the lowered IR does not verify "
                       "(please report this with the program)");
    return nullptr;
  }
  return module;
}

bool Elaborator::lowerMesh(const ast::TrainEntry *mesh) {
  // `mesh = (data = D, model = 1)`: named axes, each a positive count.
  std::optional<int64_t> data;
  if (mesh) {
    auto *tuple = llvm::dyn_cast<ast::TupleExpr>(mesh->value.get());
    if (!tuple || tuple->elements.empty() ||
        llvm::any_of(tuple->elements,
                     [](const ast::Arg &a) { return a.name.name.empty(); })) {
      error(mesh->value->range, "mesh names the ranks of each axis, e.g. "
                                "'mesh = (data = 2)'");
      return false;
    }
    Scope scope;
    for (const ast::Arg &axis : tuple->elements) {
      if (axis.name.name != "data" && axis.name.name != "model") {
        error(axis.name.range,
              "unknown mesh axis '" + axis.name.name +
                  "' (the axes are data and model)" +
                  suggestion(axis.name.name, {"data", "model"}));
        return false;
      }
      std::optional<int64_t> n = evalInt(*axis.value, scope, "a mesh axis");
      if (!n)
        return false;
      if (*n < 1) {
        error(axis.value->range, "mesh axis '" + axis.name.name +
                                     "' needs at least 1 rank, not " +
                                     llvm::Twine(*n));
        return false;
      }
      if (axis.name.name == "data")
        data = *n;
      meshRanks[axis.name.name == "data" ? 0 : 1] = *n;
    }
  }
  // `--mesh` replaces the train block's mesh (checked above) whole; its
  // errors name the flag, not a line that does not say it.
  if (meshOverride) {
    data = meshOverride->data;
    meshRanks[0] = meshOverride->data.value_or(0);
    meshRanks[1] = meshOverride->model.value_or(0);
  }
  auto meshError = [&](const llvm::Twine &message) {
    if (meshOverride)
      error(SMRange(), "--mesh " + meshOverride->flag + ": " + message);
    else
      error(mesh->value->range, message);
  };
  int64_t model = std::max<int64_t>(meshRanks[1], 1);
  // A batch override compiles the program of one process (loom run
  // --batch, evaluation at batch 1).
  if (batchOverride) {
    dataRanks = 1;
    return true;
  }
  // The ranks of a model axis share each batch: a run of data x model
  // ranks.
  if (ranksOverride && model > 1) {
    if (*ranksOverride != data.value_or(1) * model) {
      meshError("mesh asks for " + llvm::Twine(data.value_or(1) * model) +
                " ranks (" + llvm::Twine(model) +
                " on its model axis), but this run has " +
                llvm::Twine(*ranksOverride) + " (mpirun -n " +
                llvm::Twine(*ranksOverride) + ")");
      return false;
    }
    dataRanks = data.value_or(1);
    return true;
  }
  if (ranksOverride && data && *data != *ranksOverride) {
    meshError("mesh asks for " + llvm::Twine(*data) +
              " ranks on its data axis, but this run has " +
              llvm::Twine(*ranksOverride) + " (mpirun -n " +
              llvm::Twine(*ranksOverride) + ")");
    return false;
  }
  dataRanks = ranksOverride ? *ranksOverride : data.value_or(1);
  return true;
}

namespace mlir::loom {
OwningOpRef<ModuleOp> lowerProgram(
    MLIRContext &ctx, const Program &program, DiagnosticEngine &diags,
    llvm::StringRef trainName, std::optional<int64_t> batch,
    std::optional<int64_t> ranks, llvm::ArrayRef<HParamOverride> overrides,
    ShardingLowering sharding, const std::optional<MeshOverride> &mesh) {
  const auto &trains = program.main().trains;
  const ast::TrainDecl *train = nullptr;
  size_t matches = 0;
  for (const auto &t : trains)
    if (trainName.empty() || t->name.name == trainName) {
      train = t.get();
      ++matches;
    }
  if (matches != 1) {
    std::vector<std::string> names;
    for (const auto &t : trains)
      names.push_back(t->name.name);
    llvm::StringRef file = program.main().filename;
    diags.fileError(
        file,
        trains.empty()
            ? "the program has no train block to compile; add 'train NAME "
              "{ ... }', or check its models with 'loom check " +
                  file.str() + "'"
        : trainName.empty()
            ? "the program has several train blocks (" +
                  llvm::join(names, ", ") + "); pick one with --train NAME"
            : "no train block named '" + trainName.str() +
                  "' (there are: " + llvm::join(names, ", ") + ")");
    return nullptr;
  }
  Elaborator elaborator(ctx, program, diags);
  elaborator.batchOverride = batch;
  elaborator.ranksOverride = ranks;
  elaborator.hparamOverrides.assign(overrides.begin(), overrides.end());
  elaborator.sharding = sharding;
  elaborator.meshOverride = mesh;
  return elaborator.lowerTrain(*train);
}
} // namespace mlir::loom
