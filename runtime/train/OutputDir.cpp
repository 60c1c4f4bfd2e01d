//===- OutputDir.cpp - A run's output directory ---------------------------===//
//
// Part of Loom. See OutputDir.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/OutputDir.h"

#include "runtime/checkpoint/Checkpoint.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;
using namespace loom::train;

namespace {

bool exists(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

/// The files of a run besides its checkpoints.
std::vector<std::string> runFiles(const std::string &name) {
  return {"metrics.jsonl", "summary.json", "plot.svg",
          (name.empty() ? std::string("model") : name) + ".safetensors"};
}

} // namespace

std::vector<std::string> loom::train::earlierRun(const std::string &dir,
                                                 const std::string &name) {
  std::vector<std::string> found;
  for (const std::string &f : runFiles(name))
    if (exists(dir + "/" + f))
      found.push_back(f);
  if (hasCheckpoints(dir + "/checkpoints"))
    found.push_back("checkpoints/");
  return found;
}

StatusOr<std::vector<std::string>>
loom::train::claimOutputDir(const std::string &dir, const std::string &name,
                            EarlierRun earlier) {
  std::vector<std::string> found = earlierRun(dir, name);
  // A run is its metrics or its checkpoints; a plot or a model alone (a
  // file put there by hand, an init_from source) is not one.
  bool isRun = false;
  for (const std::string &f : found)
    isRun |= f == "metrics.jsonl" || f == "summary.json" || f == "checkpoints/";
  if (!isRun || earlier == EarlierRun::Resume)
    return std::vector<std::string>();
  if (earlier == EarlierRun::Refuse) {
    std::string list;
    for (const std::string &f : found)
      list += (list.empty() ? "" : ", ") + f;
    bool resumable = found.back() == "checkpoints/";
    return Status::error(
        dir + ": the directory holds an earlier run (" + list + "); " +
        (resumable ? "continue it with --resume " + dir +
                         "/checkpoints, or start over with --overwrite"
                   : "it has no checkpoint to resume; start over with "
                     "--overwrite") +
        " (or give another --out)");
  }
  for (const std::string &f : found) {
    if (f == "checkpoints/") {
      if (Status s = removeCheckpoints(dir + "/checkpoints"); !s)
        return s;
      continue;
    }
    std::string path = dir + "/" + f;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return Status::error(path + ": cannot remove: " + std::strerror(errno));
  }
  return found;
}
