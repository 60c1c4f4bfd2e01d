//===- Summary.cpp - The end-of-training summary --------------------------===//
//
// Part of Loom. This file implements the summary's text and record.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Summary.h"

#include "runtime/report/Progress.h"

#include <algorithm>
#include <cstdio>

using namespace loom;

/// `v` with 4 decimals ("nan", "inf" as printf writes them).
static std::string fourDecimals(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", v);
  return buf;
}

/// What the evaluations' loss is called: "val", "test", "train eval" (the
/// training loss of the steps is "train").
static std::string evalLabel(const RunSummary &s) {
  return s.evalSplit == "train" ? "train eval" : s.evalSplit;
}

std::vector<std::string> loom::summaryLines(const RunSummary &s) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::string steps =
      std::to_string(s.steps) + " in " + formatDuration(s.seconds);
  if (s.epochs)
    steps += ", " + std::to_string(*s.epochs) +
             (*s.epochs == 1 ? " epoch" : " epochs");
  if (s.itemsPerSecond)
    steps += ", " + formatCount(*s.itemsPerSecond) + " " + s.itemUnit + "/s";
  rows.emplace_back("steps", steps);
  if (s.finalTrainLoss)
    rows.emplace_back("train loss",
                      fourDecimals(*s.finalTrainLoss) + " (final)");
  if (s.bestValLoss || s.finalValLoss) {
    std::string val;
    if (s.bestValLoss)
      val = fourDecimals(*s.bestValLoss) + " (best, step " +
            std::to_string(s.bestValStep) + ")";
    if (s.finalValLoss)
      val += (val.empty() ? "" : ", ") + fourDecimals(*s.finalValLoss) +
             " (final)";
    rows.emplace_back(evalLabel(s) + " loss", val);
  }
  for (const auto &[name, value] : s.metrics)
    rows.emplace_back(name, fourDecimals(value));
  if (!s.checkpoint.empty())
    rows.emplace_back("checkpoint", s.checkpoint);

  size_t width = 0;
  for (const auto &row : rows)
    width = std::max(width, row.first.size());
  std::vector<std::string> lines;
  for (const auto &[label, text] : rows)
    lines.push_back(label + std::string(width + 3 - label.size(), ' ') + text);
  return lines;
}

LogRecord loom::summaryRecord(const RunSummary &s) {
  LogRecord r(LogRecord::Kind::Summary, s.steps, s.epochs.value_or(0));
  r.set("seconds", s.seconds);
  if (s.itemsPerSecond) {
    r.set("items_per_second", *s.itemsPerSecond);
    r.set("item_unit", s.itemUnit);
  }
  if (s.finalTrainLoss)
    r.set("train_loss", *s.finalTrainLoss);
  std::string key = evalLabel(s);
  std::replace(key.begin(), key.end(), ' ', '_');
  if (s.bestValLoss) {
    r.set("best_" + key + "_loss", *s.bestValLoss);
    r.set("best_" + key + "_step", s.bestValStep);
  }
  if (s.finalValLoss)
    r.set(key + "_loss", *s.finalValLoss);
  for (const auto &[name, value] : s.metrics)
    r.set(name, value);
  if (!s.checkpoint.empty())
    r.set("checkpoint", s.checkpoint);
  if (s.arenaBytes) {
    r.set("arena_bytes", s.arenaBytes);
    r.set("parameter_bytes", s.parameterBytes);
    r.set("optimizer_state_bytes", s.optimizerStateBytes);
  }
  return r;
}

std::string loom::summaryJson(const RunSummary &s) {
  return summaryRecord(s).json(2);
}
