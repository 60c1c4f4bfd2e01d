//===- Explain.cpp - loom explain -----------------------------------------===//
//
// Part of Loom. `loom explain CKPT [--data FILE.csv] [--repeats R] [--seed
// S] [--examples I,J,... | --first N] [--steps M] [--baseline zero|mean]
// [--target-class C] [-o DIR] [--artifact X.loomx]`: what a trained
// classifier or regressor over f32 features relies on
// (runtime/train/Explain.h): permutation importance over the validation
// split (or every row of --data) and integrated gradients of chosen
// examples, printed as ranked tables; with -o, explain.json and
// importance.svg in DIR. `loom explain CKPT --prompt TEXT [--tokenizer
// FILE]`: a language model's prompt tokens, each occluded in turn
// (runtime/train/TokenAttribution.h).
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"

#include "runtime/File.h"
#include "runtime/data/Bpe.h"
#include "runtime/report/BarChart.h"
#include "runtime/train/Explain.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"
#include "runtime/train/TokenAttribution.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <climits>
#include <optional>
#include <sys/stat.h>

using namespace llvm;

namespace {

cl::SubCommand explainCmd(
    "explain",
    "Explain what a trained model's predictions rely on\n\n"
    "Permutation importance: each input feature shuffled across the "
    "examples (the recipe's validation split, or every row of --data), and "
    "the drop of accuracy (a classifier) or R^2 (a regressor), mean and std "
    "over --repeats. Integrated gradients: each feature's attribution to "
    "the predicted class's logit (or --target-class, or a regressor's "
    "output) for the chosen examples, computed by the artifact's compiled "
    "input-gradient program, with the completeness check (the attributions "
    "sum to f(x) - f(baseline)).\n\n"
    "A language model, with --prompt: how much each prompt token supports "
    "the predicted next token (or --target-class), by occlusion: the drop "
    "of its log-probability when the token is replaced by a space.\n\n"
    "EXAMPLES:\n"
    "  loom explain runs/iris/checkpoints\n"
    "  loom explain runs/iris/checkpoints --examples 0,5,17 --steps 128 -o "
    "explain\n"
    "  loom explain runs/diabetes/checkpoints --data rows.csv --baseline "
    "zero\n"
    "  loom explain runs/gpt/checkpoints --prompt \"The cat sat on the\"");

cl::opt<std::string> checkpoint(cl::Positional,
                                cl::desc("<checkpoint file or directory>"),
                                cl::Required, cl::sub(explainCmd));
cl::opt<std::string> dataFile("data",
                              cl::desc("Explain every row of this CSV file "
                                       "(default: the recipe's validation "
                                       "split)"),
                              cl::value_desc("file.csv"), cl::sub(explainCmd));
cl::opt<int64_t> repeats("repeats",
                         cl::desc("Shuffles of each feature (default 5)"),
                         cl::init(5), cl::value_desc("R"), cl::sub(explainCmd));
cl::opt<int64_t> seed("seed", cl::desc("Seed of the shuffles (default 0)"),
                      cl::init(0), cl::value_desc("S"), cl::sub(explainCmd));
cl::opt<std::string> examples("examples",
                              cl::desc("Integrated gradients of these "
                                       "examples (0-based, comma-separated)"),
                              cl::value_desc("I,J,..."), cl::sub(explainCmd));
cl::opt<int64_t> first("first",
                       cl::desc("Integrated gradients of the first N "
                                "examples (default 3; 0: none)"),
                       cl::init(3), cl::value_desc("N"), cl::sub(explainCmd));
cl::opt<int64_t> steps("steps",
                       cl::desc("Interpolation points of integrated "
                                "gradients (default 64)"),
                       cl::init(64), cl::value_desc("M"), cl::sub(explainCmd));
cl::opt<std::string> baseline("baseline",
                              cl::desc("Integrated gradients' baseline: zero, "
                                       "or mean (the training split's mean "
                                       "of each feature; the default)"),
                              cl::init("mean"), cl::value_desc("zero|mean"),
                              cl::sub(explainCmd));
cl::opt<int64_t> targetClass("target-class",
                             cl::desc("Attribute this class's logit (a "
                                      "regressor: this target's output; "
                                      "--prompt: this token id) instead of "
                                      "the predicted one's"),
                             cl::value_desc("C"), cl::sub(explainCmd));
cl::opt<bool> noImportance("no-importance",
                           cl::desc("Skip permutation importance"),
                           cl::sub(explainCmd));
cl::opt<std::string> outDir("o",
                            cl::desc("Write explain.json and importance.svg "
                                     "in this directory"),
                            cl::value_desc("dir"), cl::sub(explainCmd));
cl::opt<std::string> prompt("prompt",
                            cl::desc("A language model: how much each token "
                                     "of this text supports the next-token "
                                     "prediction (occlusion)"),
                            cl::value_desc("text"), cl::sub(explainCmd));
cl::opt<std::string>
    tokenizerPath("tokenizer",
                  cl::desc("--prompt: the BPE tokenizer (loom prep bpe) the "
                           "model's tokens come from (default: one token "
                           "per byte)"),
                  cl::value_desc("tokenizer.json"), cl::sub(explainCmd));
cl::opt<std::string> artifactPath("artifact",
                                  cl::desc("The .loomx the checkpoint belongs "
                                           "to (default: the one it records)"),
                                  cl::value_desc("file"), cl::sub(explainCmd));

int fail(const std::string &message) {
  return loom::tool::flagError("loom explain", message);
}

/// --examples as indices; false after a usage error.
bool parseExamples(std::vector<int64_t> &out) {
  SmallVector<StringRef> parts;
  StringRef(examples).split(parts, ',');
  for (StringRef p : parts) {
    int64_t v;
    if (p.trim().getAsInteger(10, v) || v < 0) {
      loom::tool::usageError("loom explain",
                             "--examples takes example numbers (0-based) "
                             "separated by commas, not '" +
                                 examples + "'");
      return false;
    }
    out.push_back(v);
  }
  return true;
}

/// A token's bytes as text: printable ASCII as it is, the rest escaped.
std::string tokenText(const std::string &bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\\' || c == '\'')
      out += std::string("\\") + char(c);
    else if (c >= 32 && c < 127)
      out += char(c);
    else
      out += "\\x" + llvm::utohexstr(c, /*LowerCase=*/true, /*Width=*/2);
  }
  return "'" + out + "'";
}

/// loom explain --prompt: occlusion of each prompt token of a language
/// model (runtime/train/TokenAttribution.h).
int explainPrompt(loom::train::TrainedModel &model) {
  std::optional<loom::data::BpeTokenizer> bpe;
  if (!tokenizerPath.empty()) {
    loom::StatusOr<loom::data::BpeTokenizer> t =
        loom::data::readBpeTokenizer(tokenizerPath);
    if (!t)
      return fail(t.status().message());
    bpe = std::move(*t);
  }
  const loom::IoRecord *out = nullptr;
  if (!model.ex->programOutput("eval", "output", &out) ||
      out->shape.size() != 3)
    return fail(checkpoint +
                ": --prompt takes a language model (logits "
                "[B, T, vocabulary]); this model's output is " +
                (out ? "of rank " + std::to_string(out->shape.size())
                     : std::string("missing")));
  int64_t vocab = bpe ? bpe->vocabSize() : 256;
  if (out->shape[2] != vocab)
    return fail(checkpoint + ": the model has " +
                std::to_string(out->shape[2]) + " tokens, " +
                (bpe ? "but the tokenizer " + tokenizerPath + " has " +
                           std::to_string(vocab)
                     : std::string("not the 256 bytes; give the model's "
                                   "tokenizer with --tokenizer")));
  auto bytesOf = [&](int32_t t) {
    return bpe ? bpe->bytesOf(t) : std::string(1, char(t));
  };
  std::vector<int32_t> tokens;
  if (bpe)
    tokens = bpe->encode(std::string(prompt));
  else
    for (unsigned char c : std::string(prompt))
      tokens.push_back(c);
  std::optional<int32_t> target;
  if (targetClass.getNumOccurrences())
    target = int32_t(std::min<int64_t>(targetClass, INT32_MAX));
  // A space (byte 32, a token of every byte-level vocabulary) replaces each
  // token in turn.
  loom::StatusOr<loom::train::TokenAttribution> a =
      loom::train::occludeTokens(*model.ex, tokens, ' ', target);
  if (!a)
    return fail(a.status().message());
  outs() << "explaining " << checkpoint << " (the model at step "
         << model.state.step << ") on a prompt of " << tokens.size() << " token"
         << (tokens.size() == 1 ? "" : "s");
  if (a->dropped)
    outs() << " (the first " << a->dropped << " left out: the window is "
           << a->tokens.size() << ")";
  outs() << "\nnext token " << tokenText(bytesOf(a->target)) << " (id "
         << a->target << (a->predicted ? ", the most likely" : "")
         << "), log-probability " << format("%.4f", a->logprob) << "\n";
  outs() << "occlusion: each token replaced by " << tokenText(" ")
         << ", the drop of that log-probability\n";
  outs() << "  position  token       drop\n";
  std::vector<loom::Bar> bars;
  for (size_t t = 0; t < a->tokens.size(); ++t) {
    std::string text = tokenText(bytesOf(a->tokens[t]));
    outs() << format("  %8zu  ", t) << left_justify(text, 8)
           << format("  %8.4f", a->drop[t]) << "\n";
    bars.push_back({std::to_string(t) + " " + text, a->drop[t], 0});
  }
  if (outDir.empty())
    return 0;
  if (loom::Status s = loom::makeDirectories(outDir); !s)
    return fail(s.message());
  nlohmann::json positions = nlohmann::json::array();
  for (size_t t = 0; t < a->tokens.size(); ++t)
    positions.push_back({{"position", t},
                         {"token", a->tokens[t]},
                         {"text", bytesOf(a->tokens[t])},
                         {"occluded_logprob", a->occludedLogprob[t]},
                         {"drop", a->drop[t]}});
  nlohmann::json j = {
      {"method", "occlusion"},     {"prompt_tokens", tokens.size()},
      {"left_out", a->dropped},    {"occluder", a->occluder},
      {"target", a->target},       {"target_text", bytesOf(a->target)},
      {"predicted", a->predicted}, {"logprob", a->logprob},
      {"positions", positions}};
  if (loom::Status s = loom::writeFileAtomically(
          outDir + "/explain.json",
          nlohmann::json{{"prompt", j}}.dump(
              2, ' ', false, nlohmann::json::error_handler_t::replace) +
              "\n");
      !s)
    return fail(s.message());
  std::string svg = loom::barChartSvg(
      "Prompt tokens and the next token " + tokenText(bytesOf(a->target)),
      "drop of its log-probability when the token is replaced by ' '", bars);
  if (loom::Status s =
          loom::writeFileAtomically(outDir + "/importance.svg", svg);
      !s)
    return fail(s.message());
  outs() << "wrote " << outDir << "/explain.json and " << outDir
         << "/importance.svg\n";
  return 0;
}

} // namespace

cl::SubCommand &loom::tool::explainCommand() { return explainCmd; }

int loom::tool::runExplain() {
  if (!checkIntFlag("loom explain", repeats, 1, 10000) ||
      !checkIntFlag("loom explain", steps, 1, 1000000) ||
      !checkIntFlag("loom explain", first, 0) ||
      !checkIntFlag("loom explain", seed, 0) ||
      (targetClass.getNumOccurrences() &&
       !checkIntFlag("loom explain", targetClass, 0)))
    return ExitUsage;
  if (baseline != "zero" && baseline != "mean")
    return usageError("loom explain",
                      "--baseline is zero or mean, not '" + baseline + "'");
  if (!examples.empty() && first.getNumOccurrences())
    return usageError("loom explain", "give --examples or --first, not both");
  std::vector<int64_t> chosen;
  if (examples.getNumOccurrences() && !parseExamples(chosen))
    return ExitUsage;
  if (noImportance && !examples.getNumOccurrences() && first == 0)
    return usageError("loom explain", "--no-importance and --first 0 leave "
                                      "nothing to explain");
  if (prompt.getNumOccurrences()) {
    for (const cl::Option *o : std::initializer_list<const cl::Option *>{
             &dataFile, &repeats, &seed, &examples, &first, &steps, &baseline,
             &noImportance})
      if (o->getNumOccurrences())
        return usageError("loom explain",
                          "--" + o->ArgStr +
                              " is for classifiers and regressors; --prompt "
                              "explains a language model's next token");
    if (prompt.empty())
      return usageError("loom explain", "--prompt is empty");
  } else if (!tokenizerPath.empty()) {
    return usageError("loom explain", "--tokenizer goes with --prompt");
  }
  // -o names a directory: one that is something else is refused by name
  // (not as "DIR/explain.json: cannot examine it").
  if (struct stat st; !outDir.empty() && ::stat(outDir.c_str(), &st) == 0 &&
                      !S_ISDIR(st.st_mode))
    return fail(outDir + ": -o names a directory to write explain.json and "
                         "importance.svg in, and this is not a directory");
  if (!outDir.empty())
    for (const char *name : {"/explain.json", "/importance.svg"})
      if (loom::Status s = loom::checkReplaceable(outDir + name); !s)
        return fail(s.message());

  loom::StatusOr<loom::train::TrainedModel> model =
      loom::train::loadTrainedModel(checkpoint, artifactPath);
  if (!model)
    return fail(model.status().message());
  loom::StatusOr<loom::train::Recipe> recipe =
      loom::train::parseRecipe(model->recipeJson, model->artifactPath);
  if (!recipe)
    return fail(recipe.status().message());
  if (prompt.getNumOccurrences()) {
    if (recipe->data.kind != "tokens")
      return fail(checkpoint +
                  ": --prompt explains a language model, and "
                  "this model reads " +
                  recipe->data.kind + " data");
    return explainPrompt(*model);
  }
  loom::StepExecutor &ex = *model->ex;
  if (loom::Status s = loom::train::checkExplainable(ex, *recipe); !s)
    return fail(checkpoint + ": " + s.message());
  loom::StatusOr<loom::train::ExplainData> data =
      loom::train::loadExplainData(ex, *recipe, model->state, dataFile);
  if (!data)
    return fail(data.status().message());
  if (!examples.getNumOccurrences())
    for (int64_t e = 0; e < std::min<int64_t>(first, data->count); ++e)
      chosen.push_back(e);
  for (int64_t e : chosen)
    if (e >= data->count)
      return fail("--examples " + examples + ": example " + std::to_string(e) +
                  " is past the " + std::to_string(data->count) +
                  " examples of " + data->source + " (0 to " +
                  std::to_string(data->count - 1) + ")");
  if (targetClass.getNumOccurrences())
    if (std::string why =
            loom::train::targetRangeError(data->output, targetClass);
        !why.empty())
      return fail(why);
  outs() << "explaining " << checkpoint << " (the model at step "
         << model->state.step << ") on " << data->source << ": " << data->count
         << " examples of " << data->features << " features\n";

  std::optional<loom::train::Importance> importance;
  if (!noImportance) {
    loom::StatusOr<loom::train::Importance> imp =
        loom::train::permutationImportance(ex, *data, repeats,
                                           uint64_t(seed.getValue()));
    if (!imp)
      return fail(imp.status().message());
    importance = std::move(*imp);
  }
  std::vector<float> base(size_t(data->features), 0.0f);
  std::string baseName = baseline == "mean" ? "training-mean" : "zero";
  std::vector<loom::train::Attribution> attributions;
  if (!chosen.empty() && baseline == "mean") {
    loom::StatusOr<std::vector<float>> mean =
        loom::train::trainingMean(ex, *recipe, model->state);
    if (!mean)
      return fail(mean.status().message());
    base = std::move(*mean);
  }
  std::optional<int64_t> target;
  if (targetClass.getNumOccurrences())
    target = targetClass;
  for (int64_t e : chosen) {
    loom::StatusOr<loom::train::Attribution> a =
        loom::train::integratedGradients(ex, *data, e, base, steps, target);
    if (!a)
      return fail(model->artifactPath + ": " + a.status().message());
    attributions.push_back(std::move(*a));
  }
  outs() << loom::train::explainText(*data, importance ? &*importance : nullptr,
                                     attributions, baseName, steps);
  if (outDir.empty())
    return 0;
  if (loom::Status s = loom::makeDirectories(outDir); !s)
    return fail(s.message());
  std::string json =
      loom::train::explainJson(*data, importance ? &*importance : nullptr,
                               attributions, baseName, base, steps);
  if (loom::Status s =
          loom::writeFileAtomically(outDir + "/explain.json", json);
      !s)
    return fail(s.message());
  outs() << "wrote " << outDir << "/explain.json";
  if (importance) {
    std::vector<loom::Bar> bars;
    for (const loom::train::FeatureImportance &f : importance->features)
      bars.push_back({f.name, f.mean, f.std});
    std::string svg = loom::barChartSvg(
        // The source names its file last: only the file's name here.
        "Permutation importance on " +
            data->source.substr(0, data->source.size() - data->file.size()) +
            sys::path::filename(data->file).str(),
        "drop of " + importance->metric + " when the feature is shuffled (" +
            std::to_string(importance->repeats) + " repeats, error bar: std)",
        bars);
    if (loom::Status s =
            loom::writeFileAtomically(outDir + "/importance.svg", svg);
        !s)
      return fail(s.message());
    outs() << " and " << outDir << "/importance.svg";
  }
  outs() << "\n";
  return 0;
}
