from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from catalog.errors import SnapshotError
from catalog.hub.snapshot import Snapshot, SnapshotWriter, write_snapshot

MODELS = [
    {"id": "Qwen/Qwen3-0.6B", "likes": 900, "tags": ["text-generation"], "unknownField": {"kept": True}},
    {"id": "unsloth/Qwen3-0.6B-GGUF", "gguf": {"total": 596049920, "context_length": 40960}},
]


def test_write_then_open_round_trips_records_and_payloads(tmp_path: Path) -> None:
    write_snapshot(
        tmp_path / "snap",
        models=MODELS,
        spaces=[{"id": "u/demo", "models": ["Qwen/Qwen3-0.6B"]}],
        tasks={"text-generation": {"id": "text-generation"}},
        tags_by_type={"library": [{"id": "gguf", "label": "GGUF", "type": "library"}]},
        payloads={"datasets-tags-by-type": {"license": []}},
        manifest={"endpoint": "https://huggingface.co", "made_up": ["downloads"], "note": "test"},
    )
    snap = Snapshot.open(tmp_path / "snap")
    assert list(snap.iter_records("models")) == MODELS
    assert list(snap.iter_records("datasets")) == []
    assert list(snap.iter_records("spaces")) == [{"id": "u/demo", "models": ["Qwen/Qwen3-0.6B"]}]
    assert snap.read_json("tasks") == {"text-generation": {"id": "text-generation"}}
    assert snap.read_json("absent") is None
    assert snap.json_names() == ["datasets-tags-by-type", "models-tags-by-type", "tasks"]
    manifest = dict(snap.manifest)
    assert manifest.pop("recorded_at").endswith("Z")
    assert manifest.pop("client").startswith("huggingface_hub ")
    assert manifest == {
        "format": 1,
        "endpoint": "https://huggingface.co",
        "counts": {"models": 2, "datasets": 0, "spaces": 1},
        "made_up": ["downloads"],
        "note": "test",
    }
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == [
        "datasets-tags-by-type.json",
        "manifest.json",
        "models-tags-by-type.json",
        "models.jsonl",
        "spaces.jsonl",
        "tasks.json",
    ]


def test_gzipped_records_read_the_same_and_are_reproducible(tmp_path: Path) -> None:
    first = write_snapshot(tmp_path / "a", models=MODELS, compress=True)
    second = write_snapshot(tmp_path / "b", models=MODELS, compress=True)
    assert first.records_file("models") == tmp_path / "a" / "models.jsonl.gz"
    assert list(Snapshot.open(tmp_path / "a").iter_records("models")) == MODELS
    assert (tmp_path / "a" / "models.jsonl.gz").read_bytes() == (
        tmp_path / "b" / "models.jsonl.gz"
    ).read_bytes()
    lines = gzip.decompress((tmp_path / "a" / "models.jsonl.gz").read_bytes()).splitlines()
    assert [json.loads(line) for line in lines] == MODELS
    assert second.manifest["counts"]["models"] == 2


def test_overwriting_replaces_every_record_file(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS, spaces=[{"id": "u/s"}])
    snap = write_snapshot(tmp_path, models=MODELS[:1], compress=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "models.jsonl.gz"]
    assert list(snap.iter_records("models")) == MODELS[:1]
    assert list(snap.iter_records("spaces")) == []


def test_an_unfinished_recording_is_not_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), SnapshotWriter(tmp_path) as writer:
        writer.add("models", MODELS[0])
        raise RuntimeError("crawl died")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models.jsonl.part"]
    with pytest.raises(
        SnapshotError, match="has no manifest.json: it is not a snapshot, or its recording did not finish"
    ):
        Snapshot.open(tmp_path)


def test_writer_refuses_to_record_over_a_snapshot(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS)
    with pytest.raises(SnapshotError, match="already holds a snapshot: choose another folder"):
        SnapshotWriter(tmp_path)


def test_writer_takes_raw_bytes_and_counts_them(tmp_path: Path) -> None:
    with SnapshotWriter(tmp_path, endpoint="http://127.0.0.1:9") as writer:
        writer.add("models", b'{"id":"a/b","weird":[1,2]}\n')
        writer.add_many("datasets", [{"id": "d/1"}, {"id": "d/2"}])
    assert writer.snapshot is not None
    assert writer.snapshot.manifest["counts"] == {"models": 1, "datasets": 2, "spaces": 0}
    assert (tmp_path / "models.jsonl").read_bytes() == b'{"id":"a/b","weird":[1,2]}\n'


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no snapshot folder at"),
        (lambda p: p.mkdir(), "has no manifest.json"),
        (lambda p: (p.mkdir(), (p / "manifest.json").write_text("{oops")), "is not valid JSON"),
        (
            lambda p: (p.mkdir(), (p / "manifest.json").write_text('{"format": 2}')),
            "has format 2, this code reads format 1",
        ),
    ],
)
def test_open_says_what_is_wrong(tmp_path: Path, setup: object, message: str) -> None:
    folder = tmp_path / "snap"
    setup(folder)  # type: ignore[operator]
    with pytest.raises(SnapshotError, match=message):
        Snapshot.open(folder)


def test_a_broken_line_names_its_file_and_line(tmp_path: Path) -> None:
    write_snapshot(tmp_path, models=MODELS)
    with open(tmp_path / "models.jsonl", "ab") as file:
        file.write(b'{"id": "cut\n')
    with pytest.raises(SnapshotError, match=r"models.jsonl line 3 is not valid JSON"):
        list(Snapshot.open(tmp_path).iter_records("models"))


def test_unknown_kinds_and_payload_names_are_refused(tmp_path: Path) -> None:
    snap = write_snapshot(tmp_path, models=MODELS)
    with pytest.raises(
        SnapshotError, match="no record kind 'papers' in a snapshot: use one of models, datasets, spaces"
    ):
        list(snap.iter_records("papers"))  # type: ignore[arg-type]
    with pytest.raises(SnapshotError, match="not a snapshot payload name: '../etc'"):
        snap.read_json("../etc")


@pytest.mark.parametrize("compress", [False, True])
def test_a_resumed_recording_keeps_every_whole_record(tmp_path: Path, compress: bool) -> None:
    writer = SnapshotWriter(tmp_path, compress=compress)
    writer.add("models", {"id": "a/1"})
    writer.add("models", {"id": "a/2"})
    writer._close_files()  # the process dies here; its last line is then cut short
    part = tmp_path / ("models.jsonl.gz.part" if compress else "models.jsonl.part")
    whole = part.read_bytes()
    if compress:
        # A member without its trailer: the writer died before closing it.
        part.write_bytes(whole + gzip.compress(b'{"id": "a/3"}\n{"id": "a/')[:-8])
    else:
        part.write_bytes(whole + b'{"id": "a/3"}\n{"id": "a/')
    with SnapshotWriter(tmp_path, compress=compress, resume=True) as resumed:
        assert resumed.counts["models"] == 3
        resumed.add("models", {"id": "a/4"})
    records = list(Snapshot.open(tmp_path).iter_records("models"))
    assert records == [{"id": "a/1"}, {"id": "a/2"}, {"id": "a/3"}, {"id": "a/4"}]
    assert resumed.snapshot is not None and resumed.snapshot.manifest["counts"]["models"] == 4


def test_without_resume_a_new_recording_starts_empty(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path)
    writer.add("models", {"id": "a/1"})
    writer._close_files()
    with SnapshotWriter(tmp_path) as fresh:
        fresh.add("models", {"id": "b/1"})
    assert list(Snapshot.open(tmp_path).iter_records("models")) == [{"id": "b/1"}]


def test_closing_twice_keeps_the_snapshot(tmp_path: Path) -> None:
    with SnapshotWriter(tmp_path) as writer:
        writer.add("models", MODELS[0])
        first = writer.close({"note": "closed inside the block"})
    assert writer.close() is first
    assert Snapshot.open(tmp_path).manifest["note"] == "closed inside the block"
    assert list(Snapshot.open(tmp_path).iter_records("models")) == [MODELS[0]]


def test_a_manifest_without_counts_is_one_snapshot_error(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"format": 1}')
    with pytest.raises(SnapshotError, match=r"manifest.json has no record counts"):
        Snapshot.open(folder)


def test_a_gz_file_that_is_not_gzip_is_one_snapshot_error(tmp_path: Path) -> None:
    snap = write_snapshot(tmp_path / "snap", models=[{"id": "a/b"}])
    (snap.path / "models.jsonl").unlink()
    (snap.path / "models.jsonl.gz").write_bytes(b'{"id": "a/b"}\n')
    with pytest.raises(
        SnapshotError, match=r"models.jsonl.gz is not gzip: rebuild or re-record the snapshot"
    ):
        list(Snapshot.open(snap.path).iter_records("models"))


def test_a_resumed_writer_keeps_what_its_run_committed_or_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    (folder / "models.jsonl.part").write_bytes(b'{"id":"a/1"}\n{"id":"a/2"}\n{"id":"a/3"}\n{"id":"a/4')
    with SnapshotWriter(folder, resume=True, keep={"models": 2}) as writer:
        writer.add("models", {"id": "a/3"})
    assert [r["id"] for r in Snapshot.open(folder).iter_records("models")] == ["a/1", "a/2", "a/3"]
    (folder / "manifest.json").unlink()
    (folder / "models.jsonl").rename(folder / "models.jsonl.part")
    with pytest.raises(
        SnapshotError, match=r"holds 3 models records where the run it belongs to committed 5"
    ):
        SnapshotWriter(folder, resume=True, keep={"models": 5})
