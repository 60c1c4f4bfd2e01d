//===- Prep.cpp - loom prep -----------------------------------------------===//
//
// Part of Loom. `loom prep tokens IN... -o OUT.bin [--dtype u16|u32]`: the
// byte-level tokenizer (runtime/data/Prep.h) that makes the token files
// language models train on.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"

#include "runtime/data/Prep.h"

#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

cl::SubCommand prepCmd("prep",
                       "Prepare data: byte-level token files from text\n\n"
                       "EXAMPLES:\n"
                       "  loom prep tokens /usr/share/games/fortunes -o "
                       "data/fortunes.bin");

cl::list<std::string> args(cl::Positional,
                           cl::desc("tokens <text file or "
                                    "directory>..."),
                           cl::sub(prepCmd));
cl::opt<std::string> output("o", cl::desc("The token file to write"),
                            cl::value_desc("file"), cl::sub(prepCmd));
cl::opt<std::string> dtype("dtype", cl::desc("Token type: u16 or u32"),
                           cl::init("u16"), cl::sub(prepCmd));

} // namespace

cl::SubCommand &loom::tool::prepCommand() { return prepCmd; }

int loom::tool::runPrep() {
  if (args.empty() || args[0] != "tokens") {
    WithColor::error(errs(), "loom prep")
        << "expected 'loom prep tokens TEXT... -o OUT.bin'\n";
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
  std::vector<std::string> inputs(args.begin() + 1, args.end());
  loom::StatusOr<loom::data::PrepReport> r =
      loom::data::prepTokens(inputs, output, dtype);
  if (!r) {
    WithColor::error(errs(), "loom prep") << r.status().message() << "\n";
    return 1;
  }
  outs() << "wrote " << output << ": " << r->tokens << " byte tokens (" << dtype
         << ") from " << r->files.size() << " text file"
         << (r->files.size() == 1 ? "" : "s");
  if (!r->skipped.empty())
    outs() << ", skipped " << r->skipped.size() << " binary file"
           << (r->skipped.size() == 1 ? "" : "s");
  outs() << "\n";
  return 0;
}
