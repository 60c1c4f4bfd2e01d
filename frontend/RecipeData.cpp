//===- RecipeData.cpp - A train block's csv label and target --------------===//
//
// Part of Loom. This file implements the checks of a train block's csv data
// that its lowering (Recipe.cpp, Train.cpp) uses: csv's label column
// (`label` with `classes`, or `target`: one column or several), a label
// column of numbers not all integral read as a regression target, and a test
// set labelled as the training data is, evaluated by metrics of its kind.
//
//===----------------------------------------------------------------------===//

#include "frontend/BuiltinCall.h"

#include "ir/LoomRecipe.h"
#include "runtime/data/Table.h"

#include <cmath>
#include <set>

using namespace mlir::loom;
using namespace mlir;
using llvm::SMRange;

/// The label column of csv(...): `label` or `target`, one of them; and
/// `classes` ("numbers", "names" or a list of names) only with `label`.
/// `given` holds csv's arguments in recipeKinds' order, `values` their
/// values.
bool Elaborator::checkCsvLabel(llvm::ArrayRef<const ast::Expr *> given,
                               llvm::ArrayRef<std::optional<Val>> values,
                               SMRange call) {
  Elaborator &e = *this;
  const ast::Expr *label = given[1], *target = given[2], *classes = given[3];
  if (!label && !target) {
    e.error(call, "csv needs 'label', the column of classes, or 'target', "
                  "the column of a regression target");
    return false;
  }
  if (label && target) {
    e.error(target->range, "csv takes 'label' (a column of classes) or "
                           "'target' (a regression target), not both");
    return false;
  }
  const ast::Expr *column = label ? label : target;
  const Val &named = *values[label ? 1 : 2];
  // Several regression targets: a list of distinct column names.
  if (target &&
      (named.kind == Val::Kind::List || named.kind == Val::Kind::Tuple)) {
    std::set<std::string> seen;
    bool ok = !named.elems.empty();
    for (const Val &n : named.elems)
      ok = ok && n.kind == Val::Kind::Str && !n.s.empty() &&
           seen.insert(n.s).second;
    if (!ok) {
      e.error(column->range, "'target' is a column name or a list of "
                             "distinct column names, e.g. [\"a\", \"b\"]");
      return false;
    }
  } else if (named.kind != Val::Kind::Str) {
    e.error(column->range, llvm::Twine("'") + (label ? "label" : "target") +
                               "' names a column of the file: a string" +
                               (target ? " (or a list of them)" : ""));
    return false;
  }
  if (!classes)
    return true;
  if (target) {
    e.error(classes->range, "'classes' says how a label column writes its "
                            "classes; a regression 'target' has none");
    return false;
  }
  const Val &v = *values[3];
  auto bad = [&] {
    e.error(classes->range,
            "'classes' is \"numbers\" (class numbers 0, 1, ...), \"names\" "
            "(each distinct name a class, numbered in sorted order) or the "
            "list of class names in order, e.g. [\"cat\", \"dog\"]");
    return false;
  };
  if (v.kind == Val::Kind::Str)
    return v.s == "numbers" || v.s == "names" ? true : bad();
  if ((v.kind != Val::Kind::List && v.kind != Val::Kind::Tuple) ||
      v.elems.empty())
    return bad();
  std::set<std::string> seen;
  for (const Val &n : v.elems) {
    if (n.kind != Val::Kind::Str || n.s.empty())
      return bad();
    if (!seen.insert(n.s).second) {
      e.error(classes->range, "'classes' names '" + n.s + "' twice");
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// A label column that is a regression target
//===----------------------------------------------------------------------===//

bool Elaborator::labelReadsAsTarget(const std::string &path,
                                    const std::string &column) {
  std::string key = path + '\0' + column;
  if (auto it = labelTargets.find(key); it != labelTargets.end())
    return it->second;
  bool target = false;
  if (::loom::StatusOr<::loom::data::Table> t =
          ::loom::data::readTableCsv(path)) {
    int c = t->find(column);
    if (c >= 0 && t->columns[c].kind == ::loom::data::TableColumn::Kind::Number)
      for (double v : t->columns[c].numbers)
        target = target || (!std::isnan(v) && v != std::floor(v));
  }
  labelTargets[key] = target;
  return target;
}

const ast::Arg *Elaborator::inferredTarget(const ast::CallExpr &csv,
                                           Scope &scope) {
  // csv(path, label, target, classes): by position or by name.
  const ast::Arg *args[4] = {};
  const char *names[4] = {"path", "label", "target", "classes"};
  size_t positional = 0;
  for (const ast::Arg &a : csv.args) {
    if (a.name.name.empty()) {
      if (positional < 4)
        args[positional] = &a;
      ++positional;
      continue;
    }
    for (size_t i = 0; i < 4; ++i)
      if (a.name.name == names[i])
        args[i] = &a;
  }
  if (!args[0] || !args[1] || args[2] || args[3])
    return nullptr;
  std::optional<Val> path = eval(*args[0]->value, scope);
  std::optional<Val> label = eval(*args[1]->value, scope);
  if (!path || !label || path->kind != Val::Kind::Str ||
      label->kind != Val::Kind::Str)
    return nullptr;
  return labelReadsAsTarget(path->s, label->s) ? args[1] : nullptr;
}

bool Elaborator::checkLabelKinds(const ast::TrainDecl &train,
                                 Attribute dataAttr, Attribute testAttr) {
  auto data = cast<DataAttr>(dataAttr);
  auto test = dyn_cast_or_null<DataAttr>(testAttr);
  llvm::StringRef kind = labelKind(data);
  for (const ast::TrainEntry &entry : train.entries) {
    if (entry.key.name == "test" && test && labelKind(test) != kind) {
      auto as = [](llvm::StringRef k) {
        return k == "target"  ? "a regression target"
               : k == "names" ? "class names"
                              : "class numbers";
      };
      error(entry.value->range,
            llvm::Twine("the test set reads its labels as ") +
                as(labelKind(test)) + ", the training data as " + as(kind) +
                "; give both the same 'label' or 'target' and 'classes'");
      return false;
    }
    auto *every = llvm::dyn_cast<ast::EveryExpr>(entry.value.get());
    if (entry.key.name == "eval" && kind != "target" && every)
      for (const ast::Ident &m : every->items)
        if (m.name != "loss" && isRegressionMetric(m.name)) {
          error(m.range, "'" + m.name +
                             "' is a regression metric, and the data is "
                             "class labels; csv(..., target = ...) reads a "
                             "regression target");
          return false;
        }
    if (entry.key.name != "eval" || kind != "target" || !every)
      continue;
    for (const ast::Ident &m : every->items)
      if (!isRegressionMetric(m.name)) {
        error(m.range, "'" + m.name +
                           "' is a class metric, and the data is "
                           "a regression target (csv's 'target'); evaluate "
                           "its loss, mae, rmse or r2");
        return false;
      }
  }
  return true;
}
