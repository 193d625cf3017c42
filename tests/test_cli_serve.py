"""`catalog serve`: the fake Hub as a command, started in a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from huggingface_hub import HfApi

from catalog.cli import main
from catalog.hub import ReplayServer, write_snapshot

MODELS = [
    {"id": "org/a", "likes": 1, "tags": ["gguf"], "gguf": {"total": 5, "context_length": 4096}},
    {"id": "org/b", "likes": 2, "tags": []},
]


def test_serve_answers_the_real_client_until_terminated(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS)
    command = [
        sys.executable,
        "-c",
        "from catalog.cli import main; main()",
        "serve",
        str(tmp_path),
        "--port",
        "0",
        "--page-size",
        "1",
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = child.stdout.readline().strip()  # type: ignore[union-attr]
        api = HfApi(endpoint=url, token=False)
        assert [m.id for m in api.list_models(sort="likes")] == ["org/b", "org/a"]
        assert [m.id for m in api.list_models(filter="gguf")] == ["org/a"]
        # The command gives the server the catalog's local-app rules.
        assert [m.id for m in api.list_models(apps="ollama")] == ["org/a"]
    finally:
        child.terminate()
        _, stderr = child.communicate(timeout=30)
    assert child.returncode == 0
    assert stderr == f"Serving {tmp_path} (2 models, 0 datasets, 0 spaces) at {url}\n"


def test_serve_says_when_the_port_is_taken(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS)
    with ReplayServer(tmp_path) as taken:
        port = taken.url.rsplit(":", 1)[1]
        result = CliRunner().invoke(main, ["serve", str(tmp_path), "--port", port])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: cannot listen on 127.0.0.1:{port} (Address already in use): choose another port\n"
    )


def test_serve_says_when_the_folder_is_not_a_snapshot(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {str(tmp_path)!r} has no manifest.json: it is not a snapshot, or its recording did not finish\n"
    )


def test_serve_refuses_a_port_that_does_not_exist(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS)
    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--port", "99999"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--port': 99999 is not in the range 0<=x<=65535.\n"
    )


def test_serve_refuses_a_page_size_below_one(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS)
    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--page-size", "0"])
    assert result.exit_code == 2
    assert result.output.endswith("Error: Invalid value for '--page-size': 0 is not in the range x>=1.\n")
