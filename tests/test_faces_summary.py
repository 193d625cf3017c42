"""The faces summary (``face_values``, ``face_pairs``): counted by each crawl, equal to a recount, read by the map."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy import text

from catalog.crawl import crawl_snapshot
from catalog.graph.demo import load_demo
from catalog.graph.faces import build_faces_graph
from catalog.graph.influence import keep_influence, lineage_pagerank, rank_links
from catalog.graph.neighbourhood import face_neighbourhood
from catalog.hub import Snapshot, write_snapshot
from catalog.queries.faces import (
    cooccurrence_all,
    cooccurrence_counts,
    face_counts,
    live_models,
    reach,
    summary_current,
)
from catalog.queries.lineage import counted_families, kept_influence, live_links, weighted_links
from catalog.store import Store
from catalog.store.summary import refresh_faces
from tests.test_crawl import model
from tests.web_fixtures import serving

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "snapshot"
TASKS = {"text-generation": {"id": "text-generation", "label": "Text Generation"}}


def _served(provider: str, id: str) -> list[dict[str, str]]:
    return [{"provider": provider, "providerId": id, "status": "live", "task": "text-generation"}]


def _transformers(id: str, day: int, task: str, dtype: str, parameters: int, **fields: Any) -> dict[str, Any]:
    """A transformers model of ``task`` with its safetensors weights in one ``dtype`` (real counts)."""
    weights = {"parameters": {dtype: parameters}, "total": parameters}
    tags = ["transformers", task]
    return model(
        id, day, pipeline_tag=task, library_name="transformers", tags=tags, safetensors=weights, **fields
    )


LLAMA = _transformers(
    "meta-llama/Llama-3.1-8B",
    1,
    "text-generation",
    "BF16",
    8_030_261_248,
    inferenceProviderMapping=_served("together", "meta-llama/Llama-3.1-8B"),
)
GGUF = model(
    "u/llama-gguf",
    2,
    pipeline_tag="text-generation",
    tags=["gguf", "text-generation"],
    gguf={"total": 8_030_261_312, "architecture": "llama", "context_length": 8192},
)
BERT = _transformers("google-bert/bert-base-uncased", 3, "fill-mask", "F32", 110_106_428)


def _snapshot(folder: Path, models: list[dict[str, Any]]) -> Snapshot:
    return write_snapshot(folder, models=models, tasks=TASKS)


def _stored(store: Store) -> tuple[dict[Any, tuple[int, int]], dict[Any, tuple[int, int]]]:
    """The summary's rows as :func:`cooccurrence_all` returns them, read from its tables."""
    values = store.query("SELECT face, value, models, downloads FROM face_values").rows
    pairs = store.query("SELECT face_a, value_a, face_b, value_b, models, downloads FROM face_pairs").rows
    return (
        {(f, v): (n, d) for f, v, n, d in values},
        {((fa, va), (fb, vb)): (n, d) for fa, va, fb, vb, n, d in pairs},
    )


def _values(store: Store, face: str) -> list[tuple[Any, ...]]:
    sql = f"SELECT value, models, downloads FROM face_values WHERE face = '{face}' ORDER BY value"
    return store.query(sql).rows


def test_each_crawl_counts_the_summary_again(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, _snapshot(tmp_path / "a", [LLAMA, GGUF, BERT]))
    assert summary_current(store)
    assert _stored(store) == cooccurrence_all(store, recount=True)
    assert _values(store, "task") == [("fill-mask", 1, 30), ("text-generation", 2, 30)]
    assert _values(store, "provider") == [("together", 1, 10)]
    assert _values(store, "params") == [("7-13B", 2, 30), ("<1B", 1, 30)]
    assert store.query("SELECT run_id, models FROM face_summary").rows == [(1, 3)]

    # An incremental run: the GGUF model moves to another task, Llama loses its provider.
    moved = GGUF | {"pipeline_tag": "fill-mask", "lastModified": "2024-09-02T00:00:00.000Z"}
    unserved = LLAMA | {"inferenceProviderMapping": [], "lastModified": "2024-09-01T00:00:00.000Z"}
    summary = crawl_snapshot(store, _snapshot(tmp_path / "b", [unserved, moved, BERT]))
    assert summary.mode == "incremental"
    assert _stored(store) == cooccurrence_all(store, recount=True)
    assert _values(store, "task") == [("fill-mask", 2, 50), ("text-generation", 1, 10)]
    assert _values(store, "provider") == []

    # A full run in which BERT is gone from the Hub: its counts leave the summary.
    crawl_snapshot(store, _snapshot(tmp_path / "c", [unserved, moved]), full=True, allow_mass_delete=True)
    assert _stored(store) == cooccurrence_all(store, recount=True)
    assert _values(store, "task") == [("fill-mask", 1, 20), ("text-generation", 1, 10)]
    assert store.query("SELECT run_id, models FROM face_summary").rows == [(3, 2)]


def test_the_summary_of_the_bundled_snapshot_equals_the_recount(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, BUNDLED)
    assert summary_current(store)
    counts, pairs = _stored(store)
    assert (counts, pairs) == cooccurrence_all(store, recount=True)
    assert (len(counts), len(pairs)) == _sizes(store)
    for a, b in (("task", "library"), ("params", "app"), ("provider", "app"), ("library", "task")):
        assert cooccurrence_counts(store, a, b) == cooccurrence_counts(store, a, b, recount=True)
    assert reach(store, "app") == reach(store, "app", recount=True)
    assert counted_families(store, 10**6) == _families_by_networkx(store)
    assert _kept_ranking(store) == _ranking(store) and len(_ranking(store)) == 209
    # Half the snapshot gone from the Hub, the other half with another task.
    records = list(Snapshot.open(BUNDLED).iter_records("models"))
    kept = [r | {"pipeline_tag": "text-generation"} for r in records[::2]]
    crawl_snapshot(store, _snapshot(tmp_path / "half", kept), full=True, allow_mass_delete=True)
    assert _stored(store) == cooccurrence_all(store, recount=True)
    assert live_models(store) == live_models(store, recount=True) == len(kept)
    assert counted_families(store, 10**6) == _families_by_networkx(store)
    assert _kept_ranking(store) == _ranking(store)


def _ranking(store: Store) -> list[tuple[str, float, int, int]]:
    # Computed from the links, as lineage_pagerank does without a kept ranking.
    return [(r.model_id, r.pagerank, r.downloads, r.derivatives) for r in rank_links(weighted_links(store))]


def _kept_ranking(store: Store) -> list[tuple[str, float, int, int]]:
    kept = kept_influence(store, None)
    assert kept is not None
    for limit in (0, 1, 3, 10):  # what the notebook API gives, read from the kept ranking
        assert lineage_pagerank(store, limit=limit) == lineage_pagerank(store, limit=None)[:limit]
        assert [(r.model_id, r.pagerank) for r in lineage_pagerank(store, limit=limit)] == [
            (base, rank) for base, rank, _, _ in kept[:limit]
        ]
    return kept


def _families_by_networkx(store: Store) -> list[tuple[str, int]]:
    # The definition: a root is a node of the live lineage (child -> base) with no base; its family, its ancestors.
    lineage = nx.DiGraph(live_links(store))
    roots = [n for n, out in lineage.out_degree() if out == 0]
    return sorted(((r, len(nx.ancestors(lineage, r))) for r in roots), key=lambda item: (-item[1], item[0]))


def _sizes(store: Store) -> tuple[int, int]:
    counts, pairs = cooccurrence_all(store, recount=True)
    return len(counts), len(pairs)


def test_readers_take_the_summary_while_it_is_current(store: Store) -> None:
    load_demo(store)
    assert not summary_current(store)  # loaded without a crawl: the readers recount
    before = build_faces_graph(store)
    with store.engine.begin() as conn:
        assert refresh_faces(conn) == 9
    assert summary_current(store)
    after = build_faces_graph(store)
    assert sorted(after.nodes(data=True)) == sorted(before.nodes(data=True))
    assert sorted(after.edges(data=True)) == sorted(before.edges(data=True))
    with store.engine.begin() as conn:  # what the map shows is the summary's
        conn.execute(
            text("UPDATE face_values SET models = 1234 WHERE face = 'task' AND value = 'text-generation'")
        )
    assert build_faces_graph(store).nodes["task:text-generation"]["count"] == 1234
    assert face_counts(store, "task")[0].models == 1234
    assert face_neighbourhood(store, "task", "text-generation", limit=5).graph["more"] == 1234 - 5
    assert face_counts(store, "task", recount=True)[0].models == 7


def test_a_run_that_ends_after_the_count_makes_it_stale(store: Store) -> None:
    load_demo(store)
    with store.engine.begin() as conn:
        refresh_faces(conn)
        keep_influence(conn)  # as a crawl's end does
        conn.execute(
            text("INSERT INTO crawl_runs (id, started_at, status) VALUES (3, CURRENT_TIMESTAMP, 'running')")
        )
    assert summary_current(store)  # a run still going: the last count stands meanwhile
    kept = lineage_pagerank(store, limit=None)
    assert [r.model_id for r in kept] == ["meta/llama-7b", "mistralai/mistral-7b", "alice/llama-7b-chat"]
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE models SET pipeline_tag = 'fill-mask' WHERE id = 'meta/llama-7b'"))
        conn.execute(text("UPDATE models SET downloads = 10000000 WHERE id = 'alice/llama-7b-chat'"))
        conn.execute(text("UPDATE crawl_runs SET status = 'failed' WHERE id = 3"))
    assert not summary_current(store)
    assert kept_influence(store, 5) is None  # the ranking is computed again, with the new downloads
    ranked = lineage_pagerank(store, limit=None)
    assert ranked == rank_links(weighted_links(store)) != kept
    assert ranked[0].model_id == "alice/llama-7b-chat" and ranked[0].downloads == 10_000_000
    assert [(r.value, r.models) for r in face_counts(store, "task")][:2] == [
        ("text-generation", 6),
        ("fill-mask", 1),
    ]


def test_the_migration_counts_a_catalog_that_holds_models(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.downgrade("0006")
        load_demo(store)
        store.upgrade()
        assert summary_current(store)
        assert _stored(store) == cooccurrence_all(store, recount=True)
        assert store.query("SELECT run_id, models FROM face_summary").rows == [(2, 9)]  # the demo's last run
        assert counted_families(store, 5) == [("meta/llama-7b", 4), ("mistralai/mistral-7b", 1)]
        assert [base for base, *_ in _kept_ranking(store)] == [
            "meta/llama-7b",
            "mistralai/mistral-7b",
            "alice/llama-7b-chat",
        ]
        assert _kept_ranking(store) == _ranking(store)
        store.downgrade("0006")
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM models"))
        store.upgrade()
        assert store.query("SELECT COUNT(*) FROM face_summary").rows == [(0,)]
        assert store.query("SELECT COUNT(*) FROM lineage_influence").rows == [(0,)]


def _page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode())


def test_the_explorer_shows_the_summary_and_takes_a_new_count(store: Store) -> None:
    load_demo(store)
    with store.engine.begin() as conn:
        refresh_faces(conn)
    with serving(store) as url:
        assert "more models" not in _page(f"{url}/tasks/text-generation")  # its 7 models are all drawn
        with store.engine.begin() as conn:  # what a crawl that ends while the explorer serves leaves
            conn.execute(
                text(
                    "INSERT INTO crawl_runs (id, started_at, status) VALUES (3, CURRENT_TIMESTAMP, 'finished')"
                )
            )
            conn.execute(
                text("UPDATE face_values SET models = 1234 WHERE face = 'task' AND value = 'text-generation'")
            )
            conn.execute(text("UPDATE face_summary SET run_id = 3"))
        assert "+1,227 more models" in _page(f"{url}/tasks/text-generation")
        assert "1,234" in _page(f"{url}/more/task")
