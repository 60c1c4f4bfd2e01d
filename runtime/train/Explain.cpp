//===- Explain.cpp - The examples explained, permutation importance -------===//
//
// Part of Loom. See Explain.h. Integrated gradients are in Attribution.cpp,
// the report in ExplainReport.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Explain.h"

#include "runtime/data/Batches.h"
#include "runtime/data/CsvPrep.h"
#include "runtime/data/Table.h"
#include "runtime/data/TablePrep.h"
#include "runtime/train/Evaluate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace loom;
using namespace loom::train;

namespace {

/// The eval program's x, y and output, checked: f32 features.
struct EvalIo {
  const IoRecord *x = nullptr, *y = nullptr, *out = nullptr;
  int64_t batch = 0;
};

StatusOr<EvalIo> evalIo(StepExecutor &ex, const Recipe &recipe) {
  EvalIo io;
  if (!ex.programInput("eval", "x", &io.x) ||
      !ex.programInput("eval", "y", &io.y) ||
      !ex.programOutput("eval", "output", &io.out) || io.x->shape.empty())
    return Status::error("the artifact has no evaluation program; recompile "
                         "it with this loom");
  if (recipe.data.kind == "tokens" || io.x->dtype != DType::F32)
    return Status::error(
        "the model reads token ids (a language model): --prompt TEXT "
        "explains its next token; without it loom explain attributes the "
        "f32 features of a classifier or regressor");
  io.batch = io.x->shape[0];
  return io;
}

/// splitmix64: the permutations' generator (the same on every platform).
struct SplitMix {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

} // namespace

Status loom::train::checkExplainable(StepExecutor &ex, const Recipe &recipe) {
  StatusOr<EvalIo> io = evalIo(ex, recipe);
  return io ? Status() : io.status();
}

std::string loom::train::metricName(const ModelOutput &output) {
  return output.regression ? "r2" : "accuracy";
}

StatusOr<ExplainData> loom::train::loadExplainData(StepExecutor &ex,
                                                   const Recipe &recipe,
                                                   const TrainState &state,
                                                   const std::string &csvPath) {
  StatusOr<EvalIo> io = evalIo(ex, recipe);
  if (!io)
    return io.status();
  ExplainData d;
  int64_t batch = io->batch;
  d.features = shapeElements(io->x->shape) / batch;
  d.yBytes =
      shapeElements(io->y->shape) / batch * int64_t(dtypeSize(io->y->dtype));
  ModelOutput &o = d.output;
  o.regression = recipe.data.labelSpec.kind == data::LabelSpec::Kind::Values;
  o.binary = !o.regression && isBinaryOutput(io->out->shape);
  o.width = shapeElements(io->out->shape) / batch;
  std::vector<std::string> labels =
      recipe.data.labelSpec.targets.empty()
          ? std::vector<std::string>{recipe.data.label}
          : recipe.data.labelSpec.targets;
  if (o.regression)
    for (int64_t t = 0; t < o.width; ++t)
      o.names.push_back(size_t(t) < labels.size() ? labels[size_t(t)]
                                                  : std::to_string(t));
  else
    for (int64_t c = 0; c < (o.binary ? 2 : o.width); ++c)
      o.names.push_back(size_t(c) < state.classNames.size()
                            ? state.classNames[size_t(c)]
                            : std::to_string(c));
  int64_t classes = o.binary ? 2 : o.width;

  // The rows explained: those of --data, else the split the recipe's eval
  // reports on (its test set with `on test`, or when no rows validate),
  // else the validation split.
  bool testSet = csvPath.empty() && recipe.test &&
                 (recipe.evalOn == "test" || recipe.data.fraction >= 1.0);
  data::DataSpec spec = recipe.data;
  if (!csvPath.empty() || testSet) {
    // Read as loom eval reads a test file: the test set's settings (or the
    // data's), the checkpoint's classes and prep statistics.
    spec = recipe.test ? *recipe.test : recipe.data;
    if (!csvPath.empty()) {
      if (spec.kind != "csv")
        return Status::error(csvPath + ": the recipe's data are " + spec.kind +
                             " files; --data takes a CSV file like the "
                             "recipe's");
      spec.path = csvPath;
    }
    spec.fraction = 0;
    if (spec.labelSpec.kind == data::LabelSpec::Kind::Names &&
        spec.labelSpec.names.empty()) {
      spec.labelSpec.names = state.classNames;
      spec.labelSpec.namesFrom = "the classes of the model";
    }
    if (!state.prep.empty()) {
      auto fitted = std::make_shared<data::FittedPrep>();
      nlohmann::json j = nlohmann::json::parse(state.prep, nullptr, false);
      if (std::string why =
              j.is_discarded() ? "not JSON" : data::prepFromJson(j, *fitted);
          !why.empty())
        return Status::error("the checkpoint's prep statistics do not load: " +
                             why);
      spec.fitted = fitted;
    }
  }
  StatusOr<std::unique_ptr<data::BatchSource>> source =
      data::openTrainingData(spec, io->x->shape, classes, state.seed);
  if (!source)
    return source.status();
  d.file = spec.kind == "idx" ? spec.images : spec.path;
  if (!csvPath.empty()) {
    d.source = csvPath;
  } else if (testSet) {
    d.source = "the test set " + d.file;
  } else {
    const data::PrepOutcome *prep = (*source)->prep();
    std::string fitted = prep ? data::prepToJson(*prep->fitted).dump() : "";
    if (!state.prep.empty() && fitted != state.prep)
      return Status::error(spec.path +
                           ": the prep statistics fitted on its training "
                           "rows differ from the checkpoint's (the file "
                           "changed?); give the rows to explain with --data");
    d.source = "the validation split of " + d.file;
  }
  d.count = (*source)->validationSize();
  if (d.count == 0)
    return Status::error(
        csvPath.empty() && !testSet
            ? spec.path + ": the recipe's split keeps no validation "
                          "examples; give the rows to explain with --data "
                          "FILE.csv"
            : d.file + ": no rows to explain");
  d.x.resize(size_t(d.count * d.features));
  d.y.resize(size_t(d.count * d.yBytes));
  if (Status s = (*source)->fillValidation(0, d.count, d.x.data(), d.y.data());
      !s)
    return s;
  if (o.regression) {
    d.targets.resize(size_t(d.count * o.width));
    if (d.yBytes != o.width * int64_t(sizeof(float)))
      return Status::error("the model's targets do not match its output");
    std::memcpy(d.targets.data(), d.y.data(), d.y.size());
  } else {
    d.labels.resize(size_t(d.count));
    for (int64_t e = 0; e < d.count; ++e)
      std::memcpy(&d.labels[size_t(e)], d.y.data() + e * d.yBytes,
                  sizeof(int32_t));
  }

  // Feature names: the CSV header's columns other than the labels, when
  // there are as many as features.
  if (spec.kind == "csv") {
    StatusOr<std::vector<std::string>> header = data::csvHeader(spec.path);
    if (header) {
      std::vector<std::string> names;
      for (const std::string &h : *header)
        if (std::find(labels.begin(), labels.end(), h) == labels.end())
          names.push_back(h);
      if (int64_t(names.size()) == d.features)
        d.names = names;
    }
  }
  if (d.names.empty())
    for (int64_t i = 0; i < d.features; ++i)
      d.names.push_back("feature " + std::to_string(i));
  return d;
}

StatusOr<std::vector<float>>
loom::train::trainingMean(StepExecutor &ex, const Recipe &recipe,
                          const TrainState &state) {
  StatusOr<EvalIo> io = evalIo(ex, recipe);
  if (!io)
    return io.status();
  int64_t batch = io->batch;
  int64_t features = shapeElements(io->x->shape) / batch;
  int64_t yBytes =
      shapeElements(io->y->shape) / batch * int64_t(dtypeSize(io->y->dtype));
  StatusOr<int64_t> classes = outputClasses(ex, "the artifact");
  if (!classes)
    return classes.status();
  StatusOr<std::unique_ptr<data::BatchSource>> source =
      data::openTrainingData(recipe.data, io->x->shape, *classes, state.seed);
  if (!source)
    return source.status();
  int64_t n = (*source)->trainSize();
  if (n == 0)
    return Status::error(recipe.data.path +
                         ": no training rows for the mean baseline");
  std::vector<float> x(size_t(n * features));
  std::vector<uint8_t> y(size_t(n * yBytes));
  if (Status s = (*source)->fillTrainSplit(0, n, x.data(), y.data()); !s)
    return s;
  std::vector<double> sum(size_t(features), 0.0);
  for (int64_t e = 0; e < n; ++e)
    for (int64_t i = 0; i < features; ++i)
      sum[size_t(i)] += x[size_t(e * features + i)];
  std::vector<float> mean(static_cast<size_t>(features));
  for (int64_t i = 0; i < features; ++i)
    mean[size_t(i)] = float(sum[size_t(i)] / double(n));
  return mean;
}

StatusOr<double> loom::train::scoreExamples(StepExecutor &ex,
                                            const ExplainData &data,
                                            const std::vector<float> &x,
                                            std::vector<float> *outputs) {
  const IoRecord *xr = nullptr;
  void *xp = ex.programInput("eval", "x", &xr);
  void *yp = ex.programInput("eval", "y");
  int64_t batch = xr->shape[0], f = data.features, w = data.output.width;
  std::vector<float> all(size_t(data.count * w));
  for (int64_t begin = 0; begin < data.count; begin += batch) {
    int64_t rows = std::min(batch, data.count - begin);
    // A partial batch is padded with its last example, whose outputs are
    // not read.
    for (int64_t r = 0; r < batch; ++r) {
      int64_t e = begin + std::min(r, rows - 1);
      std::memcpy(static_cast<float *>(xp) + r * f, x.data() + e * f,
                  size_t(f) * sizeof(float));
      std::memcpy(static_cast<uint8_t *>(yp) + r * data.yBytes,
                  data.y.data() + e * data.yBytes, size_t(data.yBytes));
    }
    if (Status s = ex.run("eval"); !s)
      return s;
    const float *o =
        static_cast<const float *>(ex.programOutput("eval", "output"));
    std::memcpy(all.data() + begin * w, o, size_t(rows * w) * sizeof(float));
  }
  double metric;
  if (data.output.regression) {
    RegressionSums sums;
    sums.add(all.data(), data.targets.data(), data.count, w);
    metric = sums.r2();
  } else {
    int64_t correct = 0;
    for (int64_t e = 0; e < data.count; ++e) {
      const float *o = all.data() + e * w;
      int64_t cls = data.output.binary ? (o[0] > kBinaryThreshold ? 1 : 0)
                                       : std::max_element(o, o + w) - o;
      correct += cls == data.labels[size_t(e)];
    }
    metric = double(correct) / double(data.count);
  }
  if (outputs)
    *outputs = std::move(all);
  return metric;
}

StatusOr<Importance> loom::train::permutationImportance(StepExecutor &ex,
                                                        const ExplainData &data,
                                                        int64_t repeats,
                                                        uint64_t seed) {
  Importance result;
  result.metric = metricName(data.output);
  result.repeats = repeats;
  result.seed = seed;
  StatusOr<double> base = scoreExamples(ex, data, data.x);
  if (!base)
    return base.status();
  result.baseline = *base;
  std::vector<float> x = data.x;
  std::vector<int64_t> perm(size_t(data.count));
  int64_t f = data.features;
  for (int64_t i = 0; i < f; ++i) {
    FeatureImportance fi;
    fi.index = i;
    fi.name = data.names[size_t(i)];
    for (int64_t r = 0; r < repeats; ++r) {
      SplitMix rng{seed ^ (uint64_t(i) * 0xd1b54a32d192ed03ull) ^
                   (uint64_t(r + 1) * 0x8cb92ba72f3d8dd7ull)};
      for (int64_t e = 0; e < data.count; ++e)
        perm[size_t(e)] = e;
      for (int64_t e = data.count - 1; e > 0; --e)
        std::swap(perm[size_t(e)], perm[size_t(rng.next() % uint64_t(e + 1))]);
      for (int64_t e = 0; e < data.count; ++e)
        x[size_t(e * f + i)] = data.x[size_t(perm[size_t(e)] * f + i)];
      StatusOr<double> s = scoreExamples(ex, data, x);
      if (!s)
        return s.status();
      fi.drops.push_back(result.baseline - *s);
    }
    for (int64_t e = 0; e < data.count; ++e)
      x[size_t(e * f + i)] = data.x[size_t(e * f + i)];
    double sum = 0, sq = 0;
    for (double v : fi.drops)
      sum += v;
    fi.mean = sum / double(repeats);
    for (double v : fi.drops)
      sq += (v - fi.mean) * (v - fi.mean);
    fi.std = std::sqrt(sq / double(repeats));
    result.features.push_back(std::move(fi));
  }
  // The largest mean drop first, NaN (a constant target's R²) last, ties
  // by feature order (std::sort with a total order: clang-19 deprecates
  // std::stable_sort's temporary buffer in libstdc++ 12).
  std::sort(result.features.begin(), result.features.end(),
            [](const FeatureImportance &a, const FeatureImportance &b) {
              bool an = std::isnan(a.mean), bn = std::isnan(b.mean);
              if (an != bn)
                return bn;
              if (!an && a.mean != b.mean)
                return a.mean > b.mean;
              return a.index < b.index;
            });
  return result;
}
