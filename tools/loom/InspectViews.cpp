//===- InspectViews.cpp - loom inspect --graph and --memory ---------------===//
//
// Part of Loom. This file implements `loom inspect FILE.loomx --graph -o
// F.dot|F.svg` and `--memory -o F.html|F.svg` for the program --program
// names (the training step by default). Loom writes the DOT, SVG and HTML
// itself (runtime/report/StepGraph.h, MemoryView.h); only the graph's SVG
// needs Graphviz: it runs `dot -Tsvg` found on PATH. docs/inspect.md shows
// the views.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/InspectViews.h"

#include "runtime/File.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/report/MemoryView.h"
#include "runtime/report/StepGraph.h"
#include "runtime/report/StepModel.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

/// How long `dot` may take to lay out a graph.
constexpr unsigned kDotSeconds = 300;

bool fail(const Twine &message) {
  WithColor::error(errs(), "loom") << message << "\n";
  return false;
}

/// The lower-case extension of `path` without its dot ("svg").
std::string extensionOf(const std::string &path) {
  std::string ext = sys::path::extension(path).str();
  if (!ext.empty())
    ext.erase(0, 1);
  for (char &c : ext)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return ext;
}

/// Runs `dot -Tsvg` on `dotText`; the SVG, or "" after printing why not.
std::string runDot(const std::string &dotText, const std::string &output) {
  ErrorOr<std::string> dot = sys::findProgramByName("dot");
  if (!dot) {
    fail("-o " + output +
         " needs Graphviz's `dot` on PATH to lay out the graph; install "
         "graphviz, or write the graph with -o FILE.dot");
    return "";
  }
  SmallString<128> in, out, err;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("loom-graph", "dot", in))
    return fail("cannot create a temporary file: " + ec.message()), "";
  FileRemover removeIn(in);
  if (std::error_code ec =
          sys::fs::createTemporaryFile("loom-graph", "svg", out))
    return fail("cannot create a temporary file: " + ec.message()), "";
  FileRemover removeOut(out);
  if (std::error_code ec =
          sys::fs::createTemporaryFile("loom-graph", "err", err))
    return fail("cannot create a temporary file: " + ec.message()), "";
  FileRemover removeErr(err);
  {
    std::error_code ec;
    raw_fd_ostream os(in, ec);
    if (ec)
      return fail(Twine(in) + ": cannot write: " + ec.message()), "";
    os << dotText;
  }
  std::optional<StringRef> redirects[] = {StringRef(""), StringRef(out),
                                          StringRef(err)};
  std::string message;
  StringRef args[] = {"dot", "-Tsvg", in};
  int rc = sys::ExecuteAndWait(*dot, args, std::nullopt, redirects, kDotSeconds,
                               0, &message);
  if (rc != 0) {
    std::string why = message;
    if (ErrorOr<std::unique_ptr<MemoryBuffer>> e = MemoryBuffer::getFile(err);
        e && (*e)->getBufferSize())
      why = (*e)->getBuffer().trim().split('\n').first.str();
    if (why.empty())
      why = "exit status " + std::to_string(rc);
    fail(*dot + " -Tsvg failed on the graph: " + why);
    return "";
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> svg = MemoryBuffer::getFile(out);
  if (!svg)
    return fail(Twine(out) + ": cannot read: " + svg.getError().message()), "";
  return (*svg)->getBuffer().str();
}

} // namespace

bool loom::tool::checkViewRequest(const ViewRequest &r, bool irGiven) {
  bool view = r.graph || r.memory;
  if (r.graph && r.memory)
    return fail("--graph and --memory write one view each; give one of them");
  if (view && irGiven)
    return fail(std::string("--ir prints the IR of a stage; it does not go "
                            "with ") +
                (r.graph ? "--graph" : "--memory"));
  if (!view) {
    if (!r.output.empty())
      return fail("-o names the file --graph or --memory writes; give one of "
                  "them");
    if (!r.program.empty())
      return fail("--program chooses what --graph or --memory draws; give "
                  "one of them");
  }
  if (r.depth >= 0 && !r.graph)
    return fail("--depth is an option of --graph");
  if (!view)
    return true;
  const char *flag = r.graph ? "--graph" : "--memory";
  const char *kinds = r.graph ? ".dot or .svg" : ".html or .svg";
  if (r.output.empty())
    return fail(Twine(flag) + " needs -o FILE (" + kinds + ")");
  std::string ext = extensionOf(r.output);
  bool known =
      ext == "svg" || (r.graph && ext == "dot") || (r.memory && ext == "html");
  if (!known)
    return fail("-o " + r.output + ": " + flag + " writes a file ending in " +
                kinds);
  return true;
}

int loom::tool::drawView(const loom::Artifact &artifact,
                         const std::string &inputFile, const ViewRequest &r) {
  std::string program = r.program.empty() ? "train" : r.program;
  loom::StatusOr<loom::StepModel> model =
      loom::buildStepModel(artifact, program, inputFile);
  if (!model) {
    fail(model.status().message());
    return 1;
  }
  std::string text;
  std::string ext = extensionOf(r.output);
  if (r.graph) {
    loom::StepGraphOptions options;
    options.depth = r.depth;
    text = loom::stepGraphDot(*model, options);
    if (ext == "svg") {
      text = runDot(text, r.output);
      if (text.empty())
        return 1;
    }
  } else {
    loom::MemoryTimeline timeline = loom::memoryTimeline(*model);
    text = ext == "svg" ? loom::memorySvg(*model, timeline)
                        : loom::memoryHtml(*model, timeline);
  }
  if (loom::Status s = loom::writeFileAtomically(r.output, text); !s) {
    fail(s.message());
    return 1;
  }
  return 0;
}
