//===- Recipe.cpp - Lowering train blocks ---------------------------------===//
//
// Part of Loom. This file implements the lowering of a train block: it checks
// every setting against its schema (ir/RecipeSchema.cpp's recipeKinds: unknown
// keys, kinds and arguments get a "did you mean"), instantiates the model,
// binds the input shapes from the data and batch, builds
// `func @forward(params..., x)` and `func @loss(params..., x, y [, rng])`,
// and records the recipe (data, split, optimizer, schedule, cadences) as the
// module's `loom.train` attribute, a #loom.recipe, for the passes and the
// runtime; the optimizer and schedule record their setting's location
// (`loc`) for the ops built from them.
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"

#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"
#include "runtime/data/TablePrep.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/GlobPattern.h"

#include <cctype>
#include <cmath>

using namespace mlir::loom;
using namespace mlir;
namespace lir = mlir::loom;
using llvm::SMRange;
using mlir::loom::RuleLoc;

namespace {

std::string suggestion(llvm::StringRef name, std::vector<std::string> names) {
  std::string hint = closestName(name, names);
  return hint.empty() ? std::string() : "; did you mean '" + hint + "'?";
}

} // namespace

//===----------------------------------------------------------------------===//
// Values to attributes
//===----------------------------------------------------------------------===//

std::optional<Attribute> Elaborator::toAttr(const Val &v, SMRange at) {
  switch (v.kind) {
  case Val::Kind::Int:
    return b.getI64IntegerAttr(v.i);
  case Val::Kind::Float:
    return b.getF64FloatAttr(v.f);
  case Val::Kind::Bool:
    return b.getBoolAttr(v.b);
  case Val::Kind::Str:
    return b.getStringAttr(v.s);
  case Val::Kind::Tuple:
  case Val::Kind::List: {
    llvm::SmallVector<Attribute> elems;
    for (const Val &e : v.elems) {
      std::optional<Attribute> a = toAttr(e, at);
      if (!a)
        return std::nullopt;
      elems.push_back(*a);
    }
    return b.getArrayAttr(elems);
  }
  default:
    error(at, "a train setting must be a number, a string, a bool or a "
              "tuple of them");
    return std::nullopt;
  }
}

/// Lowers `kind(args...)` for `setting` to its recipe attribute
/// (#loom.data, #loom.optimizer, #loom.schedule) with every default filled
/// in; `loc` is where the setting was written.
static Attribute recipeCall(
    Elaborator &e, llvm::StringRef setting, const ast::Expr &value,
    Scope &scope, LocationAttr loc,
    llvm::function_ref<std::optional<Attribute>(const Val &, SMRange)> toAttr) {
  auto *call = llvm::dyn_cast<ast::CallExpr>(&value);
  auto *callee = call ? llvm::dyn_cast<ast::NameExpr>(call->callee.get())
                      : llvm::dyn_cast<ast::NameExpr>(&value);
  std::vector<std::string> kinds;
  for (const RecipeKind &k : recipeKinds())
    if (setting == k.setting)
      kinds.push_back(k.kind);
  if (!callee) {
    e.error(value.range, "'" + setting + "' is one of " +
                             llvm::join(kinds, ", ") + ", e.g. " +
                             kinds.front() + "(...)");
    return nullptr;
  }
  const RecipeKind *kind = findRecipeKind(setting, callee->name);
  if (!kind) {
    e.error(callee->range, "unknown " + setting + " '" + callee->name +
                               "' (one of " + llvm::join(kinds, ", ") + ")" +
                               suggestion(callee->name, kinds));
    return nullptr;
  }
  OpBuilder &b = e.builder();
  llvm::SmallVector<NamedAttribute> attrs;
  std::vector<const ast::Expr *> given(kind->args.size(), nullptr);
  if (call) {
    size_t positional = 0;
    for (const ast::Arg &arg : call->args) {
      size_t index = positional;
      if (arg.name.name.empty()) {
        if (positional++ >= kind->args.size()) {
          e.error(arg.value->range,
                  llvm::Twine(kind->kind) + " takes at most " +
                      llvm::Twine(kind->args.size()) + " arguments");
          return nullptr;
        }
      } else {
        auto it = llvm::find_if(kind->args, [&](const RecipeArg &a) {
          return arg.name.name == a.name;
        });
        if (it == kind->args.end()) {
          std::vector<std::string> names;
          for (const RecipeArg &a : kind->args)
            names.push_back(a.name);
          e.error(arg.name.range, llvm::Twine(kind->kind) +
                                      " has no argument '" + arg.name.name +
                                      "'" + suggestion(arg.name.name, names));
          return nullptr;
        }
        index = it - kind->args.begin();
      }
      if (given[index]) {
        e.error(arg.value->range, "argument given twice");
        return nullptr;
      }
      given[index] = arg.value.get();
    }
  }
  std::vector<std::optional<Val>> values(kind->args.size());
  for (auto [i, a] : llvm::enumerate(kind->args)) {
    std::optional<Val> &v = values[i];
    SMRange at = given[i] ? given[i]->range : value.range;
    if (given[i]) {
      v = e.eval(*given[i], scope);
      if (v && !checkRecipeRange(e, kind->kind, a, *v, at))
        return nullptr;
    } else if (llvm::StringRef(a.dflt).empty()) {
      e.error(value.range, llvm::Twine(kind->kind) + " needs '" + a.name + "'");
      return nullptr;
    } else if (llvm::StringRef(a.dflt) == "-") {
      continue;
    } else {
      // Defaults are written as Loom literals.
      llvm::StringRef text = a.dflt;
      if (text == "true" || text == "false")
        v = Val::ofBool(text == "true");
      else if (text.starts_with("\"")) {
        Val s;
        s.kind = Val::Kind::Str;
        s.s = text.drop_front().drop_back().str();
        v = s;
      } else if (text.starts_with("(")) {
        Val t;
        t.kind = Val::Kind::Tuple;
        llvm::SmallVector<llvm::StringRef> parts;
        text.drop_front().drop_back().split(parts, ',');
        for (llvm::StringRef part : parts)
          t.elems.push_back(Val::ofFloat(std::stod(part.trim().str())));
        v = t;
      } else if (text.contains('.') || text.contains('e')) {
        v = Val::ofFloat(std::stod(text.str()));
      } else {
        v = Val::ofInt(std::stoll(text.str()));
      }
    }
    if (!v)
      return nullptr;
    std::optional<Attribute> attr = toAttr(*v, at);
    if (!attr)
      return nullptr;
    attrs.push_back(b.getNamedAttr(a.name, *attr));
  }
  if (llvm::StringRef(kind->kind) == "csv" &&
      !e.checkCsvLabel(given, values, value.range))
    return nullptr;
  // A label column of numbers that are not all integral is a regression
  // target, unless `classes` says how it writes classes.
  if (llvm::StringRef(kind->kind) == "csv" && call &&
      e.inferredTarget(*call, scope))
    for (NamedAttribute &a : attrs)
      if (a.getName() == "label")
        a = b.getNamedAttr("target", a.getValue());
  // Each given argument has its schema's type (after csv's own checks of
  // its label column, which say more).
  for (auto [i, a] : llvm::enumerate(kind->args))
    if (given[i] &&
        !checkRecipeArgType(e, kind->kind, a, *values[i], given[i]->range))
      return nullptr;
  return buildRecipeSetting([&] { return mlir::emitError(loc); },
                            b.getContext(), setting, kind->kind,
                            b.getDictionaryAttr(attrs), loc);
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

func::FuncOp Elaborator::beginFunction(ModuleOp module, llvm::StringRef name,
                                       llvm::ArrayRef<Type> inputs,
                                       llvm::ArrayRef<std::string> inputNames,
                                       SMRange at) {
  llvm::SmallVector<Type> types;
  for (const ParamInfo &p : params)
    types.push_back(p.type);
  llvm::append_range(types, inputs);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = b.create<func::FuncOp>(loc(at), name, b.getFunctionType(types, {}));
  Block *entry = fn.addEntryBlock();
  // All argument attributes at once: setting them one by one makes a new
  // array of every argument's attributes each time, quadratic in memory.
  llvm::SmallVector<DictionaryAttr> argAttrs;
  for (auto [i, p] : llvm::enumerate(params)) {
    entry->getArgument(i).setLoc(
        NameLoc::get(b.getStringAttr(p.path), loc(p.range)));
    llvm::SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr("loom.param", b.getStringAttr(p.path)),
        b.getNamedAttr("loom.init", p.init)};
    if (p.frozen)
      attrs.push_back(b.getNamedAttr("loom.frozen", b.getUnitAttr()));
    argAttrs.push_back(b.getDictionaryAttr(attrs));
  }
  for (const std::string &n : inputNames)
    argAttrs.push_back(
        b.getDictionaryAttr(b.getNamedAttr("loom.input", b.getStringAttr(n))));
  fn.setAllArgAttrs(argAttrs);
  paramValues.assign(entry->args_begin(), entry->args_begin() + params.size());
  currentFunc = fn;
  currentRng = nullptr;
  b.setInsertionPointToStart(entry);
  shardParams();
  return fn;
}

bool Elaborator::endFunction(Value result, SMRange at) {
  b.create<func::ReturnOp>(loc(at), result);
  currentFunc.setType(b.getFunctionType(
      currentFunc.getBody().front().getArgumentTypes(), {result.getType()}));
  paramValues.clear();
  return true;
}

Value Elaborator::rngKey() {
  if (currentRng)
    return currentRng;
  unsigned index = currentFunc.getNumArguments();
  auto type = RankedTensorType::get({2}, b.getI64Type());
  currentFunc.insertArgument(
      index, type,
      b.getDictionaryAttr(b.getNamedAttr("loom.input", b.getStringAttr("rng"))),
      currentFunc.getLoc());
  currentRng = currentFunc.getArgument(index);
  return currentRng;
}

std::optional<Val> Elaborator::penalty(BuiltinCall &c, bool squared) {
  if (c.scope.inForward || paramValues.empty()) {
    error(c.call.range, llvm::Twine(c.spec.name) +
                            " is a penalty over parameters; use it in the "
                            "train block's loss");
    return std::nullopt;
  }
  if (c.args[0]->kind != Val::Kind::Str) {
    error(c.ranges[0], "the pattern must be a string such as \"*.weight\"");
    return std::nullopt;
  }
  auto glob = llvm::GlobPattern::create(c.args[0]->s);
  if (!glob) {
    llvm::consumeError(glob.takeError());
    error(c.ranges[0], "invalid pattern '" + c.args[0]->s + "'");
    return std::nullopt;
  }
  Location at = c.loc();
  Value total;
  for (auto [i, p] : llvm::enumerate(params)) {
    if (!glob->match(p.path) || !isa<FloatType>(p.type.getElementType()))
      continue;
    Value w = paramValues[i];
    Value term = squared ? b.create<lir::MulOp>(at, w, w).getResult()
                         : b.create<lir::AbsOp>(at, w).getResult();
    llvm::SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(0, p.type.getRank()));
    Value sum =
        b.create<lir::ReduceOp>(at, lir::ReduceKind::sum, term, dims, false);
    // Parameters of one element type sum in it; mixed types sum in f32.
    if (total && tt(sum).getElementType() != tt(total).getElementType()) {
      auto f32 = RankedTensorType::get({}, b.getF32Type());
      if (tt(total).getElementType() != b.getF32Type())
        total = b.create<lir::CastOp>(at, f32, total);
      if (tt(sum).getElementType() != b.getF32Type())
        sum = b.create<lir::CastOp>(at, f32, sum);
    }
    total = total ? b.create<lir::AddOp>(at, total, sum).getResult() : sum;
  }
  if (!total) {
    error(c.ranges[0], "no parameter matches '" + c.args[0]->s + "'");
    return std::nullopt;
  }
  return c.result(total);
}

//===----------------------------------------------------------------------===//
// The train block
//===----------------------------------------------------------------------===//

Attribute Elaborator::buildRecipe(const ast::TrainDecl &train, Scope &scope) {
  DataAttr data, test;
  SplitAttr split;
  CadenceAttr evalCadence, checkpoint;
  OptimizerAttr optimizer;
  ScheduleAttr schedule;
  int64_t batch = 0, seed = 0;
  std::optional<int64_t> steps, epochs;
  std::string initFrom, remat, prep;
  const ast::TrainEntry *prepEntry = nullptr;
  ArrayAttr freeze;
  bool shardOptimizer = false;
  auto toAttrFn = [&](const Val &v, SMRange at) { return toAttr(v, at); };
  for (const ast::TrainEntry &entry : train.entries) {
    llvm::StringRef key = entry.key.name;
    const ast::Expr &value = *entry.value;
    if (key == "model" || key == "loss" || key == "mesh")
      continue; // lowered to IR; the mesh is dataRanks
    if (key == "data" || key == "test" || key == "optimizer" ||
        key == "schedule") {
      // `test` takes the same forms as `data`; the optimizer's and
      // schedule's ops point at their setting.
      Attribute a = recipeCall(*this, key == "test" ? "data" : key, value,
                               scope, loc(entry.key.range), toAttrFn);
      if (!a)
        return nullptr;
      if (key == "data")
        data = cast<DataAttr>(a);
      else if (key == "test")
        test = cast<DataAttr>(a);
      else if (key == "optimizer")
        optimizer = cast<OptimizerAttr>(a);
      else
        schedule = cast<ScheduleAttr>(a);
      continue;
    }
    if (key == "split") {
      auto *splitExpr = llvm::dyn_cast<ast::SplitExpr>(&value);
      const ast::Expr &fracExpr = splitExpr ? *splitExpr->fraction : value;
      std::optional<Val> frac = eval(fracExpr, scope);
      if (!frac)
        return nullptr;
      if (!frac->isNumber() ||
          !(frac->asDouble() > 0 && frac->asDouble() < 1)) {
        error(fracExpr.range, "split is the training fraction, a number "
                              "between 0 and 1 (e.g. 'split = 0.9 seed 1')");
        return nullptr;
      }
      int64_t splitSeed = 0;
      if (splitExpr) {
        std::optional<int64_t> s = evalInt(*splitExpr->seed, scope, "the seed");
        if (!s)
          return nullptr;
        splitSeed = *s;
      }
      split = SplitAttr::get(&ctx, frac->asDouble(), splitSeed);
      continue;
    }
    if (key == "eval" || key == "checkpoint") {
      auto *every = llvm::dyn_cast<ast::EveryExpr>(&value);
      if (!every) {
        error(value.range,
              "'" + key +
                  "' is a cadence such as 'every 250 "
                  "steps" +
                  (key == "eval" ? " on val: loss, accuracy'" : " keep 3'"));
        return nullptr;
      }
      std::optional<int64_t> n = evalInt(*every->count, scope, "the cadence");
      if (!n)
        return nullptr;
      if (*n < 1) {
        error(every->count->range, "the cadence must be at least 1");
        return nullptr;
      }
      llvm::StringRef unit = every->unit.name;
      if (unit == "step" || unit == "epoch")
        unit = unit == "step" ? "steps" : "epochs";
      if (unit != "steps" && unit != "epochs") {
        error(every->unit.range,
              "expected 'steps' or 'epochs', got '" + every->unit.name + "'");
        return nullptr;
      }
      llvm::StringRef on;
      ArrayAttr metrics;
      if (key == "eval") {
        on = every->on.name.empty() ? llvm::StringRef("val")
                                    : llvm::StringRef(every->on.name);
        if (on != "val" && on != "test" && on != "train") {
          error(every->on.range,
                "evaluate 'on' val, test or train, not '" + on + "'");
          return nullptr;
        }
        if (on == "test" &&
            llvm::none_of(train.entries, [](const ast::TrainEntry &t) {
              return t.key.name == "test";
            })) {
          error(every->on.range,
                "train block '" + train.name.name +
                    "' has no test set to evaluate on; add 'test = ...' "
                    "(it takes the forms of 'data') or evaluate on val");
          return nullptr;
        }
        llvm::SmallVector<Attribute> names;
        std::vector<std::string> known(recipeMetrics().begin(),
                                       recipeMetrics().end());
        for (const ast::Ident &m : every->items) {
          if (!llvm::is_contained(known, m.name)) {
            error(m.range, "unknown metric '" + m.name + "' (one of " +
                               llvm::join(known, ", ") + ")" +
                               suggestion(m.name, known));
            return nullptr;
          }
          names.push_back(b.getStringAttr(m.name));
        }
        if (names.empty())
          names.push_back(b.getStringAttr("loss"));
        metrics = b.getArrayAttr(names);
      } else if (!every->items.empty() || !every->on.name.empty()) {
        error(value.range, "a checkpoint cadence takes no 'on' or metrics");
        return nullptr;
      }
      std::optional<int64_t> keep;
      if (every->keep) {
        if (key != "checkpoint") {
          error(every->keep->range, "'keep' applies to checkpoints");
          return nullptr;
        }
        keep = evalInt(*every->keep, scope, "keep");
        if (!keep)
          return nullptr;
        if (*keep < 1) {
          error(every->keep->range, "keep must be at least 1");
          return nullptr;
        }
      }
      (key == "eval" ? evalCadence : checkpoint) =
          CadenceAttr::get(&ctx, *n, unit, on, metrics, keep);
      continue;
    }
    if (key == "prep") {
      // The steps as written; a step that does not parse is an error at
      // its own column.
      const std::string &text = llvm::cast<ast::PrepExpr>(value).text;
      if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        error(value.range, "the prep steps are written without quotes: prep "
                           "= " +
                               text.substr(1, text.size() - 2));
        return nullptr;
      }
      size_t errAt = 0;
      auto steps = ::loom::data::parsePrepSteps(text, [&](size_t off) {
        errAt = std::min(off, text.size());
        return std::string();
      });
      if (!steps) {
        // The word (or character) where the steps stop parsing.
        size_t end = errAt;
        while (end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[end])) ||
                text[end] == '_'))
          ++end;
        end = std::min(std::max(end, errAt + 1), text.size());
        const char *begin = value.range.Start.getPointer();
        error({SMLoc::getFromPointer(begin + errAt),
               SMLoc::getFromPointer(begin + end)},
              steps.status().message());
        return nullptr;
      }
      prep = text;
      prepEntry = &entry;
      continue;
    }
    if (key == "remat") {
      // A policy word, as `on val` names a split: `remat = blocks`.
      auto *word = llvm::dyn_cast<ast::NameExpr>(&value);
      std::vector<std::string> known(recipeRematPolicies().begin(),
                                     recipeRematPolicies().end());
      if (!word || !llvm::is_contained(known, word->name)) {
        error(value.range, "remat is one of " + llvm::join(known, ", ") +
                               (word ? ", not '" + word->name + "'" +
                                           suggestion(word->name, known)
                                     : std::string()));
        return nullptr;
      }
      remat = word->name == "none" ? "" : word->name;
      continue;
    }
    std::optional<Val> v = eval(value, scope);
    if (!v)
      return nullptr;
    if (key == "batch" || key == "steps" || key == "epochs" || key == "seed") {
      if (v->kind != Val::Kind::Int || (key != "seed" && v->i < 1)) {
        error(value.range, "'" + key + "' must be a " +
                               (key == "seed" ? "" : "positive ") + "integer");
        return nullptr;
      }
      (key == "batch"   ? batch
       : key == "seed"  ? seed
       : key == "steps" ? steps.emplace()
                        : epochs.emplace()) = v->i;
    } else if (key == "init_from") {
      if (v->kind != Val::Kind::Str) {
        error(value.range, "init_from is the path of a checkpoint");
        return nullptr;
      }
      initFrom = v->s;
    } else if (key == "freeze") {
      bool ok = v->kind == Val::Kind::List;
      for (const Val &e : v->elems)
        ok &= e.kind == Val::Kind::Str;
      if (!ok) {
        error(value.range, "freeze is a list of parameter patterns such as "
                           "[\"body.*\"]");
        return nullptr;
      }
      std::optional<Attribute> a = toAttr(*v, value.range);
      if (!a)
        return nullptr;
      freeze = cast<ArrayAttr>(*a);
    } else if (key == "shard_optimizer") {
      if (v->kind != Val::Kind::Bool) {
        error(value.range, "shard_optimizer is true or false (ZeRO-1: each "
                           "rank of the mesh's data axis keeps 1/D of the "
                           "optimizer state)");
        return nullptr;
      }
      // ZeRO-1 flattens each gradient to slice it over the data axis,
      // which a model axis's split of it does not survive.
      if (v->b && dataRanks > 1 && meshRanks[1] > 1) {
        error(value.range,
              "shard_optimizer on a mesh with several ranks on both axes "
              "(the optimizer state split over the data axis and the "
              "model axis at once) is not supported yet: set it to false, "
              "or give one of 'data' and 'model' 1 rank");
        return nullptr;
      }
      shardOptimizer = v->b;
    }
  }
  if (prepEntry && data.getKind() != "csv") {
    error(prepEntry->key.range, "prep applies to csv data, and the data is " +
                                    data.getKind().str() + "(...)");
    return nullptr;
  }
  // A test set of the same label column reads it as the training data's
  // inferred regression target.
  if (test && labelKind(test) == "numbers" && !test.getClasses())
    for (const ast::TrainEntry &entry : train.entries)
      if (auto *call = llvm::dyn_cast<ast::CallExpr>(entry.value.get());
          call && entry.key.name == "data" && inferredTarget(*call, scope))
        test =
            DataAttr::get(&ctx, test.getKind(), test.getPath(), test.getSeq(),
                          test.getDtype(), "", b.getStringAttr(test.getLabel()),
                          nullptr, test.getLabels(), test.getImages());
  if (prepEntry && targetColumns(data).size() > 1) {
    error(prepEntry->key.range,
          "prep takes one label or target column (the column no step "
          "changes), and the data names " +
              llvm::Twine(targetColumns(data).size()) + " targets");
    return nullptr;
  }
  if (!checkLabelKinds(train, data, test))
    return nullptr;
  if (batchOverride)
    batch = *batchOverride;
  if (epochsOverride)
    epochs = *epochsOverride;
  return RecipeAttr::getChecked(
      [&] { return mlir::emitError(loc(train.name.range)); }, &ctx,
      llvm::StringRef(train.name.name), data, test, split, batch, steps, epochs,
      evalCadence, checkpoint, seed, optimizer, schedule,
      llvm::StringRef(initFrom), freeze, llvm::StringRef(remat),
      llvm::StringRef(prep), dataRanks, shardOptimizer);
}
