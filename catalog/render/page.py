"""A page of the explorer: a Jinja2 template, its context, and maybe a graph, rendered with autoescape.

Every page, served or exported, is ``catalog/templates/<name>.html`` rendered by one Jinja2
environment with autoescaping on, so a string from the Hub is text wherever it lands. The graph
goes into the page as JSON in a ``<script type="application/json">`` element, written by
:func:`script_json` with ``<``, ``>`` and ``&`` escaped (``</script>`` in a model id cannot close
it); vis-network shows string tooltips as text. The vis-network bundle comes from pyvis's package
files and is one static file (``/static/vis-network.min.js``, or ``static/`` beside exported pages),
never inlined.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pyvis
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from catalog.render.links import Links, hub_url, safe_url
from catalog.render.style import KIND_LABELS, format_count

__all__ = ["STATIC", "VIS_JS", "Graph", "Page", "environment", "script_json", "static_files", "vis_node"]

VIS_JS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
#: The static files every page may load, by name.
STATIC = Path(__file__).resolve().parent.parent / "templates" / "static"

# U+2028 and U+2029 end a line in old JavaScript parsers; escaping them costs nothing.
_SCRIPT_ESCAPES = {
    b"<": b"\\u003c",
    b">": b"\\u003e",
    b"&": b"\\u0026",
    "\u2028".encode(): b"\\u2028",
    "\u2029".encode(): b"\\u2029",
}
_SCRIPT_UNSAFE = re.compile(b"[<>&]|\xe2\x80[\xa8\xa9]")


def script_json(value: Any) -> Markup:
    """Serialise ``value`` as JSON that is safe inside an HTML ``<script>`` element.

    Examples
    --------
    >>> str(script_json({"id": "</script><b>"}))
    '{"id":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    raw = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return Markup(_SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group()], raw).decode())


@cache
def environment() -> Environment:
    """Return the one Jinja2 environment of the explorer: package templates, autoescape everywhere."""
    env = Environment(
        loader=PackageLoader("catalog", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = format_count
    env.filters["script_json"] = script_json
    env.filters["safe_url"] = safe_url
    env.globals["hub_url"] = hub_url
    env.globals["kind_label"] = lambda kind: KIND_LABELS.get(kind, kind)
    return env


def static_files() -> dict[str, Path]:
    """Return every static file by name: the page script and style, and pyvis's vis-network bundle."""
    files = {path.name: path for path in sorted(STATIC.iterdir()) if path.is_file()}
    files["vis-network.min.js"] = VIS_JS
    return files


def vis_node(
    node: Hashable,
    position: tuple[float, float],
    size: float,
    style: tuple[str, str],
    title: str,
    *,
    label: str | None = None,
    href: str | None = None,
) -> dict[str, Any]:
    """Return a node of a :class:`Graph`: fixed at ``position`` (to 0.1 px), ``style``'s colour and shape.

    ``label`` (shown beside the node) and ``href`` (the page a click opens) are left out when not given.

    Examples
    --------
    >>> vis_node("task:fill-mask", (1.04, -2.0), 14.0, ("#4e79a7", "dot"), "Fill-Mask", href="task/fill-mask.html")
    {'id': 'task:fill-mask', 'x': 1.0, 'y': -2.0, 'size': 14.0, 'shape': 'dot', 'color': '#4e79a7', 'title': 'Fill-Mask', 'href': 'task/fill-mask.html'}
    """
    x, y = position
    colour, shape = style
    item: dict[str, Any] = {
        "id": node,
        "x": round(x, 1),
        "y": round(y, 1),
        "size": size,
        "shape": shape,
        "color": colour,
        "title": title,
    }
    if label is not None:
        item["label"] = label
    if href:
        item["href"] = href
    return item


@dataclass(slots=True)
class Graph:
    """A vis-network drawing: nodes and edges as plain dicts whose strings are text, positions fixed."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    directed: bool = False
    labels: list[dict[str, Any]] | None = None

    def data(self) -> dict[str, Any]:
        """Return what the page's script draws: nodes, edges, vis-network options, group labels."""
        data: dict[str, Any] = {"nodes": self.nodes, "edges": self.edges, "options": self.options()}
        if self.labels:
            data["labels"] = self.labels
        return data

    def options(self) -> dict[str, Any]:
        large = len(self.nodes) > 1000
        return {
            "physics": {"enabled": False},
            "layout": {"improvedLayout": False},
            "nodes": {"shape": "dot", "font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
            "edges": {
                "smooth": False,
                "color": {
                    "inherit": False,
                    "color": "#b9c0c8",
                    "highlight": "#24292f",
                    "hover": "#57606a",
                    "opacity": 0.45,
                },
                "arrows": {"to": {"enabled": self.directed, "scaleFactor": 0.5}},
            },
            "interaction": {
                "hover": True,
                "tooltipDelay": 80,
                "hideEdgesOnDrag": large,
                "hideEdgesOnZoom": large,
            },
        }


@dataclass(slots=True)
class Page:
    """One page: the template that draws it, its title, its links, its context and maybe a graph."""

    template: str
    title: str
    links: Links
    context: dict[str, Any] = field(default_factory=dict)
    graph: Graph | None = None

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return self.graph.nodes if self.graph else []

    @property
    def edges(self) -> list[dict[str, Any]]:
        return self.graph.edges if self.graph else []

    def html(self) -> str:
        """Return the whole page as one HTML document."""
        template = environment().get_template(f"{self.template}.html")
        return template.render(page=self, links=self.links, **self.context)
