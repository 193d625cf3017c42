"""Read and write snapshot folders: the Hub's raw API JSON, recorded or built, replayable offline.

A snapshot is a folder holding what the Hub answers, as it answers it (camelCase keys, unknown keys
kept)::

    manifest.json              {"format": 1, "endpoint", "recorded_at", "client", "counts", "made_up", "note"}
    models.jsonl[.gz]          one raw repo object per line, as one item of GET /api/models?expand=...
    datasets.jsonl[.gz]        the same for GET /api/datasets
    spaces.jsonl[.gz]          the same for GET /api/spaces
    tasks.json                 the GET /api/tasks payload
    models-tags-by-type.json   the GET /api/models-tags-by-type payload
    <name>.json                any other GET /api/<name> payload

The manifest is written last, so a folder without one is an unfinished recording. ``replay`` serves a
snapshot over HTTP in the Hub's format.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, get_args

import orjson

from catalog.errors import SnapshotError
from catalog.hub import rawjson

__all__ = [
    "FORMAT",
    "REPO_KINDS",
    "RepoKind",
    "Snapshot",
    "SnapshotWriter",
    "write_snapshot",
]

RepoKind = Literal["models", "datasets", "spaces"]
REPO_KINDS: tuple[RepoKind, ...] = get_args(RepoKind)
FORMAT = 1
MANIFEST = "manifest.json"
_JSON_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DUMP_OPTIONS = orjson.OPT_NON_STR_KEYS


class Snapshot:
    """A snapshot folder opened for reading; records are read lazily, one line at a time.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> snap = write_snapshot(folder, models=[{"id": "a/b", "likes": 3}], tasks={"fill-mask": {}})
    >>> snap = Snapshot.open(folder)
    >>> snap.manifest["counts"]
    {'models': 1, 'datasets': 0, 'spaces': 0}
    >>> list(snap.iter_records("models"))
    [{'id': 'a/b', 'likes': 3}]
    >>> snap.read_json("tasks")
    {'fill-mask': {}}
    """

    __slots__ = ("manifest", "path")

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    def __repr__(self) -> str:
        return f"Snapshot({str(self.path)!r})"

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Snapshot:
        """Open the snapshot in folder ``path``, checking its manifest."""
        folder = Path(path)
        if not folder.is_dir():
            raise SnapshotError(
                f"no snapshot folder at {str(folder)!r}: give the folder that holds manifest.json"
            )
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise SnapshotError(
                f"{str(folder)!r} has no {MANIFEST}: it is not a snapshot, or its recording did not finish"
            )
        try:
            manifest = orjson.loads(manifest_path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise SnapshotError(
                f"{manifest_path} is not valid JSON ({exc}): rebuild or re-record the snapshot"
            ) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else manifest
            raise SnapshotError(f"{manifest_path} has format {found!r}, this code reads format {FORMAT}")
        counts = manifest.get("counts")
        if not isinstance(counts, dict) or not all(isinstance(n, int) for n in counts.values()):
            raise SnapshotError(
                f'{manifest_path} has no record counts ("counts": {{"models": N, ...}}): rebuild or '
                "re-record the snapshot"
            )
        return cls(folder, manifest)

    def records_file(self, kind: RepoKind) -> Path | None:
        """Return the file holding the ``kind`` records (plain or gzipped), or None if there is none."""
        _check_kind(kind)
        for name in (f"{kind}.jsonl", f"{kind}.jsonl.gz"):
            file = self.path / name
            if file.is_file():
                if name.endswith(".gz"):
                    with open(file, "rb") as stream:
                        if stream.read(2) != b"\x1f\x8b":
                            raise SnapshotError(f"{file} is not gzip: rebuild or re-record the snapshot")
                return file
        return None

    def iter_lines(self, kind: RepoKind) -> Iterator[bytes]:
        """Yield the raw JSON line of each ``kind`` record, unparsed, without its newline."""
        file = self.records_file(kind)
        if file is None:
            return
        try:
            with _open_lines(file) as stream:
                for line in stream:
                    line = line.strip()
                    if line:
                        yield line
        except (OSError, EOFError, zlib.error) as exc:  # a gzip file cut short or damaged
            raise SnapshotError(f"{file} cannot be read ({exc}): rebuild or re-record the snapshot") from None

    def iter_records(self, kind: RepoKind) -> Iterator[Any]:
        """Yield each ``kind`` record as parsed JSON (normally a dict), in file order."""
        for number, line in enumerate(self.iter_lines(kind), start=1):
            try:
                yield rawjson.loads(line)
            except ValueError as exc:
                raise SnapshotError(
                    f"{self.records_file(kind)} line {number} is not valid JSON ({exc})"
                ) from None

    def read_json(self, name: str) -> Any | None:
        """Return the payload of ``<name>.json`` (the answer to ``GET /api/<name>``), or None if absent."""
        if not _JSON_NAME.match(name):
            raise SnapshotError(f"not a snapshot payload name: {name!r}")
        file = self.path / f"{name}.json"
        if not file.is_file():
            return None
        try:
            return orjson.loads(file.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise SnapshotError(
                f"{file} is not valid JSON ({exc}): rebuild or re-record the snapshot"
            ) from None

    def json_names(self) -> list[str]:
        """Return the names of the ``GET /api/<name>`` payloads the snapshot holds, sorted."""
        return sorted(p.name[:-5] for p in self.path.glob("*.json") if p.name != MANIFEST)


class SnapshotWriter:
    """Write a snapshot folder record by record; the manifest is written by ``close``.

    Records go to ``<kind>.jsonl.part`` files renamed on ``close``, so an interrupted recording
    leaves no manifest and cannot be mistaken for a whole snapshot. Used as a context manager, an
    exception leaves the folder unfinished. With ``resume``, the records an interrupted recording
    wrote whole are kept and new ones appended; a record recorded twice is served once, its last
    copy (see ``replay``). With ``keep`` too (kind -> count), only the first ``count`` records of
    each kind are kept (what a crawl had committed when it stopped), and a recording holding fewer
    is refused.

    Examples
    --------
    >>> import tempfile
    >>> with SnapshotWriter(tempfile.mkdtemp(), endpoint="http://127.0.0.1:1") as writer:
    ...     writer.add("models", {"id": "a/b"})
    ...     writer.add("spaces", {"id": "u/s", "models": ["a/b"]})
    ...     writer.write_json("tasks", {})
    >>> writer.snapshot.manifest["counts"], writer.snapshot.manifest["endpoint"]
    ({'models': 1, 'datasets': 0, 'spaces': 1}, 'http://127.0.0.1:1')
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        endpoint: str = "",
        compress: bool = False,
        overwrite: bool = False,
        resume: bool = False,
        keep: Mapping[str, int] | None = None,
    ) -> None:
        self.path = Path(path)
        if (self.path / MANIFEST).exists() and not overwrite:
            raise SnapshotError(
                f"{str(self.path)!r} already holds a snapshot: choose another folder, or remove this one first"
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SnapshotError(f"cannot create snapshot folder {str(self.path)!r}: {exc.strerror}") from None
        (self.path / MANIFEST).unlink(missing_ok=True)
        self.endpoint = endpoint
        self.compress = compress
        self.counts: dict[str, int] = dict.fromkeys(REPO_KINDS, 0)
        self.snapshot: Snapshot | None = None
        self._files: dict[str, IO[bytes]] = {}
        for kind in REPO_KINDS:
            part = self.path / self._name(kind, part=True)
            wanted = None if keep is None else keep.get(kind, 0)
            if resume and (part.exists() or wanted):
                self._resume(kind, part, wanted)
            else:
                part.unlink(missing_ok=True)

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._close_files()

    def add(self, kind: RepoKind, record: Mapping[str, Any] | bytes) -> None:
        """Append one raw record (a dict, or its JSON bytes) to the ``kind`` file."""
        # rawjson: a record orjson cannot write (nested 300 deep, a lone surrogate) is still recorded.
        line = record if isinstance(record, bytes) else rawjson.dumps(record)
        self._file(kind).write(line.strip() + b"\n")
        self.counts[kind] += 1

    def add_many(self, kind: RepoKind, records: Iterable[Mapping[str, Any] | bytes]) -> None:
        """Append raw records to the ``kind`` file."""
        for record in records:
            self.add(kind, record)

    def flush(self) -> None:
        """Hand what was added so far to the operating system (it survives the process being killed)."""
        for stream in self._files.values():
            stream.flush()
            if isinstance(stream, gzip.GzipFile) and stream.fileobj is not None:
                stream.fileobj.flush()

    def write_json(self, name: str, payload: Any) -> None:
        """Write ``<name>.json``: the answer to ``GET /api/<name>`` (``tasks``, ``models-tags-by-type``)."""
        if not _JSON_NAME.match(name) or name == MANIFEST[:-5]:
            raise SnapshotError(f"not a usable snapshot payload name: {name!r}")
        data = orjson.dumps(payload, option=_DUMP_OPTIONS | orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        (self.path / f"{name}.json").write_bytes(data + b"\n")

    def close(self, manifest_updates: Mapping[str, Any] | None = None) -> Snapshot:
        """Finish the record files and write the manifest; return the snapshot, ready to open.

        Closing again (a ``with`` block's end after an explicit ``close``) changes nothing.
        """
        if self.snapshot is not None:
            return self.snapshot
        self._close_files()
        for kind in REPO_KINDS:
            part = self.path / self._name(kind, part=True)
            # Files left by an overwritten snapshot would contradict this manifest's counts.
            (self.path / self._name(kind, compressed=not self.compress)).unlink(missing_ok=True)
            if part.exists():
                part.replace(self.path / self._name(kind))
            else:
                (self.path / self._name(kind)).unlink(missing_ok=True)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "endpoint": self.endpoint,
            "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "client": f"huggingface_hub {version('huggingface_hub')}",
            "counts": {},
            "made_up": [],
            "note": "",
        }
        manifest.update(manifest_updates or {})
        manifest["format"] = FORMAT
        manifest["counts"] = dict(self.counts)
        data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
        (self.path / MANIFEST).write_bytes(data + b"\n")
        self.snapshot = Snapshot(self.path, manifest)
        return self.snapshot

    def _resume(self, kind: RepoKind, part: Path, wanted: int | None) -> None:
        data = b""
        if part.exists():
            data = _readable_prefix(part) if self.compress else part.read_bytes()
        # A line cut short by the interruption is dropped: only whole records are kept.
        data = data[: data.rfind(b"\n") + 1]
        lines = data.count(b"\n")
        if wanted is not None:
            if lines < wanted:
                raise SnapshotError(
                    f"the unfinished recording in {str(self.path)!r} holds {lines} {kind} records where the "
                    f"run it belongs to committed {wanted}: it cannot be resumed; record into a new folder "
                    "with a --full run"
                )
            end = 0
            for _ in range(wanted):
                end = data.index(b"\n", end) + 1
            data, lines = data[:end], wanted
        self.counts[kind] = lines
        part.unlink(missing_ok=True)
        self._file(kind).write(data)

    def _file(self, kind: RepoKind) -> IO[bytes]:
        stream = self._files.get(kind)
        if stream is None:
            _check_kind(kind)
            raw = open(self.path / self._name(kind, part=True), "wb")  # noqa: SIM115 - closed by close()
            # mtime=0 keeps gzipped snapshots byte-for-byte reproducible.
            opened: IO[bytes] = (
                gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)  # type: ignore[assignment]
                if self.compress
                else raw
            )
            self._files[kind] = stream = opened
        return stream

    def _close_files(self) -> None:
        for stream in self._files.values():
            stream.close()
            if isinstance(stream, gzip.GzipFile) and stream.fileobj is not None:
                stream.fileobj.close()
        self._files.clear()

    def _name(self, kind: str, *, part: bool = False, compressed: bool | None = None) -> str:
        compressed = self.compress if compressed is None else compressed
        return f"{kind}.jsonl" + (".gz" if compressed else "") + (".part" if part else "")


def write_snapshot(
    path: str | os.PathLike[str],
    *,
    models: Iterable[Mapping[str, Any] | bytes] = (),
    datasets: Iterable[Mapping[str, Any] | bytes] = (),
    spaces: Iterable[Mapping[str, Any] | bytes] = (),
    tasks: Any | None = None,
    tags_by_type: Any | None = None,
    payloads: Mapping[str, Any] | None = None,
    manifest: Mapping[str, Any] | None = None,
    compress: bool = False,
    overwrite: bool = True,
) -> Snapshot:
    """Write a whole snapshot folder at once and return it.

    ``tasks`` becomes ``tasks.json``, ``tags_by_type`` ``models-tags-by-type.json``, and each item
    of ``payloads`` ``<name>.json``. ``manifest`` adds to (or overrides) the manifest's fields,
    except ``format`` and ``counts``, which are computed.
    """
    writer = SnapshotWriter(
        path, endpoint=str((manifest or {}).get("endpoint", "")), compress=compress, overwrite=overwrite
    )
    try:
        writer.add_many("models", models)
        writer.add_many("datasets", datasets)
        writer.add_many("spaces", spaces)
        if tasks is not None:
            writer.write_json("tasks", tasks)
        if tags_by_type is not None:
            writer.write_json("models-tags-by-type", tags_by_type)
        for name, payload in (payloads or {}).items():
            writer.write_json(name, payload)
    except BaseException:
        writer._close_files()
        raise
    return writer.close(manifest)


def _check_kind(kind: str) -> None:
    if kind not in REPO_KINDS:
        raise SnapshotError(f"no record kind {kind!r} in a snapshot: use one of {', '.join(REPO_KINDS)}")


def _readable_prefix(file: Path) -> bytes:
    """Return what can be decompressed of a gzip file that its writer may not have finished."""
    out: list[bytes] = []
    data = file.read_bytes()
    while data:
        stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(stream.decompress(data))
        except zlib.error:
            break
        # A finished member may be followed by another one (an earlier resume).
        data = stream.unused_data if stream.eof else b""
    return b"".join(out)


def _open_lines(file: Path) -> IO[bytes]:
    if file.name.endswith(".gz"):
        return io.BufferedReader(gzip.open(file, "rb"), buffer_size=1 << 20)
    return open(file, "rb", buffering=1 << 20)
