"""Parses what `loom inspect --graph` / `--memory` wrote and prints a summary
for FileCheck. A file that is not well-formed XML fails the test (the parser
raises).

  check_views.py memory FILE.svg|FILE.html   the memory view
  check_views.py graph FILE.svg              the graph as `dot -Tsvg` drew it
  check_views.py dot FILE.dot MAX            the DOT has 1 to MAX nodes

memory: the buffer boxes (rects with a <title> naming a buffer), the peak
line, and for the page its table; it checks that the boxes outlined as live
at the peak are the table's rows, and that the peak kernel lies in each such
box's live range.
graph: the clusters, nodes and edges Graphviz drew, and each cluster's label.
"""

import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def text_of(element):
    return "".join(element.itertext()).strip()


def memory(path):
    root = ET.parse(path).getroot()
    print("root:", root.tag.split("}")[1])
    svg = root if root.tag == SVG + "svg" else root.find(".//" + SVG + "svg")
    print("svg title:", text_of(svg.find(SVG + "title")))
    boxes, outlined = [], []
    for rect in svg.iter(SVG + "rect"):
        title = rect.find(SVG + "title")
        if title is None or not text_of(title).startswith("#"):
            continue
        boxes.append(text_of(title))
        if "pk" in rect.get("class", "").split():
            outlined.append(text_of(title))
    print("boxes:", len(boxes))
    peaks = [text_of(line.find(SVG + "title")) for line in svg.iter(SVG + "line") if line.find(SVG + "title") is not None]
    assert len(peaks) == 1, peaks
    print("peak line:", peaks[0])
    peak = int(re.search(r"live at kernel (\d+)", peaks[0]).group(1))
    for box in outlined:
        m = re.search(r"live kernels (\d+) to (\d+|after the program)", box)
        first, last = m.group(1), m.group(2)
        assert int(first) <= peak, box
        assert last == "after the program" or peak <= int(last), box
    print("outlined:", len(outlined), "all live at the peak")
    if root.tag != XHTML + "html":
        return
    rows = root.findall(".//" + XHTML + "tbody/" + XHTML + "tr")
    names = [text_of(row[0]) for row in rows]
    print("table rows:", len(rows))
    assert sorted(names) == sorted(box.split(":")[0] for box in outlined), (names, outlined)
    print("rows are the outlined boxes")
    for row in rows:
        print("row:", " | ".join(text_of(cell) for cell in row))


def graph(path):
    root = ET.parse(path).getroot()
    print("root:", root.tag.split("}")[1])
    kinds = {"cluster": [], "node": [], "edge": []}
    for g in root.iter(SVG + "g"):
        if g.get("class") in kinds:
            kinds[g.get("class")].append(g)
    for kind, gs in kinds.items():
        print(kind + "s:", len(gs))
    for g in kinds["cluster"]:
        labels = [text_of(t) for t in g.iter(SVG + "text")]
        print("cluster:", " ".join(labels))


def dot(path, most):
    with open(path) as f:
        text = f.read()
    nodes = len(re.findall(r"^ *n[0-9]+ \[label=", text, re.M))
    edges = len(re.findall(r"^ *n[0-9]+ -> n[0-9]+ ", text, re.M))
    print("nodes:", nodes, "edges:", edges)
    assert 0 < nodes <= int(most), "%d nodes, more than %s" % (nodes, most)
    print("at most", most, "nodes")


if __name__ == "__main__":
    {"memory": memory, "graph": graph, "dot": dot}[sys.argv[1]](*sys.argv[2:])
