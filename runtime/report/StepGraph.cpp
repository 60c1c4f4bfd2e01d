//===- StepGraph.cpp - A program's kernels as a Graphviz graph ------------===//
//
// Part of Loom. This file implements StepGraph.h: items (kernels,
// parameters, inputs, outputs) with their places, the nodes they fall into
// at a depth, the clusters around them, and the DOT text.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/StepGraph.h"
#include "runtime/Text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

using namespace loom;

namespace {

/// What a node is grouped by at one level of nesting. Fusion groups and
/// shardings are to be further kinds, appended after the module levels.
struct ClusterKey {
  enum class Kind : uint8_t {
    Phase,  ///< forward, backward, optimizer, parameters
    Module, ///< one module level: "blocks.3", "attn"
    Line,   ///< the .loom line of kernels outside any instance: "gpt.loom:55"
  };
  Kind kind;
  std::string name;

  /// Whether --depth counts this key: a module level, or a line in its
  /// place.
  bool isLevel() const { return kind == Kind::Module || kind == Kind::Line; }
};
using Place = std::vector<ClusterKey>;

/// Something drawn: a kernel, a parameter (with its state), an input, an
/// output, or a buffer read but never written.
struct Item {
  enum class What : uint8_t { Kernel, Parameter, Input, Output, Other };
  What what;
  Place place;
  uint32_t ref = 0; ///< kernel position; buffer position; output index
  std::string name;
  uint64_t bytes = 0; ///< Parameter: with its state
  size_t tensors = 0; ///< Parameter: 1 + its state tensors
};

struct Node {
  std::string key;
  size_t cluster = 0;
  size_t firstItem = 0;
  bool group = false;
  std::string groupName;  ///< the collapsed module's whole path
  std::string groupLabel; ///< its last level
  size_t kernels = 0, params = 0;
  uint64_t flops = 0, bytes = 0;
};

struct Cluster {
  ClusterKey key{ClusterKey::Kind::Phase, ""};
  std::string path; ///< module levels joined by '.'
  std::vector<size_t> children, nodes;
  std::map<std::string, size_t> childByName;
  size_t kernels = 0;
};

/// The name a cluster knows its child with key `key` by.
std::string childName(const ClusterKey &key) {
  return std::to_string(static_cast<int>(key.kind)) + ":" + key.name;
}

struct Colors {
  const char *fill, *line;
};

Colors colorsOf(const std::string &phase) {
  if (phase == "forward")
    return {"#dbe9f6", "#3a78b5"};
  if (phase == "backward")
    return {"#fde3cf", "#c8641b"};
  if (phase == "optimizer")
    return {"#dff2dc", "#3f8f3d"};
  if (phase == "parameters")
    return {"#ececec", "#777777"};
  return {"#fff6bf", "#a08a00"};
}

/// "1 kernel", "3 kernels".
std::string counted(size_t n, const std::string &noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// A DOT string of `lines` joined by line breaks.
std::string quote(const std::vector<std::string> &lines) {
  std::string out = "\"";
  for (size_t l = 0; l < lines.size(); ++l) {
    if (l)
      out += "\\n";
    for (unsigned char c : lines[l]) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
  }
  return out + "\"";
}
std::string quote(const std::string &text) {
  return quote(std::vector<std::string>{text});
}

std::string join(const std::vector<std::string> &levels, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < levels.size(); ++i)
    s += (i ? "." : "") + levels[i];
  return s;
}

/// "gpt.loom:54" of "examples/gpt.loom:54:3": the file's name and the line.
std::string lineOf(const std::string &location) {
  std::string loc = location.substr(location.rfind('/') + 1);
  size_t colon = loc.rfind(':');
  if (colon != std::string::npos && colon > 0 &&
      loc.find(':') != colon) // file:line:col
    loc.resize(colon);
  return loc;
}

/// The index in `place` of its level key number `depth` (from 0), or -1.
int collapseAt(const Place &place, int depth) {
  int modules = 0;
  for (size_t i = 0; i < place.size(); ++i)
    if (place[i].isLevel() && modules++ == depth)
      return static_cast<int>(i);
  return -1;
}

int moduleKeys(const Place &place) {
  return static_cast<int>(
      std::count_if(place.begin(), place.end(),
                    [](const ClusterKey &k) { return k.isLevel(); }));
}

/// The key of the node `item` falls into at `depth`.
std::string nodeKey(const Item &item, size_t index, int depth) {
  int at = collapseAt(item.place, depth);
  if (at < 0)
    return "i" + std::to_string(index);
  std::string key = "g";
  for (int i = 0; i <= at; ++i)
    key += "/" + item.place[i].name;
  return key;
}

class GraphBuilder {
public:
  GraphBuilder(const StepModel &m) : m(m) { collectItems(); }

  int maxDepth() const {
    int d = 0;
    for (const Item &item : items)
      d = std::max(d, moduleKeys(item.place));
    return d;
  }

  size_t countNodes(int depth) const {
    std::set<std::string> keys;
    for (size_t i = 0; i < items.size(); ++i)
      keys.insert(nodeKey(items[i], i, depth));
    return keys.size();
  }

  std::string render(int depth, StepGraphInfo &info);

private:
  void collectItems();
  size_t clusterFor(const Place &place, size_t n);
  std::vector<std::string> nodeLabel(const Node &node) const;
  std::vector<std::string> nodeTooltip(const Node &node) const;

  const StepModel &m;
  std::vector<Item> items;
  std::vector<size_t> itemOfKernel, itemOfBuffer;     // -1: none
  std::vector<std::pair<size_t, size_t>> outputEdges; // writer item -> item
  std::vector<Cluster> clusters;
};

void GraphBuilder::collectItems() {
  itemOfBuffer.assign(m.buffers.size(), SIZE_MAX);
  std::map<std::string, size_t> paramItem;
  for (size_t b = 0; b < m.buffers.size(); ++b) {
    const StepBuffer &buf = m.buffers[b];
    if (buf.kind == StepBuffer::Kind::Parameter ||
        buf.kind == StepBuffer::Kind::State) {
      auto [it, added] = paramItem.emplace(buf.param, items.size());
      if (added) {
        Item item{Item::What::Parameter, {}, 0, buf.param};
        item.place.push_back({ClusterKey::Kind::Phase, "parameters"});
        std::vector<std::string> levels = moduleLevels(buf.param);
        for (size_t l = 0; l + 1 < levels.size(); ++l)
          item.place.push_back({ClusterKey::Kind::Module, levels[l]});
        items.push_back(std::move(item));
      }
      Item &item = items[it->second];
      item.bytes += buf.record->size;
      item.tensors += 1;
      if (buf.kind == StepBuffer::Kind::Parameter)
        item.ref = static_cast<uint32_t>(b);
      itemOfBuffer[b] = it->second;
    } else if ((buf.kind == StepBuffer::Kind::Input ||
                buf.kind == StepBuffer::Kind::Other) &&
               !buf.readers.empty()) {
      itemOfBuffer[b] = items.size();
      items.push_back({buf.kind == StepBuffer::Kind::Input ? Item::What::Input
                                                           : Item::What::Other,
                       {},
                       static_cast<uint32_t>(b),
                       buf.label.empty() ? "#" + std::to_string(buf.record->id)
                                         : buf.label});
    }
  }
  for (uint32_t i = 0; i < m.kernels.size(); ++i) {
    const StepKernel &k = m.kernels[i];
    Item item{Item::What::Kernel, {}, i, k.op};
    item.place.push_back({ClusterKey::Kind::Phase, phaseName(k.phase)});
    for (const std::string &level : k.module)
      item.place.push_back({ClusterKey::Kind::Module, level});
    // Outside any module, the kernels of one .loom line are a group.
    if (k.module.empty() && !k.origin.location.empty())
      item.place.push_back({ClusterKey::Kind::Line, lineOf(k.origin.location)});
    itemOfKernel.push_back(items.size());
    items.push_back(std::move(item));
  }
  // Outputs, from the last kernel that writes them.
  std::map<uint32_t, int64_t> positionOf;
  for (size_t b = 0; b < m.buffers.size(); ++b)
    positionOf[m.buffers[b].record->id] = static_cast<int64_t>(b);
  auto position = [&](uint32_t id) {
    auto it = positionOf.find(id);
    return it == positionOf.end() ? int64_t(-1) : it->second;
  };
  std::vector<int64_t> lastWriter(m.buffers.size(), -1);
  for (uint32_t i = 0; i < m.kernels.size(); ++i) {
    const StepKernel &k = m.kernels[i];
    for (size_t j = k.numInputs; j < k.record->operands.size(); ++j) {
      int64_t b = position(k.record->operands[j]);
      if (b >= 0)
        lastWriter[b] = i;
    }
  }
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    int64_t b = position(m.outputs[o].buffer);
    size_t item = items.size();
    items.push_back({Item::What::Output, {}, o, m.outputs[o].role});
    if (b >= 0 && lastWriter[b] >= 0)
      outputEdges.push_back({itemOfKernel[lastWriter[b]], item});
    else if (b >= 0 && itemOfBuffer[b] != SIZE_MAX)
      outputEdges.push_back({itemOfBuffer[b], item});
  }
}

size_t GraphBuilder::clusterFor(const Place &place, size_t n) {
  size_t c = 0;
  std::vector<std::string> modules;
  for (size_t i = 0; i < n; ++i) {
    const ClusterKey &key = place[i];
    if (key.isLevel())
      modules.push_back(key.name);
    std::string name = childName(key);
    auto it = clusters[c].childByName.find(name);
    if (it == clusters[c].childByName.end()) {
      Cluster child;
      child.key = key;
      child.path = join(modules, modules.size());
      it = clusters[c].childByName.emplace(name, clusters.size()).first;
      clusters[c].children.push_back(clusters.size());
      clusters.push_back(std::move(child));
    }
    c = it->second;
  }
  return c;
}

std::vector<std::string> GraphBuilder::nodeLabel(const Node &node) const {
  const Item &item = items[node.firstItem];
  if (node.group) {
    const std::string &name = node.groupLabel;
    if (item.what == Item::What::Parameter)
      return {name, counted(node.params, "parameter"), byteSize(node.bytes)};
    return {name, counted(node.kernels, "kernel"), flopCount(node.flops)};
  }
  switch (item.what) {
  case Item::What::Kernel: {
    const StepKernel &k = m.kernels[item.ref];
    const KernelAttr *s = k.record->attr("s" + std::to_string(k.numInputs));
    if (s && s->type == KernelAttr::Type::IntList)
      return {k.op, shapeText(s->ints)};
    return {k.op};
  }
  case Item::What::Parameter: {
    std::vector<std::string> levels = moduleLevels(item.name);
    std::string name = levels.empty() ? item.name : levels.back();
    const StepBuffer &b = m.buffers[item.ref];
    std::vector<std::string> label = {name, byteSize(b.record->size)};
    if (item.tensors > 1)
      label.push_back("+" + std::to_string(item.tensors - 1) + " state");
    return label;
  }
  case Item::What::Input:
  case Item::What::Other:
    return {item.name};
  case Item::What::Output:
    return {item.name};
  }
  return {item.name};
}

std::vector<std::string> GraphBuilder::nodeTooltip(const Node &node) const {
  const Item &item = items[node.firstItem];
  if (node.group) {
    std::string phase = item.place.front().name;
    if (item.what == Item::What::Parameter)
      return {node.groupName + " (" + counted(node.params, "parameter") +
                  " with their optimizer state)",
              byteSize(node.bytes)};
    return {node.groupName + " (" + phase + ")",
            counted(node.kernels, "kernel") + ", " + flopCount(node.flops) +
                ", " + byteSize(node.bytes) + " moved"};
  }
  switch (item.what) {
  case Item::What::Kernel: {
    const StepKernel &k = m.kernels[item.ref];
    std::vector<std::string> tip = {
        "kernel " + std::to_string(k.index) + " (" + phaseName(k.phase) +
        "): " + k.record->kind +
        (k.record->symbol.empty() ? "" : " " + k.record->symbol)};
    if (!k.module.empty())
      tip.push_back(join(k.module, k.module.size()));
    if (!k.origin.text.empty())
      tip.push_back(k.origin.text);
    tip.push_back(flopCount(k.record->flops) + ", " +
                  byteSize(k.record->bytesMoved) + " moved");
    return tip;
  }
  case Item::What::Parameter:
    return {"parameter " + item.name, std::to_string(item.tensors) +
                                          " tensors with its state, " +
                                          byteSize(item.bytes)};
  case Item::What::Input:
    return {"input " + item.name};
  case Item::What::Output:
    return {"output " + item.name};
  case Item::What::Other:
    return {"buffer " + item.name + ", read and never written"};
  }
  return {item.name};
}

std::string GraphBuilder::render(int depth, StepGraphInfo &info) {
  clusters.assign(1, Cluster());
  std::vector<Node> nodes;
  std::map<std::string, size_t> nodeOfKey;
  std::vector<size_t> nodeOfItem(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const Item &item = items[i];
    std::string key = nodeKey(item, i, depth);
    auto it = nodeOfKey.find(key);
    if (it == nodeOfKey.end()) {
      Node node;
      node.key = key;
      node.firstItem = i;
      int at = collapseAt(item.place, depth);
      node.group = at >= 0;
      node.cluster =
          clusterFor(item.place, node.group ? size_t(at) : item.place.size());
      if (node.group) {
        std::vector<std::string> modules;
        for (int l = 0; l <= at; ++l)
          if (item.place[l].isLevel())
            modules.push_back(item.place[l].name);
        node.groupName = join(modules, modules.size());
        node.groupLabel = item.place[at].name;
      }
      clusters[node.cluster].nodes.push_back(nodes.size());
      it = nodeOfKey.emplace(key, nodes.size()).first;
      nodes.push_back(node);
    }
    Node &node = nodes[it->second];
    nodeOfItem[i] = it->second;
    if (item.what == Item::What::Kernel) {
      const KernelRecord &r = *m.kernels[item.ref].record;
      node.kernels += 1;
      node.flops += r.flops;
      node.bytes += r.bytesMoved;
    } else if (item.what == Item::What::Parameter) {
      node.params += 1;
      node.bytes += item.bytes;
    }
  }
  // Kernel counts of clusters, for their labels.
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].what != Item::What::Kernel)
      continue;
    size_t c = 0;
    for (const ClusterKey &key : items[i].place) {
      auto it = clusters[c].childByName.find(childName(key));
      if (it == clusters[c].childByName.end())
        break; // inside a node drawn for a whole module
      c = it->second;
      clusters[c].kernels += 1;
    }
  }

  // Edges between nodes, one per pair.
  struct Edge {
    size_t values = 0;
    uint64_t bytes = 0;
    bool param = false;
    std::vector<std::string> names;
  };
  std::map<std::pair<size_t, size_t>, Edge> edges;
  auto addEdge = [&](size_t fromItem, size_t toItem, const StepBuffer *b) {
    size_t from = nodeOfItem[fromItem], to = nodeOfItem[toItem];
    if (from == to)
      return;
    Edge &e = edges[{from, to}];
    e.values += 1;
    if (b) {
      e.bytes += b->record->size;
      e.param |= b->kind == StepBuffer::Kind::Parameter ||
                 b->kind == StepBuffer::Kind::State;
      std::string name =
          b->label.empty() ? "#" + std::to_string(b->record->id) : b->label;
      if (e.names.size() < 4)
        e.names.push_back(name);
    }
  };
  for (const StepFlow &f : m.flows)
    addEdge(itemOfKernel[f.from], itemOfKernel[f.to], &m.buffers[f.buffer]);
  for (auto [b, k] : m.sourceReads)
    if (itemOfBuffer[b] != SIZE_MAX)
      addEdge(itemOfBuffer[b], itemOfKernel[k], &m.buffers[b]);
  for (auto [from, to] : outputEdges)
    addEdge(from, to, nullptr);

  // The text.
  std::string os;
  std::string title = (m.program == "train" ? std::string("training step")
                                            : "program " + m.program) +
                      " of " + m.source + ": " +
                      counted(m.kernels.size(), "kernel");
  if (depth < info.maxDepth)
    title += "; modules " + std::to_string(depth + 1) +
             (depth ? " levels deep" : " level deep") + " drawn as one node";
  os += "digraph step {\n";
  os += "  graph [rankdir=TB, newrank=true, fontname=\"Helvetica\", "
        "fontsize=12, labelloc=t, nodesep=0.15, ranksep=0.3, label=" +
        quote(title) + "];\n";
  os += "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
        "fontsize=9, height=0.3, margin=\"0.06,0.03\"];\n";
  os += "  edge [color=\"#555555\", arrowsize=0.5];\n";
  std::string indent = "  ";
  // Clusters, depth first; the root's nodes at the top level.
  auto writeNode = [&](size_t n, const std::string &pad) {
    const Node &node = nodes[n];
    const Item &item = items[node.firstItem];
    std::string phase =
        item.place.empty() ? std::string("io") : item.place.front().name;
    Colors c = colorsOf(phase);
    os += pad + "n" + std::to_string(n) + " [label=" + quote(nodeLabel(node)) +
          ", tooltip=" + quote(nodeTooltip(node)) + ", fillcolor=\"" + c.fill +
          "\", color=\"" + c.line + "\"";
    if (node.group)
      os += ", shape=box3d, style=filled";
    else if (item.what == Item::What::Parameter)
      os += ", shape=cylinder, style=filled";
    else if (item.what == Item::What::Input || item.what == Item::What::Other)
      os += ", shape=invhouse, style=filled";
    else if (item.what == Item::What::Output)
      os += ", shape=house, style=filled";
    os += "];\n";
  };
  std::function<void(size_t, const std::string &, const std::string &)>
      writeCluster = [&](size_t c, const std::string &pad,
                         const std::string &phase) {
        const Cluster &cl = clusters[c];
        for (size_t child : cl.children) {
          const Cluster &ch = clusters[child];
          std::string childPhase =
              ch.key.kind == ClusterKey::Kind::Phase ? ch.key.name : phase;
          Colors colors = colorsOf(childPhase);
          std::vector<std::string> label = {ch.key.name};
          std::string tip = ch.key.kind == ClusterKey::Kind::Phase
                                ? ch.key.name
                                : ch.path + " (" + childPhase + ")";
          if (ch.kernels)
            label.back() += " (" + counted(ch.kernels, "kernel") + ")";
          os += pad + "subgraph cluster_" + std::to_string(child) + " {\n";
          os += pad + "  graph [label=" + quote(label) +
                ", tooltip=" + quote(tip) + ", style=\"rounded" +
                (ch.key.kind == ClusterKey::Kind::Phase ? ",filled" : "") +
                "\", fillcolor=\"#fbfbfb\", color=\"" + colors.line +
                "\", fontsize=" +
                (ch.key.kind == ClusterKey::Kind::Phase ? "12" : "10") + "];\n";
          writeCluster(child, pad + "  ", childPhase);
          os += pad + "}\n";
          ++info.clusters;
        }
        for (size_t n : cl.nodes)
          writeNode(n, pad);
      };
  writeCluster(0, indent, "");
  for (auto &[ends, e] : edges) {
    std::string tip =
        std::to_string(e.values) + (e.values == 1 ? " value" : " values");
    if (e.bytes)
      tip += ", " + byteSize(e.bytes);
    for (size_t i = 0; i < e.names.size(); ++i)
      tip += (i ? ", " : ": ") + e.names[i];
    if (e.values > e.names.size() && !e.names.empty())
      tip += ", ...";
    double width = 0.5;
    if (e.bytes > 1024)
      width = std::min(3.0, 0.5 + 0.25 * std::log2(e.bytes / 1024.0));
    char w[16];
    std::snprintf(w, sizeof(w), "%.2f", width);
    os += "  n" + std::to_string(ends.first) + " -> n" +
          std::to_string(ends.second) + " [tooltip=" + quote(tip) +
          ", penwidth=" + w +
          (e.param ? ", style=dashed, color=\"#888888\"" : "") + "];\n";
  }
  os += "}\n";
  info.depth = depth;
  info.nodes = nodes.size();
  info.edges = edges.size();
  return os;
}

} // namespace

std::string loom::stepGraphDot(const StepModel &m,
                               const StepGraphOptions &options,
                               StepGraphInfo *infoOut) {
  GraphBuilder builder(m);
  StepGraphInfo info;
  info.maxDepth = builder.maxDepth();
  int depth = options.depth;
  if (depth < 0) {
    depth = 0;
    for (int d = info.maxDepth; d > 0; --d)
      if (builder.countNodes(d) <= options.maxNodes) {
        depth = d;
        break;
      }
  }
  depth = std::min(depth, info.maxDepth);
  std::string text = builder.render(depth, info);
  if (infoOut)
    *infoOut = info;
  return text;
}
