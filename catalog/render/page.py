"""The HTML shell every page shares: escaping, the inlined vis-network bundle, paths, the layout.

pyvis supplies the vis-network bundle, inlined into each page as its ``cdn_resources="in_line"``
mode does, because ``"remote"`` and ``"local"`` draw nothing offline. Its template is not used: it
loads Bootstrap from a CDN on every page, and puts a node's ``title`` into the DOM as HTML when the
title holds a link. Its ``add_node`` scans a list per call (quadratic at scale), so node and edge
lists are built here as plain dicts and serialised once.

Strings from the Hub are text everywhere: HTML is escaped with :func:`html.escape`, the graph goes
into the page as JSON in a ``<script type="application/json">`` element with ``<``, ``>`` and ``&``
written as ``\\u003c``-style escapes (so ``</script>`` in a model id cannot close it), and
vis-network shows string tooltips with ``innerText``.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pyvis

__all__ = [
    "Page",
    "escape",
    "page_path",
    "relative_href",
    "script_json",
    "write_page",
]

VIS_JS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# U+2028 and U+2029 end a line in old JavaScript parsers; escaping them costs nothing.
_SCRIPT_ESCAPES = {
    b"<": b"\\u003c",
    b">": b"\\u003e",
    b"&": b"\\u0026",
    "\u2028".encode(): b"\\u2028",
    "\u2029".encode(): b"\\u2029",
}
_SCRIPT_UNSAFE = re.compile(b"[<>&]|\xe2\x80[\xa8\xa9]")


def escape(text: object) -> str:
    """Escape ``text`` for HTML text and attribute values.

    Examples
    --------
    >>> escape('<script>"x"</script>')
    '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    """
    return html.escape(str(text), quote=True)


def script_json(value: Any) -> str:
    """Serialise ``value`` as JSON that is safe inside an HTML ``<script>`` element.

    Examples
    --------
    >>> script_json({"id": "</script><b>"})
    '{"id":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    raw = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group()], raw).decode()


def page_path(kind: str, id: str) -> str:
    """Return the path of an entity's page inside the map folder, safe as a file name and a URL.

    Ids that are not plain file names (slashes, spaces, capitals that could collide on a
    case-insensitive disk) get a short hash of the id appended, so two ids never share a page.

    Examples
    --------
    >>> page_path("task", "fill-mask")
    'task/fill-mask.html'
    >>> page_path("lineage", "meta-llama/Llama-3.1-8B")
    'lineage/meta-llama_Llama-3.1-8B-69332380.html'
    """
    slug = _SAFE.sub("_", id).strip("._") or "_"
    if slug != id or slug.lower() != slug:
        slug = f"{slug[:80]}-{hashlib.sha1(id.encode()).hexdigest()[:8]}"
    return f"{kind}/{slug}.html"


def relative_href(from_path: str, to_path: str) -> str:
    """Return the link from the page at ``from_path`` to the page at ``to_path`` (both in the folder).

    Examples
    --------
    >>> relative_href("index.html", "task/fill-mask.html")
    'task/fill-mask.html'
    >>> relative_href("task/fill-mask.html", "library/transformers.html")
    '../library/transformers.html'
    """
    depth = from_path.count("/")
    return "../" * depth + to_path


@dataclass(slots=True)
class Page:
    """One page of the map: a vis-network graph, with HTML beside it, at ``path`` in the folder.

    ``nodes`` and ``edges`` are vis-network items (``id``, ``label``, ``x``, ``y``, ``size``,
    ``color``, ``title``, ``href``, ...) whose strings are plain text: the shell escapes them.
    ``sidebar`` is HTML that the caller built with :func:`escape`.
    """

    path: str
    title: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    sidebar: str = ""
    directed: bool = False
    search: list[dict[str, str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def html(self) -> str:
        """Return the whole page as one self-contained HTML document.

        A page without nodes (a listing) carries no graph and no vis-network bundle.
        """
        search = ""
        if self.search is not None:
            search = (
                '<input id="search" type="search" placeholder="Find a task, library, app, provider, '
                'family..." autocomplete="off" aria-label="Find a page">'
                '<ul id="results"></ul>'
                f'<script type="application/json" id="search-data">{script_json(self.search)}</script>'
            )
        if self.nodes:
            graph = {"nodes": self.nodes, "edges": self.edges, "options": _options(self), **self.extra}
            vis = f"<script>{_vis_js()}</script>"
            main = '<main><div id="graph"></div><aside>' + self.sidebar + "</aside></main>"
            data = f'<script type="application/json" id="graph-data">{script_json(graph)}</script>'
        else:
            vis, data = "", ""
            main = '<main class="listing"><aside>' + self.sidebar + "</aside></main>"
        script = _SCRIPT if self.nodes or self.search is not None else ""
        return _SHELL.format(
            title=escape(self.title),
            home=escape(relative_href(self.path, "index.html")),
            style=_STYLE,
            vis=vis,
            search=search,
            main=main,
            data=data,
            script=f"<script>{script}</script>" if script else "",
        )


def write_page(out_dir: Path, page: Page) -> int:
    """Write ``page`` under ``out_dir`` and return its size in bytes."""
    target = out_dir / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    data = page.html().encode()
    target.write_bytes(data)
    return len(data)


@cache
def _vis_js() -> str:
    text = VIS_JS.read_text(encoding="utf-8")
    # The bundle is inlined in a <script>: it must not be able to end it early.
    return text.replace("</script", "<\\/script")


def _options(page: Page) -> dict[str, Any]:
    large = len(page.nodes) > 1000
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
            "arrows": {"to": {"enabled": page.directed, "scaleFactor": 0.5}},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 80,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
    }


_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}
header{display:flex;align-items:center;gap:16px;padding:8px 16px;border-bottom:1px solid #d8dee4;background:#f6f8fa;height:52px}
header h1{font-size:17px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
header a{color:#0969da;text-decoration:none;white-space:nowrap}
main{display:flex;height:calc(100vh - 52px)}
#graph{flex:1;min-width:0;position:relative;background:#fff}
main.listing aside{width:auto;max-width:960px;margin:0 auto;border:0}
aside{width:380px;overflow:auto;border-left:1px solid #d8dee4;padding:12px 16px}
aside h2{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eaeef2;vertical-align:top;overflow-wrap:anywhere}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
a{color:#0969da}
.legend{list-style:none;padding:0;margin:0;columns:2}
.legend li{margin:2px 0;break-inside:avoid}
.swatch{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:6px;vertical-align:-1px;border:1px solid #0003}
.line{display:inline-block;width:18px;height:4px;margin-right:6px;vertical-align:3px}
.note{color:#57606a;font-size:12px}
#search-box{position:relative;margin-left:auto}
#search{width:320px;padding:5px 8px;border:1px solid #d0d7de;border-radius:6px;font:inherit}
#results{position:absolute;right:0;top:34px;z-index:20;width:420px;max-height:60vh;overflow:auto;margin:0;padding:0;list-style:none;background:#fff;border:1px solid #d0d7de;border-radius:6px;box-shadow:0 8px 24px #8c959f33}
#results:empty{display:none}
#results li a{display:block;padding:4px 10px;color:#1f2328;text-decoration:none;overflow-wrap:anywhere}
#results li a:hover,#results li a:focus{background:#ddf4ff}
#results .kind{color:#57606a;font-size:12px;margin-left:6px}
div.vis-tooltip{position:absolute;visibility:hidden;padding:6px 8px;white-space:pre-wrap;max-width:420px;overflow-wrap:anywhere;font:13px/1.35 system-ui,sans-serif;color:#1f2328;background:#fff;border:1px solid #d0d7de;border-radius:6px;box-shadow:0 4px 12px #8c959f55;pointer-events:none;z-index:5}
"""

_SCRIPT = """
(function () {
  var input = document.getElementById("search");
  if (input) search(input);
  var element = document.getElementById("graph-data");
  if (!element) return;
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var container = document.getElementById("graph");
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.network = network;
  if (data.labels) network.on("beforeDrawing", function (ctx) {
    // Group names are painted on the canvas, not added as nodes: the node data stays the graph's.
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#57606a";
    for (var i = 0; i < data.labels.length; i++) {
      var label = data.labels[i];
      ctx.font = "600 " + (label.size || 28) + "px system-ui, sans-serif";
      ctx.fillText(label.text, label.x, label.y);
    }
    ctx.restore();
  });
  network.once("afterDrawing", function () {
    window.firstDrawMs = performance.now();
    // The fit covers the nodes only: step back so that the group names on the rim show too.
    if (data.labels) network.moveTo({scale: network.getScale() * 0.9});
    document.body.setAttribute("data-drawn", String(nodes.length));
  });
  network.on("click", function (params) {
    if (!params.nodes.length) return;
    var node = nodes.get(params.nodes[0]);
    if (node && node.href) window.location.href = node.href;
  });
  network.on("hoverNode", function (params) {
    var node = nodes.get(params.node);
    container.style.cursor = node && node.href ? "pointer" : "default";
  });
  network.on("blurNode", function () { container.style.cursor = "default"; });
})();

function search(input) {
  var pages = JSON.parse(document.getElementById("search-data").textContent);
  for (var i = 0; i < pages.length; i++) pages[i].key = (pages[i].name + " " + pages[i].kind).toLowerCase();
  var results = document.getElementById("results");
  function show() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) return;
    var found = 0;
    for (var i = 0; i < pages.length && found < 30; i++) {
      var page = pages[i], hit = true;
      for (var j = 0; j < words.length; j++) if (page.key.indexOf(words[j]) < 0) { hit = false; break; }
      if (!hit) continue;
      var item = document.createElement("li"), link = document.createElement("a"), kind = document.createElement("span");
      link.setAttribute("href", page.href);
      link.textContent = page.name;
      kind.className = "kind";
      kind.textContent = page.kind;
      link.appendChild(kind);
      item.appendChild(link);
      results.appendChild(item);
      found++;
    }
  }
  input.addEventListener("input", show);
  input.addEventListener("keydown", function (event) {
    var first = results.querySelector("a");
    if (event.key === "Enter" && first) window.location.href = first.getAttribute("href");
    if (event.key === "Escape") { input.value = ""; show(); }
  });
}
"""

_SHELL = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>{title}</title>
<style>{style}</style>
{vis}
</head>
<body>
<header><a href="{home}">Ecosystem map</a><h1>{title}</h1><div id="search-box">{search}</div></header>
{main}
{data}
{script}
</body>
</html>
"""
