//===- Inspect.cpp - loom inspect -----------------------------------------===//
//
// Part of Loom. `loom inspect FILE.loomx [--ir STAGE]` prints what an
// artifact holds: its header, the kernels in launch order (kind, operand
// shapes, bytes moved, FLOPs), the memory plan, the parameter and
// optimizer-state tables, the step's inputs and outputs, the recipe; with
// --ir the IR of one pipeline stage; with --graph or --memory a picture of
// one program, written to -o FILE (InspectViews.cpp). It reads through the
// same loader the runtime uses, so a damaged file gets the same message
// here.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/InspectViews.h"

#include "runtime/Text.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/report/StepModel.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

using namespace llvm;

namespace {

cl::SubCommand inspectCmd("inspect",
                          "Print what a .loomx artifact holds, or draw its "
                          "kernel graph or memory plan\n\n"
                          "EXAMPLES:\n"
                          "  loom inspect gpt2.loomx\n"
                          "  loom inspect gpt2.loomx --ir linalg\n"
                          "  loom inspect gpt2.loomx --graph -o step.dot\n"
                          "  loom inspect gpt2.loomx --memory -o mem.html");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loomx>"),
                               cl::Required, cl::sub(inspectCmd));
cl::opt<std::string> irStage("ir",
                             cl::desc("Print the IR of this pipeline stage "
                                      "instead (frontend, autodiff, "
                                      "train-step, kernels, linalg)"),
                             cl::value_desc("stage"), cl::sub(inspectCmd));
cl::opt<bool> graphView(
    "graph",
    cl::desc("Draw the program's kernels and the values between them, "
             "grouped by phase and .loom module, into -o FILE.dot (or "
             ".svg, laid out by Graphviz's `dot` from PATH)"),
    cl::sub(inspectCmd));
cl::opt<bool> memoryView(
    "memory",
    cl::desc("Draw the program's memory plan over its kernels, with what is "
             "live at the peak, into -o FILE.html (or .svg)"),
    cl::sub(inspectCmd));
cl::opt<std::string> viewFile("o",
                              cl::desc("The file --graph or --memory writes"),
                              cl::value_desc("file"), cl::sub(inspectCmd));
cl::opt<std::string>
    viewProgram("program",
                cl::desc("The program --graph or --memory draws: train (the "
                         "training step, the default), eval, eval1, decode, "
                         "input_grad"),
                cl::value_desc("name"), cl::sub(inspectCmd));
cl::opt<int> graphDepth(
    "depth",
    cl::desc("--graph: module levels drawn as clusters; a module one level "
             "deeper is one node (default: the most levels that keep the "
             "graph within 200 nodes)"),
    cl::value_desc("levels"), cl::init(-1), cl::sub(inspectCmd));

std::string attrText(const loom::KernelAttr &a) {
  switch (a.type) {
  case loom::KernelAttr::Type::Int:
    return std::to_string(a.i);
  case loom::KernelAttr::Type::Float:
    return formatv("{0}", a.f).str();
  case loom::KernelAttr::Type::String:
    return a.s;
  case loom::KernelAttr::Type::IntList:
    return loom::shapeText(a.ints);
  }
  return "";
}

/// The shortest text that reads back as the same number (0.02, not 0.00 or
/// 2.000000e-02; 0.005773502691896258 whole).
std::string number(double v) {
  char text[32];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(text, sizeof(text), "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v)
      break;
  }
  return text;
}

std::string initText(const loom::InitSpec &s) {
  if (s.kind == "normal")
    return "normal(" + number(s.mean) + ", " + number(s.std) + ")";
  if (s.kind == "uniform")
    return "uniform(" + number(s.low) + ", " + number(s.high) + ")";
  if (s.kind == "constant")
    return "constant(" + number(s.value) + ")";
  if (s.kind.rfind("xavier", 0) == 0 || s.kind.rfind("he_", 0) == 0)
    return s.kind + "(gain " + number(s.gain) + ")";
  return s.kind;
}

} // namespace

cl::SubCommand &loom::tool::inspectCommand() { return inspectCmd; }

int loom::tool::runInspect() {
  ViewRequest view;
  view.graph = graphView;
  view.memory = memoryView;
  view.output = viewFile;
  view.program = viewProgram;
  view.depth = graphDepth.getNumOccurrences() ? graphDepth : -1;
  if (graphDepth.getNumOccurrences() && graphDepth < 0) {
    WithColor::error(errs(), "loom")
        << "--depth " << graphDepth << ": give 0 or more levels\n";
    return loom::tool::ExitUsage;
  }
  if (!checkViewRequest(view, irStage.getNumOccurrences() > 0))
    return loom::tool::ExitUsage;
  loom::StatusOr<loom::Artifact> read = loom::readArtifact(inputFile);
  if (!read) {
    WithColor::error(errs(), "loom") << read.status().message() << "\n";
    return 1;
  }
  const loom::Artifact &a = *read;
  if (view.graph || view.memory)
    return drawView(a, inputFile, view);
  raw_ostream &os = outs();
  if (!irStage.empty()) {
    std::string stages;
    for (const loom::IrText &t : a.ir) {
      if (t.stage == irStage) {
        os << t.text << "\n";
        return 0;
      }
      stages += (stages.empty() ? "" : ", ") + t.stage;
    }
    WithColor::error(errs(), "loom")
        << inputFile << " has no IR for stage '" << irStage
        << "'; it has: " << stages << "\n";
    return loom::tool::ExitUsage;
  }

  uint64_t totalFlops = 0, paramBytes = 0, stateBytes = 0, paramCount = 0;
  for (const loom::KernelRecord &k : a.kernels)
    totalFlops += k.flops;
  for (const loom::ParamRecord &p : a.params) {
    paramBytes += p.size;
    int64_t n = 1;
    for (int64_t d : p.shape)
      n *= d;
    paramCount += n;
  }
  for (const loom::OptStateRecord &s : a.optState)
    stateBytes += s.size;
  os << inputFile << ": " << a.meta.producer << ", target " << a.meta.target
     << ", from " << a.meta.source << "\n"
     << formatv("  content hash {0:x16}\n", a.meta.contentHash) << "  "
     << a.kernels.size() << " kernels, " << loom::flopCount(totalFlops)
     << " per step\n"
     << "  peak memory " << loom::byteSize(a.memory.arenaSize)
     << " in one arena (" << a.memory.buffers.size() << " buffers, alignment "
     << a.memory.alignment << "): parameters " << loom::byteSize(paramBytes)
     << ", optimizer state " << loom::byteSize(stateBytes) << "\n"
     << "  " << formatv("{0:N}", paramCount) << " parameters in "
     << a.params.size() << " tensors\n";
  for (const loom::ObjectBlob &o : a.objects)
    os << "  object '" << o.name << "': " << loom::byteSize(o.bytes.size())
       << " of generated code\n";

  os << "\nkernels:\n";
  std::vector<const loom::BufferRecord *> byId;
  for (const loom::BufferRecord &b : a.memory.buffers) {
    if (b.id >= byId.size())
      byId.resize(b.id + 1, nullptr);
    byId[b.id] = &b;
  }
  for (size_t i = 0; i < a.kernels.size(); ++i) {
    const loom::KernelRecord &k = a.kernels[i];
    os << formatv("  {0,4}  {1,-30}", i,
                  k.kind + (k.symbol.empty() ? "" : " " + k.symbol));
    for (size_t j = 0; j < k.operands.size(); ++j) {
      const loom::KernelAttr *s = k.attr("s" + std::to_string(j));
      os << (j ? ", " : " ") << "#" << k.operands[j];
      if (s && s->type == loom::KernelAttr::Type::IntList)
        os << loom::shapeText(s->ints);
    }
    os << formatv("  {0}, {1}", loom::byteSize(k.bytesMoved),
                  loom::flopCount(k.flops));
    std::string extra;
    for (const loom::KernelAttr &at : k.attrs) {
      if ((at.key[0] == 's' || at.key[0] == 't') && at.key.size() > 1 &&
          isdigit(static_cast<unsigned char>(at.key[1])))
        continue;
      extra += (extra.empty() ? "" : " ") + at.key + "=" + attrText(at);
    }
    if (!extra.empty())
      os << "  {" << extra << "}";
    os << "\n";
  }

  os << "\nmemory plan (offset, size, live kernels):\n";
  for (const loom::BufferRecord &b : a.memory.buffers)
    os << formatv("  #{0,-5} {1,12} {2,12}  [{3}, {4}]  {5}\n", b.id, b.offset,
                  b.size, b.firstUse, b.lastUse, b.name);

  os << "\nparameters:\n";
  for (const loom::ParamRecord &p : a.params)
    os << formatv("  {0,-32} {1}{2}  init {3}{4}{5}\n", p.name,
                  loom::dtypeName(p.dtype), loom::shapeText(p.shape),
                  initText(p.init), p.frozen ? "  frozen" : "",
                  p.sharding.empty() ? "" : "  sharding " + p.sharding);
  os << "\noptimizer state: " << a.optState.size() << " tensors, "
     << loom::byteSize(stateBytes) << "\n";
  for (const loom::OptStateRecord &s : a.optState)
    os << formatv("  {0,-40} {1}{2}\n", s.name, loom::dtypeName(s.dtype),
                  loom::shapeText(s.shape));
  auto io = [&](const char *what, const std::vector<loom::IoRecord> &list) {
    os << what;
    for (const loom::IoRecord &r : list)
      os << formatv("  {0,-10} {1}{2}  #{3}\n", r.role,
                    loom::dtypeName(r.dtype), loom::shapeText(r.shape),
                    r.buffer);
  };
  os << "\nprograms:\n  train      kernels [0, " << a.trainKernelEnd() << ")\n";
  for (const loom::ProgramRecord &p : a.programs)
    os << formatv("  {0,-10} kernels [{1}, {2})\n", p.name, p.firstKernel,
                  p.endKernel);
  io("\ninputs:\n", a.inputs);
  io("outputs:\n", a.outputs);
  for (const loom::ProgramRecord &p : a.programs) {
    io(("\n" + p.name + " inputs:\n").c_str(), p.inputs);
    io((p.name + " outputs:\n").c_str(), p.outputs);
  }
  os << "\nrecipe: " << a.recipe << "\n";
  std::string stages;
  for (const loom::IrText &t : a.ir)
    stages += (stages.empty() ? "" : ", ") + t.stage;
  os << "IR stages (--ir STAGE): " << stages << "\n";
  return 0;
}
