"""The Hub client against a real HTTP server on 127.0.0.1: paging, expand, retries, errors, recording."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.errors import ConfigError, HubError
from catalog.hub import Fault, HubClient, ReplayServer, Snapshot, write_snapshot

MODELS = [
    {
        "id": f"org/m{i}",
        "likes": i,
        "lastModified": f"2024-01-0{i + 1}T00:00:00.000Z",
        "inferenceProviderMapping": [
            {"provider": "groq", "providerId": f"g/m{i}", "status": "live", "task": "conversational"}
        ],
    }
    for i in range(5)
]


@pytest.fixture
def snapshot(tmp_path: Path) -> Snapshot:
    return write_snapshot(tmp_path / "snap", models=MODELS, tasks={"fill-mask": {"id": "fill-mask"}})


def ids(pages: list) -> list[list[str]]:  # type: ignore[type-arg]
    return [[r["id"] for r in page.records] for page in pages]


def test_pages_follow_the_link_cursor_with_expand_and_limit(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, page_size=2) as server:
        pages = list(
            HubClient(server.url, token=False).list_pages("models", sort="lastModified", expand=["likes"])
        )
        targets = [r.target for r in server.requests]
    assert ids(pages) == [["org/m4", "org/m3"], ["org/m2", "org/m1"], ["org/m0"]]
    assert pages[0].url == "/api/models?expand=likes&limit=1000&sort=lastModified&direction=-1"
    assert pages[0].next is not None and pages[0].next.startswith("/api/models?") and pages[2].next is None
    assert targets[1] == pages[0].next  # the next page is asked for by the relative URL the Link gave
    first = parse_qs(urlsplit(targets[0]).query)
    assert first == {"expand": ["likes"], "limit": ["1000"], "sort": ["lastModified"], "direction": ["-1"]}
    assert pages[0].records[0] == {"id": "org/m4", "likes": 4}  # only the expanded fields


def test_every_field_the_normaliser_reads_is_expanded(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot) as server:
        [page] = list(HubClient(server.url, token=False).list_pages("models"))
        expand = parse_qs(urlsplit(server.requests[0].target).query)["expand"]
    assert "inferenceProviderMapping" in expand and "safetensors" in expand and "gguf" in expand
    assert page.records[0]["inferenceProviderMapping"] == MODELS[0]["inferenceProviderMapping"]


def test_a_listing_waits_out_a_429_with_ratelimit_headers(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, page_size=2, faults=[Fault("429", after=1, retry_after=0)]) as server:
        pages = list(HubClient(server.url, token=False).list_pages("models", sort="likes"))
        statuses = [r.status for r in server.requests]
    assert ids(pages) == [["org/m4", "org/m3"], ["org/m2", "org/m1"], ["org/m0"]]
    assert statuses == [200, 429, 200, 200]


@pytest.mark.parametrize("kind", ["500", "503", "drop"])
def test_a_listing_retries_5xx_and_dropped_connections(snapshot: Snapshot, kind: str) -> None:
    with ReplayServer(snapshot, page_size=3, faults=[Fault(kind, after=1, times=2)]) as server:  # type: ignore[arg-type]
        pages = list(HubClient(server.url, token=False, base_wait=0.05).list_pages("models", sort="likes"))
        faults = [r.fault for r in server.requests]
    assert ids(pages) == [["org/m4", "org/m3", "org/m2"], ["org/m1", "org/m0"]]
    assert faults == [None, kind, kind, None]


def test_an_endpoint_down_after_retries_is_one_hub_error(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("503", times=100)]) as server:
        client = HubClient(server.url, token="hf_secret_never_shown", max_retries=2, base_wait=0.01)
        with pytest.raises(HubError) as caught:
            list(client.list_pages("models"))
        tries = len(server.requests)
    assert str(caught.value) == (
        f"{server.url}/api/models answered HTTP 503 after 2 retries: check the endpoint "
        "and token, or run again later (committed pages are kept)"
    )
    assert "\n" not in str(caught.value) and "hf_secret" not in str(caught.value)
    assert tries == 3


def test_an_unreachable_endpoint_is_one_hub_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HubClient(f"http://127.0.0.1:{port}", token=False, max_retries=1, base_wait=0.01)
    with pytest.raises(
        HubError, match=rf"^cannot read http://127.0.0.1:{port}/api/tasks after 1 retries \(ConnectError"
    ):
        client.get_json("tasks")


def test_payloads_and_missing_payloads(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot) as server:
        client = HubClient(server.url, token=False)
        assert client.get_json("tasks") == {"fill-mask": {"id": "fill-mask"}}
        assert client.get_json("models-tags-by-type", missing_ok=True) is None
        with pytest.raises(HubError, match="answered HTTP 404: check"):
            client.get_json("models-tags-by-type")


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("ftp://x", "not a Hub endpoint: 'ftp://x' (expected e.g. https://huggingface.co)"),
        (
            "http://[::1",
            "not a Hub endpoint: 'http://[::1' (Invalid IPv6 URL; expected e.g. https://huggingface.co)",
        ),
        (
            "http://u:SECRET@h:99999",
            "not a Hub endpoint: 'http://***@h:99999' (Port out of range 0-65535; "
            "expected e.g. https://huggingface.co)",
        ),
    ],
)
def test_a_bad_endpoint_is_a_config_error(endpoint: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        HubClient(endpoint, token=False)
    assert str(caught.value) == message


def test_a_link_back_to_the_same_page_stops_the_listing(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("loop", times=1000)]) as server:
        with pytest.raises(HubError, match=r"links back to a page it already gave \(/api/models, page 3\)"):
            list(HubClient(server.url, token=False).list_pages("models"))
        assert len(server.requests) == 2


def test_an_endless_cursor_stream_stops_at_the_page_budget(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("endless", times=1000)]) as server:
        with pytest.raises(HubError, match=r"goes on past 20 pages \(the page budget\): stopped"):
            list(HubClient(server.url, token=False, max_pages=20).list_pages("models"))
        assert len(server.requests) == 20


def test_retry_after_is_capped_and_said(snapshot: Snapshot) -> None:
    said: list[str] = []
    with ReplayServer(snapshot, faults=[Fault("429", retry_after=3600)]) as server:
        client = HubClient(server.url, token=False, max_retry_after=0.05, notice=said.append)
        pages = list(client.list_pages("models"))
    assert ids(pages) == [[m["id"] for m in MODELS]]
    assert said == [
        f"rate-limited by {server.url}: waiting 0.05 s (it asked for 3600 s; capped at 0.05 s), retry 1 of 5"
    ]


def test_a_trickled_body_meets_the_request_deadline(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("trickle", every=0.3, times=100)]) as server:
        client = HubClient(server.url, token=False, deadline=0.5, max_retries=0)
        with pytest.raises(HubError, match=r"ReadTimeout: the answer took longer than 0.5 s in all"):
            list(client.list_pages("models"))


def test_a_body_that_unpacks_past_the_limit_is_refused(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot, faults=[Fault("bomb", size=20_000_000)]) as server:
        client = HubClient(server.url, token=False, max_bytes=1_000_000)
        with pytest.raises(
            HubError, match=r"answered more than 1,000,000 bytes \(decoded\): stopped reading"
        ):
            list(client.list_pages("models"))
