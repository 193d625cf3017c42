"""Time every export format on a catalog of MADE-UP records, each next to a floor measured in the same run.

Each export runs in a child process of its own (:func:`measure.in_child`) and reports its wall
time, CPU time, peak RSS, its RSS sampled through the run (flat means bounded: batches, not the
catalog, in memory) and its output size, beside its floor, run in a child of its own just before it:

==========================  ===============================================================================
export                      floor
==========================  ===============================================================================
parquet (whole catalog)     every table and the ``edges`` view read by the bare driver (``sqlite3`` cursor /
                            psycopg server-side cursor) in batches of ``ROWS_PER_BATCH`` and written with
                            ``pyarrow`` (the same Arrow wire types, zstd): no SQLAlchemy rows, no casts of
                            timestamps or booleans, no manifest, no temporary folder
graphml, gexf, triples,     the export's own node and edge statements read by the bare driver, each row
csv (whole graph)           written as one tab-joined line with no markup or escaping
graphml, gexf (one          the same, for the selection of ``--provider``'s models (computed once into
provider's graph)           temporary tables, as the export does)
==========================  ===============================================================================

``vs_floor`` = floor time / export time (1.0: as fast as the floor). The machine is shared (2
cores, other work running): read ratios and CPU times, not rates.

The store. ``--store FILE`` names a SQLite catalog to export (e.g. the 1,000,000 models
``bench_graph.py`` crawls from :mod:`hubgen`'s snapshot). ``--double`` first copies it to
``--work`` and doubles it in SQL, so that a 2,000,000-model catalog exists without a 2M crawl
(which takes hours here): every row of ``models``, ``datasets`` and ``spaces`` is copied with
``SUFFIX`` appended to its id (``raw``'s ``$.id`` set to match; its other fields, and ``card_data``,
still name the originals), and every row of the tables keyed by them (tags, history, lineage,
datasets, providers, apps, a Space's models and datasets) is copied with each id it holds
suffixed alike, so that the copy is the original graph again, linked within itself (a copied
model's base is the copy of its base; ``provider_model_id`` suffixed too). Tasks, libraries, apps,
providers, crawl runs and rejects are not copied. The full-text index follows through its insert
trigger. ``--db URL`` runs on PostgreSQL instead: ``--models N`` made-up models are crawled into a
scratch schema by ``catalog.crawl`` through the replay server (as ``bench_graph.py`` does), dropped
afterwards. Usage::

    .venv/bin/python benchmarks/bench_export.py --store /tmp/bench/graph-1000000-0.db --double --work /tmp/x
    .venv/bin/python benchmarks/bench_export.py --db postgresql://postgres@127.0.0.1:5432/test --models 200000

Measured 2026-12-01, one run each, on 2 cores shared with four other engineers' work (load 7-9:
wall times are 3-5x CPU times; CPU is this process's alone, a PostgreSQL server's is not in it).
SQLite: 2,000,000 models, the 1,000,000-model crawl of hubgen's snapshot (seed 0) doubled as above
(11 GB file; 690 s to copy and double). PostgreSQL: 200,000 models crawled into a scratch schema
(1.3 GB; a 2M load did not fit in the time)::

    export                   backend      wall    CPU   peak RSS  RSS through the run   output    floor wall / CPU   vs floor
    parquet (whole)          SQLite 2M    723 s  185 s  569 MiB   452/452/454/446/452   1,196 MiB 469 s / 172 s      0.65
    graphml provider=together SQLite 2M   251 s   87 s  226 MiB   206/206/206/206/226      36 MiB 337 s / 92 s       1.35
    gexf provider=together   SQLite 2M    276 s   95 s  226 MiB   205/206/206/206/225      55 MiB 265 s / 89 s       0.96
    parquet (whole)          PG 200k       45 s  7.6 s  474 MiB   363/413/315/325/323      98 MiB  38 s / 7.0 s      0.84
    graphml (whole)          PG 200k      123 s   24 s  170 MiB   164/166/166/167/168     296 MiB  21 s / 2 s        0.17
    gexf (whole)             PG 200k      180 s   34 s  170 MiB   160/158/167/167/168     449 MiB  24 s / 2 s        0.13
    triples (whole)          PG 200k       30 s  5.5 s  167 MiB   162/166/163/166/167      89 MiB  25 s / 2 s        0.83
    csv (whole)              PG 200k       32 s  5.2 s  169 MiB   169/163/161/169/169     128 MiB  23 s / 2 s        0.72
    graphml provider=together PG 200k      12 s  0.4 s  152 MiB   141 ... 152             3.7 MiB  10 s / 0.4 s      0.84
    gexf provider=together   PG 200k       13 s  0.6 s  152 MiB   141 ... 152             5.7 MiB  10 s / 0.6 s      0.79

    after the XML writer stopped going through XMLGenerator (SQLite, 50,000 models, whole graph):
    graphml                  SQLite 50k   8.6 s  5.0 s  222 MiB   211/209/220/221/222      74 MiB 3.9 s / 2 s       0.45
    gexf                     SQLite 50k   8.5 s  6.3 s  222 MiB   217/209/217/222/222     111 MiB 4.5 s / 2 s       0.53
    triples                  SQLite 50k   3.1 s  2.4 s  221 MiB   218/218/221/219/220      22 MiB 3.6 s / 2 s       1.16
    csv                      SQLite 50k   4.3 s  3.2 s  222 MiB   208/209/218/219/221      31 MiB 3.7 s / 3 s       0.87

The Parquet export of 2M models (56.5M rows in 21 files) stays at ~450 MiB through the run (batches,
not the catalog, in memory). Reading every row through ``sqlite3`` into Python objects took 172 s
of CPU, more than the issue's 2 minutes, so a whole SQLite table is now read by the ADBC SQLite
driver as Arrow batches (``catalog.queries.export.arrow_batches``). Afterwards, on a real 2M crawl
of hubgen's snapshot (``bench_hub.py --models 2000000``, 10.6 GB, no doubling), with a CI run
sharing the 2 cores::

    parquet (whole)          SQLite 2M     63 s   69 s  521 MiB   439/420/314/315/322   1,338 MiB 115 s / 99 s       1.83

faster than the row-at-a-time floor, under 2 minutes and 1 GiB.

Again on that crawl, on a later machine whose floors ran about 1.8x slower and whose disk read
40 MB/s uncached (the run stopped in the triples, waiting on the disk at 8 % CPU)::

    parquet (whole)          SQLite 2M    123 s  105 s  516 MiB   (another run: 132 s, 101 s CPU)   1,339 MiB  301 s / 137 s  2.44
    graphml (whole)          SQLite 2M    366 s  278 s  220 MiB   216/216/218/219/219     3,000 MiB  204 s / 124 s  0.56
    gexf (whole)             SQLite 2M    352 s  298 s  220 MiB   216/216/218/220/220     4,543 MiB  147 s / 97 s   0.42

Then the whole catalog's Parquet files were written two at a time (from Arrow batches, each on
a core); at 1M models on that machine, 36-46 s -> 27 s wall, peak RSS 525 -> 670 MiB. With the
2M file read into the page cache first (``cat``, 3.6 min), alone on the machine::

    triples (whole)          SQLite 2M    103 s   99 s  217 MiB   215/215/217/217/217       924 MiB  182 s / 110 s  1.76
    csv (whole)              SQLite 2M    122 s  121 s  216 MiB   214/214/215/216/216     1,328 MiB   98 s / 94 s   0.80
    parquet (whole, 2 files at a time) SQLite 2M  55 s  75 s  744 MiB  699/625/512/488/494  1,339 MiB  125 s / 114 s  2.26

A provider's GraphML/GEXF, before the selection was held in temporary tables, evaluated the
filter and the view's union once per node kind: at 50,000 models (SQLite) 10.6 s of CPU each, now
1.0 s; at 1,000,000 it had taken 226 s, at 2M it now takes 87 s, nearly all of it the one
evaluation of the filter (a correlated ``EXISTS`` on ``model_providers``, which SQLite answers by
scanning every model). GraphML and GEXF cost 10-15x their floor's CPU at 200k
on PostgreSQL, measured while the XML writer still went through ``XMLGenerator``; writing its bytes
directly brought them to 2.5-3x (the rows under the PostgreSQL ones).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import hubgen
from bench_graph import crawled
from measure import in_child, table

__all__ = ["SUFFIX", "double_store", "main"]

#: What a copied row's ids end with (a Hub id may end so: ``org/name-x2``).
SUFFIX = "-x2"
#: The id columns of each doubled table: every one is suffixed in the copy.
_IDS: dict[str, tuple[str, ...]] = {
    "models": ("id",),
    "datasets": ("id",),
    "spaces": ("id",),
    "model_tags": ("model_id",),
    "model_history": ("model_id",),
    "model_lineage": ("model_id", "base_model_id"),
    "model_datasets": ("model_id", "dataset_id"),
    "model_providers": ("model_id", "provider_model_id"),
    "model_apps": ("model_id",),
    "dataset_tags": ("dataset_id",),
    "space_models": ("space_id", "model_id"),
    "space_datasets": ("space_id", "dataset_id"),
}
COLUMNS = [
    "export",
    "backend",
    "models",
    "wall_s",
    "cpu_s",
    "peak_rss_mib",
    "out_mib",
    "floor_s",
    "vs_floor",
    "note",
]


def double_store(source: Path, dest: Path) -> dict[str, Any]:
    """Copy the SQLite catalog ``source`` to ``dest`` and double it (see the module docstring)."""
    if dest.exists():
        return {"note": f"reused {dest.name}"}
    part = dest.with_name(dest.name + ".part")
    shutil.copyfile(source, part)
    con = sqlite3.connect(part, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")  # a bench copy: rebuilt, not recovered, after a crash
        con.execute("PRAGMA cache_size=-1000000")
        before = con.execute("SELECT COUNT(*) FROM models").fetchone()[0]
        con.execute("BEGIN")
        for name, ids in _IDS.items():
            columns = [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')]
            values = []
            for column in columns:
                if column in ids:
                    values.append(f"{column} || '{SUFFIX}'")
                elif column == "raw" and "id" in ids:
                    values.append(
                        f"CASE WHEN json_valid(raw) THEN json_set(raw, '$.id', id || '{SUFFIX}') ELSE raw END"
                    )
                else:
                    values.append(column)
            listed = ", ".join(columns)
            con.execute(f'INSERT INTO "{name}" ({listed}) SELECT {", ".join(values)} FROM "{name}"')
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode=WAL")
        after = con.execute("SELECT COUNT(*) FROM models").fetchone()[0]
    finally:
        con.close()
    os.replace(part, dest)
    return {"models_before": before, "models": after}


@contextmanager
def _rss_trace(every: float = 0.5) -> Iterator[list[float]]:
    """Sample this process's RSS (MiB) every ``every`` seconds while the block runs."""
    samples: list[float] = []
    done = threading.Event()
    page = os.sysconf("SC_PAGE_SIZE") / 2**20

    def sample() -> None:
        while not done.wait(every):
            with open("/proc/self/statm") as statm:
                samples.append(int(statm.read().split()[1]) * page)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        done.set()
        thread.join()


def _trace_note(samples: list[float]) -> str:
    if not samples:
        return ""
    picks = [
        samples[min(len(samples) - 1, round(q * (len(samples) - 1)))] for q in (0.1, 0.25, 0.5, 0.75, 1.0)
    ]
    return "RSS at 10/25/50/75/100 % of the run: " + " / ".join(f"{p:.0f}" for p in picks) + " MiB"


def _size(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def run_export(url: str, fmt: str, out: Path, filters: dict[str, Any]) -> dict[str, Any]:
    """Export ``url`` as ``fmt`` into ``out`` (a child process's work)."""
    from catalog.export import EXPORTERS
    from catalog.store import Store

    with Store.open(url, create=False) as store, _rss_trace() as samples:
        summary = EXPORTERS[fmt](store, out, **filters)  # type: ignore[index]
    return {"rows": summary.rows, "out_mib": _size(out), "trace": samples[::10], "note": _trace_note(samples)}


def floor_parquet(url: str, out: Path) -> dict[str, Any]:
    """The Parquet floor: every table and the ``edges`` view, bare driver to pyarrow (see the docstring)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from catalog.export.parquet import _wire
    from catalog.queries.export import ROWS_PER_BATCH, column_type, tables
    from catalog.store import Store

    out.mkdir(parents=True, exist_ok=True)
    store = Store.open(url, create=False)
    dialect = store.dialect
    sources = [(t.name, {c.name: column_type(c) for c in t.columns}) for t in tables()]
    sources.append(
        ("edges", dict.fromkeys(("src_kind", "src_id", "rel", "dst_kind", "dst_id", "status"), "string"))
    )
    rows = 0
    with store.engine.connect() as conn, _rss_trace() as samples:
        driver: Any = conn.connection.dbapi_connection
        for name, types in sources:
            wire = pa.struct([pa.field(n, _wire(k, dialect)) for n, k in types.items()])
            listed = ", ".join(
                f"CAST({n} AS TEXT)" if k == "json" and dialect == "postgresql" else n
                for n, k in types.items()
            )
            if dialect == "postgresql":
                cursor = driver.cursor(name=f"floor_{name}")
                cursor.itersize = ROWS_PER_BATCH
            else:
                cursor = driver.cursor()
            cursor.execute(f'SELECT {listed} FROM "{name}"')
            with pq.ParquetWriter(
                out / f"{name}.parquet", pa.schema(list(wire)), compression="zstd"
            ) as writer:
                while batch := cursor.fetchmany(ROWS_PER_BATCH):
                    writer.write_batch(pa.RecordBatch.from_struct_array(pa.array(batch, type=wire)))
                    rows += len(batch)
            cursor.close()
    store.close()
    return {"rows": rows, "out_mib": _size(out), "note": _trace_note(samples)}


def floor_graph(url: str, out: Path, filters: dict[str, Any]) -> dict[str, Any]:
    """The graph formats' floor: the export's node and edge statements, bare driver, one plain line a row."""
    from catalog.queries.export import GraphSelection, read_batches
    from catalog.queries.models import model_conditions
    from catalog.records import KINDS
    from catalog.store import Store

    store = Store.open(url, create=False)
    where = model_conditions(store, filters) if filters else None  # type: ignore[arg-type]
    rows = 0
    selection = GraphSelection.of(KINDS, where)
    with (
        store.engine.connect() as conn,
        _rss_trace() as samples,
        out.open("w", encoding="utf-8") as file,
        selection.held(conn) as held,
    ):
        statements = [s for _, _, s in held.node_statements()] + list(held.edge_statements())
        for statement in statements:
            for batch in read_batches(conn, statement):
                file.writelines("\t".join(map(str, row)) + "\n" for row in batch)
                rows += len(batch)
    store.close()
    return {"rows": rows, "out_mib": _size(out), "note": _trace_note(samples)}


def _plan(provider: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """Return what each row of the table runs: (label, format, filters, floor)."""
    whole = [("parquet", "parquet", {}, "parquet")]
    whole += [(fmt, fmt, {}, "graph") for fmt in ("graphml", "gexf", "triples", "csv")]
    one = {"provider": provider}
    return whole + [(f"{fmt} provider={provider}", fmt, one, "graph") for fmt in ("graphml", "gexf")]


def run(url: str, backend: str, models: int, work: Path, only: set[str], rows: list[dict[str, Any]]) -> None:
    """Run every export of the plan against ``url``, each after its floor; append a row per export."""
    for label, fmt, filters, floor_kind in _plan(hubgen.PROVIDERS[0]):
        if only and label not in only and not ("filtered" in only and filters):
            continue
        scratch = work / "out"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        if floor_kind == "parquet":
            floor = in_child(floor_parquet, url, scratch / "floor")
        else:
            floor = in_child(floor_graph, url, scratch / "floor.txt", filters)
        shutil.rmtree(scratch / "floor", ignore_errors=True)
        (scratch / "floor.txt").unlink(missing_ok=True)
        figures = in_child(run_export, url, fmt, scratch / fmt, filters)
        row = {"export": label, "backend": backend, "models": models, **figures, "floor": floor}
        if floor.get("wall_s") and figures.get("wall_s"):
            row |= {"floor_s": floor["wall_s"], "vs_floor": floor["wall_s"] / figures["wall_s"]}
            row["note"] = (
                f"{figures.get('rows', 0):,} rows, CPU {figures.get('cpu_s', 0):.0f} s vs floor "
                f"{floor.get('cpu_s', 0):.0f} s (floor RSS {floor.get('peak_rss_mib', 0):.0f} MiB); "
                f"{figures.get('note', '')}"
            )
        if figures.get("error") or floor.get("error"):
            row["note"] = f"ERROR {figures.get('error') or floor.get('error')}"
        rows.append(row)
        print(table([row], COLUMNS).splitlines()[-1], flush=True)
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the benchmark as the command line asks; print the table; return the rows."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--store", type=Path, help="a SQLite catalog file to export (read only unless --double)"
    )
    parser.add_argument("--double", action="store_true", help="copy --store into --work and double it first")
    parser.add_argument(
        "--db", metavar="URL", help="PostgreSQL: crawl --models into a scratch schema and export it"
    )
    parser.add_argument(
        "--models", type=int, default=200_000, help="made-up models for --db (default 200,000)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-export")
    parser.add_argument(
        "--exports",
        default="",
        help="comma-separated: parquet, graphml, gexf, triples, csv (the whole graph), filtered (a "
        "provider's graphml and gexf); default all",
    )
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    only = {f for f in args.exports.split(",") if f}
    rows: list[dict[str, Any]] = []
    print(table([], COLUMNS), flush=True)
    if args.db:
        with crawled(argparse.Namespace(models=args.models, seed=args.seed, work=args.work, db=args.db)) as (
            url,
            loaded,
        ):
            print(f"loaded {args.models:,} models into PostgreSQL: {loaded}", flush=True)
            run(url, "postgresql", args.models, args.work, only, rows)
    else:
        if args.store is None:
            parser.error("name a SQLite catalog with --store, or PostgreSQL with --db")
        path = args.store
        if args.double:
            path = args.work / f"{args.store.stem}-doubled.db"
            doubled = in_child(double_store, args.store, path, timeout=7200)
            print(f"doubled {args.store} into {path}: {doubled}", flush=True)
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            models = con.execute("SELECT COUNT(*) FROM models").fetchone()[0]
        run(f"sqlite:///{path}", "sqlite", models, args.work, only, rows)
    print(table(rows, COLUMNS))
    if args.json:
        Path(args.json).write_text(json.dumps({"made_up": True, "rows": rows}, indent=2, default=str))
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
