//===- TablePrepFuzzer.cpp - libFuzzer target over loom prep csv ----------===//
//
// Part of Loom. The input's first line is a --steps string, the rest a CSV
// file. Parses both, fits the steps on the table and checks what must hold
// whenever that succeeds: the cleaned table writes as CSV that reads back
// with the same rows and columns, and the fitted statistics, through JSON
// and back, applied to the original table give the same table and report.
// A crash, a sanitizer report, a hang or a broken property is a finding.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/TablePrep.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace loom;
using namespace loom::data;

[[noreturn]] static void finding(const char *what, const std::string &message) {
  std::fprintf(stderr, "table prep fuzzer: %s: %s\n", what, message.c_str());
  __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string input(reinterpret_cast<const char *>(data), size);
  size_t nl = input.find('\n');
  if (nl == std::string::npos)
    return 0;
  StepLocator where = [](size_t off) {
    return "--steps:1:" + std::to_string(off + 1) + ": ";
  };
  StatusOr<std::vector<PrepStep>> steps =
      parsePrepSteps(input.substr(0, nl), where);
  StatusOr<Table> table = parseTableCsv(input.substr(nl + 1), "fuzz.csv");
  if (!steps.ok() || !table.ok())
    return 0;
  std::string label = table->columns.back().name;
  Table fitted = *table;
  std::vector<StepReport> report;
  StatusOr<FittedPrep> prep = fitPrep(*steps, label, fitted, report, where);
  if (!prep.ok())
    return 0;
  (void)reportLines(report);
  std::string csv = tableToCsv(fitted);
  if (fitted.rows() > 0) {
    StatusOr<Table> back = parseTableCsv(csv, "cleaned.csv");
    if (!back.ok())
      finding("the cleaned CSV does not read back", back.status().message());
    if (back->rows() != fitted.rows() ||
        back->columns.size() != fitted.columns.size())
      finding("the cleaned CSV reads back with another shape", csv);
  }
  FittedPrep loaded;
  std::string why =
      prepFromJson(nlohmann::json::parse(prepToJson(*prep).dump()), loaded);
  if (!why.empty())
    finding("the fitted statistics do not load from their JSON", why);
  Table again = *table;
  std::vector<StepReport> report2;
  if (Status s = applyPrep(loaded, again, report2); !s)
    finding("the loaded statistics do not apply to the table they were "
            "fitted on",
            s.message());
  if (tableToCsv(again) != csv)
    finding("fitting and applying give different tables", tableToCsv(again));
  if (reportJson(report2) != reportJson(report))
    finding("fitting and applying give different reports",
            reportJson(report2).dump());
  return 0;
}
