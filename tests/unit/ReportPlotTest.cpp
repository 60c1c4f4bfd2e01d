//===- ReportPlotTest.cpp - The SVG training plot -------------------------===//
//
// Part of Loom. Checks TrainingPlot (runtime/report/Plot.h): round ticks,
// XML escaping, the log-scale choice, points placed exactly, NaN and
// infinite points left out, 0 and 1 points, decimation, determinism, and
// that the file parses as XML (with Python's minidom, when
// /usr/bin/python3 exists) holding every series.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <unistd.h>

using namespace loom;

namespace {

using Panel = TrainingPlot::Panel;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

size_t occurrences(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST(ReportPlot, NiceTicks) {
  using V = std::vector<double>;
  EXPECT_EQ(niceTicks(0, 1), (V{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(niceTicks(0.13, 2.71), (V{0, 1, 2, 3}));
  EXPECT_EQ(niceTicks(0, 1000), (V{0, 200, 400, 600, 800, 1000}));
  EXPECT_EQ(niceTicks(-3, 7), (V{-4, -2, 0, 2, 4, 6, 8}));
  EXPECT_EQ(niceTicks(1, 1), V{});
  EXPECT_EQ(niceTicks(kNaN, 1), V{});
  EXPECT_EQ(niceTicks(0, kInf), V{});
}

TEST(ReportPlot, XmlEscape) {
  EXPECT_EQ(xmlEscape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(xmlEscape("caf\xc3\xa9"), "caf\xc3\xa9"); // UTF-8 kept
  EXPECT_EQ(xmlEscape("x\x01y\xffz\xc3"), "x?y?z?");  // invalid ones not
  EXPECT_EQ(xmlEscape("\xed\xa0\x80"), "???");        // a surrogate
  EXPECT_EQ(xmlEscape("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80"); // an emoji
}

TEST(ReportPlot, PointsArePlacedOnTheAxes) {
  TrainingPlot plot;
  plot.add(Panel::Loss, "train", 0, 1);
  plot.add(Panel::Loss, "train", 10, 0);
  std::string svg = plot.svg();
  // No title: the plot area is x 72 .. 692, y 36 .. 276 (y = 1 at the top).
  EXPECT_NE(svg.find("<polyline data-series=\"train\" fill=\"none\" "
                     "stroke=\"#1f77b4\" stroke-width=\"1.5\" "
                     "points=\"72.0,36.0 692.0,276.0\"/>"),
            std::string::npos)
      << svg;
  // Ticks 0, 0.2, ..., 1 on y, 0, 2, ..., 10 on x.
  for (const char *label :
       {">0.0<", ">0.2<", ">0.6<", ">1.0<", ">0<", ">4<", ">10<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  EXPECT_EQ(svg.find("id=\"metrics\""), std::string::npos);
  EXPECT_FALSE(plot.lossIsLog());
}

TEST(ReportPlot, LogScaleWhenLossSpansDecades) {
  TrainingPlot plot("gpt");
  plot.add(Panel::Loss, "train", 1, 10.5);
  plot.add(Panel::Loss, "train", 2, 0.9);
  EXPECT_TRUE(plot.lossIsLog());
  std::string svg = plot.svg();
  EXPECT_NE(svg.find(">loss (log scale)<"), std::string::npos);
  // Decades 0.1 .. 100, with 2 and 5 between only when 2 decades or less.
  for (const char *label : {">0.1<", ">1<", ">10<", ">100<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  EXPECT_EQ(svg.find(">20<"), std::string::npos);

  // Within a decade, with a zero, or turned off: linear.
  TrainingPlot narrow;
  narrow.add(Panel::Loss, "train", 1, 2.3);
  narrow.add(Panel::Loss, "train", 2, 0.5);
  EXPECT_FALSE(narrow.lossIsLog());
  plot.add(Panel::Loss, "val", 3, 0.0);
  EXPECT_FALSE(plot.lossIsLog());
  plot.setLossScale(TrainingPlot::LogScale::On);
  EXPECT_TRUE(plot.lossIsLog());
  // The zero cannot be drawn on a log axis: the val series has no marker.
  EXPECT_EQ(occurrences(plot.svg(), "<circle data-series=\"val\""), 0u);
  plot.setLossScale(TrainingPlot::LogScale::Off);
  EXPECT_FALSE(plot.lossIsLog());
  EXPECT_EQ(occurrences(plot.svg(), "<circle data-series=\"val\""), 1u);
}

TEST(ReportPlot, NonFinitePointsAreLeftOut) {
  TrainingPlot plot;
  plot.add(Panel::Loss, "train", 0, 2.0);
  plot.add(Panel::Loss, "train", 1, kNaN);
  plot.add(Panel::Loss, "train", 2, kInf);
  plot.add(Panel::Loss, "train", kNaN, 1.0);
  plot.add(Panel::Loss, "train", 3, 1.0);
  std::string svg = plot.svg();
  EXPECT_EQ(occurrences(svg, "<circle data-series=\"train\""), 2u);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(ReportPlot, ZeroAndOnePoints) {
  TrainingPlot empty;
  std::string svg = empty.svg();
  EXPECT_NE(svg.find(">no data yet<"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);

  TrainingPlot one;
  one.add(Panel::Loss, "train", 5, 2.0);
  one.add(Panel::Metrics, "val accuracy", 5, kNaN);
  svg = one.svg();
  EXPECT_EQ(occurrences(svg, "<polyline"), 0u);
  EXPECT_EQ(occurrences(svg, "<circle"), 1u);
  // The point sits in the middle of both axes (2.5 .. 7.5, 1 .. 3).
  EXPECT_NE(svg.find("cx=\"382.0\" cy=\"156.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("id=\"metrics\""), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

TEST(ReportPlot, LongSeriesAreDecimated) {
  TrainingPlot plot;
  for (int i = 0; i <= 100000; ++i)
    plot.add(Panel::Loss, "train", i, 1.0 + std::sin(i * 0.001));
  std::string svg = plot.svg();
  size_t begin = svg.find("points=\"");
  ASSERT_NE(begin, std::string::npos);
  std::string points = svg.substr(begin, svg.find('"', begin + 8) - begin);
  // At most 4 points a pixel column, first and last kept.
  size_t count = occurrences(points, ",");
  EXPECT_LE(count, 4u * 621);
  EXPECT_GE(count, 621u);
  EXPECT_EQ(points.substr(points.rfind(' ') + 1, 6), "692.0,");
  EXPECT_EQ(points.find("points=\"72.0,"), 0u);
  EXPECT_LT(svg.size(), 100000u);
}

TEST(ReportPlot, SameDataSameBytes) {
  auto make = [] {
    TrainingPlot plot("run <1>");
    for (int i = 0; i < 50; ++i) {
      plot.add(Panel::Loss, "train", i * 10, 3.0 / (1 + i));
      if (i % 10 == 0) {
        plot.add(Panel::Loss, "val", i * 10, 3.5 / (1 + i));
        plot.add(Panel::Metrics, "accuracy", i * 10, i / 50.0);
      }
    }
    return plot;
  };
  EXPECT_EQ(make().svg(), make().svg());
  EXPECT_NE(make().svg().find(">run &lt;1&gt;<"), std::string::npos);
}

TEST(ReportPlot, SeriesPastTheTenColoursAreDashed) {
  // A sweep's plot can hold more series than there are colours: series k and
  // k + 10 share a colour, so the second cycle is dashed (line and legend).
  TrainingPlot plot;
  for (int k = 0; k < 21; ++k)
    for (int i = 0; i < 3; ++i)
      plot.add(Panel::Loss, "t" + std::to_string(k), i, 1.0 + k + i);
  std::string svg = plot.svg();
  EXPECT_EQ(occurrences(svg, "stroke-dasharray=\"6,3\""), 20u); // t10..t19
  EXPECT_EQ(occurrences(svg, "stroke-dasharray=\"2,2\""), 2u);  // t20
  size_t t0 = svg.find("data-series=\"t0\"");
  ASSERT_NE(t0, std::string::npos);
  EXPECT_EQ(svg.substr(t0, 120).find("dasharray"), std::string::npos);
}

/// Runs `python3 script svg` and returns its output, or nothing.
std::string runPython(const std::string &script, const std::string &arg) {
  std::string cmd = "/usr/bin/python3 " + script + " " + arg + " 2>&1";
  std::string out;
  if (std::FILE *p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
      out.append(buf, n);
    pclose(p);
  }
  return out;
}

TEST(ReportPlot, WritesWellFormedXmlWithEverySeries) {
  if (access("/usr/bin/python3", X_OK) != 0)
    GTEST_SKIP() << "no /usr/bin/python3 to parse the SVG with";
  std::string tmpl = ::testing::TempDir() + "loom-report-plot-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl, path = dir + "/plot.svg", script = dir + "/parse.py";

  TrainingPlot plot("mlp & <friends>");
  for (int i = 0; i < 20; ++i) {
    plot.add(Panel::Loss, "train", i, 2.0 - i * 0.05);
    plot.add(Panel::Loss, "val \"held\" <out>", i, i == 7 ? kNaN : 2.1);
    plot.add(Panel::Metrics, "accuracy", i, 0.5 + i * 0.02);
    plot.add(Panel::Metrics, "macro F1 & co", i, 0.4 + i * 0.02);
  }
  ASSERT_TRUE(plot.write(path).ok());
  EXPECT_EQ(access(path.c_str(), F_OK), 0);
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0); // renamed away

  std::ofstream(script)
      << "import sys, xml.dom.minidom\n"
         "d = xml.dom.minidom.parse(sys.argv[1])\n"
         "for e in d.getElementsByTagName('polyline'):\n"
         "    print(e.getAttribute('data-series'),\n"
         "          len(e.getAttribute('points').split()))\n"
         "print(d.getElementsByTagName('text')[0].firstChild.data)\n";
  EXPECT_EQ(runPython(script, path), "train 20\n"
                                     "val \"held\" <out> 19\n"
                                     "accuracy 20\n"
                                     "macro F1 & co 20\n"
                                     "mlp & <friends>\n");
  std::remove(path.c_str());
  std::remove(script.c_str());
  rmdir(dir.c_str());
}

TEST(ReportPlot, WriteFailureIsAStatus) {
  TrainingPlot plot;
  Status s = plot.write("/nonexistent-dir/plot.svg");
  ASSERT_FALSE(s.ok());
  std::string want = "/nonexistent-dir/plot.svg: cannot create the temporary "
                     "file '/nonexistent-dir/.plot.svg.tmp.";
  EXPECT_EQ(s.message().substr(0, want.size()), want) << s.message();
  EXPECT_NE(s.message().find("': No such file or directory"), std::string::npos)
      << s.message();
}

} // namespace
