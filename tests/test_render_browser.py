"""The explorer in a real headless Chromium: served by a real uvicorn server, and exported to disk.

One browser, one server and one export for the whole module, over the demo catalog plus hostile
strings (``tests/web_fixtures.py``). Chromium is Debian's (``/usr/bin/chromium``, or
``$CATALOG_CHROMIUM``), driven by Playwright without its own download.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from catalog.render import MapSummary, render_map
from catalog.render.links import page_path
from catalog.store import Store
from tests.web_fixtures import CHROMIUM, CHROMIUM_ARGS, EVIL_LIBRARY, EVIL_MODEL, load_web_catalog, serving

playwright = pytest.importorskip("playwright.sync_api")


@dataclass
class Visit:
    """A page opened in the browser, with every request it made and every error it raised."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"
    with Store.open(url) as store:
        yield load_web_catalog(store)


@pytest.fixture(scope="module")
def server(store: Store) -> Iterator[str]:
    with serving(store) as url:
        yield url


@pytest.fixture(scope="module")
def export(store: Store, tmp_path_factory: pytest.TempPathFactory) -> MapSummary:
    return render_map(store, tmp_path_factory.mktemp("map"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CATALOG_CHROMIUM")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[[str], Visit]]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})

    def open_page(url: str) -> Visit:
        page = context.new_page()
        seen = Visit(page)
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.goto(url)
        _drawn(seen)
        return seen

    yield open_page
    context.close()


def _drawn(seen: Visit) -> None:
    if seen.page.locator("#graph").count():
        seen.page.wait_for_selector("body[data-drawn]", timeout=30_000)


def _follow(seen: Visit, locator: Any) -> None:
    with seen.page.expect_navigation():
        locator.click()
    _drawn(seen)


def _outside(seen: Visit, server: str) -> list[str]:
    return [url for url in seen.requests if not url.startswith(server + "/")]


def test_the_map_draws_with_no_error_and_no_request_outside_the_server(
    server: str, visit: Callable[[str], Visit]
) -> None:
    seen = visit(server + "/")
    assert seen.errors == []
    assert _outside(seen, server) == []
    assert sorted(u.removeprefix(server) for u in seen.requests) == [
        "/",
        "/static/explorer.css",
        "/static/explorer.js",
        "/static/vis-network.min.js",
    ]
    drawn = seen.page.evaluate("network.body.data.nodes.length")
    assert drawn == 18  # the faces some model touches; the four buckets no model is in are listed
    assert seen.page.locator("#untouched a").all_inner_texts() == ["1-3B", "13-34B", "34-70B", ">200B"]


def test_no_two_labels_of_the_map_overlap_and_every_node_opens_a_page(
    server: str, visit: Callable[[str], Visit]
) -> None:
    seen = visit(server + "/")
    boxes = seen.page.evaluate(
        """() => Object.values(network.body.nodes)
             .filter(n => n.options.label)
             .map(n => { const s = n.labelModule.size; return [n.id, s.left, s.top, s.left + s.width, s.top + s.height]; })"""
    )
    assert len(boxes) >= 5
    overlaps = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert overlaps == []
    nodes = seen.page.evaluate("network.body.data.nodes.get()")
    assert all(n.get("href") and n.get("title") for n in nodes)


def test_clicking_a_node_of_the_map_opens_its_page(server: str, visit: Callable[[str], Visit]) -> None:
    seen = visit(server + "/")
    box = seen.page.locator("#graph").bounding_box()
    point = seen.page.evaluate(
        "id => network.canvasToDOM(network.getPositions([id])[id])", "library:transformers"
    )
    with seen.page.expect_navigation():
        seen.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert seen.page.url == server + "/libraries/transformers"
    assert seen.page.locator("h1").inner_text() == "Library: Transformers"


def test_a_users_path_from_a_partial_id_to_a_provider(server: str, visit: Callable[[str], Visit]) -> None:
    seen = visit(server + "/")
    seen.page.fill("#search", "LLAMA-7B-CH")
    seen.page.wait_for_selector("#results a")
    assert seen.page.locator("#results a").first.inner_text() == "alice/llama-7b-chatmodel"
    with seen.page.expect_navigation():
        seen.page.press("#search", "Enter")  # the search page, then its first result
    assert seen.page.url == server + "/search?q=LLAMA-7B-CH"
    _follow(seen, seen.page.locator("#search-results a", has_text="alice/llama-7b-chat").first)
    assert seen.page.url == server + "/models/alice/llama-7b-chat"
    _follow(seen, seen.page.locator("#lineage a", has_text="meta/llama-7b"))
    assert seen.page.locator("h1").inner_text() == "meta/llama-7b"
    _follow(seen, seen.page.locator("#apps a").first)
    assert seen.page.url == server + "/apps/vllm"
    _follow(seen, seen.page.locator("aside a", has_text="Together AI").first)
    assert seen.page.url == server + "/providers/together"
    assert seen.page.locator("h1").inner_text() == "Inference provider: Together AI"
    assert seen.errors == []
    assert _outside(seen, server) == []


def test_every_kind_of_page_loads_without_errors(server: str, visit: Callable[[str], Visit]) -> None:
    for path in [
        "/models/meta/llama-7b",
        "/models/bob/llama-7b-chat-gguf",
        "/datasets/org/wiki",
        "/spaces/alice/chat-demo",
        "/authors/alice",
        "/tasks/text-generation",
        "/params/3-7B",
        "/params/%3E200B",
        "/families/meta/llama-7b",
        "/more/library",
        "/search?task=text-generation&sort=likes",
        "/sql?q=SELECT+id+FROM+models",
    ]:
        seen = visit(server + path)
        assert (path, seen.errors, _outside(seen, server)) == (path, [], [])
        seen.page.close()
    seen = visit(server + "/models/meta/llama-7c")  # the only error: the page's own status, 404
    assert seen.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    assert seen.page.locator("#suggestions a").all_inner_texts() == ["meta/llama-7b"]


def test_hostile_strings_show_as_text_and_never_run(server: str, visit: Callable[[str], Visit]) -> None:
    seen = visit(server + "/models/" + urllib.parse.quote(EVIL_MODEL, safe="/"))
    assert seen.page.locator("h1").inner_text() == EVIL_MODEL
    assert seen.page.locator("#faces a", has_text="img").inner_text() == EVIL_LIBRARY
    assert seen.page.evaluate("document.querySelectorAll('img').length") == 0
    card = seen.page.locator("#card td").all_inner_texts()
    assert "javascript:window.__pwned=6" in card and "</script><script>window.__pwned=4</script>" in card
    assert seen.page.evaluate("[...document.links].filter(a => a.protocol === 'javascript:').length") == 0
    box = seen.page.locator("#graph").bounding_box()
    point = seen.page.evaluate("id => network.canvasToDOM(network.getPositions([id])[id])", EVIL_MODEL)
    seen.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = seen.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text() == f"Model: {EVIL_MODEL}\nDownloads: 1,000,000"
    _follow(seen, seen.page.locator("#faces a", has_text="img"))  # the library's page
    assert seen.page.locator("h1").inner_text() == f"Library: {EVIL_LIBRARY}"
    seen.page.fill("#search", "<script>")
    seen.page.wait_for_selector("#results a")
    assert seen.page.locator("#results a").first.inner_text() == EVIL_MODEL + "model"
    assert seen.page.evaluate("window.__pwned") is None
    assert seen.errors == []


def test_the_export_opens_offline_from_disk(export: MapSummary, visit: Callable[[str], Visit]) -> None:
    seen = visit(export.index.as_uri())
    assert seen.errors == []
    folder = export.out_dir.as_uri()
    assert all(url.startswith(folder + "/") for url in seen.requests), seen.requests
    seen.page.fill("#search", "llama-7b-chat-g")
    assert seen.page.locator("#results a").all_inner_texts() == ["bob/llama-7b-chat-ggufmodel"]
    with seen.page.expect_navigation():
        seen.page.press("#search", "Enter")
    _drawn(seen)
    assert seen.page.url == (export.out_dir / page_path("model", "bob/llama-7b-chat-gguf")).as_uri()
    _follow(seen, seen.page.locator("#lineage a", has_text="alice/llama-7b-chat").first)
    assert seen.page.locator("h1").inner_text() == "alice/llama-7b-chat"
    assert seen.errors == []


def test_a_screenshot_of_the_map_is_not_blank(
    server: str, browser: Any, visit: Callable[[str], Visit]
) -> None:
    seen = visit(server + "/")
    png = seen.page.locator("#graph").screenshot()
    # Decode the PNG in a blank page of the browser itself: no imaging library needed.
    blank = browser.new_page()
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
