//===- RecipeTest.cpp - The runtime's check of an artifact's recipe -------===//
//
// Part of Loom. An artifact whose recipe was changed and whose checksums
// were recomputed loads; the recipe is then checked field by field as
// strictly as the compiler checks the one it writes (a split of 0 trained
// on zero-filled batches, a name with "../" wrote outside the output
// directory, a field of the wrong type was read as its default).
//
//===----------------------------------------------------------------------===//

#include "tests/unit/ArtifactSample.h"

#include "runtime/exec/Executor.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/Trainer.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace loom;
using namespace loom::train;

namespace {

/// The message parseRecipe gives for a valid recipe with the members
/// `fields` (JSON members, without braces) added or replacing its own
/// (nlohmann-json keeps the last of two members of one name); "" if none.
std::string errorWith(const std::string &fields) {
  std::string json =
      R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},)"
      R"("batch":4,"steps":10,"seed":1,"split":{"fraction":0.8,"seed":2},)"
      R"("optimizer":{"kind":"adam","lr":0.001},)" +
      fields + "}";
  StatusOr<Recipe> r = parseRecipe(json, "a.loomx");
  return r ? "" : r.status().message();
}

TEST(RecipeCheck, AcceptsWhatTheCompilerWrites) {
  EXPECT_EQ(errorWith(R"("eval":{"every":1,"unit":"epochs","on":"val",)"
                      R"("metrics":["loss","accuracy"]},)"
                      R"("checkpoint":{"every":5,"unit":"steps","keep":2},)"
                      R"("schedule":{"kind":"reduce_on_plateau","factor":0.5,)"
                      R"("patience":0},"init_from":"ckpt.safetensors")"),
            "");
}

TEST(RecipeCheck, RefusesAFieldOutOfRange) {
  EXPECT_EQ(errorWith(R"("split":{"fraction":0,"seed":2})"),
            "a.loomx: the recipe's 'split.fraction' must be a finite number "
            "in (0, 1), not 0");
  EXPECT_EQ(errorWith(R"("split":{"fraction":1.5,"seed":2})"),
            "a.loomx: the recipe's 'split.fraction' must be a finite number "
            "in (0, 1), not 1.5");
  EXPECT_EQ(errorWith(R"("batch":0)"),
            "a.loomx: the recipe's 'batch' must be at least 1, not 0");
  EXPECT_EQ(errorWith(R"("epochs":-2)"),
            "a.loomx: the recipe's 'epochs' must be at least 1, not -2");
  EXPECT_EQ(errorWith(R"("checkpoint":{"every":0,"unit":"steps"})"),
            "a.loomx: the recipe's 'checkpoint.every' must be at least 1, "
            "not 0");
  EXPECT_EQ(errorWith(R"("checkpoint":{"every":1,"unit":"steps","keep":0})"),
            "a.loomx: the recipe's 'checkpoint.keep' must be at least 1, "
            "not 0");
  EXPECT_EQ(errorWith(R"("schedule":{"kind":"reduce_on_plateau",)"
                      R"("factor":1,"patience":3})"),
            "a.loomx: the recipe's 'schedule.factor' must be a finite number "
            "in (0, 1), not 1");
  EXPECT_EQ(errorWith(R"("schedule":{"kind":"reduce_on_plateau",)"
                      R"("factor":0.5,"patience":-1})"),
            "a.loomx: the recipe's 'schedule.patience' must be at least 0, "
            "not -1");
  EXPECT_EQ(errorWith(R"("optimizer":{"kind":"adam","lr":-0.1})"),
            "a.loomx: the recipe's 'optimizer.lr' must be a finite number > "
            "0, not -0.1");
}

TEST(RecipeCheck, RefusesAFieldOfTheWrongType) {
  EXPECT_EQ(errorWith(R"("steps":"10")"),
            "a.loomx: the recipe's 'steps' must be an integer, not \"10\"");
  EXPECT_EQ(errorWith(R"("seed":1.5)"),
            "a.loomx: the recipe's 'seed' must be an integer, not 1.5");
  EXPECT_EQ(errorWith(R"("split":[0.8])"),
            "a.loomx: the recipe's 'split' must be an object, not [0.8]");
  EXPECT_EQ(errorWith(R"("init_from":7)"),
            "a.loomx: the recipe's 'init_from' must be a string, not 7");
  EXPECT_EQ(errorWith(R"("eval":{"every":1,"unit":"steps","metrics":"loss"})"),
            "a.loomx: the recipe's 'eval.metrics' must be an array, not "
            "\"loss\"");
}

TEST(RecipeCheck, RefusesNamesAndKindsItDoesNotKnow) {
  EXPECT_EQ(errorWith(R"("name":"../../escape")"),
            "a.loomx: the recipe's 'name' must be a train block's name "
            "(letters, digits and '_'), not \"../../escape\"");
  EXPECT_EQ(errorWith(R"("name":"")"),
            "a.loomx: the recipe's 'name' must be a train block's name "
            "(letters, digits and '_'), not \"\"");
  EXPECT_EQ(errorWith(R"("data":{"kind":"parquet","path":"a"})"),
            "a.loomx: the recipe's 'data.kind' must be one of csv, idx, "
            "tokens, not \"parquet\"");
  EXPECT_EQ(errorWith(R"("data":{"kind":"idx","images":"a.gz"})"),
            "a.loomx: the recipe's 'data.labels' is missing");
  EXPECT_EQ(errorWith(R"("data":{"kind":"tokens","path":"a","dtype":"u8"})"),
            "a.loomx: the recipe's 'data.dtype' must be one of u16, u32, not "
            "\"u8\"");
  EXPECT_EQ(errorWith(R"("eval":{"every":1,"unit":"days"})"),
            "a.loomx: the recipe's 'eval.unit' must be one of steps, epochs, "
            "not \"days\"");
  EXPECT_EQ(errorWith(R"("eval":{"every":1,"unit":"steps",)"
                      R"("metrics":["loss","bleu"]})"),
            "a.loomx: the recipe's 'eval.metrics' holds \"bleu\", not one of "
            "loss, accuracy, precision, recall, f1, perplexity, mae, rmse, r2");
  EXPECT_EQ(errorWith(R"("schedule":{"kind":"cyclic"})"),
            "a.loomx: the recipe's 'schedule.kind' must be one of constant, "
            "step, exponential, warmup_cosine, reduce_on_plateau, not "
            "\"cyclic\"");
  EXPECT_EQ(errorWith(R"("optimizer":{"kind":"lion","lr":0.1})"),
            "a.loomx: the recipe's 'optimizer.kind' must be one of sgd, adam, "
            "adamw, rmsprop, not \"lion\"");
}

/// What `loom train` says of the sample artifact with `recipe` and
/// `target`, encoded (its checksums and content hash computed anew) and
/// read back as a file would be.
std::string trainError(const std::string &recipe, const std::string &target) {
  Artifact a = sampleArtifact();
  a.recipe = recipe;
  a.meta.target = target;
  StatusOr<std::vector<uint8_t>> bytes = encodeArtifact(a, "m.loomx");
  if (!bytes)
    return "cannot encode: " + bytes.status().message();
  StatusOr<Artifact> read =
      decodeArtifact(bytes->data(), bytes->size(), "m.loomx");
  if (!read)
    return "cannot decode: " + read.status().message();
  TrainOptions options;
  options.name = "m.loomx";
  options.outDir = "never-written";
  std::ostringstream out, err;
  int status = trainArtifact(std::move(*read), options, out, err);
  return std::to_string(status) + " " + err.str();
}

TEST(RecipeCheck, AnArtifactWithRecomputedChecksumsIsCheckedToo) {
  const std::string valid =
      R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},)"
      R"("batch":4,"steps":10})";
  EXPECT_EQ(trainError(R"({"name":"../../t","data":{"kind":"csv",)"
                       R"("path":"a.csv","label":"y"},"batch":4,"steps":1})",
                       "cpu-x86_64"),
            "1 loom train: error: m.loomx: the recipe's 'name' must be a "
            "train block's name (letters, digits and '_'), not "
            "\"../../t\"\n");
  std::string host;
  StepExecutor::runsOnThisHost("", host);
  EXPECT_EQ(trainError(valid, "cuda"),
            "1 loom train: error: m.loomx: compiled for target 'cuda', which "
            "this machine (" +
                host + ") cannot run; compile the .loom program here\n");
}

} // namespace
