"""One export: check the filters, read the store on one connection, write under a temporary name."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal, Unpack, get_args

from sqlalchemy import Connection

from catalog.errors import ConfigError
from catalog.export.files import MANIFEST, atomic_file, atomic_folder, size_of
from catalog.export.gexf import write_gexf
from catalog.export.graph import Progress, counted, graph_edges, graph_nodes
from catalog.export.graphml import write_graphml
from catalog.export.neo4j_csv import write_neo4j_csv
from catalog.export.parquet import write_parquet
from catalog.export.triples import write_triples
from catalog.queries.export import GraphSelection, latest_run
from catalog.queries.models import ModelFacets, model_conditions
from catalog.records import KINDS, Kind
from catalog.store import Store

__all__ = ["FORMATS", "ExportSummary", "Format", "export_catalog"]

Format = Literal["parquet", "graphml", "gexf", "triples", "csv"]
FORMATS: tuple[Format, ...] = get_args(Format)
#: Formats that write a folder of files (with a manifest); the others write one file.
_FOLDERS = ("parquet", "csv")


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote: where, the rows of each file, their total, bytes on disk and seconds taken."""

    format: Format
    path: Path
    files: dict[str, int]
    rows: int
    bytes: int
    seconds: float


def export_catalog(
    store: Store,
    fmt: str,
    out: Path | str,
    *,
    kinds: Iterable[Kind] | None = None,
    progress: Progress | None = None,
    **facets: Unpack[ModelFacets],
) -> ExportSummary:
    """Export the catalog, or the part of its graph that passes the filters, to ``out`` as ``fmt``.

    ``kinds`` and the model facets (``task``, ``library``, ``author``, ``provider``,
    ``min_downloads``, ...) select what :meth:`catalog.Catalog.graph` would hold. ``parquet`` and
    ``csv`` write a folder, the others one file; either appears at ``out`` only once complete.
    ``progress`` is called with the rows written since its last call.

    Examples
    --------
    >>> import tempfile
    >>> from catalog.graph.demo import demo_store
    >>> out = Path(tempfile.mkdtemp()) / "groq.txt"
    >>> summary = export_catalog(demo_store(), "triples", out, provider="groq", kinds=["model", "provider"])
    >>> summary.files
    {'groq.txt': 3}
    >>> print(*sorted(out.read_text().splitlines()), sep="\\n")
    model:dave/llama-mistral-merge	merge_of	model:mistralai/mistral-7b
    model:mistralai/mistral-7b	served_by	provider:groq
    model:mistralai/mistral-7b	served_by	provider:together
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    wanted = list(KINDS if kinds is None else dict.fromkeys(kinds))
    if unknown := set(wanted) - set(KINDS):
        raise ConfigError(f"not a node kind: {', '.join(sorted(unknown))} (choose from {', '.join(KINDS)})")
    given = {k: v for k, v in facets.items() if v is not None}
    where = model_conditions(store, given) if given else None  # type: ignore[arg-type]
    selection = GraphSelection.of(wanted, where)
    filters: dict[str, Any] = {"kinds": wanted} if kinds is not None else {}
    filters |= given
    path = Path(out)
    started = time.perf_counter()
    with _read(store) as conn, selection.held(conn) as held:
        if where is not None and conn.execute(held.any_model()).first() is None:
            raise ConfigError(f"no model matches the filters ({_describe(filters)}): nothing to export")
        target: AbstractContextManager[Path] = atomic_folder(path) if fmt in _FOLDERS else atomic_file(path)
        with target as tmp:
            files = _write(fmt, conn, tmp, path.name, held, progress)
            counts = {name: n["rows"] if isinstance(n, dict) else n for name, n in files.items()}
            if filters and sum(counts.values()) == 0:
                raise ConfigError(f"the filters ({_describe(filters)}) select no node: nothing to export")
            if fmt in _FOLDERS:
                _write_manifest(store, conn, tmp, fmt, filters, files)
    seconds = time.perf_counter() - started
    return ExportSummary(fmt, path, counts, sum(counts.values()), size_of(path), seconds)


def _describe(filters: dict[str, Any]) -> str:
    return ", ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in filters.items())


@contextmanager
def _read(store: Store) -> Iterator[Connection]:
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":  # every table as of one moment, even while a crawl writes
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        yield conn


def _write(
    fmt: str,
    conn: Connection,
    tmp: Path,
    name: str,
    selection: GraphSelection,
    progress: Progress | None,
) -> dict[str, Any]:
    if fmt == "parquet":
        return write_parquet(conn, tmp, selection, progress)
    nodes, edges = [0], [0]

    def streams() -> tuple[Iterator[Any], Iterator[Any]]:
        return (
            counted(graph_nodes(conn, selection), progress, nodes),
            counted(graph_edges(conn, selection), progress, edges),
        )

    if fmt == "csv":
        return write_neo4j_csv(tmp, *streams())
    writers: dict[str, Callable[[Path, Iterator[Any], Iterator[Any]], None]] = {
        "graphml": write_graphml,
        "gexf": write_gexf,
    }
    if fmt == "triples":
        write_triples(tmp, streams()[1])
        return {name: edges[0]}
    writers[fmt](tmp, *streams())
    return {f"{name} nodes": nodes[0], f"{name} edges": edges[0]}


def _write_manifest(
    store: Store, conn: Connection, folder: Path, fmt: str, filters: dict[str, Any], files: dict[str, Any]
) -> None:
    run = latest_run(conn)
    manifest = {
        "format": fmt,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "catalog_version": _version(),
        "schema_revision": store.revision(),
        "crawl_run": run,
        "filters": filters,
        "files": {name: info if isinstance(info, dict) else {"rows": info} for name, info in files.items()},
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_value)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def _version() -> str | None:
    try:
        return version("hf-catalog")
    except PackageNotFoundError:
        return None
