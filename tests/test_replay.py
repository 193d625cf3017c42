"""The replay server, exercised only through the real ``huggingface_hub`` client and raw HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi, get_session, hf_raise_for_status
from huggingface_hub.errors import (
    BadRequestError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import http_backoff  # type: ignore[attr-defined]

from catalog.errors import ConfigError, SnapshotError
from catalog.hub.faults import Fault, Request
from catalog.hub.listing import Cursor
from catalog.hub.replay import ReplayServer
from catalog.hub.snapshot import Snapshot, write_snapshot

EXPAND: list[Any] = [
    "author",
    "pipeline_tag",
    "library_name",
    "tags",
    "likes",
    "lastModified",
    "safetensors",
    "gguf",
    "inferenceProviderMapping",
]


def _model(i: int, **extra: object) -> dict[str, object]:
    return {
        "_id": f"oid{i}",
        "id": f"org{i % 2}/model-{i}",
        "author": f"org{i % 2}",
        "likes": i * 10,
        "lastModified": f"2025-01-{10 + i:02d}T00:00:00.000Z",
        "tags": ["transformers"],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "secret": "unexpanded",
    } | extra


MODELS = [
    _model(0, safetensors={"parameters": {"BF16": 596049920}, "total": 596049920}),
    _model(
        1,
        gguf={"total": 7241732096, "architecture": "llama", "context_length": 32768},
        library_name="gguf",
        tags=["gguf", "base_model:quantized:org0/model-0"],
    ),
    _model(
        2,
        inferenceProviderMapping=[
            {"provider": "together", "providerId": "m2", "status": "live", "task": "conversational"}
        ],
    ),
    _model(3, lastModified=None, likes=None),
    _model(4, gated="manual", pipeline_tag="fill-mask"),
]
SPACES = [
    {"id": "u/chat", "sdk": "gradio", "models": ["org0/model-0", "org0/model-2"], "datasets": []},
    {"id": "u/empty", "sdk": "static", "models": [], "datasets": []},
]
TASKS = {"fill-mask": {"id": "fill-mask", "label": "Fill-Mask"}}
TAGS = {
    "library": [{"id": "gguf", "label": "GGUF", "type": "library"}],
    "license": [{"id": "mit", "label": "mit"}],
}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    folder = tmp_path_factory.mktemp("snap")
    return write_snapshot(
        folder,
        models=MODELS,
        spaces=SPACES,
        datasets=[{"id": "d/one", "tags": ["x"]}],
        tasks=TASKS,
        tags_by_type=TAGS,
        compress=True,
    )


@pytest.fixture
def server(snapshot: Snapshot) -> Iterator[ReplayServer]:
    with ReplayServer(snapshot, page_size=2) as server:
        yield server


def _api(server: ReplayServer) -> HfApi:
    return HfApi(endpoint=server.url, token=False)


def _listed(server: ReplayServer) -> list[str]:
    return [r.path for r in server.requests]


def test_listing_pages_with_link_cursor_and_expand(server: ReplayServer) -> None:
    models = list(_api(server).list_models(expand=EXPAND))
    assert [m.id for m in models] == [f"org{i % 2}/model-{i}" for i in range(5)]
    assert [r.status for r in server.requests] == [200, 200, 200]
    assert models[0].safetensors is not None and models[0].safetensors.total == 596049920
    assert models[1].gguf == {"total": 7241732096, "architecture": "llama", "context_length": 32768}
    assert [(p.provider, p.provider_id, p.task) for p in models[2].inference_provider_mapping or []] == [
        ("together", "m2", "conversational")
    ]
    # Fields not asked for are not sent, as on the Hub.
    raw = get_session().get(f"{server.url}/api/models", params={"expand": ["likes"], "limit": 1}).json()
    assert raw == [{"_id": "oid0", "id": "org0/model-0", "likes": 0}]


def test_next_link_carries_every_parameter(server: ReplayServer) -> None:
    response = get_session().get(
        f"{server.url}/api/models", params={"expand": ["likes", "tags"], "filter": "transformers"}
    )
    hf_raise_for_status(response)
    next_url = response.links["next"]["url"]
    assert next_url.startswith(
        f"{server.url}/api/models?expand=likes&expand=tags&filter=transformers&cursor="
    )
    second = get_session().get(next_url).json()
    assert [m["id"] for m in second] == ["org1/model-3", "org0/model-4"]


def test_sort_descending_puts_missing_values_last(server: ReplayServer) -> None:
    api = _api(server)
    assert [m.id for m in api.list_models(sort="likes")] == [
        "org0/model-4",
        "org0/model-2",
        "org1/model-1",
        "org0/model-0",
        "org1/model-3",
    ]
    assert [m.id for m in api.list_models(sort="last_modified")] == [
        "org0/model-4",
        "org0/model-2",
        "org1/model-1",
        "org0/model-0",
        "org1/model-3",
    ]
    ascending = get_session().get(
        f"{server.url}/api/models", params={"sort": "likes", "direction": "1", "limit": 3}
    )
    assert [m["id"] for m in ascending.json()] == ["org0/model-0", "org1/model-1"]


def test_filters_through_the_client(server: ReplayServer) -> None:
    api = _api(server)
    assert [m.id for m in api.list_models(author="org1")] == ["org1/model-1", "org1/model-3"]
    assert [m.id for m in api.list_models(filter="gguf")] == ["org1/model-1"]
    assert [m.id for m in api.list_models(filter="base_model:quantized:org0/model-0")] == ["org1/model-1"]
    assert [m.id for m in api.list_models(pipeline_tag="fill-mask")] == ["org0/model-4"]
    assert [m.id for m in api.list_models(gated=True)] == ["org0/model-4"]
    assert [m.id for m in api.list_models(search="MODEL-3")] == ["org1/model-3"]
    assert [m.id for m in api.list_models(inference_provider="all")] == ["org0/model-2"]
    assert [m.id for m in api.list_models(num_parameters="min:1B")] == ["org1/model-1"]
    assert [m.id for m in api.list_models(num_parameters="max:1B")] == ["org0/model-0"]
    assert [s.id for s in api.list_spaces(models="org0/model-2")] == ["u/chat"]
    assert [s.id for s in api.list_spaces(linked=True)] == ["u/chat"]
    assert [d.id for d in api.list_datasets(filter="x")] == ["d/one"]


def test_unsupported_parameters_and_expand_values_answer_400(server: ReplayServer) -> None:
    with pytest.raises(BadRequestError, match="does not support the models listing parameter 'trained'"):
        hf_raise_for_status(get_session().get(f"{server.url}/api/models", params={"trained": "x"}))
    with pytest.raises(BadRequestError, match="started without the app rules, so it cannot filter by 'apps'"):
        list(_api(server).list_models(apps="llama.cpp"))
    with pytest.raises(BadRequestError, match="got downloadz"):
        list(_api(server).list_models(expand=["downloadz"]))  # type: ignore[list-item]
    with pytest.raises(
        BadRequestError, match='"expand" cannot list baseModels, childrenModelCount: ask for one model'
    ):
        list(_api(server).list_models(expand=["childrenModelCount", "baseModels"]))
    assert _api(server).model_info("org0/model-0", expand=["childrenModelCount"]).id == "org0/model-0"


def test_model_info_gives_the_dict_form_of_provider_mappings(server: ReplayServer) -> None:
    api = _api(server)
    info = api.model_info("org0/model-2", expand=["inferenceProviderMapping", "likes"])
    assert info.likes == 20
    assert [(p.provider, p.provider_id, p.status) for p in info.inference_provider_mapping or []] == [
        ("together", "m2", "live")
    ]
    raw = get_session().get(
        f"{server.url}/api/models/org0/model-2", params={"expand": "inferenceProviderMapping"}
    )
    assert raw.json() == {
        "_id": "oid2",
        "id": "org0/model-2",
        "inferenceProviderMapping": {
            "together": {"providerId": "m2", "status": "live", "task": "conversational"}
        },
    }
    assert api.model_info("org1/model-1", revision="main").gguf == MODELS[1]["gguf"]
    assert api.space_info("u/chat").models == ["org0/model-0", "org0/model-2"]


def test_unknown_repo_and_revision_map_to_the_client_errors(server: ReplayServer) -> None:
    with pytest.raises(RepositoryNotFoundError):
        _api(server).model_info("nobody/nothing")
    with pytest.raises(RevisionNotFoundError):
        _api(server).model_info("org0/model-0", revision="v9")
    assert [r.status for r in server.requests] == [404, 404]


def test_payload_endpoints(server: ReplayServer) -> None:
    assert get_session().get(f"{server.url}/api/tasks").json() == TASKS
    assert _api(server).get_model_tags() == TAGS
    assert get_session().get(f"{server.url}/api/models-tags-by-type", params={"type": "license"}).json() == {
        "license": [{"id": "mit", "label": "mit"}]
    }
    assert get_session().get(f"{server.url}/api/nothing").status_code == 404


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        ("not base64 at all", "Invalid cursor: start the listing again without one"),
        ("NQ", "Invalid cursor: start the listing again without one"),  # 5
        ("WzAsIm90aGVyIl0", "Invalid cursor: start the listing again without one"),  # [0,"other"]
        (  # a cursor of the likes order, given to the listing in _id order
            Cursor("likes", True, 10.0, "oid1").encode(),
            "Invalid cursor: it belongs to another sort order; start again without one",
        ),
    ],
)
def test_a_broken_cursor_or_one_of_another_order_is_refused(
    server: ReplayServer, cursor: str, message: str
) -> None:
    response = get_session().get(f"{server.url}/api/models", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_429_with_ratelimit_headers_is_waited_out_by_the_client(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, page_size=2, faults=[Fault("429", after=1)]) as server:
        assert len(list(_api(server).list_models())) == 5
        assert [(r.status, r.fault) for r in server.requests] == [
            (200, None),
            (429, "429"),
            (200, None),
            (200, None),
        ]
        # The retried request is the very page that was refused.
        assert server.requests[1].target == server.requests[2].target
        response = get_session().get(f"{server.url}/api/models")
        assert response.status_code == 200
    with ReplayServer(snapshot, faults=[Fault("429", path="/api/models/*", retry_after=7)]) as server:
        response = get_session().get(f"{server.url}/api/models/org0/model-0")
        assert (response.status_code, response.headers["RateLimit"], response.headers["Retry-After"]) == (
            429,
            '"api";r=0;t=7',
            "7",
        )
        with pytest.raises(HfHubHTTPError):
            hf_raise_for_status(response)


def test_500_and_a_dropped_connection_are_retried_by_http_backoff(snapshot: Snapshot) -> None:
    faults = [Fault("500", after=1), Fault("drop", after=3)]
    with ReplayServer(snapshot, page_size=2, faults=faults) as server:
        assert len(list(_api(server).list_models())) == 5
        assert [(r.status, r.fault) for r in server.requests] == [
            (200, None),
            (500, "500"),
            (200, None),
            (None, "drop"),
            (200, None),
        ]


def test_a_truncated_body_is_an_error_the_client_retries(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("truncate")]) as server:
        with pytest.raises(httpx2.RemoteProtocolError):
            get_session().get(f"{server.url}/api/models")
        response = http_backoff("GET", f"{server.url}/api/models", base_wait_time=0.05)
        assert len(response.json()) == 5


def test_a_malformed_record_is_slipped_into_the_middle_of_a_page(snapshot: Snapshot) -> None:
    bad = {"id": "bad/one", "safetensors": {"parameters": {"F32": 1}}}
    with ReplayServer(snapshot, faults=[Fault("malformed", times=2, record=bad)]) as server:
        page = get_session().get(f"{server.url}/api/models", params={"expand": ["safetensors"]}).json()
        assert [m["id"] for m in page] == [
            "org0/model-0",
            "org1/model-1",
            "bad/one",
            "org0/model-2",
            "org1/model-3",
            "org0/model-4",
        ]
        # The real client loses the rest of such a page: why the crawler parses raw JSON itself.
        with pytest.raises(KeyError):
            list(_api(server).list_models(expand=["safetensors"]))


def test_hang_holds_a_request_until_released(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, page_size=2, faults=[Fault("hang", after=1)]) as server:
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(len(list(_api(server).list_models()))))
        thread.start()
        assert server.wait_for(lambda requests: any(r.fault == "hang" for r in requests), timeout=10)
        assert [r.status for r in server.requests] == [200, None]
        server.release()
        thread.join(timeout=30)
        assert result == [5]
        # The held request's connection was dropped; the client asked for the same page again.
        assert server.requests[2] == Request("GET", server.requests[1].target, 200)
        assert [r.status for r in server.requests] == [200, None, 200, 200]


def test_an_empty_snapshot_lists_nothing(tmp_path: Path) -> None:
    with ReplayServer(write_snapshot(tmp_path)) as server:
        assert list(_api(server).list_models()) == []
        assert list(_api(server).list_spaces()) == []


def test_bad_page_size_and_missing_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="page_size must be at least 1, got 0"):
        ReplayServer(write_snapshot(tmp_path), page_size=0)
    with pytest.raises(SnapshotError, match="no snapshot folder at"):
        ReplayServer(tmp_path / "missing")


def test_a_record_recorded_twice_is_served_once_in_its_last_copy(tmp_path: Path) -> None:
    models = [
        {"id": "a/1", "likes": 1, "tags": ["x"]},
        {"id": "a/2", "likes": 5, "tags": ["x"]},
        {"id": "a/1", "likes": 9, "tags": ["x"]},
    ]
    with ReplayServer(write_snapshot(tmp_path, models=models), page_size=1) as server:
        api = _api(server)
        assert [(m.id, m.likes) for m in api.list_models(expand=["likes"])] == [("a/2", 5), ("a/1", 9)]
        assert [(m.id, m.likes) for m in api.list_models(sort="likes", expand=["likes"])] == [
            ("a/1", 9),
            ("a/2", 5),
        ]
        assert [(m.id, m.likes) for m in api.list_models(filter="x", expand=["likes"])] == [
            ("a/2", 5),
            ("a/1", 9),
        ]
        assert api.model_info("a/1").likes == 9


def test_a_hang_added_after_a_release_holds_again(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("hang", path="/api/tasks")]) as server:
        server.release()
        with pytest.raises(httpx2.RemoteProtocolError):
            get_session().get(f"{server.url}/api/tasks")  # released: dropped at once
        server.add_fault(Fault("hang", path="/api/tasks"))
        outcome: list[str] = []

        def ask() -> None:
            try:
                get_session().get(f"{server.url}/api/tasks")
            except httpx2.RemoteProtocolError:
                outcome.append("dropped")

        thread = threading.Thread(target=ask)
        thread.start()
        assert server.wait_for(lambda requests: len(requests) == 2, timeout=10)
        thread.join(timeout=0.3)
        assert thread.is_alive() and outcome == []  # held
        server.release()
        thread.join(timeout=10)
        assert outcome == ["dropped"]
