"""The explorer's JSON API fuzzed by schemathesis from its own OpenAPI document: no answer is a 5xx.

A real server (uvicorn in a thread) over the literal catalog with hostile strings; schemathesis
reads ``/openapi.json`` and sends each operation a bounded number of generated requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from catalog.store import Store
from tests.web_fixtures import load_web_catalog, serving

#: Generated requests per operation: enough to find a crash, short enough for the suite.
EXAMPLES = 40


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "catalog.db"
    with Store.open(f"sqlite:///{path}") as store, serving(load_web_catalog(store)) as url:
        yield url


@pytest.fixture
def api(base_url: str) -> Any:
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


def test_the_document_lists_the_json_api(api: Any) -> None:
    paths = sorted(api.raw_schema["paths"])
    assert paths == ["/api/models/{id}", "/api/search", "/api/sql", "/api/suggest"]


def test_no_request_makes_the_server_fail(api: Any) -> None:
    failures: list[tuple[str, Any, int, str]] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def send(case: Any) -> None:
            response = case.call(timeout=30)
            if response.status_code >= 500:
                failures.append((case.path, case.query, response.status_code, response.text[:300]))

        send()
    assert failures == []
