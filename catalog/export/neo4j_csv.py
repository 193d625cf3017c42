"""CSV for a graph database's bulk importer: ``neo4j-admin database import full``'s header format.

One nodes file per kind (``nodes_model.csv``: ``:ID``, ``id``, ``:LABEL`` and the attributes, typed
``downloads:long``) and one ``relationships.csv`` (``:START_ID``, ``:END_ID``, ``:TYPE``,
``status``). ``:ID`` is the typed node id (``model:org/name``), unique across kinds, so every file
shares one id space; ``:LABEL`` is the kind capitalised (``Model``), ``:TYPE`` the ``rel``.

Values are quoted as CSV needs; a value may hold a line break (Hub strings do), so import with
``--multiline-fields=true``. Characters no XML or Java tool takes well (NUL, other control
characters, lone surrogates) are replaced as in the GraphML export.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from catalog.export.graph import NODE_TYPES, TYPE_NAMES, Edge, Node
from catalog.export.text import xml_text
from catalog.queries.export import NODE_SOURCES

__all__ = ["write_neo4j_csv"]

RELATIONSHIPS = "relationships.csv"


def _clean(value: Any) -> Any:
    return xml_text(value) if isinstance(value, str) else value


def write_neo4j_csv(
    folder: Path,
    nodes: Iterable[Node],
    edges: Iterable[Edge],
) -> dict[str, int]:
    """Write ``nodes_<kind>.csv`` per kind and ``relationships.csv`` into ``folder``; return rows per file."""
    rows: dict[str, int] = {}
    with ExitStack() as stack:
        writers: dict[str, Callable[[str, dict[str, Any]], None]] = {}
        for id, kind, attrs in nodes:
            if kind not in writers:
                writers[kind] = _nodes_file(stack, folder, kind)
                rows[f"nodes_{kind}.csv"] = 0
            writers[kind](id, attrs)
            rows[f"nodes_{kind}.csv"] += 1
    with (folder / RELATIONSHIPS).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([":START_ID", ":END_ID", ":TYPE", "status"])
        count = 0
        for src, rel, dst, status in edges:
            writer.writerow([_clean(src), _clean(dst), rel, status])
            count += 1
        rows[RELATIONSHIPS] = count
    return rows


def _nodes_file(stack: ExitStack, folder: Path, kind: str) -> Callable[[str, dict[str, Any]], None]:
    out: IO[str] = stack.enter_context((folder / f"nodes_{kind}.csv").open("w", encoding="utf-8", newline=""))
    writer = csv.writer(out)
    names = NODE_SOURCES[kind][0]  # type: ignore[index]
    writer.writerow([":ID", "id", ":LABEL", *(f"{n}:{TYPE_NAMES[NODE_TYPES[n]]}" for n in names)])
    label = kind.capitalize()

    def write(id: str, attrs: dict[str, Any]) -> None:
        writer.writerow(
            [_clean(id), _clean(id.partition(":")[2]), label, *(_clean(attrs.get(n)) for n in names)]
        )

    return write
