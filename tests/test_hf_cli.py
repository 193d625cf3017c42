"""The real ``hf`` command (huggingface_hub's CLI) against the replay server: every ``ls`` / ``info`` option.

Each option of ``hf models|datasets|spaces ls|info`` (as ``--help`` lists them for the installed
client) either works, with the exact answer the Hub's semantics give on a tiny made-up snapshot,
or gets a 400 that names it. The CLI runs in a subprocess, ``HF_ENDPOINT`` pointed at the server,
no token, telemetry off; listings are paged two records at a time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog.cli.serve import model_apps
from catalog.hub.replay import ReplayServer
from catalog.hub.snapshot import Snapshot, write_snapshot

HF = Path(sys.executable).with_name("hf")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _date(day: str) -> str:
    return f"{day}T00:00:00.000Z"


MODELS: list[dict[str, Any]] = [
    {
        "_id": "m1",
        "id": "org/llama-8b",
        "author": "org",
        "tags": ["transformers", "safetensors", "text-generation", "conversational"],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "downloads": 100,
        "likes": 1,
        "trendingScore": 1,
        "createdAt": _date("2024-01-01"),
        "lastModified": _date("2024-03-01"),
        "gated": "manual",
        "safetensors": {"parameters": {"BF16": 8_000_000_000}, "total": 8_000_000_000},
        "inferenceProviderMapping": [
            {"provider": "together", "providerId": "org/llama", "status": "live", "task": "conversational"}
        ],
    },
    {
        "_id": "m2",
        "id": "org/llama-8b-GGUF",
        "author": "org",
        "tags": ["gguf", "text-generation", "conversational"],
        "pipeline_tag": "text-generation",
        "library_name": "gguf",
        "downloads": 50,
        "likes": 5,
        "trendingScore": 3,
        "createdAt": _date("2024-02-01"),
        "lastModified": _date("2024-02-15"),
        "gated": False,
        "gguf": {"total": 8_000_000_000, "context_length": 4096},
    },
    {
        "_id": "m3",
        "id": "google-bert/bert-base-uncased",
        "author": "google-bert",
        "tags": ["transformers", "fill-mask"],
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "downloads": 10,
        "likes": 20,
        "trendingScore": 2,
        "createdAt": _date("2023-01-01"),
        "lastModified": _date("2024-01-01"),
        "gated": False,
        "safetensors": {"parameters": {"F32": 110_000_000}, "total": 110_000_000},
    },
    {
        "_id": "m4",
        "id": "solo-model",
        "tags": ["onnx"],
        "downloads": 1,
        "likes": 0,
        "createdAt": _date("2022-03-02"),
        "lastModified": _date("2023-06-01"),
    },
]
DATASETS: list[dict[str, Any]] = [
    {
        "_id": "d1",
        "id": "org/code-bench",
        "author": "org",
        "tags": ["benchmark:official", "language:en"],
        "downloads": 5,
        "likes": 2,
        "trendingScore": 1,
        "createdAt": _date("2024-01-01"),
        "lastModified": _date("2024-02-01"),
    },
    {
        "_id": "d2",
        "id": "other/text",
        "author": "other",
        "tags": ["language:fr"],
        "downloads": 9,
        "likes": 1,
        "trendingScore": 2,
        "createdAt": _date("2023-01-01"),
        "lastModified": _date("2024-03-01"),
    },
]
SPACES: list[dict[str, Any]] = [
    {
        "_id": "s1",
        "id": "u/chat",
        "author": "u",
        "sdk": "gradio",
        "tags": ["gradio"],
        "likes": 3,
        "trendingScore": 1,
        "createdAt": _date("2024-01-01"),
        "lastModified": _date("2024-05-01"),
        "models": ["org/llama-8b"],
        "datasets": [],
    },
    {
        "_id": "s2",
        "id": "other/static",
        "author": "other",
        "sdk": "static",
        "tags": ["static"],
        "likes": 7,
        "trendingScore": 0,
        "createdAt": _date("2024-02-01"),
        "lastModified": _date("2024-04-01"),
        "models": [],
        "datasets": ["org/code-bench"],
    },
]
ALIASES = {"models": {"bert-base-uncased": "google-bert/bert-base-uncased"}, "datasets": {}, "spaces": {}}
M1, M2, M3, M4 = (m["id"] for m in MODELS)
D1, D2 = (d["id"] for d in DATASETS)
S1, S2 = (s["id"] for s in SPACES)
NOT_FILES = "File not found in {} '{}'."

#: (arguments, what the command answers): a list of ids (``-q``), a JSON value (``--json``), or
#: ("error", text) for exit status 1 with ``text`` in its message.
CASES: list[tuple[str, Any]] = [
    # hf models ls
    ("models ls -q", [M1, M2, M3, M4]),
    ("models ls --search llama -q", [M1, M2]),
    ("models ls --author org -q", [M1, M2]),
    ("models ls --filter gguf -q", [M2]),
    ("models ls --filter transformers --filter fill-mask -q", [M3]),
    ("models ls --pipeline-tag text-generation -q", [M1, M2]),
    ("models ls --gated -q", [M1]),
    ("models ls --no-gated -q", [M2, M3, M4]),
    ("models ls --apps ollama -q", [M2]),
    ("models ls --apps vllm -q", [M1, M2]),
    ("models ls --apps llama.cpp --apps mlx-lm -q", [M2]),
    ("models ls --num-parameters min:6B,max:128B -q", [M1, M2]),
    ("models ls --num-parameters max:1B -q", [M3]),
    ("models ls --num-parameters lots", ("error", "not a num_parameters bound: 'lots'")),
    ("models ls --inference-provider together -q", [M1]),
    ("models ls --warm -q", [M1]),
    ("models ls --sort downloads -q", [M1, M2, M3, M4]),
    ("models ls --sort likes -q", [M3, M2, M1, M4]),
    ("models ls --sort trending_score -q", [M2, M3, M1, M4]),
    ("models ls --sort created_at -q", [M2, M1, M3, M4]),
    ("models ls --sort last_modified -q", [M1, M2, M3, M4]),
    ("models ls --limit 3 -q", [M1, M2, M3]),
    ("models ls --sort likes --limit 1 --format quiet", [M3]),
    (
        "models ls --expand downloads,likes --limit 2 --json",
        [{"id": M1, "downloads": 100, "likes": 1}, {"id": M2, "downloads": 50, "likes": 5}],
    ),
    (
        "models ls --expand baseModels --limit 1",
        ("error", '"expand" cannot list baseModels: ask for one model with /api/models/{id}'),
    ),
    ("models ls --limit 1 --format json", [{"id": M1}]),  # compared on ids: default fields vary
    ("models ls --limit 1 --format agent", "id\tcreated_at\tdownloads"),
    ("models ls --limit 1 --format human --no-truncate", M1),
    ("models ls --limit 1 --token hf_made_up -q", [M1]),
    (f"models ls {M1}", ("error", NOT_FILES.format("model", M1))),
    (f"models ls {M1} -R", ("error", NOT_FILES.format("model", M1))),
    (f"models ls {M1} --revision main", ("error", NOT_FILES.format("model", M1))),
    ("models ls nobody/nothing", ("error", "nobody/nothing")),
    # hf models info
    (f"models info {M1} --expand downloads,likes --json", {"id": M1, "downloads": 100, "likes": 1}),
    (f"models info {M1} --expand baseModels --json", {"id": M1}),
    (f"models info {M1} --revision main --json", {"id": M1}),
    (f"models info {M1} --revision v9", ("error", f"Revision 'v9' not found on '{M1}'")),
    ("models info bert-base-uncased --expand likes --json", {"id": M3, "likes": 20}),
    ("models info nobody/nothing", ("error", "Model 'nobody/nothing' not found")),
    (f"models info {M1} --format human", M1),
    # hf datasets ls / info
    ("datasets ls -q", [D1, D2]),
    ("datasets ls --search code -q", [D1]),
    ("datasets ls --author other -q", [D2]),
    ("datasets ls --filter benchmark:official -q", [D1]),
    ("datasets ls --sort downloads -q", [D2, D1]),
    ("datasets ls --sort last_modified -q", [D2, D1]),
    ("datasets ls --limit 1 -q", [D1]),
    ("datasets ls --expand downloads --json", [{"id": D1, "downloads": 5}, {"id": D2, "downloads": 9}]),
    (f"datasets ls {D1} -R", ("error", NOT_FILES.format("dataset", D1))),
    (f"datasets info {D1} --expand likes --json", {"id": D1, "likes": 2}),
    (f"datasets info {D1} --revision main --json", {"id": D1}),
    (f"datasets info {D1} --revision nope", ("error", f"Revision 'nope' not found on '{D1}'")),
    # hf spaces ls / info
    ("spaces ls -q", [S1, S2]),
    ("spaces ls --search chat -q", [S1]),
    ("spaces ls --author other -q", [S2]),
    ("spaces ls --filter static -q", [S2]),
    ("spaces ls --sort last_modified -q", [S1, S2]),
    ("spaces ls --sort likes -q", [S2, S1]),
    ("spaces ls --limit 1 -q", [S1]),
    (
        "spaces ls --expand sdk,models --json",
        [{"id": S1, "models": [M1], "sdk": "gradio"}, {"id": S2, "models": [], "sdk": "static"}],
    ),
    (f"spaces ls {S1} --tree -h", ("error", NOT_FILES.format("space", S1))),
    (f"spaces info {S1} --expand sdk,likes --json", {"id": S1, "likes": 3, "sdk": "gradio"}),
    (f"spaces info {S1} --revision main --json", {"id": S1}),
    (f"spaces info {S1} --revision x", ("error", f"Revision 'x' not found on '{S1}'")),
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return write_snapshot(
        tmp_path_factory.mktemp("snap"),
        models=MODELS,
        datasets=DATASETS,
        spaces=SPACES,
        payloads={"aliases": ALIASES},
    )


@pytest.fixture(scope="module")
def server(snapshot: Snapshot) -> Iterator[ReplayServer]:
    with ReplayServer(snapshot, page_size=2, apps=model_apps) as server:
        yield server


def _hf(server: ReplayServer, home: Path, args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env |= {"HF_ENDPOINT": server.url, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HOME": str(home), "NO_COLOR": "1"}
    done = subprocess.run([str(HF), *args.split()], env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, ANSI.sub("", done.stdout + "\n" + done.stderr) if done.returncode else done.stdout


def _answer(outcome: tuple[int, str], expected: Any) -> Any:
    """Put what the command answered in the shape ``expected`` has, for one whole-value comparison."""
    status, output = outcome
    if isinstance(expected, tuple):
        return ("error", expected[1]) if status == 1 and expected[1] in output else (status, output)
    if status != 0:
        return (status, output)
    if isinstance(expected, str):
        return expected if expected in output else output
    if isinstance(expected, list) and (not expected or isinstance(expected[0], str)):
        return output.split()
    value = orjson.loads(output)
    if isinstance(expected, list) and expected[0].keys() == {"id"}:
        return [{"id": item["id"]} for item in value]
    if isinstance(expected, dict) and expected.keys() == {"id"}:
        return {"id": value["id"]}
    return value


@pytest.mark.skipif(not HF.exists(), reason="the hf command is not installed next to the interpreter")
def test_every_hf_ls_and_info_option_works_or_is_refused_by_name(
    server: ReplayServer, tmp_path: Path
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda case: _hf(server, tmp_path, case[0]), CASES))
    answers = {args: _answer(outcome, expected) for (args, expected), outcome in zip(CASES, outcomes)}
    assert answers == dict(CASES)
