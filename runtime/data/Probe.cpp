//===- Probe.cpp - Checking a recipe's data before the compile ------------===//
//
// Part of Loom. See Batches.h (probeData).
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Batches.h"
#include "runtime/data/Table.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

using namespace loom;
using namespace loom::data;

namespace {

/// An existing regular file, or an error naming it.
Status regularFile(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::error("cannot open data file '" + path +
                         "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return Status::error(
        "data file '" + path + "' is " +
        (S_ISDIR(st.st_mode) ? "a directory" : "not a regular file"));
  return Status();
}

} // namespace

Status loom::data::probeData(const DataSpec &spec, std::string &which) {
  if (spec.kind == "idx") {
    which = "images";
    if (Status s = regularFile(spec.images); !s)
      return s;
    which = "labels";
    if (Status s = regularFile(spec.labels); !s)
      return s;
    return probeIdx(spec.images, spec.labels, which);
  }
  which = "path";
  if (Status s = regularFile(spec.path); !s)
    return s;
  // With prep steps, missing cells and text columns are the steps' to fix:
  // the file must read as a table with the label column.
  if (spec.kind == "csv" && !spec.prep.empty()) {
    StatusOr<Table> table = readTableCsv(spec.path);
    if (!table)
      return table.status();
    if (table->find(spec.label) >= 0)
      return Status();
    std::string all;
    for (const TableColumn &c : table->columns)
      all += (all.empty() ? "" : ", ") + c.name;
    return Status::error(spec.path + ":1: no column named '" + spec.label +
                         (spec.labelSpec.kind == LabelSpec::Kind::Values
                              ? "' for the target"
                              : "' for the label") +
                         "; the columns are " + all);
  }
  if (spec.kind == "csv")
    return loadCsv(spec.path, spec.label, spec.labelSpec).status();
  if (spec.kind == "tokens")
    return TokenFile::open(spec.path, spec.dtype).status();
  return Status::error("the recipe's data kind '" + spec.kind +
                       "' cannot be read");
}
