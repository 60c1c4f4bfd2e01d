//===- InspectViews.h - loom inspect --graph and --memory -------*- C++ -*-===//
//
// Part of Loom. The views `loom inspect` draws of one program of an
// artifact: the kernel graph (DOT, or SVG through Graphviz's `dot`) and the
// memory plan over time (SVG or an XHTML page), written to a file.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_INSPECTVIEWS_H
#define LOOM_TOOLS_LOOM_INSPECTVIEWS_H

#include <string>

namespace loom {
struct Artifact;
} // namespace loom

namespace loom::tool {

/// What `loom inspect` was asked to draw.
struct ViewRequest {
  bool graph = false, memory = false;
  std::string output;  ///< -o
  std::string program; ///< --program ("" when not given)
  int depth = -1;      ///< --depth (-1 when not given)
};

/// Checks the combination of options; prints the error and returns false
/// when it is wrong. Needs no artifact.
bool checkViewRequest(const ViewRequest &request, bool irGiven);

/// Draws the view `request` names of `artifact` (read from `inputFile`)
/// into its output file; the exit status.
int drawView(const loom::Artifact &artifact, const std::string &inputFile,
             const ViewRequest &request);

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_INSPECTVIEWS_H
