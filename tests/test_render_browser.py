"""The map's pages in a real headless Chromium: offline, error-free, drawing what the graph layer says.

One browser and one rendered map for the whole module. The catalog is the demo one plus a model
and a library whose names are markup (the Hub's names come from strangers). Chromium is Debian's
(``/usr/bin/chromium``, or ``$CATALOG_CHROMIUM``), driven by Playwright without its own download.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from catalog.graph.demo import load_demo
from catalog.graph.faces import build_faces_graph
from catalog.graph.lineage import family_tree
from catalog.graph.neighbourhood import face_neighbourhood
from catalog.render import MapSummary, render_map
from catalog.render.page import page_path
from catalog.store import Store

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CATALOG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

EVIL_MODEL = 'evil/<script>window.__pwned=1</script>"onmouseover="window.__pwned=2'
EVIL_LIBRARY = '<img src=x onerror="window.__pwned=3">'
HOSTILE = {
    "models": [
        {
            "id": EVIL_MODEL,
            "author": "evil",
            "pipeline_tag": "text-generation",
            "library_name": EVIL_LIBRARY,
            "downloads": 1_000_000,
            "likes": 1,
        }
    ],
    "model_lineage": [{"model_id": EVIL_MODEL, "base_model_id": "meta/llama-7b", "relation": "finetune"}],
}


@dataclass
class Visit:
    """A page opened in the browser, with every request it made and every error it raised."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"
    with Store.open(url) as store:
        yield load_demo(store, extra=HOSTILE)


@pytest.fixture(scope="module")
def site(store: Store, tmp_path_factory: pytest.TempPathFactory) -> MapSummary:
    return render_map(store, tmp_path_factory.mktemp("map"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CATALOG_CHROMIUM")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser: object, site: MapSummary) -> Iterator[Callable[[str], Visit]]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]

    def open_page(path: str) -> Visit:
        page = context.new_page()
        seen = Visit(page)
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.goto((site.out_dir / path).as_uri())
        if page.locator("#graph").count():
            page.wait_for_selector("body[data-drawn]", timeout=30_000)
        return seen

    yield open_page
    context.close()


def _results(visit: Visit) -> list[list[str]]:
    return visit.page.locator("#results a").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => [a.firstChild.textContent, a.lastChild.textContent])"
    )


def _drawn(visit: Visit) -> list[str]:
    return sorted(visit.page.evaluate("network.body.data.nodes.getIds()"))  # type: ignore[attr-defined]


def _dom_position(visit: Visit, node: str) -> tuple[float, float]:
    box = visit.page.locator("#graph").bounding_box()  # type: ignore[attr-defined]
    point = visit.page.evaluate(  # type: ignore[attr-defined]
        "id => network.canvasToDOM(network.getPositions([id])[id])", node
    )
    return box["x"] + point["x"], box["y"] + point["y"]


def test_every_page_loads_offline_without_errors_and_draws_its_nodes(
    site: MapSummary, visit: Callable[[str], Visit]
) -> None:
    assert len(site.pages) == 25
    for summary in site.pages:
        seen = visit(summary.path)
        url = (site.out_dir / summary.path).as_uri()
        assert (summary.path, seen.requests, seen.errors) == (summary.path, [url], [])
        if summary.nodes:
            drawn = seen.page.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]")  # type: ignore[attr-defined]
            assert (summary.path, drawn) == (summary.path, [summary.nodes, summary.edges])
        assert seen.page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
        seen.page.close()  # type: ignore[attr-defined]


def test_the_map_draws_every_face_of_the_graph_layer(store: Store, visit: Callable[[str], Visit]) -> None:
    faces = build_faces_graph(store)
    seen = visit("index.html")
    assert _drawn(seen) == sorted(faces.nodes)
    assert seen.page.evaluate("network.body.data.edges.length") == faces.number_of_edges()  # type: ignore[attr-defined]


def test_a_face_page_draws_its_neighbourhood(store: Store, visit: Callable[[str], Visit]) -> None:
    neighbourhood = face_neighbourhood(store, "task", "text-generation")
    seen = visit("task/text-generation.html")
    assert _drawn(seen) == sorted(neighbourhood.nodes)
    assert len(neighbourhood) == 18


def test_a_lineage_page_draws_the_family(store: Store, visit: Callable[[str], Visit]) -> None:
    tree = family_tree(store, "meta/llama-7b")
    seen = visit(page_path("lineage", "meta/llama-7b"))
    assert _drawn(seen) == sorted(tree.nodes)
    assert len(tree) == 6


def test_clicking_a_node_opens_its_page(site: MapSummary, visit: Callable[[str], Visit]) -> None:
    seen = visit("index.html")
    x, y = _dom_position(seen, "library:transformers")
    with seen.page.expect_navigation():  # type: ignore[attr-defined]
        seen.page.mouse.click(x, y)  # type: ignore[attr-defined]
    assert seen.page.url == (site.out_dir / "library/transformers.html").as_uri()  # type: ignore[attr-defined]
    seen.page.wait_for_selector("body[data-drawn]")  # type: ignore[attr-defined]
    assert seen.page.locator("h1").inner_text() == "Library: Transformers"  # type: ignore[attr-defined]


def test_markup_in_a_model_id_shows_as_text_and_never_runs(visit: Callable[[str], Visit]) -> None:
    seen = visit("task/text-generation.html")
    node = f"model:{EVIL_MODEL}"
    x, y = _dom_position(seen, node)
    seen.page.mouse.move(x, y)  # type: ignore[attr-defined]
    tooltip = seen.page.locator("div.vis-tooltip")  # type: ignore[attr-defined]
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text() == f"Model: {EVIL_MODEL}\nDownloads: 1,000,000\nLikes: 1"
    assert seen.page.locator("aside a", has_text="evil/").first.inner_text() == EVIL_MODEL  # type: ignore[attr-defined]
    assert seen.page.evaluate("document.querySelectorAll('img, script:not([type])').length") == 2  # type: ignore[attr-defined]
    assert seen.page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
    assert seen.errors == []


def test_markup_in_a_library_name_shows_as_text_in_the_search(
    site: MapSummary, visit: Callable[[str], Visit]
) -> None:
    seen = visit("index.html")
    seen.page.fill("#search", "<img")  # type: ignore[attr-defined]
    assert _results(seen) == [[EVIL_LIBRARY, "library"]]
    seen.page.locator("#results a").first.click()  # type: ignore[attr-defined]
    seen.page.wait_for_selector("body[data-drawn]")  # type: ignore[attr-defined]
    assert seen.page.locator("h1").inner_text() == f"Library: {EVIL_LIBRARY}"  # type: ignore[attr-defined]
    assert seen.page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
    assert (seen.errors, len(seen.requests)) == ([], 2)


def test_the_search_box_finds_a_page_by_name(site: MapSummary, visit: Callable[[str], Visit]) -> None:
    seen = visit("index.html")
    seen.page.fill("#search", "llama")  # type: ignore[attr-defined]
    assert _results(seen) == [
        ["llama.cpp", "local app"],
        ["Ollama (ollama)", "local app"],
        ["meta/llama-7b", "family"],
    ]
    seen.page.fill("#search", "text gen")  # type: ignore[attr-defined]
    with seen.page.expect_navigation():  # type: ignore[attr-defined]
        seen.page.press("#search", "Enter")  # type: ignore[attr-defined]
    assert seen.page.url == (site.out_dir / "task/text-generation.html").as_uri()  # type: ignore[attr-defined]


def test_a_screenshot_of_the_map_is_not_blank(browser: object, visit: Callable[[str], Visit]) -> None:
    seen = visit("index.html")
    png = seen.page.locator("#graph").screenshot()  # type: ignore[attr-defined]
    # Decode the PNG in a blank page of the browser itself: no imaging library needed.
    blank = browser.new_page()  # type: ignore[attr-defined]
    stats = blank.evaluate(
        """async (bytes) => {
          const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], {type: "image/png"}));
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const ctx = canvas.getContext("2d");
          ctx.drawImage(bitmap, 0, 0);
          const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
          let sum = 0, squares = 0, colours = new Set();
          for (let i = 0; i < data.length; i += 4) {
            const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
            sum += grey; squares += grey * grey;
            colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
          }
          const n = data.length / 4, mean = sum / n;
          return {variance: squares / n - mean * mean, colours: colours.size};
        }""",
        list(png),
    )
    blank.close()
    assert stats["variance"] > 100
    assert stats["colours"] > 50
