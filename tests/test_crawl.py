"""The crawler, end to end: a snapshot served on 127.0.0.1, read by the real client, into SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from catalog.bulk import defer_indexes, stage_tables
from catalog.cli import main
from catalog.crawl import END_STEPS, CrawlProgress, crawl, crawl_snapshot, replay_source
from catalog.errors import HubError
from catalog.hub import Fault, HubClient, ReplayServer, Request, Snapshot, write_snapshot
from catalog.schema import WALK_INDEXES, Base
from catalog.store import Store

BASE = "meta-llama/Llama-3.1-8B"
INSTRUCT = "meta-llama/Llama-3.1-8B-Instruct"


def model(id: str, day: int, **fields: Any) -> dict[str, Any]:
    """A real-shaped listing item; ``day`` orders ``lastModified`` (made-up dates and counts)."""
    record = {
        "id": id,
        "author": id.split("/")[0],
        "tags": [],
        "downloads": 10 * day,
        "likes": day,
        "createdAt": "2024-07-01T00:00:00.000Z",
        "lastModified": f"2024-08-{day:02d}T00:00:00.000Z",
    }
    return record | fields


MODELS = [
    model(
        BASE,
        1,
        pipeline_tag="text-generation",
        library_name="transformers",
        tags=["transformers", "safetensors", "llama", "text-generation", "license:llama3.1"],
        safetensors={"parameters": {"BF16": 8_030_261_248}, "total": 8_030_261_248},
        inferenceProviderMapping=[
            {"provider": "featherless-ai", "providerId": BASE, "status": "live", "task": "text-generation"}
        ],
    ),
    model(
        INSTRUCT,
        2,
        pipeline_tag="text-generation",
        library_name="transformers",
        tags=[
            "transformers",
            "conversational",
            f"base_model:finetune:{BASE}",
            f"base_model:{BASE}",
            "dataset:HuggingFaceH4/ultrachat_200k",
        ],
        inferenceProviderMapping=[
            {
                "provider": "together",
                "providerId": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
                "status": "live",
                "task": "conversational",
            }
        ],
    ),
    model("u/llama-lora", 3, library_name="peft", tags=["peft", f"base_model:adapter:{INSTRUCT}"]),
    model(
        "bartowski/Llama-3.1-8B-Instruct-GGUF",
        4,
        tags=["gguf", f"base_model:quantized:{INSTRUCT}"],
        gguf={"total": 8_030_261_312, "architecture": "llama", "context_length": 131072},
    ),
    model(
        "u/franken-merge", 5, tags=["mergekit", f"base_model:merge:{INSTRUCT}", "base_model:merge:u/other-8B"]
    ),
    model("u/card-merge", 6, cardData={"base_model": [BASE, "u/other-8B"], "license": "mit"}),
    model(
        "google-bert/bert-base-uncased",
        7,
        pipeline_tag="fill-mask",
        library_name="transformers",
        tags=["transformers", "fill-mask", "dataset:bookcorpus", "dataset:wikipedia"],
        safetensors={"parameters": {"F32": 110_106_428}, "total": 110_106_428},
    ),
]
SPACES = [
    {
        "id": "u/chat",
        "sdk": "gradio",
        "likes": 3,
        "models": [INSTRUCT, "bartowski/Llama-3.1-8B-Instruct-GGUF"],
        "datasets": ["HuggingFaceH4/ultrachat_200k"],
        "lastModified": "2024-09-01T00:00:00.000Z",
    }
]
DATASETS = [
    {
        "id": "HuggingFaceH4/ultrachat_200k",
        "tags": ["task_categories:text-generation", "language:en"],
        "downloads": 5,
        "lastModified": "2024-05-01T00:00:00.000Z",
    }
]
TASKS = {
    "text-generation": {"id": "text-generation", "label": "Text Generation", "libraries": ["transformers"]},
    "fill-mask": {"id": "fill-mask", "label": "Fill-Mask", "libraries": ["transformers"]},
}
TAGS = {
    "pipeline_tag": [
        {"id": t, "label": d["label"], "type": "pipeline_tag", "subType": "nlp"} for t, d in TASKS.items()
    ],
    "library": [
        {"id": "transformers", "label": "Transformers", "type": "library"},
        {"id": "peft", "label": "PEFT", "type": "library"},
    ],
}


def snapshot(folder: Path, models: list[dict[str, Any]] = MODELS) -> Snapshot:
    return write_snapshot(
        folder, models=models, spaces=SPACES, datasets=DATASETS, tasks=TASKS, tags_by_type=TAGS
    )


def listed(requests: list[Request], path: str = "/api/models") -> list[Request]:
    """The listing requests among ``requests``, without the one that reads the Hub's clock at a run's start."""
    return [r for r in requests if r.path == path and "expand=lastModified&limit=100&" not in r.target]


def rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return store.query(sql).rows


ALL_INDEXES = {str(i.name) for table in Base.metadata.tables.values() for i in table.indexes}


def all_indexes(store: Store) -> set[str]:
    """The schema's secondary indexes that ``store``'s backend makes (``WALK_INDEXES``: PostgreSQL's only)."""
    return ALL_INDEXES if store.dialect == "postgresql" else ALL_INDEXES - {str(i.name) for i in WALK_INDEXES}


def indexes(store: Store) -> set[str]:
    """The names of the schema's secondary indexes the database holds (others, like search's, aside)."""
    inspector = inspect(store.engine)
    present = set(inspector.get_table_names())
    found = {
        str(i["name"])
        for table in Base.metadata.tables
        if table in present
        for i in inspector.get_indexes(table)
    }
    return found & ALL_INDEXES


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in key order, without the columns that say when (they differ between runs)."""
    volatile = {"first_seen", "last_seen", "started_at", "finished_at"}
    out = {}
    with store.engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            columns = [c for c in table.columns if c.name not in volatile]
            out[name] = [
                tuple(r) for r in conn.execute(select(*columns).order_by(*table.primary_key.columns))
            ]
    return out


def test_a_full_crawl_fills_every_table_and_every_rel(store: Store, tmp_path: Path) -> None:
    summary = crawl_snapshot(store, snapshot(tmp_path / "snap"))
    assert (summary.run_id, summary.mode, summary.resumed, summary.rejects) == (1, "full", False, 0)
    assert indexes(store) == all_indexes(store)  # built again after a first crawl into empty tables
    assert summary.records == {"models": 7, "datasets": 1, "spaces": 1}
    assert rows(store, "SELECT model_id, base_model_id, relation FROM model_lineage ORDER BY 1, 2") == [
        ("bartowski/Llama-3.1-8B-Instruct-GGUF", INSTRUCT, "quantized"),
        (INSTRUCT, BASE, "finetune"),
        ("u/card-merge", BASE, "merge"),
        ("u/card-merge", "u/other-8B", "merge"),
        ("u/franken-merge", INSTRUCT, "merge"),
        ("u/franken-merge", "u/other-8B", "merge"),
        ("u/llama-lora", INSTRUCT, "adapter"),
    ]
    assert rows(store, "SELECT * FROM model_providers ORDER BY 1, 2") == [
        (BASE, "featherless-ai", BASE, "live", "text-generation"),
        (INSTRUCT, "together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "live", "conversational"),
    ]
    assert rows(
        store,
        "SELECT id, num_parameters, parameters_source, license FROM models "
        "WHERE num_parameters IS NOT NULL ORDER BY 1",
    ) == [
        ("bartowski/Llama-3.1-8B-Instruct-GGUF", 8_030_261_312, "gguf", None),
        ("google-bert/bert-base-uncased", 110_106_428, "safetensors", None),
        (BASE, 8_030_261_248, "safetensors", "llama3.1"),
    ]
    assert rows(store, "SELECT * FROM space_models ORDER BY 2") == [
        ("u/chat", "bartowski/Llama-3.1-8B-Instruct-GGUF"),
        ("u/chat", INSTRUCT),
    ]
    assert rows(
        store,
        "SELECT app_id FROM model_apps WHERE model_id = 'bartowski/Llama-3.1-8B-Instruct-GGUF' ORDER BY 1",
    )[:3] == [("atomic-chat",), ("backyard",), ("docker-model-runner",)]
    assert rows(store, "SELECT rel, COUNT(*) FROM edges GROUP BY rel ORDER BY rel") == [
        ("adapter_of", 1),
        ("finetune_of", 1),
        ("has_task", 3),
        ("merge_of", 4),
        ("quantized_from", 1),
        ("runs_in", 14 + 3 + 3),
        ("served_by", 2),
        ("supports_task", 74 + 29),
        ("trained_on", 3),
        ("uses_dataset", 1),
        ("uses_library", 4),
        ("uses_model", 2),
    ]
    assert summary.tables["tasks"] == 2 + 12 + 2  # with text-generation's and fill-mask's subtasks (facts)
    assert rows(store, "SELECT mode, status, checkpoint, error FROM crawl_runs") == [
        ("full", "finished", None, None)
    ]
    assert rows(
        store, "SELECT run_id, model_id, downloads, likes FROM model_history WHERE likes < 3 ORDER BY 3"
    ) == [(1, BASE, 10, 1), (1, INSTRUCT, 20, 2)]


def test_a_record_is_its_raw_json_and_its_card_as_docs_schema_says(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "snap"))
    whole = (
        "raw || jsonb_build_object('cardData', card_data)"
        if store.dialect == "postgresql"
        else "json_set(raw, '$.cardData', json(card_data))"
    )
    ((raw, rebuilt),) = rows(store, f"SELECT raw, {whole} FROM models WHERE id = 'u/card-merge'")
    if isinstance(raw, str):  # SQLite's JSON comes back as text through a raw query
        raw, rebuilt = json.loads(raw), json.loads(rebuilt)
    card_merge = next(m for m in MODELS if m["id"] == "u/card-merge")
    assert "cardData" not in raw  # stored once, in card_data
    assert rebuilt == card_merge
    assert rows(store, "SELECT COUNT(*) FROM models WHERE card_data IS NULL") == [(len(MODELS) - 1,)]


def test_an_incremental_crawl_reads_only_what_changed(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    changed = [
        m | {"likes": 99, "lastModified": "2024-10-01T00:00:00.000Z"} if m["id"] == BASE else m
        for m in MODELS
    ]
    changed.append(model("u/new", 30, tags=["gguf"], gguf={"total": 5, "context_length": 8}))
    with ReplayServer(snapshot(tmp_path / "b", changed), page_size=2) as server:
        summary = crawl(store, HubClient(server.url, token=False))
        targets = [r.target for r in listed(server.requests)]
    assert (summary.mode, summary.pages["models"], summary.records["models"]) == ("incremental", 2, 3)
    assert len(targets) == 2 and "sort=lastModified&direction=-1" in targets[0]  # stopped at the watermark
    assert rows(store, f"SELECT likes FROM models WHERE id = '{BASE}'") == [(99,)]
    assert rows(store, "SELECT model_id, likes FROM model_history WHERE run_id = 2 ORDER BY 1") == [
        ("google-bert/bert-base-uncased", 7),
        (BASE, 99),
        ("u/new", 30),
    ]  # the newest of run 1 is re-read
    assert store.count("models") == 8


def test_a_full_crawl_marks_models_gone_from_the_hub(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    summary = crawl_snapshot(store, snapshot(tmp_path / "b", MODELS[:-1]), full=True)
    assert summary.deleted == {"models": 1, "datasets": 0, "spaces": 0}
    assert rows(store, "SELECT id FROM models WHERE deleted_at IS NOT NULL") == [
        ("google-bert/bert-base-uncased",)
    ]
    assert store.count("models") == 7  # the row is kept
    assert rows(store, "SELECT COUNT(*) FROM edges WHERE src_id = 'google-bert/bert-base-uncased'") == [(0,)]
    crawl_snapshot(store, snapshot(tmp_path / "c"), full=True)  # back on the Hub
    assert rows(store, "SELECT COUNT(*) FROM models WHERE deleted_at IS NOT NULL") == [(0,)]


def test_a_malformed_record_in_the_middle_of_a_page_goes_to_rejects(store: Store, tmp_path: Path) -> None:
    bad = {"id": "bad/no-total", "safetensors": {"parameters": {"F16": 1}}}
    models = [*MODELS[:3], {"id": "bad/tags", "tags": "text-generation"}, *MODELS[3:]]
    fault = Fault("malformed", path="/api/models", after=1, record=bad)  # after the clock's probe
    with ReplayServer(snapshot(tmp_path / "snap", models), faults=[fault]) as server:
        summary = crawl(store, HubClient(server.url, token=False))
    assert (summary.pages["models"], summary.records["models"], summary.rejects) == (1, 7, 2)
    assert rows(store, "SELECT run_id, kind, record_id, raw, reason FROM rejects ORDER BY id") == [
        (
            1,
            "model",
            "bad/tags",
            '{"id":"bad/tags","tags":"text-generation"}',
            "tags: expected a list of strings, got 'text-generation'",
        ),
        (
            1,
            "model",
            "bad/no-total",
            '{"id":"bad/no-total","safetensors":{"parameters":{"F16":1}}}',
            "safetensors: missing 'total'",
        ),
    ]
    assert store.count("models") == 7


def test_the_hub_down_stops_the_run_and_the_next_one_resumes(store: Store, tmp_path: Path) -> None:
    with ReplayServer(snapshot(tmp_path / "snap"), page_size=2) as server:
        reference = dump_after_clean_crawl(store, server)
        server.add_fault(Fault("503", path="/api/models", after=3, times=100))  # the probe, 2 pages
        with pytest.raises(HubError, match=r"/api/models answered HTTP 503 after 1 retries"):
            crawl(store, HubClient(server.url, token=False, max_retries=1, base_wait=0.01))
        assert rows(store, "SELECT status, error IS NOT NULL FROM crawl_runs") == [("failed", True)]
        assert indexes(store) == all_indexes(store)  # a stopped run leaves a database that queries as usual
        assert store.count("models") == 4  # two pages committed
        server.clear_faults()
        before = len(server.requests)
        summary = crawl(store, HubClient(server.url, token=False))
        fetched = listed(server.requests[before:])
    assert summary.resumed and summary.pages["models"] == 4
    assert len(fetched) == 2  # pages 3 and 4 only
    assert dump(store) == reference


def test_a_stopped_replay_resumes_on_the_next_replay(store: Store, tmp_path: Path) -> None:
    snap = snapshot(tmp_path / "snap")
    with (
        ReplayServer(
            snap, page_size=2, faults=[Fault("500", path="/api/models", after=2, times=100)]
        ) as server,
        pytest.raises(HubError),
    ):
        crawl(store, HubClient(server.url, token=False, max_retries=0), source=replay_source(snap))
    summary = crawl_snapshot(store, snap)  # another server, on another port, with pages of 1,000
    # One page of 2 before the stop, then the 5 others in one page from the checkpoint's cursor.
    assert (summary.run_id, summary.resumed, summary.pages["models"], store.count("models")) == (
        1,
        True,
        2,
        7,
    )
    assert rows(store, "SELECT endpoint, status FROM crawl_runs") == [
        (f"replay:{snap.path.resolve()}", "finished")
    ]


def test_a_killed_first_crawl_from_elsewhere_leaves_no_index_or_staged_row_behind(
    store: Store, tmp_path: Path
) -> None:
    # What a first full crawl killed with SIGKILL leaves: its tables' indexes deferred, its rows
    # staged, the run open.
    with store.engine.begin() as conn:
        deferred = defer_indexes(conn, ["models", "model_tags"])
        staged = stage_tables(conn, {"models": {"models": "id", "model_tags": "model_id"}})
        conn.execute(
            text(
                "INSERT INTO staged_models (id, first_seen, last_seen, page) "
                "VALUES ('gone/stored-before-the-kill', :seen, :seen, 1)"
            ),
            {"seen": datetime(2024, 1, 1, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO crawl_runs (started_at, endpoint, mode, status, checkpoint) "
                "VALUES (CURRENT_TIMESTAMP, 'https://elsewhere.example', 'full', 'running', :c)"
            ),
            {"c": json.dumps({"watermarks": {}, "deferred_indexes": deferred, "staged": staged})},
        )
    assert indexes(store) == all_indexes(store) - set(deferred)
    crawl_snapshot(store, snapshot(tmp_path / "snap"))  # another source: that run is abandoned
    assert rows(store, "SELECT endpoint, status FROM crawl_runs ORDER BY id")[0] == (
        "https://elsewhere.example",
        "abandoned",
    )
    assert indexes(store) == all_indexes(store)
    # Its staged row was stored (and, not listed by this run's source, marked deleted).
    [(id, deleted)] = rows(store, "SELECT id, deleted_at IS NOT NULL FROM models WHERE id LIKE 'gone/%'")
    assert (id, bool(deleted)) == ("gone/stored-before-the-kill", True)
    assert not [t for t in inspect(store.engine).get_table_names() if t.startswith("staged_")]


def test_a_first_crawl_leaves_model_ids_searchable_by_any_part(store: Store, tmp_path: Path) -> None:
    # The trigram index (FTS5 on SQLite, GIN on PostgreSQL) is deferred to the end of a first crawl,
    # and made again as the migration made it.
    if store.dialect == "sqlite":
        sql = "SELECT m.id FROM models_fts f JOIN models m ON m.rowid = f.rowid WHERE models_fts MATCH 'lora'"
    else:
        sql = "SELECT id FROM models WHERE lower(id) LIKE '%lora%'"
        plan = (
            "SELECT i.indexdef, a.attstattarget FROM pg_indexes i"
            " JOIN pg_attribute a ON a.attrelid = (quote_ident(i.schemaname) || '.' || i.indexname)::regclass"
            " WHERE i.schemaname = current_schema() AND i.indexname = 'models_id_joined_trgm'"
        )
        migrated = rows(store, plan)
        assert len(migrated) == 1 and migrated[0][1] == 10_000  # revision 0010's sample of ids
    crawl_snapshot(store, snapshot(tmp_path / "snap"))
    assert rows(store, sql) == [("u/llama-lora",)]
    if store.dialect == "postgresql":
        assert rows(store, plan) == migrated
    # A second model added later is found too: the trigger or the index keeps in step again.
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO models (id) VALUES ('u/another-lora')"))
    assert sorted(rows(store, sql)) == [("u/another-lora",), ("u/llama-lora",)]


def test_pages_waiting_for_a_slow_writer_are_committed_together(store: Store, tmp_path: Path) -> None:
    models = [model(f"filler/m{i:02}", i) for i in range(1, 21)]
    seen: list[tuple[int, int]] = []  # (pages the progress reports, pages the stored checkpoint holds)

    def progress(p: CrawlProgress) -> None:
        if p.listing != "models" or p.done:
            return
        if not seen:
            time.sleep(1.0)  # the writer stalls after the first page: the next ones queue up
        [(checkpoint,)] = store.query("SELECT checkpoint FROM crawl_runs").rows
        stored = checkpoint if isinstance(checkpoint, dict) else json.loads(checkpoint)
        seen.append((p.pages, stored["pages"]["models"]))

    with ReplayServer(snapshot(tmp_path / "snap", models), page_size=2) as server:
        summary = crawl(store, HubClient(server.url, token=False), progress=progress)
    assert (summary.pages["models"], store.count("models")) == (10, 20)
    assert [reported for reported, _ in seen] == list(range(1, 11))  # every page reported, in order
    # Once the writer stalled, several pages went in one transaction: its checkpoint is ahead of the
    # page being reported.
    assert any(stored > reported for reported, stored in seen)


def dump_after_clean_crawl(store: Store, server: ReplayServer) -> dict[str, list[tuple[Any, ...]]]:
    """Crawl uninterrupted, dump the database, then empty it again."""
    crawl(store, HubClient(server.url, token=False))
    reference = dump(store)
    store.downgrade("base")
    store.upgrade()
    return reference


def test_a_crawl_killed_with_sigkill_resumes_to_the_same_database(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    models = MODELS + [
        model(f"filler/m{i}", 8 + i, tags=["gguf"], gguf={"total": i, "context_length": 4}) for i in range(9)
    ]
    with ReplayServer(snapshot(tmp_path / "snap", models), page_size=2) as server:
        reference = dump_after_clean_crawl(store, server)
        pages = len(listed(server.requests))
        server.add_fault(Fault("hang", path="/api/models", after=5))  # the clock's probe, then 4 pages
        start = len(server.requests)
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from catalog.cli import main; main()",
                "crawl",
                "--endpoint",
                server.url,
                "--db",
                db_url,
                "--quiet",
            ],
            env=os.environ | {"HF_HUB_DISABLE_TELEMETRY": "1"},
        )
        try:
            assert server.wait_for(lambda requests: any(r.fault == "hang" for r in requests), timeout=60)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        server.clear_faults()
        server.release()
        [(status, checkpoint)] = store.query("SELECT status, checkpoint FROM crawl_runs").rows
        committed = (checkpoint if isinstance(checkpoint, dict) else json.loads(checkpoint))["pages"][
            "models"
        ]
        # Pages are written behind the fetching (up to 8 waiting), so 1 to 4 were committed at the kill.
        assert status == "running" and 1 <= committed <= 4
        summary = crawl(store, HubClient(server.url, token=False))
        fetched = listed(server.requests[start:])
    assert summary.resumed and summary.pages["models"] == pages and indexes(store) == all_indexes(store)
    # Before the kill: 4 pages and the one that hung; after: only the pages not committed.
    assert len(fetched) == 5 + (pages - committed)
    assert dump(store) == reference


#: A crawl that dies (as if killed) when its end begins ``sys.argv[3]``.
DIES_AT_A_STEP = """
import os, sys
from catalog.crawl import crawl
from catalog.hub import HubClient
from catalog.store import Store

def progress(event):
    if event.listing == sys.argv[3]:
        os._exit(9)

crawl(Store.open(sys.argv[1]), HubClient(sys.argv[2], token=False), progress=progress)
"""


def test_a_crawl_killed_after_its_merge_resumes_with_its_indexes_to_the_same_database(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    steps: list[str] = []
    with ReplayServer(snapshot(tmp_path / "snap"), page_size=2) as server:
        reference = dump_after_clean_crawl(store, server)
        died = subprocess.run(
            [sys.executable, "-c", DIES_AT_A_STEP, db_url, server.url, END_STEPS[1]],
            env=os.environ | {"HF_HUB_DISABLE_TELEMETRY": "1"},
            timeout=120,
        )
        assert died.returncode == 9
        # Every staged table was merged, each in a transaction of its own, and struck off.
        [(status, checkpoint)] = store.query("SELECT status, checkpoint FROM crawl_runs").rows
        stored = checkpoint if isinstance(checkpoint, dict) else json.loads(checkpoint)
        assert status == "running" and stored["staged"] == [] and stored["deferred_indexes"]
        assert not [t for t in inspect(store.engine).get_table_names() if t.startswith("staged_")]
        summary = crawl(store, HubClient(server.url, token=False), progress=lambda e: steps.append(e.listing))
    # The resumed run read nothing again and took up its end where it stopped.
    assert summary.resumed and steps == list(END_STEPS[1:])
    assert indexes(store) == all_indexes(store) and dump(store) == reference


def test_the_crawl_command_replays_records_and_summarises(db_url: str, tmp_path: Path) -> None:
    snap = snapshot(tmp_path / "snap")
    runner = CliRunner()
    result = runner.invoke(
        main, ["crawl", "--replay", str(snap.path), "--db", db_url, "--record", str(tmp_path / "rec")]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == f"Crawl run 1: full from replay:{snap.path.resolve()} into {Store.open(db_url).display_url}"
    )
    assert "9 records in " in lines[1] and lines[1].endswith("0 rejected (see the rejects table)")
    assert lines[3:7] == [
        "listing      pages    stored    marked deleted",
        "---------  -------  --------  ----------------",
        "models           1         7                 0",
        "datasets         1         1                 0",
    ]
    assert ["model_lineage", "7"] in [line.split() for line in lines]
    recorded = Snapshot.open(tmp_path / "rec")
    assert recorded.manifest["counts"] == {"models": 7, "datasets": 1, "spaces": 1}
    assert (
        recorded.manifest["note"] == "recorded by `catalog crawl --record` (a full run: every listing whole)"
    )
    assert list(recorded.iter_records("models")) == MODELS
    again = runner.invoke(
        main, ["crawl", "--replay", str(snap.path), "--endpoint", "http://x", "--db", db_url]
    )
    assert (again.exit_code, again.output) == (1, "Error: give --replay DIR or --endpoint URL, not both\n")
    quiet = runner.invoke(main, ["crawl", "--replay", str(snap.path), "--db", db_url, "--quiet"])
    assert (quiet.exit_code, quiet.output) == (0, "")


def fails_in_one_line(tmp_path: Path, args: list[str]) -> str:
    """Run ``catalog ARGS --db <tmp_path>/c.db``, check it exits 1 having made no file, and return its output."""
    result = CliRunner().invoke(main, [*args, "--db", f"sqlite:///{tmp_path / 'c.db'}"])
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []
    return result.output


@pytest.mark.parametrize("command", [("crawl", "--replay"), ("build", "--out", "{tmp}/map", "--snapshot")])
def test_a_missing_snapshot_is_one_line_and_makes_no_database(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    assert fails_in_one_line(tmp_path, [*args, str(tmp_path / "nowhere")]) == (
        f"Error: no snapshot folder at {str(tmp_path / 'nowhere')!r}: give the folder that holds manifest.json\n"
    )


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [("ftp://hub.test", ""), ("http://[::1", "Invalid IPv6 URL; ")],  # not http(s); not a URL at all
)
def test_a_bad_endpoint_is_one_line_and_makes_no_database(tmp_path: Path, endpoint: str, why: str) -> None:
    assert fails_in_one_line(tmp_path, ["crawl", "--endpoint", endpoint]) == (
        f"Error: not a Hub endpoint: {endpoint!r} ({why}expected e.g. https://huggingface.co)\n"
    )


def test_a_rate_limit_wait_is_said_even_under_quiet(db_url: str, tmp_path: Path) -> None:
    with ReplayServer(
        snapshot(tmp_path / "snap"), faults=[Fault("429", path="/api/tasks", retry_after=1)]
    ) as server:
        result = CliRunner().invoke(main, ["crawl", "--endpoint", server.url, "--db", db_url, "--quiet"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"Warning: rate-limited by {server.url}: waiting 1 s, retry 1 of 5\n"
