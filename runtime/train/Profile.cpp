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

} // namespace

std::vector<std::string>
loom::train::profileLines(const Artifact &artifact,
                          const std::vector<double> &seconds,
                          const std::vector<int64_t> &runs, size_t top) {
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
    lines.push_back(format("  %5.1f%% %8.2f s  %-5s #%-5zu %-16s %-10s %6.2f "
                           "GFLOP/s  %s %s",
                           100 * seconds[i] / total, seconds[i],
                           programOf(i).c_str(), i, k.kind.c_str(),
                           k.symbol.c_str(), gflops, op.c_str(),
                           where(k).c_str()));
  }
  return lines;
}
