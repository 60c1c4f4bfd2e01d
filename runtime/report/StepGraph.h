//===- StepGraph.h - A program's kernels as a Graphviz graph -----*- C++
//-*-===//
//
// Part of Loom. Plain C++17. `loom inspect --graph` writes a program of an
// artifact (StepModel.h) as a DOT graph:
//
//   node   a kernel (label: its op and output shape; tooltip: index, kind,
//          FLOPs, bytes moved, .loom location), a parameter with its
//          optimizer state, an input or an output of the program; or, for a
//          module below the drawn depth, one node for all of its kernels
//          (or parameters) with their count and FLOPs
//   edge   values flowing from the kernel that writes them to the kernels
//          that read them, one edge per pair of nodes (tooltip: how many
//          values and bytes); parameters and their state go out of one node
//          per parameter (or per collapsed module)
//   cluster  the nesting of each node's keys, outermost first: its phase
//          (forward, backward, optimizer, or the parameters) then its
//          module levels (blocks.3 > attn > qkv); a kernel outside any
//          module instance is in a group for its .loom line (gpt.loom:55)
//
// A node's place is a list of cluster keys; a later grouping (fusion
// groups, shardings) adds a key kind and appends its keys to the list,
// without changing how clusters are drawn or collapsed.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_STEPGRAPH_H
#define LOOM_RUNTIME_REPORT_STEPGRAPH_H

#include "runtime/report/StepModel.h"

#include <string>

namespace loom {

/// How much of the module tree `stepGraphDot` draws.
struct StepGraphOptions {
  /// Module levels drawn as clusters; a module one level deeper is drawn
  /// as a single node. -1: the deepest level that keeps the graph within
  /// `maxNodes` nodes (no collapsing at all when it fits).
  int depth = -1;
  size_t maxNodes = 200;
};

/// What `stepGraphDot` drew.
struct StepGraphInfo {
  int depth = 0;    ///< module levels drawn as clusters
  int maxDepth = 0; ///< levels of the deepest module
  size_t nodes = 0, edges = 0, clusters = 0;
};

/// The DOT text of program `m`.
std::string stepGraphDot(const StepModel &m, const StepGraphOptions &options,
                         StepGraphInfo *info = nullptr);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_STEPGRAPH_H
