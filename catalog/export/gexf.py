"""GEXF 1.2: the typed graph as Gephi opens it (and networkx reads it), written as it streams."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from catalog.export.graph import EDGE_ATTRS, NODE_TYPES, TYPE_NAMES, Edge, Node
from catalog.export.xml import xml_document

__all__ = ["write_gexf"]

_NS = "http://www.gexf.net/1.2draft"


def write_gexf(path: Path, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
    """Write ``nodes`` (id, kind, attributes) then ``edges`` (source, rel, target, status) to ``path``.

    A node's GEXF ``label`` (what Gephi shows) is its ``label`` attribute when it has one (tasks,
    libraries, apps, providers), else its id without the kind; an edge's is its ``rel``. Edge ids
    are their rank in the file.
    """
    with xml_document(path) as xml:
        xml.start("gexf", {"xmlns": _NS, "version": "1.2"})
        with xml.element("meta"):
            xml.text_element("creator", {}, "hf-catalog")
            xml.text_element(
                "description", {}, "The Hugging Face ecosystem as a typed graph (catalog export)"
            )
        xml.start("graph", {"defaultedgetype": "directed", "mode": "static"})
        with xml.element("attributes", {"class": "node", "mode": "static"}):
            for name, kind in NODE_TYPES.items():
                if name != "label":  # the node's own label
                    xml.empty("attribute", {"id": name, "title": name, "type": TYPE_NAMES[kind]})
        with xml.element("attributes", {"class": "edge", "mode": "static"}):
            for name in EDGE_ATTRS:
                xml.empty("attribute", {"id": name, "title": name, "type": "string"})
        xml.start("nodes")
        for id, kind, attrs in nodes:
            label = attrs.pop("label", None) or id.partition(":")[2]
            xml.start("node", {"id": id, "label": label})
            with xml.element("attvalues"):
                xml.empty("attvalue", {"for": "kind", "value": kind})
                for name, value in attrs.items():
                    xml.empty("attvalue", {"for": name, "value": value})
            xml.end("node")
        xml.end("nodes")
        xml.start("edges")
        for rank, (src, rel, dst, status) in enumerate(edges):
            xml.start("edge", {"id": rank, "source": src, "target": dst, "label": rel})
            with xml.element("attvalues"):
                xml.empty("attvalue", {"for": "rel", "value": rel})
                if status is not None:
                    xml.empty("attvalue", {"for": "status", "value": status})
            xml.end("edge")
        xml.end("edges")
        xml.end("graph")
        xml.end("gexf")
