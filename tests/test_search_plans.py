"""Every way a search can find its rows gives the same page: on the real snapshot, on each backend.

``search_models`` plans (``plan_search``): on SQLite the smallest selector under ``few`` rows
(the text's FTS5 matches, a facet's index) is fetched and sorted, or the sort's index is walked
with the text as ``LIKE``, or (the text's matches from ``drive`` to ``many``) walked keeping the
entries among the matches' rowids; on PostgreSQL its planner chooses between the trigram GIN index and
the sort's B-tree, here forced each way by the session's ``enable_*`` settings. Each answer is
checked against the same page computed in Python from every live model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from catalog.crawl import crawl_snapshot
from catalog.queries.models import SEARCH_COLUMNS, SORT_COLUMNS, SearchRow, plan_search, search_models
from catalog.store import Store
from tests.databases import BACKENDS, database_url

SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot"
#: Common, rare, in another case, shorter than a trigram, wildcards, nothing.
TEXTS = ["llama", "Qwen2.5", "bge-m3", "LLAMA-3.1-8B", "7b", "%", "_", "-v1", "zzz-no-such"]
FACETS: list[dict[str, str]] = [{}, {"task": "text-generation"}, {"library": "transformers"}]


@pytest.fixture(scope="module", params=BACKENDS)
def snapshot_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_url(request.param, tmp_path_factory.mktemp("plans")) as url:
        with Store.open(url) as store:
            crawl_snapshot(store, SNAPSHOT)
        yield url


def expected(everything: list[SearchRow], text: str, facets: dict[str, str], sort: str) -> list[SearchRow]:
    """The page computed in Python: substring in any case, facets, sort descending, unknown last, id."""
    columns = {"task": "pipeline_tag", "library": "library_name"}
    kept = [
        r
        for r in everything
        if text.lower() in r.id.lower() and all(getattr(r, columns[k]) == v for k, v in facets.items())
    ]
    key = SORT_COLUMNS[sort].key  # type: ignore[index]
    known = sorted((r for r in kept if getattr(r, key) is not None), key=lambda r: r.id)
    known.sort(key=lambda r: getattr(r, key), reverse=True)
    return known + sorted((r for r in kept if getattr(r, key) is None), key=lambda r: r.id)


def every_live_model(store: Store) -> list[SearchRow]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT {', '.join(SEARCH_COLUMNS)} FROM models WHERE deleted_at IS NULL"
        ).all()
    return [SearchRow(*row) for row in rows]


def test_the_snapshot_holds_common_and_rare_text(snapshot_url: str) -> None:
    with Store.open(snapshot_url) as store:
        everything = every_live_model(store)
        counts = {
            t: len(expected(everything, t, {}, "downloads")) for t in ("llama", "bge-m3", "zzz-no-such")
        }
        assert counts == {"llama": 32, "bge-m3": 7, "zzz-no-such": 0}
        page = search_models(store, text="QWEN2.5", limit=6)
    assert [r.id for r in page] == [
        "ApsaraStackMaaS/EvoQwen2.5-VL-Retriever-7B-v1",
        "vidore/colqwen2.5-v0.2",
        "Qwen/Qwen2.5-Omni-3B",
        "Qwen/Qwen2.5-7B-Instruct-1M",
        "Qwen/Qwen2.5-VL-3B-Instruct",
        "ApsaraStackMaaS/EvoQwen2.5-VL-Retriever-3B-v1",
    ]


@pytest.mark.parametrize("sort", list(SORT_COLUMNS))
def test_every_plan_gives_the_page_computed_in_python(snapshot_url: str, sort: Any) -> None:
    with Store.open(snapshot_url) as store:
        everything = every_live_model(store)
        plans = {"chosen": None}
        if store.dialect == "sqlite":
            plans = {
                "chosen": None,
                "fetched": "drive",
                "walked": "walk",
                "among": "among",
                "among many": "many",
            }
        for text in TEXTS:
            for facets in FACETS:
                for offset in (0, 30):
                    want = expected(everything, text, facets, sort)[offset : offset + 20]
                    for name, force in plans.items():
                        plan = None
                        if force is not None:  # few: every selector is under it, or none is
                            few = {"walk": 0, "many": 1}.get(force, 10**9)
                            drive = 0 if force == "among" else 10**9
                            many = 10**9 if force == "many" else 0
                            plan = plan_search(
                                store,
                                {**facets, "text": text},  # type: ignore[typeddict-item]
                                sort,
                                few=few,
                                drive=drive,
                                many=many,
                            )
                        got = search_models(
                            store,
                            plan,
                            text=text,
                            sort=sort,
                            offset=offset,
                            **facets,  # type: ignore[arg-type]
                        )
                        assert [astuple(r)[:2] for r in got] == [astuple(r)[:2] for r in want], (
                            name,
                            text,
                            facets,
                            offset,
                        )


@pytest.mark.postgresql
@pytest.mark.parametrize("setting", ["enable_bitmapscan", "enable_indexscan"])
def test_postgresql_answers_alike_through_the_trigram_index_or_the_sort_index(
    snapshot_url: str, setting: str
) -> None:
    if not snapshot_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's planner settings")
    # Without bitmap scans the GIN index cannot answer (the sort's index is walked); without
    # index scans the sort's index cannot be walked (the GIN index's bitmap is sorted).
    forced = snapshot_url + f"%20-c{setting}%3Doff"
    with Store.open(snapshot_url) as store, Store.open(forced) as other:
        everything = every_live_model(store)
        for text in ["llama", "bge-m3", "Qwen2.5", "zzz-no-such"]:
            for sort in SORT_COLUMNS:
                want = expected(everything, text, {}, sort)[:20]
                got = search_models(other, text=text, sort=sort)  # type: ignore[arg-type]
                assert [r.id for r in got] == [r.id for r in want], (setting, text, sort)


@pytest.mark.postgresql
def test_a_postgresql_walk_reads_the_ids_from_the_index_alone(snapshot_url: str) -> None:
    # Revision 0010: the page's ids come from an index-only walk of ix_models_live_<sort>_id (the
    # text tested on the ids the index holds), then its rows; ix_models_<sort> fetched every row met.
    # No heap fetch: the first crawl VACUUMs models, so that its heap pages are all-visible (which
    # a transaction left open on the server since before the crawl would prevent: checked).
    if not snapshot_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's plans")
    # Every plan but index-only scans, and sorting, turned off: the page's ids can then be found
    # only by walking an index that holds them in the sort's order. (On 3,000 models the planner
    # takes the text for 1 row, and any scan and sort are as cheap; at 1M it walks by itself.)
    off = ("bitmapscan", "seqscan", "indexscan", "sort", "incremental_sort")
    walking = snapshot_url + "".join(f"%20-cenable_{plan}%3Doff" for plan in off)
    statements: list[tuple[str, Any]] = []
    with Store.open(walking) as store:
        everything = every_live_model(store)

        @event.listens_for(store.engine, "before_cursor_execute")
        def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            statements.append((statement, parameters))

        for sort in SORT_COLUMNS:
            statements.clear()
            page = search_models(store, text="llama", sort=sort)  # type: ignore[arg-type]
            statement, parameters = statements[0]
            with store.engine.connect() as conn:
                plan = "\n".join(
                    row[0] for row in conn.exec_driver_sql(f"EXPLAIN (ANALYZE) {statement}", parameters)
                )
            column = SORT_COLUMNS[sort].key
            assert f"Index Only Scan using ix_models_live_{column}_id on models" in plan, plan
            assert "Heap Fetches: 0" in plan, plan
            assert [r.id for r in page] == [r.id for r in expected(everything, "llama", {}, sort)[:20]], sort


def test_a_walk_among_the_texts_matches_reads_the_sort_index_not_the_rows(tmp_path: Path) -> None:
    # The text's matches from DRIVE to FEW: the walk keeps index entries by rowid (``+rowid IN``),
    # so SQLite scans the sort's index; a plain ``rowid IN`` would fetch every match and sort them.
    with Store.open(f"sqlite:///{tmp_path / 'plan.db'}") as store:
        crawl_snapshot(store, SNAPSHOT)
        plan = plan_search(store, {"text": "llama"}, "likes", drive=2)
        statements: list[tuple[str, Any]] = []

        @event.listens_for(store.engine, "before_cursor_execute")
        def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            statements.append((statement, parameters))

        page = search_models(store, plan, text="llama", sort="likes")
        event.remove(store.engine, "before_cursor_execute", keep)
        statement, parameters = statements[-1]
        with store.engine.connect() as conn:
            steps = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert plan.why == "walk of likes, among 32 rows" and len(plan.rowids or ()) == 32
    assert steps[0] == "SCAN models USING INDEX ix_models_likes", steps
    assert [r.id for r in page] == [r.id for r in search_models(store, text="llama", sort="likes")]
