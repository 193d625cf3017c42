"""GraphML: the typed graph as networkx, Gephi, yEd and Cytoscape read it, written as it streams."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from catalog.export.graph import EDGE_ATTRS, NODE_TYPES, TYPE_NAMES, Edge, Node
from catalog.export.xml import xml_document

__all__ = ["write_graphml"]

_NS = "http://graphml.graphdrawing.org/xmlns"


def write_graphml(path: Path, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
    """Write ``nodes`` (id, kind, attributes) then ``edges`` (source, rel, target, status) to ``path``.

    Every node carries ``kind``, every edge ``rel`` (and ``status`` when it has one); an
    attribute without a value is left out, as GraphML has no null.
    """
    with xml_document(path) as xml:
        xml.start(
            "graphml",
            {
                "xmlns": _NS,
                "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                "xsi:schemaLocation": f"{_NS} {_NS}/1.0/graphml.xsd",
            },
        )
        for name, kind in NODE_TYPES.items():
            xml.empty(
                "key", {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": TYPE_NAMES[kind]}
            )
        for name in EDGE_ATTRS:
            xml.empty("key", {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": "string"})
        xml.start("graph", {"id": "hf-catalog", "edgedefault": "directed"})
        for id, kind, attrs in nodes:
            xml.start("node", {"id": id})
            xml.text_element("data", {"key": "n_kind"}, kind)
            for name, value in attrs.items():
                xml.text_element("data", {"key": f"n_{name}"}, value)
            xml.end("node")
        for src, rel, dst, status in edges:
            xml.start("edge", {"source": src, "target": dst})
            xml.text_element("data", {"key": "e_rel"}, rel)
            if status is not None:
                xml.text_element("data", {"key": "e_status"}, status)
            xml.end("edge")
        xml.end("graph")
        xml.end("graphml")
