//===- TablePrepDetail.h - What the prep step files share -------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Internal to runtime/data/TablePrep*.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_TABLEPREPDETAIL_H
#define LOOM_RUNTIME_DATA_TABLEPREPDETAIL_H

#include "runtime/data/TablePrep.h"

namespace loom::data::detail {

/// A number as the report prints it (6 significant digits).
std::string num(double v);
/// "1 row", "2 rows".
std::string plural(size_t n, const char *one, const char *many);
/// The column's present (non-missing) numbers.
std::vector<double> present(const TableColumn &c);
/// A number column that is not the label: what outliers, standardize and
/// minmax change.
bool isFeatureNumber(const TableColumn &c, const std::string &label);
/// "mean", "median", "mode", "drop", "constant".
const char *fillName(Fill::How how);
/// The rows of `table` complete in `cols`, row-major; `rows` their indices.
std::vector<double> completeRows(const Table &table,
                                 const std::vector<size_t> &cols,
                                 std::vector<size_t> &rows);
/// Applies one fitted step to `table`, saying what it did in `report`.
Status applyStep(const FittedStep &fit, Table &table, StepReport &report);

} // namespace loom::data::detail

#endif // LOOM_RUNTIME_DATA_TABLEPREPDETAIL_H
