from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from catalog.errors import ConfigError, NotFound
from catalog.queries.models import SEARCH_COLUMNS, SearchRow, search_models
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog


def ids(rows: list[SearchRow]) -> list[str]:
    return [r.id for r in rows]


def test_no_facet_sorts_live_models_by_downloads(store: Store) -> None:
    rows = search_models(load_tiny_catalog(store))
    assert ids(rows) == [
        "acme/bert-sentiment",
        "timm/resnet50",
        "meta/llama-7b",
        "mistralai/mistral-7b",
        "big/llama-70b",
        "alice/llama-7b-chat",
        "bob/llama-7b-chat-gguf",
        "dave/llama-mistral-merge",
        "carol/llama-7b-chat-lora",
    ]
    assert tuple(f.name for f in fields(rows[0])) == SEARCH_COLUMNS
    assert rows[0].created_at == datetime(2022, 3, 2, tzinfo=UTC)
    # The same value on both backends, whatever zone the PostgreSQL session is in.
    assert rows[0].created_at.tzinfo is UTC


def test_created_at_is_utc_whatever_the_session_zone(db_url: str) -> None:
    options = "%20-ctimezone%3DAsia/Tokyo" if "options=" in db_url else ""
    with Store.open(db_url + options) as store:
        created = [r.created_at for r in search_models(load_tiny_catalog(store), sort="created", limit=2)]
    assert [(c, c.tzinfo) for c in created] == [
        (datetime(2024, 1, 10, tzinfo=UTC), UTC),
        (datetime(2023, 11, 1, tzinfo=UTC), UTC),
    ]


def test_each_facet(store: Store) -> None:
    load_tiny_catalog(store)
    assert ids(search_models(store, app="llama.cpp")) == ["bob/llama-7b-chat-gguf"]
    assert ids(search_models(store, provider="groq")) == ["mistralai/mistral-7b"]
    assert ids(search_models(store, language="fr")) == ["mistralai/mistral-7b"]
    assert ids(search_models(store, license="mit")) == ["acme/bert-sentiment"]
    assert ids(search_models(store, author="carol")) == ["carol/llama-7b-chat-lora"]
    assert ids(search_models(store, text="CHAT-")) == ["bob/llama-7b-chat-gguf", "carol/llama-7b-chat-lora"]
    assert ids(search_models(store, text="%")) == []  # a LIKE wildcard is matched literally
    assert ids(search_models(store, min_params="7B", max_params=70_553_706_496)) == [
        "mistralai/mistral-7b",
        "big/llama-70b",
        "dave/llama-mistral-merge",
    ]
    assert ids(search_models(store, task="image-classification", library="timm")) == ["timm/resnet50"]


def test_sorts_and_pages(store: Store) -> None:
    load_tiny_catalog(store)
    assert ids(search_models(store, sort="likes", limit=3)) == [
        "meta/llama-7b",
        "mistralai/mistral-7b",
        "big/llama-70b",
    ]
    assert ids(search_models(store, sort="created", limit=2)) == [
        "dave/llama-mistral-merge",
        "carol/llama-7b-chat-lora",
    ]
    assert ids(search_models(store, sort="trending", limit=2, offset=1)) == [
        "alice/llama-7b-chat",
        "mistralai/mistral-7b",
    ]
    assert search_models(store, limit=5, offset=100) == []


def test_unknown_facet_values_are_not_found(store: Store) -> None:
    load_tiny_catalog(store)
    with pytest.raises(
        NotFound, match=r"no task 'text-gen' in the catalog; did you mean 'text-generation'\?"
    ):
        search_models(store, task="text-gen")
    with pytest.raises(NotFound, match="no app 'olama'"):
        search_models(store, app="olama")
    with pytest.raises(NotFound, match=r"no license 'apache2' in the catalog; did you mean 'apache-2.0'\?"):
        search_models(store, license="apache2")
    with pytest.raises(NotFound, match=r"no language 'fra' in the catalog; did you mean 'fr'\?"):
        search_models(store, language="fra")
    with pytest.raises(ConfigError, match="cannot sort by 'size'"):
        search_models(store, sort="size")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a parameter count: 'big'"):
        search_models(store, min_params="big")
    with pytest.raises(
        ConfigError, match="^min_params 10B is more than max_params 1B: no model can match both$"
    ):
        search_models(store, min_params="10B", max_params="1B")


@pytest.mark.parametrize(
    "facets, message",
    [
        ({"limit": 10**20}, "limit and offset must add up to at most 9223372036854775807"),
        ({"offset": 10**20}, "limit and offset must add up to at most"),
        ({"limit": 2**62, "offset": 2**62}, "limit and offset must add up to at most"),
        ({"min_params": "99999999999999999999"}, "parameter count 99999999999999999999 is out of range"),
        ({"max_params": 10**20}, "is out of range"),
        ({"min_downloads": 10**20}, "min_downloads must be between 0 and"),
    ],
)
def test_numbers_past_a_64_bit_column_are_one_config_error(
    store: Store, facets: dict[str, int | str], message: str
) -> None:
    # Not an OverflowError (SQLite) or "bigint out of range" (PostgreSQL) from the driver.
    load_tiny_catalog(store)
    with pytest.raises(ConfigError, match=message):
        search_models(store, **facets)  # type: ignore[arg-type]
    assert ids(search_models(store, limit=2**63 - 2, offset=1)) != []
    assert ids(search_models(store, min_params="7B", max_params=7_000_000_000)) == [
        "dave/llama-mistral-merge"
    ]


def test_unknown_sort_values_come_last_on_every_backend(store: Store) -> None:
    load_tiny_catalog(store)
    with store.engine.begin() as conn:
        for id in ("x/unknown-b", "x/unknown-a"):
            conn.exec_driver_sql(
                "INSERT INTO models (id, author, pipeline_tag, downloads, likes) "
                f"VALUES ('{id}', 'x', 'text-classification', NULL, NULL)"
            )
    assert ids(search_models(store, task="text-classification")) == [
        "acme/bert-sentiment",
        "x/unknown-a",
        "x/unknown-b",
    ]
    assert ids(search_models(store, task="text-classification", sort="likes", limit=2, offset=1)) == [
        "x/unknown-a",
        "x/unknown-b",
    ]
    assert ids(search_models(store, author="x", sort="created")) == ["x/unknown-a", "x/unknown-b"]
