"""The map's pages as files: escaping, paths, folding, layouts, and a whole map from a real store.

Pages are opened in a real browser by ``test_render_browser.py``; these tests read the HTML.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from catalog.cli import main
from catalog.errors import ConfigError
from catalog.graph.demo import load_demo
from catalog.queries.models import search_models
from catalog.render import render_map
from catalog.render.face import face_page
from catalog.render.fold import fold, top_per_group
from catalog.render.index import index_page
from catalog.render.layout import hub_layout, radial_tree_layout, wedge_layout
from catalog.render.lineage import prune_family
from catalog.render.links import FileLinks, ServerLinks, page_path
from catalog.render.page import script_json
from catalog.store import Store

LINKS = ServerLinks()

EVIL = '<script>window.__pwned=1</script>"onmouseover="window.__pwned=2'


def _graph_data(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


# --- escaping and paths -------------------------------------------------------------------------


def test_script_json_cannot_end_the_script_element() -> None:
    text = script_json({"id": EVIL, "note": "a & b <!-- \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"id": EVIL, "note": "a & b <!-- \u2028"}


def test_page_paths_are_safe_file_names_and_never_shared() -> None:
    ids = ["fill-mask", "Fill-Mask", "org/model", "org_model", "../../etc/passwd", EVIL, "", "a b", ">200B"]
    paths = [page_path("task", id) for id in ids]
    assert len(set(paths)) == len(ids)
    assert len({p.lower() for p in paths}) == len(ids)
    assert all(re.fullmatch(r"task/[A-Za-z0-9._-]+\.html", p) for p in paths)
    assert paths[0] == "task/fill-mask.html"
    assert all(".." not in p for p in paths)


# --- folding and layouts --------------------------------------------------------------------------


def test_fold_merges_each_group_into_one_node_with_summed_figures() -> None:
    g = nx.Graph()
    g.add_nodes_from(
        [
            ("t", {"kind": "task", "count": 10}),
            ("a", {"count": 3, "downloads": 7}),
            ("b", {"count": 2, "downloads": 1}),
            ("c", {"count": 1}),
        ]
    )
    g.add_edges_from(
        [
            ("t", "a", {"weight": 3, "rel": "co_occurs"}),
            ("t", "b", {"weight": 2, "rel": "co_occurs"}),
            ("t", "c", {"weight": 1, "rel": "other"}),
            ("a", "b", {"weight": 9}),
        ]
    )
    folded = top_per_group(g.nodes, lambda n: None if n == "t" else "lib", lambda n: g.nodes[n]["count"], 1)
    assert folded == {"b": "lib", "c": "lib"}
    small = fold(g, folded, lambda group, n: f"+{n} more")
    assert dict(small.nodes(data=True)) == {
        "t": {"kind": "task", "count": 10},
        "a": {"count": 3, "downloads": 7},
        "more:lib": {
            "kind": "more",
            "group": "lib",
            "folded": 2,
            "label": "+2 more",
            "count": 3,
            "downloads": 1,
        },
    }
    assert sorted((u, v, sorted(d.items())) for u, v, d in small.edges(data=True)) == [
        ("a", "more:lib", [("edges", 1), ("weight", 9)]),
        ("t", "a", [("rel", "co_occurs"), ("weight", 3)]),
        ("t", "more:lib", [("edges", 2), ("weight", 3)]),
    ]


def test_wedge_layout_keeps_groups_apart_and_nodes_from_overlapping() -> None:
    sizes = {f"{g}{i}": 5 + i for g in "abc" for i in range(30)}
    groups = [[f"{g}{i}" for i in range(30)] for g in "abc"]
    positions, wedges = wedge_layout(groups, sizes)
    assert len(positions) == 90 and len(wedges) == 3
    nodes = list(positions)
    for i, u in enumerate(nodes):
        for v in nodes[i + 1 :]:
            (x1, y1), (x2, y2) = positions[u], positions[v]
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= sizes[u] + sizes[v]
    assert wedge_layout(groups, sizes) == (positions, wedges)


def test_radial_tree_layout_places_depths_on_rings() -> None:
    tree = nx.DiGraph([("r", "a"), ("r", "b"), ("a", "c"), ("a", "d")])
    positions = radial_tree_layout(tree, "r")
    radius = {n: round((x * x + y * y) ** 0.5) for n, (x, y) in positions.items()}
    assert radius == {"r": 0, "a": 220, "b": 220, "c": 440, "d": 440}


def test_hub_layout_puts_outer_nodes_next_to_their_links() -> None:
    positions = hub_layout("c", ["m1", "m2", "m3", "m4"], ["near-m2"], {"near-m2": ["m2"]})
    (x, y), (mx, my) = positions["near-m2"], positions["m2"]
    assert (round(x), round(y)) == (round(2 * mx), round(2 * my)) == (640, 0)


def _family(children: int, grandchildren: int = 0) -> nx.DiGraph:
    """A family: ``root``, its finetunes ``m<i>`` and their quantized models ``m<i>-q<j>``.

    ``m<i>`` has ``i`` downloads and ``m<i>-q<j>`` has ``1000 * i + j``.
    """
    tree = nx.DiGraph()
    tree.add_node("root", downloads=0)
    for i in range(children):
        tree.add_edge(f"m{i}", "root", rel="finetune_of")
        tree.nodes[f"m{i}"]["downloads"] = i
        for j in range(grandchildren):
            tree.add_edge(f"m{i}-q{j}", f"m{i}", rel="quantized_from")
            tree.nodes[f"m{i}-q{j}"]["downloads"] = 1000 * i + j
    return tree


def test_prune_family_keeps_the_most_downloaded_and_never_exceeds_max_nodes() -> None:
    tree = _family(40, 40)
    small = prune_family(tree, "root", 100)
    assert small.number_of_nodes() <= 100
    assert "m39-q39" in small and "m39" in small and "root" in small
    assert sum(d.get("folded", 1) for _, d in small.nodes(data=True)) == tree.number_of_nodes()
    assert prune_family(tree, "root", 5000) is tree


def test_prune_family_shows_the_top_children_of_each_model_and_folds_the_rest() -> None:
    tree = _family(100)
    tree.add_edge("q", "m0", rel="quantized_from")
    small = prune_family(tree, "root", 5000)
    assert sorted(small) == sorted(["root", "more:root", *[f"m{i}" for i in range(60, 100)]])
    assert small.nodes["more:root"] == {
        "kind": "more",
        "group": "root",
        "folded": 61,
        "label": "+61 more",
        "downloads": sum(range(60)),
    }
    assert small.edges["more:root", "root"] == {"weight": 60, "edges": 60, "rel": "finetune_of"}


# --- the ecosystem map ----------------------------------------------------------------------------


def _faces(libraries: int) -> nx.Graph:
    g = nx.Graph()
    for i in range(3):
        g.add_node(f"task:t{i}", kind="task", label=f"T{i}", count=100 - i, modality="nlp")
    for i in range(libraries):
        g.add_node(f"library:l{i}", kind="library", label=f"L{i}", count=libraries - i)
        g.add_edge(f"library:l{i}", f"task:t{i % 3}", rel="co_occurs", weight=libraries - i)
    return g


def test_index_page_draws_every_face_when_they_fit() -> None:
    faces = _faces(20)
    page = index_page(faces, LINKS)
    assert sorted(n["id"] for n in page.nodes) == sorted(faces.nodes)
    assert len(page.edges) == 20
    node = next(n for n in page.nodes if n["id"] == "library:l0")
    assert (node["href"], node["label"], node["shape"], node["color"]) == (
        "/libraries/l0",
        "L0",
        "square",
        "#e15759",
    )
    assert node["title"] == "Library: L0\nModels: 20\nClick to open its page"
    edge = next(e for e in page.edges if {e["from"], e["to"]} == {"library:l0", "task:t0"})
    assert edge["title"] == "T0 \u2014 L0\n20 models"


def test_index_page_folds_the_smallest_of_each_kind_past_max_nodes() -> None:
    faces = _faces(50)
    page = index_page(faces, LINKS, max_nodes=20)
    ids = [n["id"] for n in page.nodes]
    assert len(ids) <= 20
    assert ids.count("more:library") == 1
    kept = [i for i in ids if i.startswith("library:")]
    more = next(n for n in page.nodes if n["id"] == "more:library")
    assert more["label"] == f"+{50 - len(kept)} more libraries"
    assert kept == [f"library:l{i}" for i in range(len(kept))]


def test_index_page_keeps_the_heaviest_edges_and_one_for_every_node() -> None:
    faces = _faces(30)
    # Each library also goes with a second task, more weakly: the cut drops those edges, and
    # keeps each library's heaviest one (its only edge to its own task).
    for i in range(30):
        faces.add_edge(f"library:l{i}", f"task:t{(i + 1) % 3}", rel="co_occurs", weight=1)
    page = index_page(faces, LINKS, max_edges=5)
    pairs = {frozenset((e["from"], e["to"])) for e in page.edges}
    assert pairs == {frozenset((f"library:l{i}", f"task:t{i % 3}")) for i in range(30)}


def test_a_face_page_folds_the_models_it_does_not_draw_into_one_node() -> None:
    neighbourhood = nx.Graph()
    neighbourhood.add_node("library:peft", kind="library", label="PEFT")
    for i in range(3):
        neighbourhood.add_node(f"model:m{i}", kind="model", downloads=10 - i, likes=i)
        neighbourhood.add_edge(f"model:m{i}", "library:peft", rel="uses_library")
    neighbourhood.add_edge("model:m0", "task:x", rel="has_task")
    neighbourhood.nodes["task:x"].update(kind="task", label="X")
    faces = nx.Graph()
    faces.add_node("library:peft", kind="library", label="PEFT", count=1003, downloads=99)
    faces.add_node("task:x", kind="task", label="X", count=5, modality="cv")
    faces.add_edge("library:peft", "task:x", rel="co_occurs", weight=4)
    page = face_page(neighbourhood, "library:peft", LINKS, faces=faces)
    assert [n["id"] for n in page.nodes] == [
        "library:peft",
        "model:m0",
        "model:m1",
        "model:m2",
        "more:models",
        "task:x",
    ]
    more = page.nodes[4]
    assert (more["label"], more["shape"], "href" in more) == ("+1,000 more models", "box", False)
    assert page.nodes[1]["href"] == "/models/m0"
    assert page.nodes[5]["color"] == "#59a14f"  # the task's modality, from the faces graph
    assert page.title == "Library: PEFT"
    assert page.context["figures"][0] == ("Models", "1,003")
    assert page.context["together"] == [{"kind": "task", "id": "x", "label": "X", "weight": 4}]


# --- a whole map from a store ----------------------------------------------------------------------


def test_render_map_writes_every_page_of_the_demo_catalog(store: Store, tmp_path: Path) -> None:
    summary = render_map(load_demo(store), tmp_path / "map", families=5)
    kinds = {
        k: summary.count(k)
        for k in (
            "index",
            "task",
            "library",
            "app",
            "provider",
            "params",
            "family",
            "model",
            "author",
            "listing",
        )
    }
    assert kinds == {
        "index": 1,
        "task": 3,
        "library": 4,
        "app": 3,
        "provider": 3,
        "params": 8,
        "family": 2,
        "model": 9,
        "author": 9,
        "listing": 5,
    }
    by_path = {p.path: (p.kind, p.title) for p in summary.pages}
    assert by_path[page_path("model", "meta/llama-7b")] == ("model", "meta/llama-7b")
    files = sorted(str(p.relative_to(tmp_path / "map")) for p in (tmp_path / "map").rglob("*.html"))
    assert files == sorted(by_path)
    static = sorted(p.name for p in (tmp_path / "map" / "static").iterdir())
    assert static == ["explorer.css", "explorer.js", "search-index.js", "vis-network.min.js"]
    # vis-network is written once, beside the pages, and no page inlines it
    assert all(p.bytes < 100_000 for p in summary.pages)
    assert summary.largest.bytes == max(p.bytes for p in summary.pages)


def test_every_link_of_an_exported_page_resolves_inside_the_folder(store: Store, tmp_path: Path) -> None:
    summary = render_map(load_demo(store), tmp_path)
    for page in summary.pages:
        html = (tmp_path / page.path).read_text()
        links = re.findall(r'(?:href|src)="([^"]*)"', html)
        if page.nodes:
            links += [n["href"] for n in _graph_data(html)["nodes"] if "href" in n]
        for link in links:
            if link.startswith(("https://huggingface.co/", "data:")):  # the Hub, marked external; no favicon
                continue
            assert (tmp_path / page.path).parent.joinpath(link).resolve().is_file(), (page.path, link)


def test_file_links_name_only_exported_pages() -> None:
    links = FileLinks("model/a.html", {("model", "org/x")})
    assert links.to("model", "org/x") == "../" + page_path("model", "org/x")
    assert links.to("model", "org/y") is None
    assert links.static("explorer.js") == "../static/explorer.js"


SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot"


def test_build_replays_the_bundled_snapshot_and_exports_its_pages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    out = tmp_path / "map"
    args = [
        "build",
        "--snapshot",
        str(SNAPSHOT),
        "--db",
        url,
        "--out",
        str(out),
        "-q",
        "--min-downloads",
        "5000000",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    counts = json.loads((SNAPSHOT / "manifest.json").read_text())["counts"]
    with Store.open(url, create=False) as store:
        stored = [store.count(table) for table in ("models", "datasets", "spaces")]
        top = store.query("SELECT id FROM models WHERE deleted_at IS NULL AND downloads >= 5000000").rows
        # The first crawl indexed every id for search at its end (the trigger was off while it loaded).
        found = [row.id for row in search_models(store, text="LLAMA-3.1-8b")]
        triggers = store.query("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").rows
    assert stored == [counts["models"], counts["datasets"], counts["spaces"]]
    assert found == ["meta-llama/Llama-3.1-8B-Instruct"]
    assert triggers == [("models_fts_delete",), ("models_fts_insert",), ("models_fts_update",)]
    exported = sorted(p.relative_to(out).as_posix() for p in (out / "model").glob("*.html"))
    assert exported == sorted(page_path("model", id) for (id,) in top) and len(top) > 10
    pages = sum(1 for _ in out.rglob("*.html"))
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Map: {pages:,} pages (") and "largest: index.html" in lines[0]
    assert lines[1] == f"Open {(out / 'index.html').as_uri()}"


def test_render_map_refuses_a_page_too_small_to_hold_a_map(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "map"
    with pytest.raises(ConfigError, match="max_nodes must be 10 or more, got 3"):
        render_map(store, out, max_nodes=3)
    with pytest.raises(ConfigError, match="^families must be 0 or more, got -1$"):
        render_map(store, out, families=-1)
    assert not out.exists()


def test_map_command_writes_the_pages_and_says_where_to_open_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with Store.open(url) as store:
        load_demo(store)
    result = CliRunner().invoke(
        main, ["map", "--db", url, "--out", str(tmp_path / "map"), "--min-downloads", "1000"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(r"35 pages \(\d+\.\d MB\) in \d+\.\d s; largest: \S+ \(\d+ kB\)", lines[0]), lines[0]
    assert lines[1] == f"Open {(tmp_path / 'map' / 'index.html').as_uri()}"
    assert "Export the explorer" in CliRunner().invoke(main, ["map", "--help"]).output


def test_map_command_says_when_it_cannot_write_the_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with Store.open(url) as store:
        load_demo(store)
    (tmp_path / "a-file").write_text("")
    result = CliRunner().invoke(main, ["map", "--db", url, "--out", str(tmp_path / "a-file" / "map")])
    index = tmp_path / "a-file" / "map" / "index.html"
    assert (result.exit_code, result.output) == (
        1,
        f"Error: cannot write {str(index)!r} (Not a directory): choose another folder\n",
    )


def test_no_html_is_built_with_f_strings_outside_the_templates() -> None:
    package = Path(__file__).resolve().parent.parent / "catalog"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"""f["'][^"'\n]*<(?:a|td|tr|p|div|span|table|li|ul|h\d)\b""", path.read_text())
    ]
    assert offenders == []


def test_only_the_render_package_imports_pyvis() -> None:
    package = Path(__file__).resolve().parent.parent / "catalog"
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"^\s*(?:import|from)\s+pyvis\b", path.read_text(), re.M)
    )
    assert importers == ["render/page.py"]


def test_render_exports() -> None:
    import catalog.render

    assert catalog.render.__all__ == ["MapSummary", "PageSummary", "render_map"]
