//===- RecipeSchemaTest.cpp - The recipe schema agrees with its attributes ===//
//
// Part of Loom. ir/RecipeSchema.cpp's recipeSettings is the one table of the
// recipe settings' fields (names, types, ranges, allowed values) and
// recipeKinds each kind's arguments and defaults; LoomRecipe.td spells the
// same names as the attributes' parameters. These tests fail when the two
// disagree: a field added to one and not the other, a name spelled
// differently, or the table's order not the parameters' (the verifiers and
// buildRecipeSetting pass the fields by position).
//
//===----------------------------------------------------------------------===//

#include "ir/LoomDialect.h"
#include "ir/LoomRecipe.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// How many parameters attribute `AttrT` has: the arguments of its
/// verifier, after the error emitter.
template <typename AttrT> size_t parameterCount() {
  return llvm::function_traits<decltype(&AttrT::verify)>::num_args - 1;
}

TEST(RecipeSchema, EachSettingHasItsAttributesParameters) {
  // `kind` precedes the fields; the optimizer and the schedule end with
  // `loc`.
  EXPECT_EQ(parameterCount<DataAttr>(),
            1 + findRecipeSetting("data")->fields.size());
  EXPECT_EQ(parameterCount<OptimizerAttr>(),
            2 + findRecipeSetting("optimizer")->fields.size());
  EXPECT_EQ(parameterCount<ScheduleAttr>(),
            2 + findRecipeSetting("schedule")->fields.size());
  EXPECT_EQ(recipeSettings().size(), 3u);
}

TEST(RecipeSchema, EveryArgumentIsAFieldAndEveryFieldIsTaken) {
  for (const RecipeSetting &s : recipeSettings()) {
    llvm::StringSet<> names, taken;
    for (const RecipeField &f : s.fields) {
      EXPECT_TRUE(names.insert(f.name).second) << s.name << " " << f.name;
      EXPECT_FALSE(f.range && !f.values.empty()) << f.name;
      bool numeric = f.type == RecipeArgType::F64 ||
                     f.type == RecipeArgType::I64 ||
                     f.type == RecipeArgType::F64Pair;
      EXPECT_TRUE(!f.range || numeric) << f.name;
      EXPECT_TRUE(f.values.empty() || f.type == RecipeArgType::String)
          << f.name;
    }
    for (const RecipeKind &k : recipeKinds()) {
      if (llvm::StringRef(k.setting) != s.name)
        continue;
      llvm::StringSet<> args;
      for (const RecipeArg &a : k.args) {
        EXPECT_TRUE(args.insert(a.name).second) << k.kind << " " << a.name;
        EXPECT_EQ(a.field, s.findField(a.name)) << k.kind << " " << a.name;
        EXPECT_EQ(llvm::StringRef(a.field->name), a.name);
        taken.insert(a.name);
      }
    }
    for (const RecipeField &f : s.fields)
      EXPECT_TRUE(taken.contains(f.name))
          << s.name << "'s '" << f.name << "' is taken by no kind";
  }
}

TEST(RecipeSchema, DefaultsAreValidValues) {
  for (const RecipeKind &k : recipeKinds())
    for (const RecipeArg &a : k.args) {
      llvm::StringRef text = a.dflt;
      if (text.empty() || text == "-")
        continue;
      const RecipeField &f = *a.field;
      if (!f.values.empty()) {
        ASSERT_TRUE(text.starts_with("\"")) << k.kind << " " << a.name;
        EXPECT_TRUE(llvm::is_contained(f.values, text.drop_front().drop_back()))
            << k.kind << " " << a.name;
      }
      if (!f.range)
        continue;
      llvm::SmallVector<llvm::StringRef> parts;
      text.trim("()").split(parts, ',');
      EXPECT_EQ(parts.size(), f.type == RecipeArgType::F64Pair ? 2u : 1u);
      for (llvm::StringRef part : parts)
        EXPECT_TRUE(f.range->contains(std::stod(part.trim().str())))
            << k.kind << "'s '" << a.name << "' defaults to " << a.dflt
            << ", not " << describeRecipeRange(f);
    }
}

/// A valid value of field `f`, the `i`th argument of its kind, distinct
/// from the other arguments' values: as an attribute for buildRecipeSetting
/// and as the text LoomRecipe.td's parser reads.
std::pair<Attribute, std::string> sampleValue(Builder &b, const RecipeField &f,
                                              size_t i) {
  double x = std::ldexp(1.0, -static_cast<int>(i) - 1); // 1/2, 1/4, ...
  auto text = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  switch (f.type) {
  case RecipeArgType::F64:
    return {b.getF64FloatAttr(x), text(x)};
  case RecipeArgType::I64:
    return {b.getI64IntegerAttr(int64_t(i) + 3), std::to_string(i + 3)};
  case RecipeArgType::Bool:
    return {b.getBoolAttr(true), "true"};
  case RecipeArgType::F64Pair:
    return {b.getArrayAttr({b.getF64FloatAttr(x), b.getF64FloatAttr(x / 2)}),
            "[" + text(x) + ", " + text(x / 2) + "]"};
  case RecipeArgType::String: {
    std::string s =
        f.values.empty() ? "s" + std::to_string(i) : f.values.back().str();
    return {b.getStringAttr(s), "\"" + s + "\""};
  }
  case RecipeArgType::StringOrStrings:
    return {b.getStringAttr("names"), "\"names\""};
  }
  return {};
}

TEST(RecipeSchema, FieldsAreTheAttributesParametersInOrder) {
  MLIRContext ctx;
  ctx.loadDialect<LoomDialect>();
  Builder b(&ctx);
  for (const RecipeKind &k : recipeKinds()) {
    // Each kind with every argument given, except csv's: its `label` (with
    // `classes`) and its `target` exclude each other.
    std::vector<std::vector<const RecipeArg *>> sets(1);
    for (const RecipeArg &a : k.args)
      sets.front().push_back(&a);
    if (llvm::StringRef(k.kind) == "csv") {
      sets = {{}, {}};
      for (const RecipeArg &a : k.args)
        sets[llvm::StringRef(a.name) == "target"].push_back(&a);
      sets[1].insert(sets[1].begin(), sets[0].front()); // path
    }
    for (const std::vector<const RecipeArg *> &args : sets) {
      llvm::SmallVector<NamedAttribute> values;
      std::string text =
          std::string("#loom.") + k.setting + "<kind = \"" + k.kind + "\"";
      for (auto [i, a] : llvm::enumerate(args)) {
        auto [attr, spelled] = sampleValue(b, *a->field, i);
        if (a->field->range) {
          llvm::SmallVector<double> numbers;
          if (auto pair = dyn_cast<ArrayAttr>(attr))
            for (Attribute e : pair)
              numbers.push_back(cast<FloatAttr>(e).getValueAsDouble());
          else if (auto f = dyn_cast<FloatAttr>(attr))
            numbers.push_back(f.getValueAsDouble());
          else
            numbers.push_back(double(cast<IntegerAttr>(attr).getInt()));
          for (double n : numbers)
            ASSERT_TRUE(a->field->range->contains(n)) << a->name;
        }
        values.push_back(b.getNamedAttr(a->name, attr));
        text += std::string(", ") + a->name + " = " + spelled;
      }
      text += ">";
      std::string errors;
      ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
        errors += d.str() + "\n";
        return success();
      });
      Attribute built = buildRecipeSetting(
          [&] { return emitError(UnknownLoc::get(&ctx)); }, &ctx, k.setting,
          k.kind, b.getDictionaryAttr(values), LocationAttr());
      ASSERT_TRUE(built) << text << ": " << errors;
      Attribute parsed = parseAttribute(text, &ctx);
      ASSERT_TRUE(parsed) << text << ": " << errors;
      EXPECT_EQ(built, parsed) << text;
    }
  }
}

TEST(RecipeSchema, RangeViolationsNameTheRange) {
  EXPECT_EQ(recipeRangeViolation("optimizer", "", "lr", -1),
            "a finite number > 0");
  EXPECT_EQ(recipeRangeViolation("optimizer", "", "lr", 0.5), "");
  EXPECT_EQ(recipeRangeViolation("optimizer", "sgd", "momentum", 1),
            "a number in [0, 1)");
  // sgd takes no alpha: no range to break.
  EXPECT_EQ(recipeRangeViolation("optimizer", "sgd", "alpha", 5), "");
  EXPECT_EQ(recipeRangeViolation("schedule", "step", "every", 2.5),
            "an integer >= 1");
  EXPECT_EQ(recipeRangeViolation("schedule", "", "gamma", 0),
            "a number in (0, 1]");
  EXPECT_EQ(recipeRangeViolation("optimizer", "", "lr", INFINITY),
            "a finite number > 0");
}

TEST(RecipeSchema, EveryRematPolicyIsARecipesRemat) {
  // Each policy the frontend takes is one the recipe's verifier takes and
  // getRematPolicy reads back; absent reads as the first, "none".
  MLIRContext ctx;
  ctx.loadDialect<LoomDialect>();
  std::string errors;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    errors += d.str() + "\n";
    return success();
  });
  auto recipe = [&](llvm::StringRef remat) {
    std::string text =
        "#loom.recipe<name = \"t\", data = <kind = \"idx\", images = "
        "\"x\", labels = \"y\">, batch = 1, steps = 1, optimizer = <kind = "
        "\"sgd\", lr = 0.1, momentum = 0.0, nesterov = false, "
        "weight_decay = 0.0>" +
        (remat.empty() ? std::string() : ", remat = \"" + remat.str() + "\"") +
        ">";
    return dyn_cast_or_null<RecipeAttr>(parseAttribute(text, &ctx));
  };
  ASSERT_EQ(recipeRematPolicies().front(), "none");
  RecipeAttr plain = recipe("");
  ASSERT_TRUE(plain) << errors;
  EXPECT_EQ(plain.getRematPolicy(), "none");
  for (llvm::StringRef policy : recipeRematPolicies()) {
    RecipeAttr r = recipe(policy);
    ASSERT_TRUE(r) << policy.str() << ": " << errors;
    EXPECT_EQ(r.getRematPolicy(), policy);
  }
  EXPECT_FALSE(recipe("all"));
  EXPECT_NE(errors.find("recipe 'remat' must be one of none, blocks, dots, "
                        "not 'all'"),
            std::string::npos)
      << errors;
}

} // namespace
