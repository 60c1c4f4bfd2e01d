//===- Profile.cpp - Where a training run's time went ---------------------===//
//
// Part of Loom. See Profile.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Profile.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <numeric>

using namespace loom;

namespace {

std::string format(const char *pattern, ...)
    __attribute__((format(printf, 1, 2)));
std::string format(const char *pattern, ...) {
  char line[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(line, sizeof(line), pattern, args);
  va_end(args);
  return line;
}

/// A kernel's string attribute, or "".
std::string text(const KernelRecord &k, const char *key) {
  const KernelAttr *a = k.attr(key);
  return a && a->type == KernelAttr::Type::String ? a->s : std::string();
}

/// The innermost .loom location of a kernel, without the file's directory:
/// "nn.loom:28:14 (blocks.3.attn.qkv)" of "/path/nn.loom:28:14
/// (blocks.3.attn.qkv), called from ...", "the gradient of nn.loom:..." of
/// "the gradient of /path/nn.loom:...".
std::string where(const KernelRecord &k) {
  std::string loc = text(k, "source_loc");
  loc = loc.substr(0, loc.find(", "));
  const std::string gradient = "the gradient of ";
  size_t file =
      loc.compare(0, gradient.size(), gradient) == 0 ? gradient.size() : 0;
  size_t slash = loc.rfind('/', loc.find(" (", file));
  if (slash != std::string::npos && slash >= file)
    loc.erase(file, slash + 1 - file);
  return loc;
}

/// A kernel's integer attribute, or 0.
int64_t number(const KernelRecord &k, const char *key) {
  const KernelAttr *a = k.attr(key);
  return a && a->type == KernelAttr::Type::Int ? a->i : 0;
}

/// How generated kernel `i` ran: "threads" (each run split its large loop
/// nests over several threads), "partly" (a large nest stayed on one
/// thread, or some runs did), "1 thread"; "" for other kernels.
const char *threading(const KernelRecord &k, int64_t runs, int64_t threaded) {
  if (k.kind != "codegen" || runs == 0)
    return "";
  if (threaded == 0)
    return "1 thread";
  return threaded == runs && number(k, "serial_loops") == 0 ? "threads"
                                                            : "partly";
}

} // namespace

std::vector<std::string> loom::train::profileLines(
    const Artifact &artifact, const std::vector<double> &seconds,
    const std::vector<int64_t> &runs, const std::vector<int64_t> &threadedRuns,
    size_t top) {
  auto runsOf = [&](const std::vector<int64_t> &v, size_t i) -> int64_t {
    return i < v.size() ? v[i] : 0;
  };
  std::vector<std::string> lines;
  double total = std::accumulate(seconds.begin(), seconds.end(), 0.0);
  if (seconds.empty() || total <= 0)
    return {"profile: no kernel ran"};
  struct Range {
    std::string name;
    size_t first, end;
  };
  std::vector<Range> ranges = {{"train", 0, artifact.trainKernelEnd()}};
  for (const ProgramRecord &p : artifact.programs)
    ranges.push_back({p.name, p.firstKernel, p.endKernel});
  auto programOf = [&](size_t kernel) -> const std::string & {
    for (const Range &r : ranges)
      if (kernel >= r.first && kernel < r.end)
        return r.name;
    return ranges.front().name;
  };
  lines.push_back(format("profile: %.2f s in kernels", total));
  for (const Range &r : ranges) {
    double t = 0;
    for (size_t i = r.first; i < std::min(r.end, seconds.size()); ++i)
      t += seconds[i];
    int64_t n = r.first < runs.size() ? runs[r.first] : 0;
    if (n == 0)
      continue;
    lines.push_back(format("  %-6s %9.2f s  %5.1f%%  %6lld runs  %8.3f s a run",
                           r.name.c_str(), t, 100 * t / total,
                           static_cast<long long>(n), t / n));
  }
  // The training step's time by kind of kernel (oneDNN's GEMMs, generated
  // code, the flash kernels, copies), largest first.
  {
    std::vector<std::pair<std::string, double>> kinds;
    double step = 0;
    for (size_t i = 0; i < std::min({ranges.front().end, seconds.size(),
                                     artifact.kernels.size()});
         ++i) {
      const std::string &kind = artifact.kernels[i].kind;
      auto it = std::find_if(kinds.begin(), kinds.end(),
                             [&](const auto &p) { return p.first == kind; });
      if (it == kinds.end())
        it = kinds.insert(kinds.end(), {kind, 0.0});
      it->second += seconds[i];
      step += seconds[i];
    }
    std::sort(kinds.begin(), kinds.end(), [](const auto &a, const auto &b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::string line = "  train by kind:";
    for (size_t j = 0; j < kinds.size() && step > 0; ++j)
      line += format("%s %s %.1f%%", j ? "," : "", kinds[j].first.c_str(),
                     100 * kinds[j].second / step);
    if (step > 0)
      lines.push_back(line);
  }
  std::vector<size_t> order(seconds.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  lines.push_back(
      format("  the %zu slowest kernels:", std::min(top, order.size())));
  for (size_t j = 0; j < std::min(top, order.size()); ++j) {
    size_t i = order[j];
    const KernelRecord &k = artifact.kernels[i];
    double gflops = 0;
    if (seconds[i] > 0 && i < runs.size())
      gflops = double(k.flops) * double(runs[i]) / seconds[i] / 1e9;
    std::string op = k.sourceOp();
    lines.push_back(format(
        "  %5.1f%% %8.2f s  %-5s #%-5zu %-16s %-8s %-10s %6.2f "
        "GFLOP/s  %s %s",
        100 * seconds[i] / total, seconds[i], programOf(i).c_str(), i,
        k.kind.c_str(), threading(k, runsOf(runs, i), runsOf(threadedRuns, i)),
        k.symbol.c_str(), gflops, op.c_str(), where(k).c_str()));
  }

  // The generated kernels that move 64 KiB or more, by how they ran.
  constexpr uint64_t kLarge = 64 * 1024;
  size_t threaded = 0, partly = 0;
  std::vector<size_t> alone;
  for (size_t i = 0; i < std::min(seconds.size(), artifact.kernels.size());
       ++i) {
    const KernelRecord &k = artifact.kernels[i];
    if (k.kind != "codegen" || k.bytesMoved < kLarge || runsOf(runs, i) == 0)
      continue;
    std::string how = threading(k, runsOf(runs, i), runsOf(threadedRuns, i));
    if (how == "threads")
      ++threaded;
    else if (how == "partly")
      ++partly;
    else
      alone.push_back(i);
  }
  lines.push_back(format("  generated kernels of 64 KiB or more: %zu on "
                         "threads, %zu partly, %zu on one thread",
                         threaded, partly, alone.size()));
  std::sort(alone.begin(), alone.end(),
            [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  for (size_t j = 0; j < std::min<size_t>(alone.size(), 10); ++j) {
    size_t i = alone[j];
    const KernelRecord &k = artifact.kernels[i];
    lines.push_back(format("    on one thread: %8.2f s  %-5s #%-5zu %-10s "
                           "%8.1f KiB  %s %s",
                           seconds[i], programOf(i).c_str(), i,
                           k.symbol.c_str(), double(k.bytesMoved) / 1024,
                           k.sourceOp().c_str(), where(k).c_str()));
  }
  return lines;
}
