//===- Plot.cpp - The training curves as an SVG file ----------------------===//
//
// Part of Loom. This file implements TrainingPlot's SVG: axes with round
// ticks, a logarithmic loss axis when the loss spans decades, decimated
// polylines and a legend; runtime/File.h writes it.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Plot.h"

#include "runtime/File.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace loom;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::vector<double> loom::niceTicks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || target < 1)
    return ticks;
  double raw = (hi - lo) / target;
  if (!std::isfinite(raw) || raw <= 0)
    return ticks;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / magnitude;
  double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  if (!(step > 0) || !std::isfinite(step))
    return ticks;
  // Computed from integer multiples so that no error accumulates.
  double first = std::floor(lo / step), last = std::ceil(hi / step);
  if (!(last - first <= 100))
    return ticks;
  for (double i = first; i <= last; ++i)
    ticks.push_back(i * step == 0 ? 0.0 : i * step);
  return ticks;
}

std::string loom::xmlEscape(const std::string &text) {
  std::string out;
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = text[i];
    if (c < 0x80) {
      switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence is copied; anything else becomes '?'.
    size_t len = c >= 0xf0 && c <= 0xf4   ? 4
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xc2 && c <= 0xdf ? 2
                                          : 0;
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (ok && len >= 3) {
      unsigned char c1 = text[i + 1];
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0) &&
           !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (!ok) {
      out += '?';
      ++i;
      continue;
    }
    out.append(text, i, len);
    i += len;
  }
  return out;
}

/// `v` with `decimals` digits after the point, without a locale and
/// without "-0".
static std::string fixed(double v, int decimals) {
  double scale = std::pow(10.0, decimals);
  if (std::round(v * scale) == 0)
    v = 0;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v,
                                 std::chars_format::fixed, decimals);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

/// `v` like printf's %g.
static std::string general(double v) {
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 6);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

/// A pixel coordinate.
static std::string px(double v) { return fixed(v, 1); }

namespace {

/// matplotlib's tab10 colours.
constexpr const char *kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                   "#bcbd22", "#17becf"};
constexpr size_t kColorCount = sizeof(kColors) / sizeof(kColors[0]);
/// After the ten colours, the series' lines cycle through these dash
/// patterns, so that series k and k + 10 differ ("" is solid).
constexpr const char *kDashes[] = {"", "6,3", "2,2", "8,3,2,3"};
constexpr size_t kDashCount = sizeof(kDashes) / sizeof(kDashes[0]);

/// The ` stroke-dasharray="..."` attribute of series `k` ("" if solid).
std::string dashOf(size_t k) {
  const char *dash = kDashes[(k / kColorCount) % kDashCount];
  return *dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : "";
}

// The layout, in pixels.
constexpr double kLeft = 72;        // left of the plot area (y tick labels)
constexpr double kPlotWidth = 620;  // plot area width
constexpr double kLegendGap = 16;   // plot area to legend
constexpr double kPanelTop = 28;    // panel label above its plot area
constexpr double kPlotHeight = 240; // plot area height
constexpr double kPanelBottom = 44; // x tick labels and "step" below it
constexpr double kPanelHeight = kPanelTop + kPlotHeight + kPanelBottom;

/// One axis: its range, scale and ticks.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> ticks;
  std::vector<std::string> labels;

  /// The position of `v` in [0, 1] along the axis (clamped a little
  /// outside, and 0 for what cannot be placed).
  double fraction(double v) const {
    double f = log ? (std::log10(v) - std::log10(lo)) /
                         (std::log10(hi) - std::log10(lo))
                   : (v - lo) / (hi - lo);
    return std::isfinite(f) ? std::clamp(f, -0.05, 1.05) : 0.0;
  }
};

/// Whether point (x, y) is drawn on an axis with `logY`.
bool drawable(double x, double y, bool logY) {
  return std::isfinite(x) && std::isfinite(y) && (!logY || y > 0);
}

/// A linear axis over [lo, hi] of finite values; the range is widened to its
/// outer ticks when `extend`, and made non-empty when lo == hi.
Axis linearAxis(double lo, double hi, bool extend) {
  Axis a;
  if (!(lo <= hi)) {
    lo = 0;
    hi = 1;
  } else if (lo == hi) {
    double d = lo == 0 ? 1 : std::fabs(lo) * 0.5;
    lo -= d;
    hi += d;
  }
  a.lo = lo;
  a.hi = hi;
  std::vector<double> ticks = niceTicks(lo, hi);
  if (ticks.size() < 2)
    return a;
  if (extend) {
    a.lo = ticks.front();
    a.hi = ticks.back();
  }
  double step = ticks[1] - ticks[0];
  int decimals =
      std::max(0, -static_cast<int>(std::floor(std::log10(step * 1.000001))));
  for (double t : ticks)
    if (t >= a.lo - step * 1e-9 && t <= a.hi + step * 1e-9) {
      a.ticks.push_back(t);
      a.labels.push_back(fixed(t, decimals));
    }
  return a;
}

/// A logarithmic axis over whole decades covering [lo, hi] (0 < lo <= hi).
Axis logAxis(double lo, double hi) {
  Axis a;
  a.log = true;
  int elo = 0, ehi = 1;
  if (lo > 0 && lo <= hi && std::isfinite(hi)) {
    elo = std::clamp(static_cast<int>(std::floor(std::log10(lo))), -300, 299);
    ehi = std::clamp(static_cast<int>(std::ceil(std::log10(hi))), elo + 1, 300);
  }
  a.lo = std::pow(10.0, elo);
  a.hi = std::pow(10.0, ehi);
  int decades = ehi - elo;
  int every = std::max(1, (decades + 5) / 6);
  for (int e = elo; e <= ehi; ++e) {
    if ((e - elo) % every != 0)
      continue;
    double base = std::pow(10.0, e);
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1 && (decades > 2 || e == ehi))
        continue;
      a.ticks.push_back(m * base);
      a.labels.push_back(general(m * base));
    }
  }
  return a;
}

/// The points of `s` to draw, in pixels, with runs that fall in one pixel
/// column reduced to their first, lowest, highest and last points.
std::vector<std::pair<double, double>> pixels(const TrainingPlot::Series &s,
                                              const Axis &x, const Axis &y,
                                              double left, double top) {
  std::vector<std::pair<double, double>> out, run;
  auto flush = [&] {
    if (run.empty())
      return;
    auto [lowest, highest] = std::minmax_element(
        run.begin(), run.end(),
        [](const auto &a, const auto &b) { return a.second < b.second; });
    // In order of appearance, each point once.
    std::vector<size_t> keep = {0, static_cast<size_t>(lowest - run.begin()),
                                static_cast<size_t>(highest - run.begin()),
                                run.size() - 1};
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    for (size_t k : keep)
      out.push_back(run[k]);
    run.clear();
  };
  for (const auto &[sx, sy] : s.points) {
    if (!drawable(sx, sy, y.log))
      continue;
    double X = left + x.fraction(sx) * kPlotWidth;
    double Y = top + (1 - y.fraction(sy)) * kPlotHeight;
    if (!run.empty() && std::floor(run.back().first) != std::floor(X))
      flush();
    run.emplace_back(X, Y);
  }
  flush();
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// TrainingPlot
//===----------------------------------------------------------------------===//

void TrainingPlot::add(Panel panel, const std::string &name, double step,
                       double value) {
  std::vector<Series> &all = panel == Panel::Loss ? loss : metrics;
  for (Series &s : all)
    if (s.name == name) {
      s.points.emplace_back(step, value);
      return;
    }
  all.push_back(Series{name, {{step, value}}});
}

bool TrainingPlot::lossIsLog() const {
  if (lossScale != LogScale::Auto)
    return lossScale == LogScale::On;
  double lo = INFINITY, hi = -INFINITY;
  for (const Series &s : loss)
    for (const auto &[x, y] : s.points)
      if (drawable(x, y, false)) {
        if (y <= 0)
          return false;
        lo = std::min(lo, y);
        hi = std::max(hi, y);
      }
  return lo <= hi && hi > 10 * lo;
}

/// One panel: frame, grid, ticks, labels, series and legend.
static void drawPanel(std::string &out, const std::string &label,
                      const std::vector<TrainingPlot::Series> &series,
                      const Axis &x, const Axis &y, double top, const char *id,
                      const std::string &highlighted) {
  double bottom = top + kPlotHeight, right = kLeft + kPlotWidth;
  out += "<g id=\"" + std::string(id) + "\">\n";
  out += "<text x=\"" + px(kLeft) + "\" y=\"" + px(top - 10) +
         "\" font-weight=\"bold\">" + xmlEscape(label) + "</text>\n";
  for (size_t i = 0; i < y.ticks.size(); ++i) {
    std::string Y = px(bottom - y.fraction(y.ticks[i]) * kPlotHeight);
    out += "<line x1=\"" + px(kLeft) + "\" y1=\"" + Y + "\" x2=\"" + px(right) +
           "\" y2=\"" + Y + "\" stroke=\"#e5e5e5\"/>\n";
    out += "<text x=\"" + px(kLeft - 6) + "\" y=\"" + Y +
           "\" dy=\"4\" text-anchor=\"end\">" + y.labels[i] + "</text>\n";
  }
  for (size_t i = 0; i < x.ticks.size(); ++i) {
    std::string X = px(kLeft + x.fraction(x.ticks[i]) * kPlotWidth);
    out += "<line x1=\"" + X + "\" y1=\"" + px(top) + "\" x2=\"" + X +
           "\" y2=\"" + px(bottom) + "\" stroke=\"#e5e5e5\"/>\n";
    out += "<text x=\"" + X + "\" y=\"" + px(bottom + 16) +
           "\" text-anchor=\"middle\">" + x.labels[i] + "</text>\n";
  }
  out += "<rect x=\"" + px(kLeft) + "\" y=\"" + px(top) + "\" width=\"" +
         px(kPlotWidth) + "\" height=\"" + px(kPlotHeight) +
         "\" fill=\"none\" stroke=\"#888888\"/>\n";
  out += "<text x=\"" + px(kLeft + kPlotWidth / 2) + "\" y=\"" +
         px(bottom + 36) + "\" text-anchor=\"middle\">step</text>\n";

  for (size_t k = 0; k < series.size(); ++k) {
    const char *color = kColors[k % kColorCount];
    std::string dash = dashOf(k);
    std::string name = xmlEscape(series[k].name);
    std::vector<std::pair<double, double>> pts =
        pixels(series[k], x, y, kLeft, top);
    if (pts.size() >= 2) {
      out += "<polyline data-series=\"" + name + "\" fill=\"none\" stroke=\"" +
             color + "\" stroke-width=\"" +
             (!highlighted.empty() && series[k].name == highlighted ? "4"
                                                                    : "1.5") +
             "\"" + dash + " points=\"";
      for (size_t i = 0; i < pts.size(); ++i)
        out += (i ? " " : "") + px(pts[i].first) + "," + px(pts[i].second);
      out += "\"/>\n";
    }
    // Markers where points are few enough to matter one by one (an eval
    // every few hundred steps, a single point).
    if (pts.size() <= 50)
      for (const auto &[X, Y] : pts)
        out += "<circle data-series=\"" + name + "\" cx=\"" + px(X) +
               "\" cy=\"" + px(Y) + "\" r=\"2.5\" fill=\"" + color + "\"/>\n";
    double ly = top + 8 + 18 * static_cast<double>(k);
    double lx = right + kLegendGap;
    out += "<line x1=\"" + px(lx) + "\" y1=\"" + px(ly) + "\" x2=\"" +
           px(lx + 20) + "\" y2=\"" + px(ly) + "\" stroke=\"" + color +
           "\" stroke-width=\"2\"" + dash + "/>\n";
    out += "<text x=\"" + px(lx + 26) + "\" y=\"" + px(ly) + "\" dy=\"4\">" +
           name + "</text>\n";
  }
  if (series.empty())
    out += "<text x=\"" + px(kLeft + kPlotWidth / 2) + "\" y=\"" +
           px(top + kPlotHeight / 2) +
           "\" text-anchor=\"middle\" fill=\"#888888\">no data yet</text>\n";
  out += "</g>\n";
}

std::string TrainingPlot::svg() const {
  bool logLoss = lossIsLog();

  // The step axis, shared by both panels: every drawn point's step.
  double xlo = INFINITY, xhi = -INFINITY;
  double llo = INFINITY, lhi = -INFINITY, mlo = 0, mhi = 1;
  for (const Series &s : loss)
    for (const auto &[sx, sy] : s.points)
      if (drawable(sx, sy, logLoss)) {
        xlo = std::min(xlo, sx), xhi = std::max(xhi, sx);
        llo = std::min(llo, sy), lhi = std::max(lhi, sy);
      }
  for (const Series &s : metrics)
    for (const auto &[sx, sy] : s.points)
      if (drawable(sx, sy, false)) {
        xlo = std::min(xlo, sx), xhi = std::max(xhi, sx);
        mlo = std::min(mlo, sy), mhi = std::max(mhi, sy);
      }
  Axis x = linearAxis(xlo, xhi, /*extend=*/false);
  Axis lossY = logLoss ? logAxis(llo, lhi) : linearAxis(llo, lhi, true);
  Axis metricY = linearAxis(mlo, mhi, true);

  // Wide enough for the longest legend entry (about 7 px a character).
  size_t longest = 0;
  for (const std::vector<Series> *all : {&loss, &metrics})
    for (const Series &s : *all)
      longest = std::max(longest, s.name.size());
  double width =
      std::max(860.0, std::ceil(kLeft + kPlotWidth + kLegendGap + 26 +
                                7.0 * static_cast<double>(longest) + 10));
  double titleHeight = title.empty() ? 8 : 36;
  int panels = metrics.empty() ? 1 : 2;
  double height = titleHeight + panels * kPanelHeight;

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         fixed(width, 0) + "\" height=\"" + fixed(height, 0) +
         "\" viewBox=\"0 0 " + fixed(width, 0) + " " + fixed(height, 0) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!title.empty())
    out += "<text x=\"" + px(width / 2) +
           "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">" +
           xmlEscape(title) + "</text>\n";
  drawPanel(out, logLoss ? "loss (log scale)" : "loss", loss, x, lossY,
            titleHeight + kPanelTop, "loss", highlighted);
  if (!metrics.empty())
    drawPanel(out, "metrics", metrics, x, metricY,
              titleHeight + kPanelHeight + kPanelTop, "metrics", highlighted);
  out += "</svg>\n";
  return out;
}

Status TrainingPlot::write(const std::string &path) const {
  return writeFileAtomically(path, svg());
}
