//===- MemoryView.cpp - A program's memory plan over time -----------------===//
//
// Part of Loom. This file implements MemoryView.h: the live bytes at each
// kernel, the peak, and the SVG and XHTML that draw them.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/MemoryView.h"

#include "runtime/report/Plot.h"

#include <algorithm>
#include <cstdio>
#include <utility>

using namespace loom;

MemoryTimeline loom::memoryTimeline(const StepModel &m) {
  MemoryTimeline t;
  size_t n = m.kernels.size();
  t.live.assign(n, 0);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (size_t pos = 0; pos < n; ++pos) {
    ranges.clear();
    for (const StepBuffer &b : m.buffers)
      if (b.first <= pos && pos <= b.last && b.record->size)
        ranges.push_back({b.record->offset, b.record->offset + b.record->size});
    std::sort(ranges.begin(), ranges.end());
    uint64_t bytes = 0, end = 0;
    for (auto [lo, hi] : ranges) {
      lo = std::max(lo, end);
      if (hi > lo)
        bytes += hi - lo;
      end = std::max(end, hi);
    }
    t.live[pos] = bytes;
    if (bytes > t.peakBytes) {
      t.peakBytes = bytes;
      t.peak = static_cast<uint32_t>(pos);
    }
  }
  for (uint32_t b = 0; b < m.buffers.size(); ++b)
    if (n && m.buffers[b].first <= t.peak && t.peak <= m.buffers[b].last)
      t.liveAtPeak.push_back(b);
  // Largest first; equal sizes in buffer order. (std::sort with the order
  // spelled out: libstdc++ 12's stable_sort trips clang 19's deprecation
  // warning.)
  std::sort(
      t.liveAtPeak.begin(), t.liveAtPeak.end(), [&](uint32_t a, uint32_t b) {
        uint64_t sa = m.buffers[a].record->size, sb = m.buffers[b].record->size;
        return sa != sb ? sa > sb : a < b;
      });
  return t;
}

namespace {

std::string instanceOf(const StepKernel &k) {
  if (!k.origin.instance.empty())
    return k.origin.instance;
  std::string s;
  for (const std::string &level : k.module)
    s += (s.empty() ? "" : ".") + level;
  return s;
}

std::string locationOf(const StepKernel &k) {
  return k.origin.text.empty() ? std::string("(no source location)")
                               : k.origin.text;
}

std::string kernelRef(const StepModel &m, uint32_t pos) {
  const StepKernel &k = m.kernels[pos];
  return k.op + " (kernel " + std::to_string(k.index) + ")";
}

/// The CSS class of a buffer's box: what it holds.
const char *classOf(const StepModel &m, const StepBuffer &b) {
  switch (b.kind) {
  case StepBuffer::Kind::Parameter:
    return "pa";
  case StepBuffer::Kind::State:
    return "st";
  case StepBuffer::Kind::Input:
    return "in";
  case StepBuffer::Kind::Other:
    return "ot";
  case StepBuffer::Kind::Value:
    break;
  }
  switch (m.kernels[b.writer].phase) {
  case Phase::Forward:
    return "fw";
  case Phase::Backward:
    return "bw";
  case Phase::Optimizer:
    return "op";
  }
  return "ot";
}

/// The fills of the classes; `pk` outlines a box live at the peak.
const char *kStyle = ".pa{fill:#9e9e9e}.st{fill:#b39ddb}.in{fill:#f2c94c}"
                     ".ot{fill:#d5d5d5}.fw{fill:#6fa8dc}.bw{fill:#f0a35e}"
                     ".op{fill:#7cc47a}.pk{stroke:#202020;stroke-width:0.4}";

const char *phaseFill(Phase p) {
  switch (p) {
  case Phase::Forward:
    return "#6fa8dc";
  case Phase::Backward:
    return "#f0a35e";
  case Phase::Optimizer:
    return "#7cc47a";
  }
  return "#d5d5d5";
}

/// `v` to a tenth, without a trailing ".0".
std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", v);
  std::string s = text;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0)
    s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

/// A tick's value: "200", "0.5".
std::string tick(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", v);
  return text;
}

/// `lines`, escaped, one per line of a <title>.
std::string titleText(const std::vector<std::string> &lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i)
    out += (i ? "&#10;" : "") + xmlEscape(lines[i]);
  return out;
}

std::string bufferName(const StepBuffer &b) {
  return "#" + std::to_string(b.record->id) +
         (b.label.empty() ? "" : " " + b.label);
}

std::string liveText(const StepModel &m, const StepBuffer &b) {
  std::string last = b.last >= m.kernels.size()
                         ? std::string("after the program")
                         : std::to_string(b.last + m.firstKernel);
  return "live kernels " + std::to_string(b.first + m.firstKernel) + " to " +
         last;
}

std::string programTitle(const StepModel &m) {
  return "memory plan of " +
         (m.program == "train" ? std::string("the training step")
                               : "program " + m.program) +
         " of " + m.source;
}

std::string peakText(const StepModel &m, const MemoryTimeline &t) {
  if (m.kernels.empty())
    return "no kernels";
  return "peak " + byteSize(t.peakBytes) + " live at kernel " +
         std::to_string(t.peak + m.firstKernel) + ", " + m.kernels[t.peak].op +
         " (" + phaseName(m.kernels[t.peak].phase) + "), of " +
         byteSize(m.arenaSize) + " in the arena";
}

/// The <svg> element.
std::string svgElement(const StepModel &m, const MemoryTimeline &t) {
  const double left = 78, right = 16, top = 50, plotW = 1000, plotH = 480;
  const double width = left + plotW + right, height = top + plotH + 92;
  const double n = std::max<double>(1, m.kernels.size());
  const double arena = std::max<double>(1, m.arenaSize);
  auto X = [&](double pos) { return left + pos * plotW / n; };
  auto Y = [&](double off) { return top + plotH - off * plotH / arena; };
  std::vector<bool> atPeak(m.buffers.size(), false);
  for (uint32_t b : t.liveAtPeak)
    atPeak[b] = true;
  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) +
       "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " +
       num(height) +
       "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n";
  s += "<title>" + xmlEscape(programTitle(m)) + "</title>\n";
  s += std::string("<style>") + kStyle + "</style>\n";
  s += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" +
       num(height) + "\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(left) + "\" y=\"18\" font-size=\"14\">" +
       xmlEscape(programTitle(m)) + "</text>\n";
  size_t hidden = 0;
  for (uint32_t i = 0; i < m.buffers.size(); ++i) {
    const StepBuffer &b = m.buffers[i];
    double w = X(std::min<double>(b.last + 1, n)) - X(b.first);
    double h = Y(0) - Y(double(b.record->size));
    hidden += !b.record->size || (!atPeak[i] && w * h < 1);
  }
  s += "<text x=\"" + num(left) + "\" y=\"34\">" + xmlEscape(peakText(m, t)) +
       (hidden ? "; " + std::to_string(hidden) + " of " +
                     std::to_string(m.buffers.size()) +
                     " buffers under a square pixel not drawn"
               : std::string()) +
       "</text>\n";
  // Axes and grid.
  for (double v : niceTicks(0, arena / 1048576.0, 6)) {
    if (v * 1048576.0 > arena)
      continue; // above the arena
    double y = Y(v * 1048576.0);
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" +
         num(left + plotW) + "\" y2=\"" + num(y) +
         "\" stroke=\"#e4e4e4\"/>\n<text x=\"" + num(left - 6) + "\" y=\"" +
         num(y + 4) + "\" text-anchor=\"end\">" + tick(v) + " MiB</text>\n";
  }
  for (double v : niceTicks(0, n, 10)) {
    double x = X(v);
    s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top + plotH) + "\" x2=\"" +
         num(x) + "\" y2=\"" + num(top + plotH + 4) +
         "\" stroke=\"black\"/>\n<text x=\"" + num(x) + "\" y=\"" +
         num(top + plotH + 16) + "\" text-anchor=\"middle\">" +
         std::to_string(static_cast<long long>(v + m.firstKernel)) +
         "</text>\n";
  }
  s += "<text x=\"" + num(left + plotW / 2) + "\" y=\"" +
       num(top + plotH + 30) +
       "\" text-anchor=\"middle\">kernel (arena offset up, one box per "
       "buffer)</text>\n";
  // The buffers, the ones live at the peak outlined.
  s += "<g fill-opacity=\"0.85\">\n";
  for (uint32_t i = 0; i < m.buffers.size(); ++i) {
    const StepBuffer &b = m.buffers[i];
    double x0 = X(b.first), x1 = X(std::min<double>(b.last + 1, n));
    double y1 = Y(double(b.record->offset)),
           y0 = Y(double(b.record->offset + b.record->size));
    if (!b.record->size || (!atPeak[i] && (x1 - x0) * (y1 - y0) < 1))
      continue; // counted in the subtitle
    BufferTrace trace = traceBuffer(m, i);
    std::vector<std::string> title = {
        bufferName(b) + ": " + byteSize(b.record->size) + " at offset " +
            std::to_string(b.record->offset) + ", " + liveText(m, b),
        trace.what};
    if (!trace.instance.empty() &&
        trace.location.find("(" + trace.instance + ")") == std::string::npos)
      title.push_back(trace.instance);
    title.push_back(trace.location);
    s += "<rect x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" +
         num(std::max(0.5, x1 - x0)) + "\" height=\"" +
         num(std::max(0.5, y1 - y0)) + "\" class=\"" + classOf(m, b) +
         (atPeak[i] ? " pk" : "") + "\"><title>" + titleText(title) +
         "</title></rect>\n";
  }
  s += "</g>\n";
  s += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" +
       num(plotW) + "\" height=\"" + num(plotH) +
       "\" fill=\"none\" stroke=\"black\"/>\n";
  // The bytes live at each kernel: below the top of the boxes by the gaps
  // between them.
  if (!m.kernels.empty()) {
    s += "<polyline fill=\"none\" stroke=\"#7a0019\" stroke-width=\"1\" "
         "points=\"";
    for (size_t i = 0; i < t.live.size(); ++i)
      s += (i ? " " : "") + num(X(i + 0.5)) + "," + num(Y(double(t.live[i])));
    s += "\"><title>bytes live at each kernel</title></polyline>\n";
  }
  // The peak.
  if (!m.kernels.empty()) {
    double x = X(t.peak + 0.5);
    s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) +
         "\" y2=\"" + num(top + plotH) +
         "\" stroke=\"#d62728\" stroke-width=\"1.5\" "
         "stroke-dasharray=\"5,3\"><title>" +
         xmlEscape(peakText(m, t)) + "</title></line>\n";
  }
  // The phase of each kernel, in runs.
  double stripY = top + plotH + 40;
  for (size_t i = 0; i < m.kernels.size();) {
    size_t j = i;
    while (j < m.kernels.size() && m.kernels[j].phase == m.kernels[i].phase)
      ++j;
    s += "<rect x=\"" + num(X(i)) + "\" y=\"" + num(stripY) + "\" width=\"" +
         num(std::max(0.5, X(j) - X(i))) + "\" height=\"8\" fill=\"" +
         phaseFill(m.kernels[i].phase) + "\"><title>" +
         xmlEscape(std::string(phaseName(m.kernels[i].phase)) + ": kernels " +
                   std::to_string(i + m.firstKernel) + " to " +
                   std::to_string(j - 1 + m.firstKernel)) +
         "</title></rect>\n";
    i = j;
  }
  // The legend.
  const std::pair<const char *, const char *> legend[] = {
      {"#9e9e9e", "parameter"},      {"#b39ddb", "optimizer state"},
      {"#f2c94c", "input"},          {"#6fa8dc", "forward value"},
      {"#f0a35e", "backward value"}, {"#7cc47a", "optimizer value"},
      {"#d5d5d5", "other"}};
  double lx = left;
  for (auto [fill, name] : legend) {
    s += "<rect x=\"" + num(lx) + "\" y=\"" + num(stripY + 20) +
         "\" width=\"10\" height=\"10\" fill=\"" + fill + "\"/><text x=\"" +
         num(lx + 14) + "\" y=\"" + num(stripY + 29) + "\">" + name +
         "</text>\n";
    lx += 28 + 6.2 * std::string(name).size();
  }
  s += "<line x1=\"" + num(lx) + "\" y1=\"" + num(stripY + 25) + "\" x2=\"" +
       num(lx + 16) + "\" y2=\"" + num(stripY + 25) +
       "\" stroke=\"#d62728\" stroke-width=\"1.5\" "
       "stroke-dasharray=\"5,3\"/><text x=\"" +
       num(lx + 20) + "\" y=\"" + num(stripY + 29) +
       "\">peak (live buffers outlined)</text>\n";
  lx += 200;
  s += "<line x1=\"" + num(lx) + "\" y1=\"" + num(stripY + 25) + "\" x2=\"" +
       num(lx + 16) + "\" y2=\"" + num(stripY + 25) +
       "\" stroke=\"#7a0019\"/><text x=\"" + num(lx + 20) + "\" y=\"" +
       num(stripY + 29) + "\">bytes live</text>\n";
  s += "</svg>\n";
  return s;
}

} // namespace

BufferTrace loom::traceBuffer(const StepModel &m, uint32_t buffer) {
  const StepBuffer &b = m.buffers[buffer];
  BufferTrace t;
  switch (b.kind) {
  case StepBuffer::Kind::Parameter:
    t.what = "parameter";
    t.instance = b.param;
    break;
  case StepBuffer::Kind::State:
    t.what = "optimizer state of " + b.param;
    t.instance = b.param;
    break;
  case StepBuffer::Kind::Input:
    t.what = "input " + b.label;
    break;
  case StepBuffer::Kind::Other:
    t.what = b.readers.empty() ? "no kernel of the program reads or writes it"
                               : "read, never written";
    break;
  case StepBuffer::Kind::Value: {
    const StepKernel &k = m.kernels[b.writer];
    t.what = std::string(phaseName(k.phase)) + " value of " +
             kernelRef(m, uint32_t(b.writer));
    t.instance = instanceOf(k);
    t.location = locationOf(k);
    return t;
  }
  }
  if (b.readers.empty()) {
    t.location = "(not read by the program)";
    return t;
  }
  const StepKernel &k = m.kernels[b.readers.front()];
  if (t.instance.empty())
    t.instance = instanceOf(k);
  t.location = "first read by " + kernelRef(m, b.readers.front()) + " at " +
               locationOf(k);
  return t;
}

std::string loom::memorySvg(const StepModel &m, const MemoryTimeline &t) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svgElement(m, t);
}

std::string loom::memoryHtml(const StepModel &m, const MemoryTimeline &t) {
  std::string title = programTitle(m);
  std::string s =
      "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
      "lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" +
      xmlEscape(title) + "</title>\n";
  s += "<style>\nbody { font-family: Helvetica, Arial, sans-serif; "
       "font-size: 13px; margin: 16px; }\ntable { border-collapse: collapse; "
       "}\nth, td { border: 1px solid #ccc; padding: 2px 6px; text-align: "
       "left; vertical-align: top; }\ntd.n { text-align: right; "
       "font-variant-numeric: tabular-nums; }\ncode { font-size: 12px; "
       "}\n</style>\n</head>\n<body>\n";
  s += "<h1>" + xmlEscape(title) + "</h1>\n";
  s += "<p>" + xmlEscape(peakText(m, t)) + "; " +
       std::to_string(m.kernels.size()) + " kernels, " +
       std::to_string(m.buffers.size()) +
       " buffers. Hover over a box for its buffer.</p>\n";
  s += svgElement(m, t);
  s += "<h2>Live at the peak (kernel " +
       std::to_string(t.peak + m.firstKernel) +
       "): " + std::to_string(t.liveAtPeak.size()) + " buffers</h2>\n";
  s += "<table>\n<thead><tr><th>buffer</th><th>bytes</th><th>offset</th>"
       "<th>live</th><th>what</th><th>instance</th><th>.loom "
       "location</th></tr></thead>\n<tbody>\n";
  for (uint32_t i : t.liveAtPeak) {
    const StepBuffer &b = m.buffers[i];
    BufferTrace trace = traceBuffer(m, i);
    std::string last = b.last >= m.kernels.size()
                           ? std::string("after")
                           : std::to_string(b.last + m.firstKernel);
    s += "<tr><td>" + xmlEscape(bufferName(b)) + "</td><td class=\"n\">" +
         xmlEscape(byteSize(b.record->size)) + "</td><td class=\"n\">" +
         std::to_string(b.record->offset) + "</td><td class=\"n\">" +
         std::to_string(b.first + m.firstKernel) + " to " + last + "</td><td>" +
         xmlEscape(trace.what) + "</td><td><code>" + xmlEscape(trace.instance) +
         "</code></td><td><code>" + xmlEscape(trace.location) +
         "</code></td></tr>\n";
  }
  s += "</tbody>\n</table>\n</body>\n</html>\n";
  return s;
}
