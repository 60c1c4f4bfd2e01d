//===- Recipe.cpp - Module attributes the artifact records ----------------===//
//
// Part of Loom. Turns what the compiler keeps as attributes into what the
// runtime reads: the `loom.train` recipe as the runtime's Recipe (and its
// JSON, written by the runtime's codec), a parameter's `loom.init`
// dictionary as an InitSpec, and other attributes as JSON text.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/Recipe.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;

namespace {

void writeString(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      os << "\\\"";
      break;
    case '\\':
      os << "\\\\";
      break;
    case '\n':
      os << "\\n";
      break;
    case '\t':
      os << "\\t";
      break;
    case '\r':
      os << "\\r";
      break;
    default:
      if (c < 0x20)
        os << llvm::format("\\u%04x", c);
      else
        os << c;
    }
  }
  os << '"';
}

void writeJson(llvm::raw_ostream &os, Attribute a) {
  if (auto d = dyn_cast<DictionaryAttr>(a)) {
    os << '{';
    bool first = true;
    for (NamedAttribute n : d) {
      os << (first ? "" : ",");
      first = false;
      writeString(os, n.getName().getValue());
      os << ':';
      writeJson(os, n.getValue());
    }
    os << '}';
  } else if (auto arr = dyn_cast<ArrayAttr>(a)) {
    os << '[';
    for (auto [i, e] : llvm::enumerate(arr)) {
      os << (i ? "," : "");
      writeJson(os, e);
    }
    os << ']';
  } else if (auto dense = dyn_cast<DenseI64ArrayAttr>(a)) {
    os << '[';
    for (auto [i, e] : llvm::enumerate(dense.asArrayRef()))
      os << (i ? "," : "") << e;
    os << ']';
  } else if (auto s = dyn_cast<StringAttr>(a)) {
    writeString(os, s.getValue());
  } else if (auto b = dyn_cast<BoolAttr>(a)) {
    os << (b.getValue() ? "true" : "false");
  } else if (auto i = dyn_cast<IntegerAttr>(a)) {
    os << i.getValue().getSExtValue();
  } else if (auto f = dyn_cast<FloatAttr>(a)) {
    double v = f.getValueAsDouble();
    if (std::isfinite(v))
      os << llvm::format("%.17g", v);
    else
      os << "null";
  } else if (isa<UnitAttr>(a)) {
    os << "true";
  } else {
    std::string text;
    llvm::raw_string_ostream ts(text);
    a.print(ts);
    writeString(os, ts.str());
  }
}

std::optional<double> number(DictionaryAttr d, llvm::StringRef key) {
  if (!d)
    return std::nullopt;
  if (auto f = d.getAs<FloatAttr>(key))
    return f.getValueAsDouble();
  if (auto i = d.getAs<IntegerAttr>(key))
    return static_cast<double>(i.getInt());
  return std::nullopt;
}

} // namespace

static ::loom::data::DataSpec dataSpecOf(mlir::loom::DataAttr d) {
  ::loom::data::DataSpec spec;
  spec.kind = d.getKind().str();
  spec.path = d.getPath().str();
  spec.seq = d.getSeq().value_or(0);
  if (!d.getDtype().empty())
    spec.dtype = d.getDtype().str();
  spec.label = d.getLabel().str();
  // A csv's label column (class numbers or names) or regression target.
  using Kind = ::loom::data::LabelSpec::Kind;
  llvm::StringRef labels = mlir::loom::labelKind(d);
  if (labels == "target") {
    llvm::SmallVector<llvm::StringRef> columns = mlir::loom::targetColumns(d);
    spec.label = columns.front().str();
    spec.labelSpec.kind = Kind::Values;
    if (columns.size() > 1)
      for (llvm::StringRef c : columns)
        spec.labelSpec.targets.push_back(c.str());
  } else if (labels == "names") {
    spec.labelSpec.kind = Kind::Names;
    if (auto names = mlir::dyn_cast_or_null<mlir::ArrayAttr>(d.getClasses())) {
      spec.labelSpec.namesFrom = "the recipe's classes";
      for (mlir::Attribute n : names)
        spec.labelSpec.names.push_back(mlir::cast<StringAttr>(n).str());
    }
  }
  spec.labels = d.getLabels().str();
  spec.images = d.getImages().str();
  return spec;
}

static ::loom::train::Cadence cadenceOf(mlir::loom::CadenceAttr c) {
  ::loom::train::Cadence cadence;
  if (c) {
    cadence.every = c.getEvery();
    cadence.epochs = c.getUnit() == "epochs";
  }
  return cadence;
}

namespace mlir::loom::cpu {

std::string toJson(Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeJson(os, attr);
  return os.str();
}

::loom::train::Recipe recipeOf(mlir::loom::RecipeAttr r) {
  ::loom::train::Recipe recipe;
  recipe.name = r.getName().str();
  recipe.data = dataSpecOf(r.getData());
  if (mlir::loom::SplitAttr split = r.getSplit()) {
    recipe.data.fraction = split.getFraction();
    recipe.data.splitSeed = static_cast<uint64_t>(split.getSeed());
  }
  if (r.getTest()) {
    recipe.test = dataSpecOf(r.getTest());
    recipe.test->fraction = 0; // all of it evaluates
  }
  recipe.batch = r.getBatch();
  recipe.dataRanks = r.getDataRanks();
  recipe.steps = r.getSteps();
  recipe.epochs = r.getEpochs();
  recipe.eval = cadenceOf(r.getEval());
  if (mlir::loom::CadenceAttr eval = r.getEval()) {
    recipe.evalOn = eval.getOn().empty() ? "val" : eval.getOn().str();
    if (mlir::ArrayAttr metrics = eval.getMetrics())
      for (mlir::Attribute m : metrics)
        recipe.metrics.push_back(mlir::cast<StringAttr>(m).str());
  }
  recipe.checkpoint = cadenceOf(r.getCheckpoint());
  if (r.getCheckpoint())
    recipe.keep = r.getCheckpoint().getKeep().value_or(0);
  recipe.seed = static_cast<uint64_t>(r.getSeed());
  recipe.initFrom = r.getInitFrom().str();
  recipe.prep = r.getPrep().str();
  if (mlir::ArrayAttr freeze = r.getFreeze())
    for (mlir::Attribute p : freeze)
      recipe.freeze.push_back(mlir::cast<StringAttr>(p).str());
  mlir::loom::OptimizerAttr o = r.getOptimizer();
  ::loom::train::Optimizer &opt = recipe.optimizer;
  opt.kind = o.getKind().str();
  opt.lr = o.getLr();
  opt.momentum = o.getMomentum().value_or(opt.momentum);
  opt.nesterov = o.getNesterov().value_or(opt.nesterov);
  if (mlir::DenseF64ArrayAttr betas = o.getBetas()) {
    opt.beta1 = betas[0];
    opt.beta2 = betas[1];
  }
  opt.eps = o.getEps().value_or(opt.eps);
  opt.alpha = o.getAlpha().value_or(opt.alpha);
  opt.centered = o.getCentered().value_or(opt.centered);
  opt.weightDecay = o.getWeightDecay().value_or(opt.weightDecay);
  if (o.getClipNorm())
    opt.clipNorm = *o.getClipNorm();
  if (mlir::loom::ScheduleAttr s = r.getSchedule()) {
    ::loom::train::Schedule &sched = recipe.schedule;
    sched.kind = s.getKind().str();
    sched.every = s.getEvery().value_or(sched.every);
    sched.gamma = s.getGamma().value_or(sched.gamma);
    sched.warmup = s.getWarmup().value_or(sched.warmup);
    sched.minLr = s.getMinLr().value_or(sched.minLr);
    sched.factor = s.getFactor().value_or(sched.factor);
    sched.patience = s.getPatience().value_or(sched.patience);
  }
  return recipe;
}

std::string recipeJson(mlir::loom::RecipeAttr recipe) {
  return ::loom::train::writeRecipe(recipeOf(recipe));
}

::loom::InitSpec initSpecOf(DictionaryAttr attr) {
  ::loom::InitSpec spec;
  if (auto kind = attr ? attr.getAs<StringAttr>("kind") : nullptr)
    spec.kind = kind.str();
  spec.mean = number(attr, "mean").value_or(spec.mean);
  spec.std = number(attr, "std").value_or(spec.std);
  spec.low = number(attr, "low").value_or(spec.low);
  spec.high = number(attr, "high").value_or(spec.high);
  spec.gain = number(attr, "gain").value_or(spec.gain);
  spec.value = number(attr, "value").value_or(spec.value);
  spec.fanIn = number(attr, "fan_in").value_or(spec.fanIn);
  spec.fanOut = number(attr, "fan_out").value_or(spec.fanOut);
  return spec;
}

} // namespace mlir::loom::cpu
