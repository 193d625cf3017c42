"""One kind of snapshot record (models, datasets or spaces), indexed for answering Hub listings.

Records stay on disk: the index keeps each record's byte offset, its id and its sort values, so
memory stays small whatever the snapshot's size, and a page of a listing is a few ``pread`` calls
over contiguous lines. Orders and filters are the listing module's (``catalog.hub.listing``).
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO, Any

from catalog.errors import SnapshotError
from catalog.hub import rawjson
from catalog.hub.snapshot import RepoKind, Snapshot

__all__ = ["SORT_FIELDS", "RecordCollection"]

#: Fields a listing can be sorted by (the Hub's wire names).
SORT_FIELDS = ("createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore")
_DATE_FIELDS = {"createdAt", "lastModified"}


class RecordCollection:
    """The records of one kind of a snapshot, with their offsets, ids and sort values."""

    def __init__(self, snapshot: Snapshot, kind: RepoKind) -> None:
        self.kind = kind
        self._file = _readable_copy(snapshot, kind)
        self._fd = self._file.fileno() if self._file is not None else -1
        self.offsets = array("q")
        self.lengths = array("l")
        self.ids: list[str | None] = []
        # The Hub's _id (else the id, else the position): the tiebreak of every listing order.
        self.oids: list[str] = []
        self.keys: set[str] = set()
        self._sort_values: dict[str, array[float]] = {f: array("d") for f in SORT_FIELDS}
        self._by_id: dict[str, int] = {}
        # Earlier copies of a record that appears twice (a resumed recording): never listed.
        self._hidden: set[int] = set()
        if self._file is not None:
            self._index()

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def count(self) -> int:
        """How many records a listing holds: the last copy of each id counts once."""
        return len(self.ids) - len(self._hidden)

    def close(self) -> None:
        """Close the file the records are read from."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def index_of(self, id: str) -> int | None:
        """Return the position of the record with ``id``, or None."""
        return self._by_id.get(id)

    def read(self, indices: Sequence[int]) -> list[bytes]:
        """Return the raw JSON of the records at ``indices``, in that order."""
        out: list[bytes] = []
        start = 0
        while start < len(indices):
            # Lines next to each other in the file are read with one call.
            end = start + 1
            while (
                end < len(indices)
                and indices[end] == indices[end - 1] + 1
                and self.offsets[indices[end]]
                == self.offsets[indices[end - 1]] + self.lengths[indices[end - 1]] + 1
            ):
                end += 1
            first, last = indices[start], indices[end - 1]
            size = self.offsets[last] + self.lengths[last] - self.offsets[first]
            block = os.pread(self._fd, size, self.offsets[first])
            if end - start > 1:
                out.extend(block.split(b"\n"))
            else:
                out.append(block)
            start = end
        return out

    def record(self, index: int) -> Any:
        """Return the parsed record at ``index``."""
        return rawjson.loads(self.read([index])[0])

    def sort_value(self, field: str, index: int) -> float:
        """Return the record's ``field`` as a number (dates as timestamps), NaN when it has none."""
        return self._sort_values[field][index]

    def listed(self) -> range | list[int]:
        """Return the positions of the records a listing holds (the last copy of each id)."""
        if not self._hidden:
            return range(len(self.ids))
        return [i for i in range(len(self.ids)) if i not in self._hidden]

    def scan(self) -> Iterator[tuple[int, Any]]:
        """Yield ``(position, parsed record)`` for every listed record, reading in blocks."""
        listed = self.listed()
        for start in range(0, len(listed), 2000):
            block = listed[start : start + 2000]
            for index, line in zip(block, self.read(block)):
                yield index, rawjson.loads(line)

    def _index(self) -> None:
        assert self._file is not None
        self._file.seek(0)
        offset = 0
        nan = float("nan")
        for raw in self._file:
            line = raw.strip()
            start = offset + (len(raw) - len(raw.lstrip()))
            offset += len(raw)
            if not line:
                continue
            try:
                record = rawjson.loads(line)  # a NaN or a lone surrogate is served, for the crawler to reject
            except ValueError as exc:
                raise SnapshotError(
                    f"{self.kind} record {len(self.ids) + 1} is not valid JSON ({exc})"
                ) from None
            index = len(self.ids)
            self.offsets.append(start)
            self.lengths.append(len(line))
            record = record if isinstance(record, dict) else {}
            id = record.get("id")
            id = id if isinstance(id, str) else None
            self.ids.append(id)
            oid = record.get("_id")
            self.oids.append(oid if isinstance(oid, str) else id if id is not None else f"~{index:012d}")
            if id is not None:
                # A later copy of the same repo is the newer one.
                previous = self._by_id.get(id)
                if previous is not None:
                    self._hidden.add(previous)
                self._by_id[id] = index
            self.keys.update(record)
            for field, values in self._sort_values.items():
                values.append(_sort_value(record.get(field), field in _DATE_FIELDS, nan))


def _sort_value(value: Any, is_date: bool, missing: float) -> float:
    if is_date:
        if not isinstance(value, str):
            return missing
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return missing
    if isinstance(value, bool) or not isinstance(value, int | float):
        return missing
    return float(value)


def _readable_copy(snapshot: Snapshot, kind: RepoKind) -> IO[bytes] | None:
    file = snapshot.records_file(kind)
    if file is None:
        return None
    if not file.name.endswith(".gz"):
        return open(file, "rb")
    # pread needs a plain file: gzipped records are unpacked once into an anonymous temp file.
    copy = tempfile.TemporaryFile()  # noqa: SIM115
    with gzip.open(file, "rb") as source:
        shutil.copyfileobj(source, copy, 1 << 20)
    copy.flush()
    return copy
