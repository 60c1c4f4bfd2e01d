//===- Prep.cpp - loom prep -----------------------------------------------===//
//
// Part of Loom. `loom prep tokens IN... -o OUT.bin [--dtype u16|u32]
// [--tokenizer F]`: the token files language models train on, a token per
// byte or BPE tokens (runtime/data/Prep.h). `loom prep bpe IN... --vocab N
// -o tokenizer.json`: trains a byte-level BPE tokenizer (runtime/data/Bpe.h).
// `loom prep csv IN.csv -o OUT.csv --steps "..."`:
// cleans and scales a table (runtime/data/TablePrep.h), fitting every step
// on the whole file.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/File.h"
#include "runtime/data/Bpe.h"
#include "runtime/data/Prep.h"
#include "runtime/data/TablePrep.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace llvm;

namespace {

cl::SubCommand prepCmd(
    "prep",
    "Prepare data: token files from text, BPE tokenizers, cleaned CSV "
    "tables\n\n"
    "  loom prep tokens TEXT... -o OUT.bin [--dtype u16|u32] [--tokenizer "
    "F]\n"
    "  loom prep bpe TEXT... --vocab N -o tokenizer.json\n"
    "  loom prep csv IN.csv -o OUT.csv --steps STEPS [--label COL] [--report]\n"
    "\n"
    "STEPS (comma-separated, applied in order, each fitted on the whole "
    "file):\n"
    "  dedup | dedup(key = COL, ...)      drop repeated rows (or rows with a "
    "repeated key), keeping the first\n"
    "  impute(FILL) | impute(COL = FILL, ..., FILL)\n"
    "                                     FILL: mean, median, mode, drop (the "
    "row), a number or \"text\"\n"
    "  outliers(zscore > T, ACTION)       ACTION: drop, clip or flag\n"
    "  outliers(mahalanobis > T, ACTION)  robust distance (MCD) over the "
    "number features\n"
    "  standardize | minmax               scale the number features (not the "
    "label)\n"
    "  onehot | onehot(max = N)           text features to 0/1 columns (at "
    "most N categories, 50 by default)\n\n"
    "EXAMPLES:\n"
    "  loom prep tokens /usr/share/games/fortunes -o data/fortunes.bin\n"
    "  loom prep bpe /usr/share/games/fortunes --vocab 1024 -o "
    "data/tokenizer.json\n"
    "  loom prep tokens /usr/share/games/fortunes --tokenizer "
    "data/tokenizer.json -o data/fortunes-bpe.bin\n"
    "  loom prep csv raw.csv -o clean.csv --label target --report --steps "
    "\"dedup, impute(median), outliers(zscore > 4, drop), standardize\"");

cl::list<std::string> args(cl::Positional,
                           cl::desc("tokens|bpe <text file or directory>... | "
                                    "csv <CSV file>"),
                           cl::sub(prepCmd));
cl::opt<std::string> output("o",
                            cl::desc("The token file, tokenizer or cleaned "
                                     "CSV to write"),
                            cl::value_desc("file"), cl::sub(prepCmd));
cl::opt<std::string> steps("steps", cl::desc("csv: the prep steps (see above)"),
                           cl::value_desc("steps"), cl::sub(prepCmd));
cl::opt<std::string> label("label",
                           cl::desc("csv: the label column, which no feature "
                                    "step changes (without it every column "
                                    "is a feature)"),
                           cl::value_desc("column"), cl::sub(prepCmd));
cl::opt<bool> report("report",
                     cl::desc("csv: print what each step did, column by "
                              "column"),
                     cl::sub(prepCmd));
cl::opt<std::string> reportJson(
    "report-json",
    cl::desc("csv: write the report and the fitted statistics as JSON"),
    cl::value_desc("file"), cl::sub(prepCmd));
cl::opt<int64_t> vocab("vocab",
                       cl::desc("bpe: the vocabulary size, 257 to 65536 (the "
                                "256 bytes and the merges)"),
                       cl::value_desc("N"), cl::sub(prepCmd));
cl::opt<std::string> tokenizer("tokenizer",
                               cl::desc("tokens: encode with this BPE "
                                        "tokenizer (default: a token per "
                                        "byte)"),
                               cl::value_desc("tokenizer.json"),
                               cl::sub(prepCmd));
cl::opt<std::string> dtype("dtype",
                           cl::desc("tokens: the token type, u16 or u32"),
                           cl::init("u16"), cl::sub(prepCmd));

} // namespace

cl::SubCommand &loom::tool::prepCommand() { return prepCmd; }

namespace {

int fail(const std::string &message) {
  WithColor::error(errs(), "loom prep") << message << "\n";
  return 1;
}

int prepCsv() {
  if (args.size() != 2) {
    WithColor::error(errs(), "loom prep")
        << "expected 'loom prep csv IN.csv -o OUT.csv --steps STEPS'\n";
    return loom::tool::ExitUsage;
  }
  if (output.empty()) {
    WithColor::error(errs(), "loom prep") << "missing -o OUT.csv\n";
    return loom::tool::ExitUsage;
  }
  if (steps.getNumOccurrences() == 0) {
    WithColor::error(errs(), "loom prep") << "missing --steps STEPS\n";
    return loom::tool::ExitUsage;
  }
  using namespace loom::data;
  StepLocator where = [](size_t off) {
    return "--steps:1:" + std::to_string(off + 1) + ": ";
  };
  loom::StatusOr<std::vector<PrepStep>> parsed = parsePrepSteps(steps, where);
  if (!parsed)
    return fail(parsed.status().message());
  if (loom::Status s = loom::checkReplaceable(output); !s)
    return fail(s.message());
  loom::StatusOr<Table> table = readTableCsv(args[1]);
  if (!table)
    return fail(table.status().message());
  std::vector<StepReport> rep;
  if (!label.empty() && table->find(label) < 0) {
    std::string all;
    for (const TableColumn &c : table->columns)
      all += (all.empty() ? "" : ", ") + c.name;
    return fail(args[1] + ": no column named '" + label +
                "' for the --label; the columns are " + all);
  }
  loom::StatusOr<FittedPrep> fitted =
      fitPrep(*parsed, label, *table, rep, where);
  if (!fitted)
    return fail(fitted.status().message());
  if (table->rows() == 0)
    return fail(args[1] + ": no rows are left after the prep steps");
  if (loom::Status s = loom::writeFileAtomically(output, tableToCsv(*table));
      !s)
    return fail(s.message());
  if (!reportJson.empty()) {
    nlohmann::json j = {{"input", std::string(args[1])},
                        {"report", loom::data::reportJson(rep)},
                        {"fitted", prepToJson(*fitted)}};
    if (loom::Status s = loom::writeFileAtomically(
            reportJson,
            // The input's name may not be UTF-8; the tables are.
            j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                "\n");
        !s)
      return fail(s.message());
  }
  if (report)
    for (const std::string &l : reportLines(rep))
      outs() << l << "\n";
  outs() << "wrote " << output << ": " << table->rows() << " rows, "
         << table->columns.size() << " columns\n";
  return 0;
}

int prepBpe() {
  if (args.size() < 2 || output.empty() || vocab.getNumOccurrences() == 0) {
    WithColor::error(errs(), "loom prep")
        << "expected 'loom prep bpe TEXT... --vocab N -o tokenizer.json'\n";
    return loom::tool::ExitUsage;
  }
  if (vocab < 257 || vocab > loom::data::kMaxBpeVocab) {
    WithColor::error(errs(), "loom prep")
        << "--vocab must be from 257 to " << loom::data::kMaxBpeVocab
        << ", not " << vocab << "\n";
    return loom::tool::ExitUsage;
  }
  if (loom::Status s = loom::checkReplaceable(output); !s)
    return fail(s.message());
  loom::data::PrepReport report;
  loom::StatusOr<std::string> text = loom::data::readTextInputs(
      std::vector<std::string>(args.begin() + 1, args.end()), report);
  if (!text)
    return fail(text.status().message());
  loom::StatusOr<loom::data::BpeTokenizer> bpe =
      loom::data::BpeTokenizer::train(*text, vocab);
  if (!bpe)
    return fail(bpe.status().message());
  if (loom::Status s = loom::writeFileAtomically(output, bpe->toJson()); !s)
    return fail(s.message());
  uint64_t tokens = bpe->encode(*text).size();
  outs() << "wrote " << output << ": " << bpe->vocabSize() << " tokens ("
         << bpe->mergeList().size() << " merges) from " << report.bytes
         << " bytes of " << report.files.size() << " text file"
         << (report.files.size() == 1 ? "" : "s") << "; they encode as "
         << tokens << " tokens, ";
  outs() << format("%.2f", double(report.bytes) / double(tokens))
         << " bytes a token\n";
  return 0;
}

} // namespace

int loom::tool::runPrep() {
  std::string mode = args.empty() ? "" : args[0];
  if (vocab.getNumOccurrences() && mode != "bpe")
    return loom::tool::usageError("loom prep",
                                  "--vocab is for 'loom prep bpe'");
  if (tokenizer.getNumOccurrences() && mode != "tokens")
    return loom::tool::usageError("loom prep",
                                  "--tokenizer is for 'loom prep tokens'");
  if (!args.empty() && args[0] == "csv")
    return prepCsv();
  if (!args.empty() && args[0] == "bpe")
    return prepBpe();
  if (args.empty() || args[0] != "tokens") {
    WithColor::error(errs(), "loom prep")
        << "expected 'loom prep tokens TEXT... -o OUT.bin', 'loom prep bpe "
           "TEXT... --vocab N -o tokenizer.json' or 'loom prep csv IN.csv -o "
           "OUT.csv --steps STEPS'\n";
    return loom::tool::ExitUsage;
  }
  if (output.empty()) {
    WithColor::error(errs(), "loom prep") << "missing -o OUT.bin\n";
    return loom::tool::ExitUsage;
  }
  if (dtype != "u16" && dtype != "u32") {
    WithColor::error(errs(), "loom prep")
        << "--dtype must be u16 or u32, not '" << dtype << "'\n";
    return loom::tool::ExitUsage;
  }
  std::optional<loom::data::BpeTokenizer> bpe;
  if (!tokenizer.empty()) {
    loom::StatusOr<loom::data::BpeTokenizer> t =
        loom::data::readBpeTokenizer(tokenizer);
    if (!t)
      return fail(t.status().message());
    bpe = std::move(*t);
  }
  std::vector<std::string> inputs(args.begin() + 1, args.end());
  loom::StatusOr<loom::data::PrepReport> r =
      loom::data::prepTokens(inputs, output, dtype, bpe ? &*bpe : nullptr);
  if (!r) {
    WithColor::error(errs(), "loom prep") << r.status().message() << "\n";
    return 1;
  }
  outs() << "wrote " << output << ": " << r->tokens
         << (bpe ? " BPE tokens (" : " byte tokens (") << dtype << ") from "
         << r->files.size() << " text file"
         << (r->files.size() == 1 ? "" : "s");
  if (!r->skipped.empty())
    outs() << ", skipped " << r->skipped.size() << " binary file"
           << (r->skipped.size() == 1 ? "" : "s");
  if (bpe && r->tokens > 0)
    outs() << format("; %.2f bytes a token",
                     double(r->bytes) / double(r->tokens));
  outs() << "\n";
  return 0;
}
