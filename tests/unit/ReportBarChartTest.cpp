//===- ReportBarChartTest.cpp - loom explain's importance chart -----------===//
//
// Part of Loom. Checks barChartSvg (runtime/report/BarChart.h): one bar per
// item in order, each with its error bar, labels escaped, a negative value
// drawn left of the zero line, a NaN value's label kept but no bar, and
// the same data giving the same bytes.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/BarChart.h"

#include <gtest/gtest.h>

#include <limits>

using namespace loom;

namespace {

size_t occurrences(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1))
    ++n;
  return n;
}

/// The x attribute of the first element after `after` that has one.
double xAfter(const std::string &svg, const std::string &after) {
  size_t at = svg.find(after);
  at = svg.find(" x=\"", at);
  return std::stod(svg.substr(at + 4));
}

TEST(ReportBarChart, BarsInOrderWithErrorBars) {
  std::string svg =
      barChartSvg("Importance", "drop of accuracy",
                  {{"x2", 0.4, 0.05}, {"x7", 0.2, 0.02}, {"x0", 0.0, 0.0}});
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
  size_t a = svg.find(">x2</text>"), b = svg.find(">x7</text>"),
         c = svg.find(">x0</text>");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  // Three bars (and the frame and background), two error bars of three
  // lines each.
  EXPECT_EQ(occurrences(svg, "fill=\"#4878d0\""), 3u);
  EXPECT_EQ(occurrences(svg, "stroke=\"black\""), 2u * 3u + 1u);
  EXPECT_NE(svg.find(">drop of accuracy</text>"), std::string::npos);
}

TEST(ReportBarChart, NegativeValueLeftOfZero) {
  std::string svg =
      barChartSvg("t", "a", {{"up", 0.5, 0.0}, {"down", -0.25, 0.0}});
  double up = xAfter(svg, ">up</text>"), down = xAfter(svg, ">down</text>");
  // The negative bar starts left of the positive one, which starts at 0.
  EXPECT_LT(down, up);
}

TEST(ReportBarChart, EscapesAndNaN) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::string svg =
      barChartSvg("a<b", "c&d", {{"<x>", nan, 0.1}, {"y", 0.3, nan}});
  EXPECT_NE(svg.find(">a&lt;b</text>"), std::string::npos);
  EXPECT_NE(svg.find(">c&amp;d</text>"), std::string::npos);
  EXPECT_NE(svg.find(">&lt;x&gt;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  // Only y's bar, and no error bar.
  EXPECT_EQ(occurrences(svg, "fill=\"#4878d0\""), 1u);
  EXPECT_EQ(occurrences(svg, "stroke=\"black\""), 1u);
}

TEST(ReportBarChart, Deterministic) {
  std::vector<Bar> bars = {{"a", 1.5, 0.25}, {"b", -3, 1}};
  EXPECT_EQ(barChartSvg("t", "x", bars), barChartSvg("t", "x", bars));
  EXPECT_EQ(barChartSvg("t", "x", {}).rfind("<svg ", 0), 0u);
}

} // namespace
