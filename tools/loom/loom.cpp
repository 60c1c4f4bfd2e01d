//===- loom.cpp - The loom command-line tool ------------------------------===//
//
// Part of Loom. This file implements `loom`, the user's entry point:
//
//   loom compile FILE.loom [--emit=ir|train-ir|ast|plan] [--train NAME]
//   [--locs]
//                          [--dump-ir DIR] [-o OUT]          (Compile.cpp)
//   loom compile FILE.loom -o FILE.loomx [--target cpu] [--dump-ir DIR]
//   loom check FILE.loom                                     (Check.cpp)
//   loom inspect FILE.loomx [--ir STAGE]                     (Inspect.cpp)
//   loom inspect FILE.loomx --graph|--memory -o FILE [--program NAME]
//                [--depth N]                       (InspectViews.cpp)
//   loom bench FILE.loom|FILE.loomx [--steps N] [--batch B] [--json]
//                                                            (Bench.cpp)
//   loom run FILE.loom --backend=reference|cpu [--steps N] [--batch B]
//                      [--seed S] [--train NAME]             (Run.cpp)
//   loom train FILE.loom|FILE.loomx [--steps N] [--batch B] [--lr LR]
//              [--seed S] [--set NAME=VALUE]... [--out DIR]
//              [--resume CKPT | --overwrite]
//              [--full] [--eval-batches N] [--quiet | --json]
//              [--dump-ir DIR]                              (Train.cpp)
//   loom eval CKPT [--data FILE] [--eval-batches N] [--json]  (Eval.cpp)
//   loom predict CKPT --data FILE.csv -o OUT.csv            (Predict.cpp)
//   loom explain CKPT [--data FILE.csv] [--repeats R] [--examples I,J,...
//                | --first N] [--steps M] [--baseline zero|mean]
//                [--target-class C] [-o DIR]               (Explain.cpp)
//   loom explain CKPT --prompt TEXT [--tokenizer FILE] [-o DIR]
//   loom sweep FILE.loom (--grid NAME=V1,V2,... | --random N
//              --range NAME=LO..HI[:log]) [--parallel K] [--metric NAME]
//              [--steps N] [--out DIR] [--full]                (Sweep.cpp)
//   loom prep tokens TEXT... -o OUT.bin [--dtype u16|u32]   (Prep.cpp)
//   loom generate CKPT --prompt TEXT --tokens N [--temperature T]
//                 [--top-k K] [--seed S] [--artifact X.loomx] [--no-cache]
//                                                          (Generate.cpp)
//   loom --help | -h | help [COMMAND]   loom COMMAND --help   loom --version
//
// `loom --help` is this file's own page (the commands, the exit statuses);
// `loom COMMAND --help` is LLVM's, listing that command's options and the
// examples its description ends with. The options that LLVM's and MLIR's
// libraries register (code generation, debugging) are removed before the
// command line is parsed: loom neither lists nor accepts them.
//
// Every problem in the input is reported as `file:line:col: error: ...` with
// the source line and a caret (or `file: error: ...` for data files), and the
// tool exits with the status of Exit.h: 1 for the user's input (so is a
// failed write to standard output: a full disk, `> /dev/full`, whichever
// stream the command wrote with), 2 for the command line, 3 for an internal
// error.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>

using namespace llvm;

namespace {

/// The options loom keeps in the top level: LLVM's help and version.
bool isToolOption(StringRef name) {
  return name == "help" || name == "help-hidden" || name == "version";
}

/// Removes the options that LLVM's and MLIR's libraries register (hundreds:
/// code generation, debugging). They all live in the top level (or in every
/// subcommand); loom's own live in its subcommands. The options were made in
/// libLLVM.so, built without RTTI, so UBSan's vptr check cannot tell their
/// type: it is off here.
__attribute__((no_sanitize("vptr"))) void removeLibraryOptions() {
  SetVector<cl::Option *> library;
  for (auto &entry : cl::getRegisteredOptions(cl::SubCommand::getTopLevel()))
    if (!isToolOption(entry.getKey()))
      library.insert(entry.getValue());
  for (cl::Option *option : library)
    option->removeArgument();
}

/// The first line of a subcommand's description: its summary.
StringRef summary(const cl::SubCommand &sub) {
  return sub.getDescription().split('\n').first;
}

/// `loom --help`: the commands, the options, the exit statuses.
void printHelp(raw_ostream &os) {
  os << "loom: compile and train neural networks\n\n"
        "USAGE: loom COMMAND [options] FILE...\n\n"
        "COMMANDS:\n";
  std::vector<cl::SubCommand *> subs;
  for (cl::SubCommand *sub : cl::getRegisteredSubcommands())
    if (!sub->getName().empty())
      subs.push_back(sub);
  llvm::sort(subs, [](const cl::SubCommand *a, const cl::SubCommand *b) {
    return a->getName() < b->getName();
  });
  for (cl::SubCommand *sub : subs)
    os << "  " << left_justify(sub->getName(), 10) << summary(*sub) << "\n";
  os << "\n"
        "OPTIONS:\n"
        "  --help, -h     this page; 'loom COMMAND --help' (or 'loom help "
        "COMMAND')\n"
        "                 lists a command's options, with examples\n"
        "  --version      Loom's version\n\n"
        "EXIT STATUS:\n"
        "  0  success\n"
        "  1  an error in the input: the .loom program, data, a checkpoint "
        "or an\n"
        "     artifact; a file that cannot be read or written\n"
        "  2  a usage error: an unknown command or flag, a missing argument, "
        "a bad\n"
        "     flag value\n"
        "  3  an internal error: a bug in Loom (please report it)\n"
        "  loom train stopped by Ctrl-C or SIGTERM saves a checkpoint and "
        "exits with\n"
        "  128 + the signal (130, 143); a second signal ends it at once.\n\n"
        "EXAMPLES:\n"
        "  loom check examples/mlp.loom\n"
        "  loom train examples/mlp.loom --steps 100\n"
        "  loom compile examples/gpt2.loom -o gpt2.loomx\n";
}

void printVersion(raw_ostream &os) {
  os << "loom version " LOOM_VERSION "\n"
     << "  built with LLVM/MLIR " LLVM_VERSION_STRING "\n";
}

/// The command line with `-h` spelled `--help` and `loom help [COMMAND]`
/// spelled `loom [COMMAND] --help`; arguments after `--` are left alone.
std::vector<const char *> normalizedArgs(int argc, char **argv) {
  std::vector<const char *> args(argv, argv + argc);
  if (args.size() >= 2 && StringRef(args[1]) == "help") {
    args.erase(args.begin() + 1);
    args.push_back("--help");
  }
  for (size_t i = 1; i < args.size() && StringRef(args[i]) != "--"; ++i)
    if (StringRef(args[i]) == "-h")
      args[i] = "--help";
  return args;
}

bool isHelpFlag(StringRef arg) {
  return arg == "--help" || arg == "-help" || arg == "--help-hidden" ||
         arg == "-help-hidden";
}

/// Whether the command line asks for loom's own page: no command, and a
/// help flag (before any `--`).
bool wantsTopLevelHelp(ArrayRef<const char *> args) {
  if (args.size() < 2 || !StringRef(args[1]).starts_with("-"))
    return false;
  for (StringRef arg : args.drop_front()) {
    if (arg == "--")
      return false;
    if (isHelpFlag(arg))
      return true;
  }
  return false;
}

/// The first argument when it stands where a command goes but names none
/// (LLVM's parser would print its own help for `loom frob --help`).
std::optional<StringRef> unknownCommand(ArrayRef<const char *> args) {
  if (args.size() < 2 || StringRef(args[1]).starts_with("-"))
    return std::nullopt;
  for (cl::SubCommand *sub : cl::getRegisteredSubcommands())
    if (sub->getName() == args[1])
      return std::nullopt;
  return StringRef(args[1]);
}

/// Runs the command the command line chose; its exit status.
int dispatch() {
  if (loom::tool::compileCommand())
    return loom::tool::runCompile();
  if (loom::tool::checkCommand())
    return loom::tool::runCheck();
  if (loom::tool::benchCommand())
    return loom::tool::runBench();
  if (loom::tool::inspectCommand())
    return loom::tool::runInspect();
  if (loom::tool::runCommand())
    return loom::tool::runRun();
  if (loom::tool::trainCommand())
    return loom::tool::runTrain();
  if (loom::tool::sweepCommand())
    return loom::tool::runSweep();
  if (loom::tool::prepCommand())
    return loom::tool::runPrep();
  if (loom::tool::generateCommand())
    return loom::tool::runGenerate();
  if (loom::tool::evalCommand())
    return loom::tool::runEval();
  if (loom::tool::predictCommand())
    return loom::tool::runPredict();
  if (loom::tool::explainCommand())
    return loom::tool::runExplain();
  WithColor::error(errs(), "loom")
      << "no command given; try 'loom compile FILE.loom' or 'loom --help'\n";
  return loom::tool::ExitUsage;
}

/// The command's exit status `status`, or 1 (ExitUserError) after an error when
/// what it wrote to standard output (through LLVM's outs(), std::cout or stdio)
/// did not all reach it. Without this check a failed std::cout went unnoticed
/// and outs() ended in an LLVM fatal error.
int checkStdout(int status) {
  // Why the write failed, when known.
  std::string why;
  outs().flush();
  bool failed = bool(outs().error());
  if (failed) {
    why = outs().error().message();
    outs().clear_error();
  }
  // std::cout writes through stdio's stdout: a flush that fails says why,
  // an error flag left by an earlier write does not.
  std::cout.flush();
  failed |= !std::cout;
  errno = 0;
  if ((std::fflush(stdout) != 0 || std::ferror(stdout))) {
    failed = true;
    if (why.empty() && errno)
      why = std::strerror(errno);
  }
  if (!failed)
    return status;
  std::string command = "loom";
  for (cl::SubCommand *sub : cl::getRegisteredSubcommands())
    if (*sub && !sub->getName().empty())
      command += " " + sub->getName().str();
  WithColor::error(errs(), command)
      << "cannot write to standard output"
      << (why.empty() ? std::string() : ": " + why) << "\n";
  return loom::tool::ExitUserError;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  removeLibraryOptions();
  cl::SetVersionPrinter(printVersion);
  std::vector<const char *> args = normalizedArgs(argc, argv);
  if (wantsTopLevelHelp(args)) {
    printHelp(outs());
    return checkStdout(loom::tool::ExitSuccess);
  }
  if (std::optional<StringRef> name = unknownCommand(args)) {
    WithColor::error(errs(), "loom") << "unknown command '" << *name
                                     << "'; 'loom --help' lists the commands\n";
    return loom::tool::ExitUsage;
  }
  // With an error stream, a bad command line returns false instead of
  // exiting with 1: it is a usage error.
  if (!cl::ParseCommandLineOptions(static_cast<int>(args.size()), args.data(),
                                   "loom: compile and train neural networks\n",
                                   &errs()))
    return loom::tool::ExitUsage;
  return loom::tool::exitStatus(checkStdout(dispatch()));
}
