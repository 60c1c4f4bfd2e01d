//===- TrainTest.cpp - The training loop's pieces -------------------------===//
//
// Part of Loom. The recipe the runtime decodes from an artifact, the state
// a checkpoint carries, and the sampling of loom generate. The loop itself
// runs end to end in tests/e2e/train.test.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Generate.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

using namespace loom;
using namespace loom::train;

namespace {

TEST(Recipe, DecodesWhatTheCompilerWrites) {
  // The JSON `loom compile` stores for examples/mlp.loom.
  StatusOr<Recipe> r = parseRecipe(
      R"({"batch":256,"checkpoint":{"every":1,"keep":1,"unit":"epochs"},)"
      R"("data":{"images":"a.gz","kind":"idx","labels":"b.gz"},"epochs":2,)"
      R"("eval":{"every":1,"metrics":["loss","accuracy","f1"],"on":"val",)"
      R"("unit":"epochs"},"name":"mlp","optimizer":{"kind":"adam","lr":0.001},)"
      R"("schedule":{"kind":"reduce_on_plateau","factor":0.5,"patience":3},)"
      R"("seed":1234,"split":{"fraction":0.9,"seed":1337},)"
      R"("test":{"images":"c.gz","kind":"idx","labels":"d.gz"},)"
      R"("init_from":"runs/x.safetensors"})",
      "mlp.loomx");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->name, "mlp");
  EXPECT_EQ(r->data.kind, "idx");
  EXPECT_EQ(r->data.images, "a.gz");
  EXPECT_DOUBLE_EQ(r->data.fraction, 0.9);
  EXPECT_EQ(r->data.splitSeed, 1337u);
  ASSERT_TRUE(r->test.has_value());
  EXPECT_EQ(r->test->labels, "d.gz");
  EXPECT_EQ(r->test->fraction, 0.0);
  EXPECT_EQ(r->batch, 256);
  EXPECT_EQ(r->epochs, 2);
  EXPECT_FALSE(r->steps.has_value());
  EXPECT_EQ(r->eval.every, 1);
  EXPECT_TRUE(r->eval.epochs);
  EXPECT_TRUE(r->wants("f1"));
  EXPECT_FALSE(r->wants("perplexity"));
  EXPECT_EQ(r->checkpoint.every, 1);
  EXPECT_EQ(r->keep, 1);
  EXPECT_EQ(r->seed, 1234u);
  EXPECT_EQ(r->schedule.kind, "reduce_on_plateau");
  EXPECT_DOUBLE_EQ(r->schedule.factor, 0.5);
  EXPECT_EQ(r->schedule.patience, 3);
  EXPECT_EQ(r->optimizer.kind, "adam");
  EXPECT_DOUBLE_EQ(r->optimizer.lr, 0.001);
  EXPECT_EQ(r->initFrom, "runs/x.safetensors");
}

/// `r` written, parsed back and written again: the same text.
Recipe roundTrip(const Recipe &r) {
  std::string text = writeRecipe(r);
  StatusOr<Recipe> back = parseRecipe(text, "r.loomx");
  EXPECT_TRUE(back.ok()) << back.status().message() << "\n" << text;
  if (!back.ok())
    return Recipe();
  EXPECT_EQ(writeRecipe(*back), text);
  return *back;
}

/// The smallest recipe of data `d`.
Recipe recipeOf(const data::DataSpec &d) {
  Recipe r;
  r.name = "r";
  r.data = d;
  r.batch = 4;
  r.steps = 10;
  r.optimizer.kind = "sgd";
  r.optimizer.lr = 0.1;
  return r;
}

TEST(Recipe, WritesWhatItDecodes) {
  // Every field of every setting survives writeRecipe -> parseRecipe, and
  // writing again gives the same text.
  Recipe r;
  r.name = "lm";
  r.data.kind = "tokens";
  r.data.path = "train.bin";
  r.data.seq = 64;
  r.data.dtype = "u32";
  r.data.fraction = 0.75;
  r.data.splitSeed = 7;
  r.test = r.data;
  r.test->path = "test.bin";
  r.test->fraction = 0;
  r.batch = 8;
  r.steps = 100;
  r.eval = {10, false};
  r.evalOn = "test";
  r.metrics = {"loss", "perplexity"};
  r.checkpoint = {2, true};
  r.keep = 3;
  r.seed = 42;
  r.initFrom = "a.safetensors";
  r.freeze = {"body.*"};
  r.optimizer.kind = "rmsprop";
  r.optimizer.lr = 0.01;
  r.optimizer.alpha = 0.9;
  r.optimizer.eps = 1e-6;
  r.optimizer.momentum = 0.5;
  r.optimizer.centered = true;
  r.optimizer.weightDecay = 0.1;
  r.optimizer.clipNorm = 1.5;
  r.schedule.kind = "warmup_cosine";
  r.schedule.warmup = 10;
  r.schedule.minLr = 1e-4;
  Recipe back = roundTrip(r);
  EXPECT_EQ(back.data.seq, 64);
  EXPECT_EQ(back.data.dtype, "u32");
  EXPECT_DOUBLE_EQ(back.data.fraction, 0.75);
  EXPECT_EQ(back.data.splitSeed, 7u);
  EXPECT_EQ(back.test->path, "test.bin");
  EXPECT_EQ(back.steps, 100);
  EXPECT_EQ(back.evalOn, "test");
  EXPECT_TRUE(back.wants("perplexity"));
  EXPECT_TRUE(back.checkpoint.epochs);
  EXPECT_EQ(back.keep, 3);
  EXPECT_EQ(back.seed, 42u);
  EXPECT_EQ(back.freeze, std::vector<std::string>{"body.*"});
  EXPECT_DOUBLE_EQ(back.optimizer.alpha, 0.9);
  EXPECT_DOUBLE_EQ(back.optimizer.eps, 1e-6);
  EXPECT_DOUBLE_EQ(back.optimizer.momentum, 0.5);
  EXPECT_TRUE(back.optimizer.centered);
  EXPECT_DOUBLE_EQ(back.optimizer.weightDecay, 0.1);
  EXPECT_EQ(back.optimizer.clipNorm, 1.5);
  EXPECT_EQ(back.schedule.warmup, 10);
  EXPECT_DOUBLE_EQ(back.schedule.minLr, 1e-4);
}

TEST(Recipe, WritesEachWayACsvReadsItsLabels) {
  using Kind = data::LabelSpec::Kind;
  data::DataSpec csv;
  csv.kind = "csv";
  csv.path = "x.csv";
  csv.label = "y";
  // Class numbers (no `classes`), names, a list of names, a target.
  Recipe back = roundTrip(recipeOf(csv));
  EXPECT_EQ(back.data.labelSpec.kind, Kind::Numbers);
  EXPECT_EQ(back.data.label, "y");
  csv.labelSpec.kind = Kind::Names;
  back = roundTrip(recipeOf(csv));
  EXPECT_EQ(back.data.labelSpec.kind, Kind::Names);
  EXPECT_TRUE(back.data.labelSpec.names.empty());
  csv.labelSpec.names = {"cat", "dog"};
  back = roundTrip(recipeOf(csv));
  EXPECT_EQ(back.data.labelSpec.names,
            (std::vector<std::string>{"cat", "dog"}));
  csv.labelSpec = data::LabelSpec();
  csv.labelSpec.kind = Kind::Values;
  back = roundTrip(recipeOf(csv));
  EXPECT_EQ(back.data.labelSpec.kind, Kind::Values);
  EXPECT_EQ(back.data.label, "y");
}

TEST(Recipe, DataRanksSplitTheGlobalBatch) {
  const char *const data =
      R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},)";
  StatusOr<Recipe> r = parseRecipe(
      std::string(data) +
          R"("batch":8,"steps":1,"optimizer":{"kind":"sgd","lr":0.1},)"
          R"("data_ranks":2})",
      "a.loomx");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->dataRanks, 2);
  EXPECT_EQ(roundTrip(*r).dataRanks, 2);
  EXPECT_EQ(
      parseRecipe(std::string(data) + R"("batch":8,"steps":1})", "a.loomx")
          ->dataRanks,
      1);
  EXPECT_EQ(
      parseRecipe(std::string(data) + R"("batch":7,"steps":1,"data_ranks":2})",
                  "a.loomx")
          .status()
          .message(),
      "a.loomx: the recipe's batch 7 does not split evenly over its 2 "
      "data ranks");
  EXPECT_EQ(
      parseRecipe(std::string(data) + R"("batch":8,"steps":1,"data_ranks":0})",
                  "a.loomx")
          .status()
          .message(),
      "a.loomx: the recipe's 'data_ranks' must be between 1 and "
      "1048576, not 0");
}

TEST(Recipe, RejectsWhatTheLoopCannotRun) {
  // Text that is no JSON is not called "not a JSON object".
  EXPECT_EQ(parseRecipe("[", "a.loomx").status().message(),
            "a.loomx: the recipe is invalid JSON at byte 1: syntax error while "
            "parsing value - unexpected end of input; expected '[', '{', or a "
            "literal");
  EXPECT_EQ(parseRecipe("[1]", "a.loomx").status().message(),
            "a.loomx: the recipe is not a JSON object (found an array)");
  EXPECT_EQ(parseRecipe(R"({"name":"t","batch":4,"steps":1})", "a.loomx")
                .status()
                .message(),
            "a.loomx: the recipe has no data to train on");
  EXPECT_EQ(
      parseRecipe(
          R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},"steps":1})",
          "a.loomx")
          .status()
          .message(),
      "a.loomx: the recipe has no batch size");
  EXPECT_EQ(
      parseRecipe(
          R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},"batch":2})",
          "a.loomx")
          .status()
          .message(),
      "a.loomx: the recipe sets neither steps nor epochs");
  // Evaluations on a split the data has.
  EXPECT_EQ(
      parseRecipe(
          R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},"batch":2,"steps":1,)"
          R"("eval":{"every":1,"unit":"steps","on":"test"}})",
          "a.loomx")
          .status()
          .message(),
      "a.loomx: the recipe evaluates on test but names no test set "
      "(test = ...)");
  EXPECT_EQ(
      parseRecipe(
          R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},"batch":2,"steps":1,)"
          R"("eval":{"every":1,"unit":"steps","on":"dev"}})",
          "a.loomx")
          .status()
          .message(),
      "a.loomx: the recipe evaluates on 'dev'; the splits are val, "
      "train and test");
  EXPECT_TRUE(
      parseRecipe(
          R"({"name":"t","data":{"kind":"csv","path":"a.csv","label":"y"},"batch":2,"steps":1,)"
          R"("test":{"kind":"csv","path":"b.csv","label":"y"},)"
          R"("eval":{"every":1,"unit":"steps","on":"test"}})",
          "a.loomx")
          .ok());
}

TEST(Recipe, RefusesANulInAnyString) {
  // "a.csv\0/etc/passwd" opened a.csv.
  std::string json = R"({"data":{"kind":"csv","path":"a.csv\u0000x"},)"
                     R"("batch":2,"steps":1})";
  EXPECT_EQ(parseRecipe(json, "a.loomx").status().message(),
            "a.loomx: the recipe's 'data.path' holds a NUL byte");
  EXPECT_EQ(parseRecipe(R"({"data":{"kind":"csv","path":"a.csv"},"batch":2,)"
                        R"("steps":1,"eval":{"metrics":["loss\u0000"]}})",
                        "a.loomx")
                .status()
                .message(),
            "a.loomx: the recipe's 'eval.metrics[0]' holds a NUL byte");
}

TEST(State, RoundTripsThroughJson) {
  TrainState s;
  s.step = 500;
  s.examples = 32000;
  s.ranks = 2;
  s.seed = 18446744073709551615ull;
  s.lrScale = 0.25f;
  s.plateauBest = 2.5;
  s.plateauBad = 3;
  s.plateauSeen = true;
  s.bestValLoss = 2.25;
  s.bestValStep = 400;
  s.artifactHash = hashText(0x0baf8082e377c785ull);
  s.artifactPath = "/runs/gpt/fortunes.loomx";
  EXPECT_EQ(s.artifactHash, "0x0baf8082e377c785");
  StatusOr<TrainState> t = parseStateJson(stateJson(s), "c.safetensors");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->step, 500);
  EXPECT_EQ(t->examples, 32000);
  EXPECT_EQ(t->ranks, 2);
  EXPECT_EQ(t->seed, s.seed);
  EXPECT_EQ(t->lrScale, 0.25f);
  EXPECT_EQ(t->plateauBest, 2.5);
  EXPECT_EQ(t->plateauBad, 3);
  EXPECT_TRUE(t->plateauSeen);
  EXPECT_EQ(t->bestValLoss, 2.25);
  EXPECT_EQ(t->bestValStep, 400);
  EXPECT_EQ(t->artifactHash, s.artifactHash);
  EXPECT_EQ(t->artifactPath, s.artifactPath);
  EXPECT_EQ(parseStateJson(R"({"format":1,)", "c").status().message(),
            "c: metadata 'loom.state' is invalid JSON at byte 12: syntax "
            "error while parsing object key - unexpected end of input; "
            "expected string literal");
  EXPECT_EQ(parseStateJson("7", "c").status().message(),
            "c: metadata 'loom.state' is not a JSON object (found a number)");
  EXPECT_EQ(parseStateJson(R"({"format":2})", "c").status().message(),
            "c: metadata 'loom.state' has no format 1");
  EXPECT_EQ(parseStateJson(R"({"format":1,"step":-1})", "c").status().message(),
            "c: metadata 'loom.state' has no valid 'step'");
  // A checkpoint from before the data position and the rank count: the
  // position is the step's, one rank.
  nlohmann::json old = nlohmann::json::parse(stateJson(s));
  old.erase("examples");
  old.erase("ranks");
  StatusOr<TrainState> before = parseStateJson(old.dump(), "c");
  ASSERT_TRUE(before.ok()) << before.status().message() << " in " << old;
  EXPECT_EQ(before->examples, -1);
  EXPECT_EQ(before->ranks, 1);
  s.ranks = 0;
  EXPECT_EQ(parseStateJson(stateJson(s), "c").status().message(),
            "c: metadata 'loom.state' has no valid 'ranks'");
  s.ranks = 1;
  s.examples = -2;
  EXPECT_EQ(parseStateJson(stateJson(s), "c").status().message(),
            "c: metadata 'loom.state' has no valid 'examples'");
  s.examples = 0;
  s.artifactPath = std::string("/runs/a.loomx\0/b", 16);
  EXPECT_EQ(parseStateJson(stateJson(s), "c").status().message(),
            "c: metadata 'loom.state' has an 'artifact_path' that holds a NUL "
            "byte");
  // The prep statistics round-trip; ones that do not parse are an error.
  s.artifactPath = "/runs/a.loomx";
  s.prep = R"({"label":"y","steps":[{"stats":[{"a":1.5,"b":2.0,)"
           R"("column":"a"}],"step":"standardize"}]})";
  StatusOr<TrainState> p = parseStateJson(stateJson(s), "c");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->prep, s.prep);
  s.prep = R"({"label":"y","steps":[{"stats":[],"step":"scale"}]})";
  EXPECT_EQ(parseStateJson(stateJson(s), "c").status().message(),
            "c: metadata 'loom.state' has a 'prep' that is not the statistics "
            "of prep steps: step 'scale': unknown prep step 'scale'; the steps "
            "are dedup, impute, outliers, standardize, minmax and onehot");
}

TEST(Generate, GreedyTopKAndSeededSampling) {
  const float logits[5] = {1.0f, 3.0f, 3.0f, -2.0f, NAN};
  SampleOptions greedy;
  greedy.temperature = 0;
  // Ties go to the lower index; NaN never wins.
  EXPECT_EQ(sampleToken(logits, 5, greedy, 0), 1);
  SampleOptions top2;
  top2.topK = 2;
  top2.seed = 7;
  std::map<int32_t, int> seen;
  for (uint64_t d = 0; d < 2000; ++d)
    ++seen[sampleToken(logits, 5, top2, d)];
  // Only the two best, about equally often.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NEAR(seen[1], 1000, 120);
  EXPECT_NEAR(seen[2], 1000, 120);
  // The same seed and draw give the same token; draws differ.
  SampleOptions all;
  all.temperature = 1.0;
  all.seed = 3;
  std::map<int32_t, int> any;
  for (uint64_t d = 0; d < 4000; ++d) {
    int32_t t = sampleToken(logits, 5, all, d);
    EXPECT_EQ(t, sampleToken(logits, 5, all, d));
    ++any[t];
  }
  // softmax(1, 3, 3, -2): 0.0634, 0.4683, 0.4683, 0.0032; NaN has weight 0.
  EXPECT_EQ(any.count(4), 0u);
  EXPECT_NEAR(any[0] / 4000.0, 0.0634, 0.015);
  EXPECT_NEAR(any[1] / 4000.0, 0.4683, 0.03);
}

} // namespace
