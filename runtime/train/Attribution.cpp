//===- Attribution.cpp - Integrated gradients -----------------------------===//
//
// Part of Loom. See Explain.h: integratedGradients, which runs the
// artifact's `input_grad` program (--loom-build-input-grad-step) at the
// interpolation points, a batch of the program's size at a time.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Explain.h"

#include "runtime/train/Evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace loom;
using namespace loom::train;

std::string loom::train::targetRangeError(const ModelOutput &out,
                                          int64_t target) {
  int64_t n = out.regression || !out.binary ? out.width : 2;
  if (target >= 0 && target < n)
    return "";
  std::string one = out.regression ? "target" : "class";
  std::string many = out.regression ? "targets" : "classes";
  return "--target-class " + std::to_string(target) + ": the model " +
         (out.regression ? "predicts " : "has ") + std::to_string(n) + " " +
         (n == 1 ? one + "; give 0"
                 : many + " (0 to " + std::to_string(n - 1) + ")");
}

StatusOr<Attribution>
loom::train::integratedGradients(StepExecutor &ex, const ExplainData &data,
                                 int64_t example,
                                 const std::vector<float> &baseline,
                                 int64_t steps, std::optional<int64_t> target) {
  const IoRecord *gx = nullptr, *gs = nullptr, *gg = nullptr;
  void *px = ex.programInput("input_grad", "x", &gx);
  void *ps = ex.programInput("input_grad", "select", &gs);
  if (!px || !ps || !ex.programOutput("input_grad", "grad", &gg))
    return Status::error(
        "the artifact has no input-gradient program (input_grad), which "
        "integrated gradients run; compile the model again with this loom");
  const ModelOutput &out = data.output;
  int64_t f = data.features, w = out.width, batch = gx->shape[0];
  int64_t elements = 1, selectElements = 1;
  for (int64_t d : gx->shape)
    elements *= d;
  for (int64_t d : gs->shape)
    selectElements *= d;
  if (elements != batch * f || selectElements != batch * w)
    return Status::error("the input-gradient program's inputs do not match "
                         "the evaluation program's");
  const float *x = data.x.data() + example * f;

  // The outputs at x (row 0) and at the baseline (row 1), from the eval
  // program; the other rows repeat x.
  const IoRecord *evalX = nullptr;
  auto *ix = static_cast<float *>(ex.programInput("eval", "x", &evalX));
  auto *iy = static_cast<uint8_t *>(ex.programInput("eval", "y"));
  int64_t evalBatch = evalX->shape[0];
  if (evalBatch < 2)
    return Status::error("integrated gradients need an evaluation program "
                         "of at least 2 examples a batch");
  for (int64_t r = 0; r < evalBatch; ++r) {
    std::memcpy(ix + r * f, r == 1 ? baseline.data() : x,
                size_t(f) * sizeof(float));
    std::memcpy(iy + r * data.yBytes, data.y.data() + example * data.yBytes,
                size_t(data.yBytes));
  }
  if (Status s = ex.run("eval"); !s)
    return s;
  const float *o =
      static_cast<const float *>(ex.programOutput("eval", "output"));
  std::vector<float> atX(o, o + w), atBase(o + w, o + 2 * w);

  // The output attributed, as a row of `select`.
  Attribution a;
  a.example = example;
  std::vector<float> select(size_t(w), 0.0f);
  if (out.regression) {
    a.target = target.value_or(0);
    if (a.target < 0 || a.target >= w)
      return Status::error(targetRangeError(out, a.target));
    select[size_t(a.target)] = 1.0f;
  } else {
    int64_t classes = out.binary ? 2 : w;
    int64_t predicted =
        out.binary ? (atX[0] > kBinaryThreshold ? 1 : 0)
                   : std::max_element(atX.begin(), atX.end()) - atX.begin();
    a.target = target.value_or(predicted);
    if (a.target < 0 || a.target >= classes)
      return Status::error(targetRangeError(out, a.target));
    a.predicted = a.target == predicted;
    if (out.binary)
      select[0] = a.target == 1 ? 1.0f : -1.0f; // class 0's logit: -z
    else
      select[size_t(a.target)] = 1.0f;
  }
  for (int64_t c = 0; c < w; ++c) {
    a.fx += double(atX[size_t(c)]) * select[size_t(c)];
    a.fBaseline += double(atBase[size_t(c)]) * select[size_t(c)];
  }

  // The gradient at the midpoints alpha = (k + 0.5) / steps, summed.
  std::vector<double> grad(size_t(f), 0.0);
  auto *pxf = static_cast<float *>(px);
  auto *psf = static_cast<float *>(ps);
  for (int64_t k0 = 0; k0 < steps; k0 += batch) {
    int64_t rows = std::min(batch, steps - k0);
    for (int64_t r = 0; r < batch; ++r) {
      // Rows past the last point: the baseline, with nothing selected.
      double alpha = r < rows ? (double(k0 + r) + 0.5) / double(steps) : 0.0;
      for (int64_t i = 0; i < f; ++i)
        pxf[r * f + i] = float(double(baseline[size_t(i)]) +
                               alpha * (double(x[i]) - baseline[size_t(i)]));
      for (int64_t c = 0; c < w; ++c)
        psf[r * w + c] = r < rows ? select[size_t(c)] : 0.0f;
    }
    if (Status s = ex.run("input_grad"); !s)
      return s;
    const float *g =
        static_cast<const float *>(ex.programOutput("input_grad", "grad"));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < f; ++i)
        grad[size_t(i)] += g[r * f + i];
  }
  a.values.resize(size_t(f));
  for (int64_t i = 0; i < f; ++i) {
    a.values[size_t(i)] =
        (double(x[i]) - baseline[size_t(i)]) * grad[size_t(i)] / double(steps);
    a.sum += a.values[size_t(i)];
  }
  double delta = a.fx - a.fBaseline;
  a.relativeError = delta == 0 ? std::numeric_limits<double>::quiet_NaN()
                               : std::fabs(a.sum - delta) / std::fabs(delta);
  return a;
}
