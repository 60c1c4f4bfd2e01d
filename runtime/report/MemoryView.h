//===- MemoryView.h - A program's memory plan over time ---------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom inspect --memory` draws the memory plan
// of a program of an artifact (StepModel.h) as hand-written SVG, alone or
// in an XHTML page with a table (no scripts; both parse as XML):
//
//   x       the kernel position in the program, 0 on the left; a buffer
//           that outlives the program reaches the right edge
//   y       the offset in the arena, 0 at the bottom, the arena's size at
//           the top
//   box     one buffer, from the kernel that first uses it to the last one,
//           over its bytes; its colour says what it holds (parameter,
//           optimizer state, input, or a value a forward, backward or
//           optimizer kernel wrote); its <title> (the hover text) names it,
//           its size, offset and live range, the kernel that wrote it or
//           first read it, its instance path and .loom location; a box
//           under a square pixel is left out (and counted in the subtitle)
//           unless its buffer is live at the peak
//   line    the bytes live at each kernel (below the top of the boxes by
//           the gaps between them)
//   peak    a dashed line at the position with the most bytes live (bytes
//           that two live buffers share counted once); the boxes live there
//           have a black outline, and the page lists them, largest first
//   strip   below the axis, the phase of each kernel
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_MEMORYVIEW_H
#define LOOM_RUNTIME_REPORT_MEMORYVIEW_H

#include "runtime/report/StepModel.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// The bytes live over a program.
struct MemoryTimeline {
  /// Per kernel position: the bytes of the live buffers, bytes that two of
  /// them share counted once.
  std::vector<uint64_t> live;
  /// The first position with the most live bytes, and those bytes.
  uint32_t peak = 0;
  uint64_t peakBytes = 0;
  /// The buffers (positions in StepModel::buffers) live at the peak,
  /// largest first.
  std::vector<uint32_t> liveAtPeak;
};

MemoryTimeline memoryTimeline(const StepModel &m);

/// What a buffer is and where it comes from, for titles and the table.
struct BufferTrace {
  std::string what;     ///< "parameter", "forward value of matmul (kernel 3)"
  std::string instance; ///< "blocks.3.attn"; "" when none is known
  std::string location; ///< the .loom location, with its call sites
};
BufferTrace traceBuffer(const StepModel &m, uint32_t buffer);

/// The standalone SVG file.
std::string memorySvg(const StepModel &m, const MemoryTimeline &t);
/// The XHTML page: the summary, the SVG and the table of the peak.
std::string memoryHtml(const StepModel &m, const MemoryTimeline &t);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_MEMORYVIEW_H
