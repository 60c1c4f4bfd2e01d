//===- Generate.cpp - loom generate ---------------------------------------===//
//
// Part of Loom. `loom generate CKPT --prompt TEXT --tokens N [--temperature
// T] [--top-k K] [--seed S] [--artifact X.loomx] [--no-cache] [--tokenizer
// F]`: loads the artifact that wrote the checkpoint (recorded in it;
// --artifact overrides), its parameters from the checkpoint, and samples N
// tokens after the prompt from the language model's decoding program (one
// token at a time with KV caches) or, without one or with --no-cache, its
// batch-1 program over the whole window. Tokens are bytes, or with
// --tokenizer those of a BPE tokenizer (loom prep bpe), which encodes the
// prompt and decodes what is sampled.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/artifact/Artifact.h"
#include "runtime/checkpoint/Checkpoint.h"
#include "runtime/data/Bpe.h"
#include "runtime/exec/Executor.h"
#include "runtime/train/Generate.h"
#include "runtime/train/State.h"

#include "llvm/Support/WithColor.h"

#include "llvm/Support/raw_ostream.h"
#include <optional>

using namespace llvm;

namespace {

cl::SubCommand generateCmd("generate",
                           "Generate text with a trained language model\n\n"
                           "EXAMPLES:\n"
                           "  loom generate runs/fortunes/checkpoints "
                           "--prompt \"Q: \" --tokens 300\n"
                           "  loom generate runs/fortunes/checkpoints "
                           "--prompt \"Q: \" --tokens 100 --temperature 0\n"
                           "  loom generate runs/bpe/checkpoints --tokenizer "
                           "data/tokenizer.json --prompt \"Q: \"");

cl::opt<std::string> checkpoint(cl::Positional,
                                cl::desc("<checkpoint file or directory>"),
                                cl::Required, cl::sub(generateCmd));
cl::opt<std::string> prompt("prompt", cl::desc("The text to continue"),
                            cl::init("\n"), cl::sub(generateCmd));
cl::opt<int64_t> tokens("tokens",
                        cl::desc("How many tokens (bytes, or BPE tokens with "
                                 "--tokenizer) to add"),
                        cl::init(200), cl::value_desc("N"),
                        cl::sub(generateCmd));
cl::opt<double> temperature("temperature",
                            cl::desc("Sampling temperature (0: greedy)"),
                            cl::init(0.8), cl::sub(generateCmd));
cl::opt<int64_t> topK("top-k",
                      cl::desc("Sample among the K most likely (0: all)"),
                      cl::init(0), cl::value_desc("K"), cl::sub(generateCmd));
cl::opt<int64_t> seed("seed", cl::desc("Seed of the sampling"), cl::init(0),
                      cl::value_desc("S"), cl::sub(generateCmd));
cl::opt<bool> noCache("no-cache",
                      cl::desc("Recompute the whole window for every token "
                               "instead of decoding with the KV caches"),
                      cl::sub(generateCmd));
cl::opt<std::string> artifactPath("artifact",
                                  cl::desc("The .loomx the checkpoint "
                                           "belongs to (default: the one it "
                                           "records)"),
                                  cl::value_desc("file"), cl::sub(generateCmd));

cl::opt<std::string>
    tokenizerPath("tokenizer",
                  cl::desc("The BPE tokenizer (loom prep bpe) the model's "
                           "tokens come from (default: one token per byte)"),
                  cl::value_desc("tokenizer.json"), cl::sub(generateCmd));

int fail(const std::string &message) {
  return loom::tool::flagError("loom generate", message);
}

} // namespace

cl::SubCommand &loom::tool::generateCommand() { return generateCmd; }

int loom::tool::runGenerate() {
  if (!checkIntFlag("loom generate", tokens, 0) ||
      !checkFiniteFlag("loom generate", temperature, 0) ||
      !checkIntFlag("loom generate", topK, 0))
    return ExitUsage;
  loom::StatusOr<loom::train::TrainedModel> model =
      loom::train::loadTrainedModel(checkpoint, artifactPath);
  if (!model)
    return fail(model.status().message());
  std::string artifactFile = model->artifactPath;
  std::unique_ptr<loom::StepExecutor> &ex = model->ex;
  std::optional<loom::data::BpeTokenizer> bpe;
  if (!tokenizerPath.empty()) {
    loom::StatusOr<loom::data::BpeTokenizer> t =
        loom::data::readBpeTokenizer(tokenizerPath);
    if (!t)
      return fail(t.status().message());
    bpe = std::move(*t);
  }
  int64_t vocab = bpe ? bpe->vocabSize() : 256;
  const loom::IoRecord *out = nullptr;
  std::string program = ex->hasProgram("eval1") ? "eval1" : "eval";
  if (!ex->programOutput(program, "output", &out) || out->shape.size() != 3)
    return fail(artifactFile + ": generation takes a language model (logits "
                               "[1, T, vocabulary])");
  if (out->shape[2] != vocab)
    return fail(artifactFile + ": the model has " +
                std::to_string(out->shape[2]) + " tokens, " +
                (bpe ? "but the tokenizer " + tokenizerPath + " has " +
                           std::to_string(vocab)
                     : std::string("not the 256 bytes; give the model's "
                                   "tokenizer with --tokenizer")));
  std::vector<int32_t> context;
  if (bpe)
    context = bpe->encode(std::string(prompt));
  else
    for (unsigned char c : std::string(prompt))
      context.push_back(c);
  if (context.empty())
    return usageError("loom generate", "--prompt is empty");
  loom::train::SampleOptions sample;
  sample.temperature = temperature;
  sample.topK = topK;
  sample.seed = static_cast<uint64_t>(seed.getValue());
  outs() << prompt;
  outs().flush();
  auto print = [&](int32_t t) {
    if (bpe)
      outs() << bpe->bytesOf(t);
    else
      outs() << static_cast<char>(t);
    outs().flush();
  };
  loom::Status s =
      ex->hasProgram("decode") && !noCache
          ? loom::train::generateCached(*ex, context, tokens, sample, print)
          : loom::train::generate(*ex, context, tokens, sample, print);
  outs() << "\n";
  if (!s)
    return fail(s.message());
  return 0;
}
