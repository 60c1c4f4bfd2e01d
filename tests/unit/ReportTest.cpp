//===- ReportTest.cpp - Progress line and summary -------------------------===//
//
// Part of Loom. Checks the number and duration formats, the progress line on
// a terminal and in a log, its smoothed ETA (runtime/report/Progress.h), and
// the end-of-training summary as text and JSON (runtime/report/Summary.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Progress.h"
#include "runtime/report/Summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <unistd.h>

using namespace loom;

namespace {

TEST(ReportProgress, FormatDuration) {
  EXPECT_EQ(formatDuration(0), "00:00:00");
  EXPECT_EQ(formatDuration(161), "00:02:41");
  EXPECT_EQ(formatDuration(161.99), "00:02:41"); // rounded down
  EXPECT_EQ(formatDuration(1177), "00:19:37");
  EXPECT_EQ(formatDuration(86399.5), "23:59:59");
  EXPECT_EQ(formatDuration(86400), "1:00:00:00");
  EXPECT_EQ(formatDuration(93784), "1:02:03:04");
  EXPECT_EQ(formatDuration(12 * 86400 + 5), "12:00:00:05");
  EXPECT_EQ(formatDuration(-1), "--:--:--");
  EXPECT_EQ(formatDuration(std::nan("")), "--:--:--");
  EXPECT_EQ(formatDuration(std::numeric_limits<double>::infinity()),
            "--:--:--");
  EXPECT_EQ(formatDuration(1e300), "--:--:--");
}

TEST(ReportProgress, FormatCount) {
  EXPECT_EQ(formatCount(0), "0.0");
  EXPECT_EQ(formatCount(12.5), "12.5");
  EXPECT_EQ(formatCount(99.96), "100");
  EXPECT_EQ(formatCount(950), "950");
  EXPECT_EQ(formatCount(999.6), "1.0k");
  EXPECT_EQ(formatCount(1300), "1.3k");
  EXPECT_EQ(formatCount(13000), "13.0k");
  EXPECT_EQ(formatCount(130000), "130k");
  EXPECT_EQ(formatCount(999999), "1.0M");
  EXPECT_EQ(formatCount(2.5e6), "2.5M");
  EXPECT_EQ(formatCount(7.25e9), "7.2G"); // an exact tie rounds to even
  EXPECT_EQ(formatCount(-1300), "-1.3k");
  EXPECT_EQ(formatCount(std::nan("")), "nan");
  EXPECT_EQ(formatCount(-std::numeric_limits<double>::infinity()), "-inf");
}

ProgressUpdate update(int64_t step, double seconds) {
  ProgressUpdate u;
  u.step = step;
  u.totalSteps = 1000;
  u.loss = 2.34119;
  u.lr = 9.6e-4;
  u.itemsPerSecond = 1312;
  u.itemUnit = "tok";
  u.elapsedSeconds = seconds;
  return u;
}

TEST(ReportProgress, PlainLinesAndSmoothedEta) {
  ProgressLine line(/*terminal=*/false);
  ProgressUpdate u = update(120, 161);
  u.epoch = 1;
  // Rate 120 / 161 steps/s: 880 steps left take 1180.67 s.
  EXPECT_EQ(line.render(u), "epoch 1  step 120/1000  loss 2.3412  lr "
                            "9.60e-04  1.3k tok/s  00:02:41 < 00:19:40\n");
  // The next interval, 100 steps in 20 s, is averaged in with weight 0.3:
  // (0.3*100 + 0.7*36) / (0.3*20 + 0.7*48.3) steps/s; 780 steps take
  // 562.53 s.
  u = update(220, 181);
  EXPECT_EQ(line.render(u), "step 220/1000  loss 2.3412  lr 9.60e-04  1.3k "
                            "tok/s  00:03:01 < 00:09:22\n");
  EXPECT_NEAR(*line.etaSeconds(u), 562.5326086956521, 1e-9);
  EXPECT_EQ(line.clear(), "");
  EXPECT_EQ(line.finish(), "");
}

TEST(ReportProgress, TerminalLineHasBarAndClearsTheRest) {
  ProgressLine wide(/*terminal=*/true, 0, 100);
  // 99 columns: 72 of text, 24 of bar inside brackets, 12% of it filled.
  EXPECT_EQ(wide.render(update(120, 161)),
            "\r[##                      ] step 120/1000  loss 2.3412  lr "
            "9.60e-04  1.3k tok/s  00:02:41 < 00:19:40\x1b[K");
  EXPECT_EQ(wide.clear(), "\r\x1b[K");
  EXPECT_EQ(wide.clear(), ""); // nothing drawn since
  ProgressLine narrow(/*terminal=*/true, 0, 80);
  EXPECT_EQ(narrow.render(update(120, 161)),
            "\r[    ] step 120/1000  loss 2.3412  lr 9.60e-04  1.3k tok/s  "
            "00:02:41 < 00:19:40\x1b[K");
  EXPECT_EQ(narrow.finish(), "\n");
  EXPECT_EQ(narrow.finish(), "");
  // Too narrow for a bar: the text is cut to width - 1.
  ProgressLine tiny(/*terminal=*/true, 0, 20);
  EXPECT_EQ(tiny.render(update(120, 161)), "\rstep 120/1000  loss\x1b[K");
  // Done: a full bar (23 columns: the text is one longer), nothing left.
  ProgressLine done(/*terminal=*/true, 0, 100);
  EXPECT_EQ(done.render(update(1000, 600)),
            "\r[#######################] step 1000/1000  loss 2.3412  lr "
            "9.60e-04  1.3k tok/s  00:10:00 < 00:00:00\x1b[K");
}

TEST(ReportProgress, UnknownTotalAndRate) {
  ProgressLine line(/*terminal=*/false, /*firstStep=*/500);
  ProgressUpdate u;
  u.step = 500;
  u.totalSteps = 1000;
  u.elapsedSeconds = 0;
  // A resumed run's first update: no steps yet, so no rate and no ETA.
  EXPECT_EQ(line.render(u), "step 500/1000  00:00:00 < --:--:--\n");
  EXPECT_FALSE(line.etaSeconds(u).has_value());
  u.step = 510;
  u.elapsedSeconds = 5;
  u.loss = std::nan("");
  // 10 steps in 5 s, measured from the resumed step.
  EXPECT_EQ(line.render(u), "step 510/1000  loss nan  00:00:05 < 00:04:05\n");
  EXPECT_DOUBLE_EQ(line.stepsPerSecond(), 2.0);
  u.totalSteps = 0;
  EXPECT_EQ(line.render(u), "step 510  loss nan  00:00:05\n");
}

TEST(ReportProgress, PipeIsNoTerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_FALSE(isTerminal(fds[1]));
  EXPECT_EQ(terminalWidth(fds[1]), 80);
  close(fds[0]);
  close(fds[1]);
}

RunSummary fullSummary() {
  RunSummary s;
  s.steps = 1000;
  s.epochs = 3;
  s.seconds = 1177.5;
  s.itemsPerSecond = 1312.4;
  s.itemUnit = "tok";
  s.finalTrainLoss = 2.34119;
  s.bestValLoss = 1.98764;
  s.bestValStep = 800;
  s.finalValLoss = 2.0012;
  s.metrics = {{"accuracy", 0.97123}, {"perplexity", 7.3891}};
  s.checkpoint = "runs/gpt/step-1000.loomckpt";
  return s;
}

TEST(ReportSummary, TextLines) {
  std::vector<std::string> lines = summaryLines(fullSummary());
  std::vector<std::string> expected = {
      "steps        1000 in 00:19:37, 3 epochs, 1.3k tok/s",
      "train loss   2.3412 (final)",
      "val loss     1.9876 (best, step 800), 2.0012 (final)",
      "accuracy     0.9712",
      "perplexity   7.3891",
      "checkpoint   runs/gpt/step-1000.loomckpt",
  };
  EXPECT_EQ(lines, expected);

  RunSummary bare;
  bare.steps = 10;
  bare.seconds = 2;
  bare.epochs = 1;
  bare.finalValLoss = std::numeric_limits<double>::infinity();
  expected = {"steps      10 in 00:00:02, 1 epoch", "val loss   inf (final)"};
  EXPECT_EQ(summaryLines(bare), expected);

  // Evaluations on another split say which.
  bare.finalValLoss = 0.5;
  bare.evalSplit = "train";
  expected = {"steps             10 in 00:00:02, 1 epoch",
              "train eval loss   0.5000 (final)"};
  EXPECT_EQ(summaryLines(bare), expected);
  bare.evalSplit = "test";
  EXPECT_EQ(summaryLines(bare)[1], "test loss   0.5000 (final)");
}

TEST(ReportSummary, Json) {
  EXPECT_EQ(summaryRecord(fullSummary()).json(),
            "{\"kind\":\"summary\",\"step\":1000,\"epoch\":3,"
            "\"seconds\":1177.5,\"items_per_second\":1312.4,"
            "\"item_unit\":\"tok\",\"train_loss\":2.34119,"
            "\"best_val_loss\":1.98764,\"best_val_step\":800,"
            "\"val_loss\":2.0012,\"accuracy\":0.97123,\"perplexity\":7.3891,"
            "\"checkpoint\":\"runs/gpt/step-1000.loomckpt\"}");
  RunSummary split = fullSummary();
  split.evalSplit = "train";
  std::string json = summaryRecord(split).json();
  EXPECT_NE(json.find("\"best_train_eval_loss\":1.98764,"
                      "\"best_train_eval_step\":800,"
                      "\"train_eval_loss\":2.0012,"),
            std::string::npos)
      << json;
  RunSummary bare;
  bare.steps = 10;
  bare.seconds = 2;
  bare.finalValLoss = std::nan("");
  EXPECT_EQ(summaryJson(bare), "{\n"
                               "  \"kind\": \"summary\",\n"
                               "  \"step\": 10,\n"
                               "  \"epoch\": 0,\n"
                               "  \"seconds\": 2.0,\n"
                               "  \"val_loss\": null,\n"
                               "  \"nonfinite\": {\n"
                               "    \"val_loss\": \"nan\"\n"
                               "  }\n"
                               "}");
}

} // namespace
