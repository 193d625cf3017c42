"""The replay server answers what the real clients ask: apps, expand[], renamed repos, file endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi, get_session, hf_hub_download
from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError

from catalog.cli.serve import model_apps
from catalog.errors import SnapshotError
from catalog.hub.replay import ReplayServer
from catalog.hub.snapshot import Snapshot, write_snapshot

MODELS = [
    {
        "_id": "a1",
        "id": "google-bert/bert-base-uncased",
        "tags": ["transformers", "fill-mask"],
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "likes": 3,
    },
    {
        "_id": "a2",
        "id": "org/m-GGUF",
        "tags": ["gguf", "conversational"],
        "gguf": {"total": 7, "context_length": 4096},
        "library_name": "gguf",
        "pipeline_tag": "text-generation",
        "likes": 2,
    },
    {
        "_id": "a3",
        "id": "org/tg",
        "tags": ["transformers", "text-generation"],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "likes": 1,
    },
    {"_id": "a4", "id": "org/plain", "tags": [], "likes": 0, "gguf": "not an object"},
]
ALIASES = {"models": {"bert-base-uncased": "google-bert/bert-base-uncased"}, "datasets": {}, "spaces": {}}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return write_snapshot(tmp_path_factory.mktemp("snap"), models=MODELS, payloads={"aliases": ALIASES})


@pytest.fixture
def server(snapshot: Snapshot) -> Iterator[ReplayServer]:
    with ReplayServer(snapshot, page_size=2, apps=model_apps) as server:
        yield server


def _api(server: ReplayServer) -> HfApi:
    return HfApi(endpoint=server.url, token=False)


def test_the_apps_filter_takes_one_app_or_several(server: ReplayServer) -> None:
    api = _api(server)
    assert [m.id for m in api.list_models(apps="ollama")] == ["org/m-GGUF"]
    assert [m.id for m in api.list_models(apps="vllm")] == ["org/m-GGUF", "org/tg"]
    assert [m.id for m in api.list_models(apps=["ollama", "sglang"])] == ["org/m-GGUF", "org/tg"]
    assert [m.id for m in api.list_models(apps="drawthings")] == []
    # A malformed record (gguf not an object) runs in no app; it is still listed unfiltered.
    assert [m.id for m in api.list_models(sort="likes")][-1] == "org/plain"


def test_expand_in_the_huggingface_js_syntax(server: ReplayServer) -> None:
    response = get_session().get(f"{server.url}/api/models", params={"expand[]": ["likes", "tags"]})
    assert response.status_code == 200
    assert response.json() == [
        {
            "_id": "a1",
            "id": "google-bert/bert-base-uncased",
            "likes": 3,
            "tags": ["transformers", "fill-mask"],
        },
        {"_id": "a2", "id": "org/m-GGUF", "likes": 2, "tags": ["gguf", "conversational"]},
    ]
    following = get_session().get(response.links["next"]["url"]).json()
    assert [m["id"] for m in following] == ["org/tg", "org/plain"]
    refused = get_session().get(f"{server.url}/api/models", params={"expand[]": "likez"})
    assert refused.status_code == 400 and "got likez" in refused.json()["error"]


def test_a_renamed_repo_answers_307_to_its_new_name_keeping_the_query(server: ReplayServer) -> None:
    with httpx2.Client(follow_redirects=False) as client:
        answers = {
            path: client.get(server.url + path)
            for path in [
                "/api/models/bert-base-uncased?expand=likes&expand=tags",
                "/api/models/bert-base-uncased/revision/main",
                "/bert-base-uncased/resolve/main/config.json",
            ]
        }
    assert {path: (r.status_code, r.headers["location"], r.text) for path, r in answers.items()} == {
        "/api/models/bert-base-uncased?expand=likes&expand=tags": (
            307,
            "/api/models/google-bert/bert-base-uncased?expand=likes&expand=tags",
            "Temporary Redirect. Redirecting to /api/models/google-bert/bert-base-uncased?expand=likes&expand=tags",
        ),
        "/api/models/bert-base-uncased/revision/main": (
            307,
            "/api/models/google-bert/bert-base-uncased/revision/main",
            "Temporary Redirect. Redirecting to /api/models/google-bert/bert-base-uncased/revision/main",
        ),
        "/bert-base-uncased/resolve/main/config.json": (
            307,
            "/google-bert/bert-base-uncased/resolve/main/config.json",
            "Temporary Redirect. Redirecting to /google-bert/bert-base-uncased/resolve/main/config.json",
        ),
    }
    assert {r.headers["content-type"] for r in answers.values()} == {"text/plain; charset=utf-8"}
    # The real client follows it, as from huggingface.co.
    info = _api(server).model_info("bert-base-uncased", expand=["likes"])
    assert (info.id, info.likes) == ("google-bert/bert-base-uncased", 3)


def test_file_endpoints_say_the_snapshot_has_no_files(server: ReplayServer, tmp_path: Path) -> None:
    message = "model 'org/tg' is in this snapshot, but not its {} answers: a snapshot holds the Hub's API records, not repo files"
    with pytest.raises(EntryNotFoundError, match=message.format("tree")):
        _api(server).list_repo_files("org/tg")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download("org/tg", "config.json", endpoint=server.url, token=False, cache_dir=tmp_path)
    head = get_session().head(f"{server.url}/org/tg/resolve/main/config.json")
    assert (head.status_code, head.headers["x-error-code"], head.headers["x-error-message"]) == (
        404,
        "EntryNotFound",
        message.format("resolve"),
    )
    with pytest.raises(RepositoryNotFoundError):
        _api(server).list_repo_files("nobody/nothing")


@pytest.mark.parametrize(
    "aliases",
    [[], {"models": {}}, {"models": {"a": 1}, "datasets": {}, "spaces": {}}],
)
def test_a_malformed_aliases_file_is_a_snapshot_error(tmp_path: Path, aliases: object) -> None:
    snapshot = write_snapshot(tmp_path, models=MODELS, payloads={"aliases": aliases})
    with pytest.raises(SnapshotError, match=r'aliases.json must be \{"models": \{"old/id": "new/id"\}'):
        ReplayServer(snapshot)


def test_aliases_are_not_a_payload(server: ReplayServer) -> None:
    assert get_session().get(f"{server.url}/api/aliases").status_code == 404
