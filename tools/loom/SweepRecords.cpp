//===- SweepRecords.cpp - Reading an earlier run's sweep.jsonl -----------===//
//
// Part of Loom. No MLIR: the records of the trials that finished in an
// earlier run of a sweep, which a resumed sweep does not run again. The
// file is the user's to edit and a crash may cut its last line short; a
// line that is not a record of this sweep's trials does not count.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Sweep.h"

#include "tools/loom/Flags.h"

#include "runtime/File.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace loom::tool {

int readSweepRecords(const SweepPlan &plan, SweepState &state) {
  const char *kCommand = "loom sweep";
  std::string path = plan.outDir + "/sweep.jsonl";
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() == fs::file_type::not_found)
    return 0;
  StatusOr<std::string> text =
      readInputFile(path, "record file", uint64_t(256) << 20);
  if (!text)
    return flagError(kCommand, text.status().message());
  std::map<std::string, const SweepTrial *> byName;
  for (const SweepTrial &t : plan.trials)
    byName[t.name] = &t;
  size_t begin = 0, lineNo = 0;
  while (begin < text->size()) {
    size_t end = text->find('\n', begin);
    if (end == std::string::npos)
      end = text->size();
    std::string line = text->substr(begin, end - begin);
    begin = end + 1;
    ++lineNo;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string why;
    auto isText = [&](const char *key) {
      return j.contains(key) && j[key].is_string();
    };
    auto isNumberOrNull = [&](const char *key) {
      return !j.contains(key) || j[key].is_number() || j[key].is_null();
    };
    // A line that is not JSON was cut short by a crash (or mangled): it
    // does not count, as docs/sweep.md says.
    if (j.is_discarded() || !j.is_object())
      continue;
    if (!isText("trial") || !byName.count(j["trial"].get<std::string>()))
      why = "\"trial\" is not a trial of this sweep";
    else if (!isText("status") ||
             (j["status"] != "ok" && j["status"] != "diverged" &&
              j["status"] != "failed"))
      why = "\"status\" is not \"ok\", \"diverged\" or \"failed\"";
    else if (!isNumberOrNull("value") || !isNumberOrNull("loss") ||
             !isNumberOrNull("seconds"))
      why = "\"value\", \"loss\" or \"seconds\" is not a number";
    else if (j.contains("steps") &&
             (!j["steps"].is_number_integer() || j["steps"].get<int64_t>() < 0))
      why = "\"steps\" is not a count";
    else if (j.contains("error") && !j["error"].is_string())
      why = "\"error\" is not text";
    if (!why.empty()) {
      std::cerr << kCommand << ": warning: " << path << ":" << lineNo
                << ": not a trial's record (" << why
                << "); the line does not count\n";
      continue;
    }
    const SweepTrial &t = *byName[j["trial"].get<std::string>()];
    SweepRecord r;
    r.trial = t.name;
    r.settings = t.settings;
    r.status = j["status"].get<std::string>();
    if (j.contains("value") && j["value"].is_number())
      r.value = j["value"].get<double>();
    if (j.contains("loss") && j["loss"].is_number())
      r.loss = j["loss"].get<double>();
    if (j.contains("steps"))
      r.steps = j["steps"].get<int64_t>();
    if (j.contains("seconds") && j["seconds"].is_number())
      r.seconds = j["seconds"].get<double>();
    if (j.contains("error"))
      r.error = j["error"].get<std::string>();
    state.finished[t.name] = r;
  }
  // The next record starts a line of its own, not the end of a cut one.
  state.recordsCut = !text->empty() && text->back() != '\n';
  return 0;
}

} // namespace loom::tool
