//===- BarChart.cpp - A horizontal bar chart as an SVG file ---------------===//
//
// Part of Loom. See BarChart.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/BarChart.h"

#include "runtime/report/Plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace loom;

namespace {

constexpr double kBarHeight = 18, kGap = 6, kPlotWidth = 420, kTop = 48;

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string tickText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::fabs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

} // namespace

std::string loom::barChartSvg(const std::string &title, const std::string &axis,
                              const std::vector<Bar> &bars) {
  double lo = 0, hi = 0;
  size_t longest = 0;
  for (const Bar &b : bars) {
    longest = std::max(longest, b.label.size());
    if (!std::isfinite(b.value))
      continue;
    double e = std::isfinite(b.error) ? std::fabs(b.error) : 0;
    lo = std::min(lo, b.value - e);
    hi = std::max(hi, b.value + e);
  }
  if (hi - lo <= 0)
    hi = lo + 1;
  std::vector<double> ticks = niceTicks(lo, hi);
  if (!ticks.empty()) {
    lo = std::min(lo, ticks.front());
    hi = std::max(hi, ticks.back());
  }
  double left = 16 + 7.0 * double(std::min<size_t>(longest, 40));
  double plotHeight = double(bars.size()) * (kBarHeight + kGap) + kGap;
  // Wide enough for the title (16 px text, about 9 px a character).
  double width =
      std::max(left + kPlotWidth + 24, 9.0 * double(title.size()) + 40);
  double height = kTop + plotHeight + 48;
  auto X = [&](double v) { return left + (v - lo) / (hi - lo) * kPlotWidth; };

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    px(width) + "\" height=\"" + px(height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"" + px(width / 2) +
         "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">" +
         xmlEscape(title) + "</text>\n";
  double bottom = kTop + plotHeight;
  for (double t : ticks) {
    std::string x = px(X(t));
    out += "<line x1=\"" + x + "\" y1=\"" + px(kTop) + "\" x2=\"" + x +
           "\" y2=\"" + px(bottom) + "\" stroke=\"#e0e0e0\"/>\n";
    out += "<text x=\"" + x + "\" y=\"" + px(bottom + 16) +
           "\" text-anchor=\"middle\">" + tickText(t) + "</text>\n";
  }
  out += "<rect x=\"" + px(left) + "\" y=\"" + px(kTop) + "\" width=\"" +
         px(kPlotWidth) + "\" height=\"" + px(plotHeight) +
         "\" fill=\"none\" stroke=\"#888\"/>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar &b = bars[i];
    double y = kTop + kGap + double(i) * (kBarHeight + kGap);
    out += "<text x=\"" + px(left - 6) + "\" y=\"" + px(y + kBarHeight / 2) +
           "\" dy=\"4\" text-anchor=\"end\">" + xmlEscape(b.label) +
           "</text>\n";
    if (!std::isfinite(b.value))
      continue;
    double x0 = X(std::min(0.0, b.value)), x1 = X(std::max(0.0, b.value));
    out += "<rect x=\"" + px(x0) + "\" y=\"" + px(y) + "\" width=\"" +
           px(x1 - x0) + "\" height=\"" + px(kBarHeight) +
           "\" fill=\"#4878d0\"/>\n";
    if (std::isfinite(b.error) && b.error > 0) {
      std::string ym = px(y + kBarHeight / 2);
      std::string ea = px(X(b.value - b.error)), eb = px(X(b.value + b.error));
      out += "<line x1=\"" + ea + "\" y1=\"" + ym + "\" x2=\"" + eb +
             "\" y2=\"" + ym + "\" stroke=\"black\"/>\n";
      for (const std::string &e : {ea, eb})
        out += "<line x1=\"" + e + "\" y1=\"" + px(y + 4) + "\" x2=\"" + e +
               "\" y2=\"" + px(y + kBarHeight - 4) + "\" stroke=\"black\"/>\n";
    }
  }
  std::string zero = px(X(0));
  out += "<line x1=\"" + zero + "\" y1=\"" + px(kTop) + "\" x2=\"" + zero +
         "\" y2=\"" + px(bottom) + "\" stroke=\"black\"/>\n";
  out += "<text x=\"" + px(left + kPlotWidth / 2) + "\" y=\"" +
         px(bottom + 36) + "\" text-anchor=\"middle\">" + xmlEscape(axis) +
         "</text>\n";
  out += "</svg>\n";
  return out;
}
