"""The explorer over HTTP, on a real uvicorn server: exact pages and JSON on a small literal catalog.

Pages are read as HTML here; ``test_render_browser.py`` opens them in Chromium.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from catalog.store import Store
from tests.web_fixtures import EVIL_LIBRARY, EVIL_MODEL, load_web_catalog, serving


@pytest.fixture
def site(store: Store) -> Iterator[str]:
    with serving(load_web_catalog(store)) as url:
        yield url


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def get_json(url: str) -> tuple[int, Any]:
    status, body, _ = get(url)
    return status, json.loads(body)


class _Links(HTMLParser):
    """Every ``<a href>`` of a page with its text, and every element's tag."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def load_with(store: Store, *statements: str) -> None:
    """Load the web catalog, then run ``statements`` (the rows a test adds) in one transaction."""
    load_web_catalog(store)
    with store.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def pages(store: Store, *paths: str) -> list[str]:
    """Serve ``store`` and return the HTML of each of ``paths``."""
    with serving(store) as url:
        return [get(url + path)[1] for path in paths]


def links_of(html: str, section: str | None = None) -> list[tuple[str, str]]:
    if section is not None:
        html = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    parser = _Links()
    parser.feed(html)
    return parser.links


def test_the_model_api_answers_every_field(site: str) -> None:
    status, body = get_json(f"{site}/api/models/alice/llama-7b-chat")
    assert status == 200
    assert body == {
        "id": "alice/llama-7b-chat",
        "author": "alice",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "num_parameters": 6_738_000_000,
        "parameters": {"BF16": 6_738_000_000},
        "parameters_source": None,
        "gguf_architecture": None,
        "gguf_context_length": None,
        "license": "llama2",
        "downloads": 400,
        "likes": 20,
        "trending_score": 8.0,
        "gated": None,
        "created_at": "2023-09-01T00:00:00Z",
        "last_modified": None,
        "card_data": None,
        "apps": ["vllm"],
        "providers": [],
        "bases": [{"id": "meta/llama-7b", "relation": "finetune", "in_catalog": True, "license": "llama2"}],
        "children": {"adapter": 1, "quantized": 1},
        "datasets": ["gone/not-held", "org/wiki"],
        "spaces": ["alice/chat-demo"],
    }
    _, mistral = get_json(f"{site}/api/models/mistralai/mistral-7b")
    assert mistral["providers"] == [
        {
            "id": "groq",
            "label": "Groq",
            "status": "live",
            "provider_model_id": "mistral-7b",
            "task": "text-generation",
        },
        {
            "id": "together",
            "label": "Together AI",
            "status": "staging",
            "provider_model_id": "mistralai/Mistral-7B",
            "task": "text-generation",
        },
    ]
    assert mistral["children"] == {"merge": 1}


def test_an_unknown_id_is_a_404_with_close_matches_as_json_and_as_a_page(site: str) -> None:
    status, body = get_json(f"{site}/api/models/meta/llama-7c")
    assert (status, body) == (
        404,
        {
            "detail": "no model 'meta/llama-7c' in the catalog; did you mean 'meta/llama-7b'?",
            "kind": "model",
            "id": "meta/llama-7c",
            "suggestions": ["meta/llama-7b"],
        },
    )
    status, html, _ = get(f"{site}/models/meta/llama-7c")
    assert status == 404
    assert links_of(html.split('id="suggestions"', 1)[1]) == [("/models/meta/llama-7b", "meta/llama-7b")]
    assert get(f"{site}/tasks/text-generaton")[0] == 404
    assert get(f"{site}/datasets/nope")[0] == 404


def test_a_model_page_links_every_entity_inside_the_explorer(site: str) -> None:
    status, html, headers = get(f"{site}/models/alice/llama-7b-chat")
    assert status == 200
    assert "script-src 'self'" in headers["content-security-policy"]
    assert links_of(html, "faces") == [
        ("/tasks/text-generation", "Text Generation"),
        ("/libraries/transformers", "Transformers"),
        ("/params/3-7B", "3-7B"),
        ("/apps/vllm", "vLLM"),
    ]
    assert links_of(html, "lineage") == [
        ("/models/meta/llama-7b", "meta/llama-7b"),
        ("/families/alice/llama-7b-chat", "the whole family"),
    ]
    assert "Children: 1 adapter, 1 quantized" in html
    assert links_of(html, "datasets") == [
        ("/datasets/gone/not-held", "gone/not-held"),
        ("/datasets/org/wiki", "org/wiki"),
    ]
    assert links_of(html, "spaces") == [("/spaces/alice/chat-demo", "alice/chat-demo")]
    external = [href for href, _ in links_of(html) if href.startswith("http")]
    assert external == ["https://huggingface.co/alice/llama-7b-chat"]
    assert 'class="external" rel="external noopener noreferrer"' in html


def test_a_model_page_draws_its_lineage_up_and_down(site: str) -> None:
    _, html, _ = get(f"{site}/models/alice/llama-7b-chat")
    graph = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))
    positions = {n["id"]: n["x"] for n in graph["nodes"]}
    assert positions == {
        "meta/llama-7b": -300.0,
        "alice/llama-7b-chat": 0.0,
        "bob/llama-7b-chat-gguf": 300.0,
        "carol/llama-7b-chat-lora": 300.0,
    }
    hrefs = {n["id"]: n.get("href") for n in graph["nodes"]}
    assert hrefs["bob/llama-7b-chat-gguf"] == "/models/bob/llama-7b-chat-gguf"
    assert sorted((e["from"], e["to"]) for e in graph["edges"]) == [
        ("alice/llama-7b-chat", "meta/llama-7b"),
        ("bob/llama-7b-chat-gguf", "alice/llama-7b-chat"),
        ("carol/llama-7b-chat-lora", "alice/llama-7b-chat"),
    ]


def test_a_base_not_in_the_catalog_is_said_so(store: Store) -> None:
    load_with(
        store,
        "INSERT INTO model_lineage (model_id, base_model_id, relation) VALUES ('timm/resnet50', 'nobody/x', 'finetune')",
    )
    with serving(store) as url:
        _, html, _ = get(f"{url}/models/timm/resnet50")
        _, body = get_json(f"{url}/api/models/timm/resnet50")
    assert "nobody/x (not in the catalog)" in html
    assert body["bases"] == [{"id": "nobody/x", "relation": "finetune", "in_catalog": False, "license": None}]


def test_dataset_space_and_author_pages(site: str) -> None:
    _, html, _ = get(f"{site}/datasets/org/wiki")
    assert "Models trained on it (2)" in html
    assert [h for h, _ in links_of(html) if h.startswith("/models/")] == [
        "/models/meta/llama-7b",
        "/models/alice/llama-7b-chat",
    ]
    assert ("/spaces/alice/chat-demo", "alice/chat-demo") in links_of(html)
    _, html, _ = get(f"{site}/spaces/alice/chat-demo")
    assert "<tr><th>SDK</th><td>gradio</td></tr>" in html and ("/authors/alice", "alice") in links_of(html)
    assert ("/models/alice/llama-7b-chat", "alice/llama-7b-chat") in links_of(html)
    assert "nobody/not-held (not in the catalog)" in html
    _, html, _ = get(f"{site}/authors/alice")
    assert ("/models/alice/llama-7b-chat", "alice/llama-7b-chat") in links_of(html)
    assert ("/spaces/alice/chat-demo", "alice/chat-demo") in links_of(html)


def test_a_named_dataset_the_catalog_does_not_hold_is_marked_as_such(site: str) -> None:
    _, model, _ = get(f"{site}/models/alice/llama-7b-chat")
    datasets = model.split('id="datasets"', 1)[1].split("</section>", 1)[0]
    assert datasets.count("not in the catalog") == 1
    assert 'gone/not-held</a> <span class="note">(named by its card; not in the catalog)</span>' in datasets
    _, space, _ = get(f"{site}/spaces/alice/chat-demo")
    held = space.split("<h2>Datasets it uses</h2>", 1)[1]
    assert ("/datasets/org/wiki", "org/wiki") in links_of(held)
    assert "not in the catalog" not in held


def test_search_finds_a_model_by_part_of_its_id_in_any_case(site: str) -> None:
    _, rows = get_json(f"{site}/api/search?q=LLAMA-7B-c")
    assert [r["id"] for r in rows] == [
        "alice/llama-7b-chat",
        "bob/llama-7b-chat-gguf",
        "carol/llama-7b-chat-lora",
    ]
    _, html, _ = get(f"{site}/search?q=llama-7b-chat&sort=likes")
    assert [h for h, _ in links_of(html.split('id="search-results"', 1)[1]) if h.startswith("/models/")] == [
        "/models/alice/llama-7b-chat",
        "/models/bob/llama-7b-chat-gguf",
        "/models/carol/llama-7b-chat-lora",
    ]
    _, found = get_json(f"{site}/api/suggest?q=vll")
    assert found == [{"name": "vLLM", "kind": "app", "href": "/apps/vllm"}]


def test_every_page_has_the_search_box(site: str) -> None:
    for path in [
        "/",
        "/models/meta/llama-7b",
        "/tasks/text-generation",
        "/params/3-7B",
        "/params/%3E200B",
        "/datasets/org/wiki",
        "/spaces/alice/chat-demo",
        "/authors/alice",
        "/families/meta/llama-7b",
        "/search",
        "/sql",
        "/more/app",
    ]:
        status, html, _ = get(f"{site}{path}")
        assert status == 200, path
        assert '<form id="search-form" role="search" action="/search"' in html, path


def test_the_map_lists_untouched_faces_instead_of_drawing_them(site: str) -> None:
    _, html, _ = get(f"{site}/")
    graph = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))
    drawn = {n["id"] for n in graph["nodes"]}
    assert "params:>200B" not in drawn and "task:text-generation" in drawn
    untouched = links_of(html.split('id="untouched"', 1)[1].split("</ul>", 1)[0])
    assert ("/params/%3E200B", ">200B") in untouched
    assert all(n.get("href") for n in graph["nodes"])


def test_hostile_strings_are_text_and_never_markup_or_links(site: str) -> None:
    path = urllib.parse.quote(EVIL_MODEL, safe="/")
    status, html, _ = get(f"{site}/models/{path}")
    assert status == 200
    parser = _Links()
    parser.feed(html)
    assert "img" not in parser.tags
    assert parser.tags.count("script") == 3  # graph data, vis-network, explorer.js, and no more
    assert not any(h.lower().startswith("javascript") for h, _ in parser.links)
    assert "javascript:window.__pwned=6" in html  # shown, as text
    assert "<script>window.__pwned" not in html
    _, body = get_json(f"{site}/api/models/{path}")
    assert body["library_name"] == EVIL_LIBRARY
    # A library's addresses: an http(s) one is a link, marked external; any other is text.
    _, html, _ = get(f"{site}/libraries/transformers")
    urls = html.split('id="urls"', 1)[1].split("</ul>", 1)[0]
    assert links_of(urls) == [
        ("https://github.com/huggingface/transformers", "https://github.com/huggingface/transformers")
    ]
    assert "Documentation: <span> javascript:window.__pwned=7</span>" in urls
    _, html, _ = get(f"{site}/libraries/" + urllib.parse.quote(EVIL_LIBRARY, safe=""))
    urls = html.split('id="urls"', 1)[1].split("</ul>", 1)[0]
    assert (links_of(urls), "javascript:window.__pwned=5" in urls) == ([], True)


def test_the_sql_console_pages_and_refuses_writes(site: str) -> None:
    _, body = get_json(f"{site}/api/sql?q=" + urllib.parse.quote("SELECT id FROM models ORDER BY id"))
    assert body["columns"] == ["id"] and len(body["rows"]) == 11 and body["more"] is False
    status, body = get_json(f"{site}/api/sql?q=" + urllib.parse.quote("DELETE FROM models"))
    assert status == 400 and body["detail"].startswith("refused")
    _, html, _ = get(f"{site}/sql?q=" + urllib.parse.quote("DROP TABLE models"))
    assert 'id="sql-error"' in html
    _, body = get_json(f"{site}/api/models/meta/llama-7b")
    assert body["id"] == "meta/llama-7b"  # still there
    many = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n"
    _, body = get_json(f"{site}/api/sql?offset=200&q=" + urllib.parse.quote(many))
    assert (body["rows"][0], len(body["rows"]), body["more"]) == ([201], 100, True)


def test_search_sorts_by_parameters_like_the_hub(site: str) -> None:
    _, rows = get_json(f"{site}/api/search?task=text-generation&sort=parameters&limit=3")
    assert [(r["id"], r["num_parameters"]) for r in rows] == [
        ("big/llama-70b", 70_553_706_496),
        ("mistralai/mistral-7b", 7_241_732_096),
        ("dave/llama-mistral-merge", 7_000_000_000),
    ]


def test_a_model_page_flags_a_license_its_base_does_not_have(store: Store) -> None:
    load_with(
        store,
        "INSERT INTO models (id, author, license, num_parameters, parameters) "
        "VALUES ('frank/llama-mit', 'frank', 'mit', 6738000000, '{\"BF16\": 6738000000}')",
        "INSERT INTO model_lineage (model_id, base_model_id, relation, source) "
        "VALUES ('frank/llama-mit', 'meta/llama-7b', 'finetune', 'tag')",
    )
    frank, alice = pages(store, "/models/frank/llama-mit", "/models/alice/llama-7b-chat")
    assert 'mit <span class="flag">differs from its base\'s (llama2)</span>' in frank
    assert 'class="flag"' not in alice
    # 6.7B parameters at 2 bytes: 12.6 GiB, which a 16 GB GPU holds and an 8 GB one does not.
    fit = frank.split('id="fit"', 1)[1].split("</section>", 1)[0]
    assert "Its weights take 12.6 GiB at their dtype: they fit " in fit
    fitting = fit.split("they fit ", 1)[1].split(". ", 1)[0].split(", ")
    assert "T4" in fitting and "RTX 4090" in fitting and "H100" in fitting
    assert "RTX 3070" not in fitting  # 8 GB


def test_a_model_page_charts_its_figures_across_crawl_runs(store: Store) -> None:
    load_with(
        store,
        "INSERT INTO model_history (run_id, model_id, downloads, likes) VALUES "
        "(1, 'timm/resnet50', 100, 2), (2, 'timm/resnet50', 300, 4)",
    )
    html, never = pages(store, "/models/timm/resnet50", "/models/carol/llama-7b-chat-lora")
    assert "across 2 crawl runs" in html
    assert '<polyline class="downloads" points="4.0,86.0 316.0,4.0"/>' in html
    assert "<svg" not in never  # no history: no chart


def test_a_runaway_query_is_cut_with_one_line_and_the_server_stays_up(site: str) -> None:
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"
    status, body = get_json(f"{site}/api/sql?q=" + urllib.parse.quote(endless))
    assert (status, body["detail"]) == (
        400,
        "query stopped: it ran past its time limit of 5 s (see --timeout)",
    )
    _, html, _ = get(f"{site}/sql?q=" + urllib.parse.quote(endless))
    assert '<p class="error" id="sql-error">query stopped: it ran past its time limit of 5 s' in html
    assert get_json(f"{site}/api/models/meta/llama-7b")[0] == 200
