"""The Hub's keyset cursor, replayed: a snapshot that changes between two pages, in full and incremental crawls.

Dates are relative to now (the crawler does not trust a watermark in the future); ids, counts and
dates are made up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import get_session

from catalog.crawl import crawl
from catalog.hub import HubClient, ReplayServer, Request, Snapshot, write_snapshot
from catalog.store import Store

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


def stamp(hours: float) -> str:
    """A ``lastModified`` ``hours`` after the first Hub's newest one."""
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def model(i: int, hours: float, downloads: int) -> dict[str, Any]:
    return {
        "_id": f"{i:024x}",
        "id": f"org/m{i:02d}",
        "author": "org",
        "tags": ["transformers"],
        "downloads": downloads,
        "likes": i,
        "createdAt": stamp(-1000),
        "lastModified": stamp(hours),
    }


#: Ten models, m00 the newest; m09 the oldest.
HUB = [model(i, -i, 100 + i) for i in range(10)]


def changed(models: list[dict[str, Any]], changes: dict[str, dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Return ``models`` with each id in ``changes`` updated (None: removed); new ids go at the end."""
    out = [m | (changes.get(m["id"]) or {}) for m in models if m["id"] not in changes or changes[m["id"]]]
    known = {m["id"] for m in models}
    return out + [c | {"id": id} for id, c in changes.items() if id not in known and c is not None]


def live(store: Store) -> list[tuple[Any, ...]]:
    rows = store.query(
        "SELECT id, downloads, last_modified FROM models WHERE deleted_at IS NULL ORDER BY id"
    ).rows
    return [(id, downloads, _iso(modified)) for id, downloads, modified in rows]


def expected(models: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((m["id"], m["downloads"], m["lastModified"]) for m in models)


def _iso(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def listings(server: ReplayServer) -> list[Request]:
    """The model listing pages served, without the probe of the Hub's clock at a run's start."""
    return [r for r in server.requests if r.path == "/api/models" and "limit=100&" not in r.target]


def mutation(
    server: ReplayServer, folder: Path, models: list[dict[str, Any]], seen: list[int]
) -> Callable[[], None]:
    """Return the action that serves ``models`` from ``folder``, noting how many pages were served by then."""

    def action() -> None:
        seen.append(len(listings(server)))
        server.replace(write_snapshot(folder, models=models))

    return action


def _snapshot(folder: Path, models: list[dict[str, Any]]) -> Snapshot:
    return write_snapshot(folder, models=models, tasks={}, tags_by_type={})


def test_the_cursor_is_a_keyset_on_the_sort_value_and_the_id(tmp_path: Path) -> None:
    with ReplayServer(_snapshot(tmp_path / "a", HUB), page_size=3) as server:
        session = get_session()
        first = session.get(f"{server.url}/api/models", params={"sort": "downloads", "expand": "downloads"})
        assert [m["id"] for m in first.json()] == ["org/m09", "org/m08", "org/m07"]
        # Between two pages: m06 (next in line) rises above the cursor, m09 (served) falls below it,
        # m05 ties with the cursor's value (107) with a smaller _id, m04 with a larger one, m08 goes,
        # and m07 (the cursor's own record) falls to 2: the cursor stays at (107, m07's _id).
        server.replace(
            _snapshot(
                tmp_path / "b",
                changed(
                    HUB,
                    {
                        "org/m06": {"downloads": 500},
                        "org/m09": {"downloads": 1},
                        "org/m05": {"downloads": 107},
                        "org/m04": {"downloads": 107, "_id": "f" * 24},
                        "org/m08": None,
                        "org/m07": {"downloads": 2},
                    },
                ),
            )
        )
        served, url = [], first.links["next"]["url"]
        for _ in range(10):  # three pages are due; a loop would be a bug
            page = session.get(url)
            served += [(m["id"], m["downloads"]) for m in page.json()]
            if "next" not in page.links:
                break
            url = page.links["next"]["url"]
    assert served == [
        ("org/m04", 107),
        ("org/m03", 103),
        ("org/m02", 102),
        ("org/m01", 101),
        ("org/m00", 100),
        ("org/m07", 2),
        ("org/m09", 1),
    ]


@pytest.mark.parametrize("first", [True, False], ids=["first-crawl", "full-recrawl"])
def test_a_full_crawl_changed_midway_then_an_incremental_one_end_equal_to_the_hub(
    store: Store, tmp_path: Path, first: bool
) -> None:
    final = changed(
        HUB,
        {
            "org/m00": {"downloads": 999, "lastModified": stamp(2)},  # on page 1: read before the change
            "org/m07": {"downloads": 777, "lastModified": stamp(5)},  # on page 4: read after it
            "org/new": {
                "_id": "f" * 24,
                "author": "org",
                "tags": [],
                "downloads": 5,
                "lastModified": stamp(3),
            },
            "org/m05": None,  # on page 3: gone before it is read
        },
    )
    seen: list[int] = []
    with ReplayServer(_snapshot(tmp_path / "a", HUB), page_size=2) as server:
        if not first:
            crawl(store, HubClient(server.url, token=False))
        pages = len(listings(server))
        # The 3rd /api/models request from now: the clock probe, page 1, then page 2.
        server.before("/api/models", mutation(server, tmp_path / "b", final, seen), after=2)
        full = crawl(store, HubClient(server.url, token=False), full=True)
        assert seen == [pages + 1]  # the Hub changed after page 1 was served
        # m05 went before its page was read: a first crawl never stores it, a re-crawl marks it deleted.
        assert (full.mode, full.deleted["models"]) == ("full", 0 if first else 1)
        # The full run stored m00 as it was: only the next incremental run can see its change, and
        # does, although later pages stored newer dates (m07 at +5 h) than m00's new one (+2 h).
        assert dict((id, d) for id, d, _ in live(store))["org/m00"] == 100
        incremental = crawl(store, HubClient(server.url, token=False))
    assert incremental.mode == "incremental"
    assert live(store) == expected(final)
    assert store.count("models") == len(final) + (0 if first else 1)  # nothing twice


def test_an_incremental_crawl_changed_midway_then_another_end_equal_to_the_hub(
    store: Store, tmp_path: Path
) -> None:
    with ReplayServer(_snapshot(tmp_path / "a", HUB), page_size=2) as server:
        crawl(store, HubClient(server.url, token=False))
        hub = changed(
            HUB, {f"org/m0{i}": {"downloads": 300 + i, "lastModified": stamp(i - 2)} for i in (3, 4, 5, 6)}
        )
        server.replace(_snapshot(tmp_path / "b", hub))
        final = changed(
            hub,
            {
                "org/m09": {"downloads": 555, "lastModified": stamp(6)},  # old: moves before the cursor
                "org/m04": {"downloads": 444, "lastModified": stamp(8)},  # not yet read: moves before it
                "org/new": {
                    "_id": "f" * 24,
                    "author": "org",
                    "tags": [],
                    "downloads": 5,
                    "lastModified": stamp(7),
                },
                "org/m08": None,
            },
        )
        seen: list[int] = []
        pages = len(listings(server))
        # The 3rd /api/models request from now: the clock probe, page 1, then page 2.
        server.before("/api/models", mutation(server, tmp_path / "c", final, seen), after=2)
        first = crawl(store, HubClient(server.url, token=False))
        assert (first.mode, seen) == ("incremental", [pages + 1])
        # This run read m06 and m05 before the change, then m03, m00, m01 after it; m09, m04 and
        # the new model moved past its cursor.
        assert {id: d for id, d, _ in live(store)} == {
            "org/m00": 100,
            "org/m01": 101,
            "org/m02": 102,
            "org/m03": 303,
            "org/m04": 104,
            "org/m05": 305,
            "org/m06": 306,
            "org/m07": 107,
            "org/m08": 108,
            "org/m09": 109,
        }
        second = crawl(store, HubClient(server.url, token=False))
    assert second.mode == "incremental"
    # Equal to the Hub, but for m08: only a full run sees a repo gone (the README says so).
    assert live(store) == sorted([*expected(final), ("org/m08", 108, stamp(-8))])
    assert store.count("models") == len(final) + 1


def test_a_repo_listed_again_later_in_a_first_crawl_keeps_its_last_listing_only(
    store: Store, tmp_path: Path
) -> None:
    # A first crawl stages its rows and merges them at the end: m00, served on page 1, moves to the
    # end of the listing with other tags and a base, and is served again on the last page. It must
    # end as the later record alone would: its first tags gone, as a page written straight replaces them.
    moved = HUB[0] | {"_id": "f" * 24, "downloads": 999, "tags": ["gguf", "base_model:finetune:org/m09"]}
    final = [*HUB[1:], moved]

    def links(store: Store) -> list[tuple[Any, ...]]:
        tags = store.query("SELECT model_id, tag FROM model_tags ORDER BY 1, 2").rows
        return tags + store.query("SELECT model_id, base_model_id FROM model_lineage ORDER BY 1, 2").rows

    with ReplayServer(_snapshot(tmp_path / "final", final), page_size=2) as server:
        crawl(store, HubClient(server.url, token=False))
        reference = live(store), links(store)
    store.downgrade("base")
    store.upgrade()
    seen: list[int] = []
    with ReplayServer(_snapshot(tmp_path / "a", HUB), page_size=2) as server:
        # The 3rd /api/models request: the clock probe, page 1, then page 2.
        server.before("/api/models", mutation(server, tmp_path / "b", final, seen), after=2)
        summary = crawl(store, HubClient(server.url, token=False))
    assert seen == [1] and summary.records["models"] == len(HUB) + 1  # changed after page 1; m00 twice
    assert (live(store), links(store)) == reference
    assert ("org/m00", "transformers") not in reference[1] and ("org/m00", "org/m09") in reference[1]
