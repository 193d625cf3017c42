"""catalog export: every format read back by the tool it is for, against the store and Catalog.graph."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

import duckdb
import networkx as nx
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sqlalchemy import event, select

from catalog.cli import main
from catalog.crawl import crawl_snapshot
from catalog.errors import ConfigError, NotFound, StoreError
from catalog.export import EXPORTERS, FORMATS, export_catalog, export_gexf, export_graphml, export_parquet
from catalog.export.gexf import write_gexf
from catalog.export.graphml import write_graphml
from catalog.export.text import xml_text
from catalog.export.xml import XmlWriter, xml_value
from catalog.graph.build import build_graph
from catalog.queries import export as export_queries
from catalog.queries.export import GraphSelection, tables
from catalog.queries.models import model_conditions
from catalog.schema import Model
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "snapshot"
# Filters as Catalog.graph takes them; each selects a different sub-graph of the demo catalog.
GRAPH_FILTERS: list[dict[str, Any]] = [
    {},
    {"kinds": ["model", "task", "provider"]},
    {"provider": "groq", "kinds": ["model", "task", "provider"]},
    {"task": "text-generation"},
    {"library": "transformers", "min_downloads": 500},
    {"author": "meta"},
]


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The bundled snapshot, replayed once into a SQLite catalog for this module."""
    with Store.open(f"sqlite:///{tmp_path_factory.mktemp('snapshot') / 'catalog.db'}") as store:
        crawl_snapshot(store, SNAPSHOT)
        yield store


@pytest.fixture
def demo(store: Store) -> Store:
    """The demo catalog on each backend."""
    return load_tiny_catalog(store)


# --- Parquet ----------------------------------------------------------------------------------


def _duck(sql: str) -> list[tuple[Any, ...]]:
    """The rows DuckDB answers ``sql`` with (it reads Parquet files named in FROM)."""
    return duckdb.sql(sql).fetchall()


def _plain(value: Any, kind: str) -> Any:
    """A stored or exported value, made comparable: datetimes aware in UTC, JSON parsed."""
    if value is None:
        return None
    if kind == "timestamp":
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    return value


def _store_rows(store: Store, table: Any) -> list[tuple[Any, ...]]:
    kinds = [export_queries.column_type(c) for c in table.columns]
    with store.engine.connect() as conn:
        rows = conn.execute(select(table)).all()
    return sorted((tuple(_plain(v, k) for v, k in zip(row, kinds)) for row in rows), key=repr)


def _parquet_rows(path: Path, table: Any) -> list[tuple[Any, ...]]:
    kinds = [export_queries.column_type(c) for c in table.columns]
    rows = pq.read_table(path).to_pylist()
    return sorted((tuple(_plain(r[c.name], k) for c, k in zip(table.columns, kinds)) for r in rows), key=repr)


def _edges_view(store: Store) -> list[tuple[Any, ...]]:
    return sorted(
        store.query("SELECT src_kind, src_id, rel, dst_kind, dst_id, status FROM edges").rows, key=repr
    )


def _check_parquet(store: Store, out: Path) -> None:
    for table in tables():
        path = out / f"{table.name}.parquet"
        assert _parquet_rows(path, table) == _store_rows(store, table), table.name
        assert _duck(f"SELECT COUNT(*) FROM '{path}'") == [(store.count(table.name),)]
    edges = out / "edges.parquet"
    assert sorted(_duck(f"SELECT * FROM '{edges}'"), key=repr) == _edges_view(store)


def test_parquet_holds_every_table_and_the_edges_view_with_the_stores_values(
    demo: Store, tmp_path: Path
) -> None:
    summary = export_parquet(demo, tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", "edges.parquet", *(f"{t.name}.parquet" for t in tables())]
    )
    _check_parquet(demo, out)
    assert summary.files["models.parquet"] == 10 and summary.files["edges.parquet"] == 41
    assert summary.rows == sum(summary.files.values()) and summary.bytes > 0


def test_parquet_columns_are_typed_for_duckdb_and_pandas(demo: Store, tmp_path: Path) -> None:
    export_parquet(demo, tmp_path / "out")
    models = str(tmp_path / "out" / "models.parquet")
    types = dict(_duck(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{models}')"))
    assert {
        c: types[c] for c in ("id", "downloads", "likes", "trending_score", "private", "created_at", "raw")
    } == {
        "id": "VARCHAR",
        "downloads": "BIGINT",
        "likes": "BIGINT",
        "trending_score": "DOUBLE",
        "private": "BOOLEAN",
        "created_at": "TIMESTAMP WITH TIME ZONE",
        "raw": "VARCHAR",
    }
    frame = pd.read_parquet(models).set_index("id")
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert frame.loc["meta/llama-7b", "created_at"] == pd.Timestamp("2023-07-18", tz="UTC")
    assert json.loads(frame.loc["meta/llama-7b", "parameters"]) == {"BF16": 6738000000}
    # DuckDB reads JSON columns with its json functions.
    query = f"SELECT parameters->>'BF16' FROM '{models}' WHERE id = 'meta/llama-7b'"
    assert _duck(query) == [("6738000000",)]


def test_parquet_manifest_names_revision_run_counts_and_contents(demo: Store, tmp_path: Path) -> None:
    export_parquet(demo, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["format"] == "parquet"
    assert manifest["schema_revision"] == demo.revision()
    assert manifest["crawl_run"]["id"] == 2 and manifest["crawl_run"]["status"] == "done"
    assert manifest["filters"] == {}
    files = manifest["files"]
    assert set(files) == {"edges.parquet", *(f"{t.name}.parquet" for t in tables())}
    assert {name: info["rows"] for name, info in files.items()} == {
        **{f"{t.name}.parquet": demo.count(t.name) for t in tables()},
        "edges.parquet": 41,
    }
    assert files["models.parquet"]["holds"] == "the models table: A model repository on the Hub."
    assert files["models.parquet"]["columns"]["created_at"] == "timestamp"
    assert files["edges.parquet"]["holds"].startswith("the edges view")


def test_parquet_of_the_snapshot_equals_the_store(snapshot_store: Store, tmp_path: Path) -> None:
    export_parquet(snapshot_store, tmp_path / "out")
    _check_parquet(snapshot_store, tmp_path / "out")
    models = tmp_path / "out" / "models.parquet"
    assert _duck(f"SELECT COUNT(*) FROM '{models}'") == [(snapshot_store.count("models"),)]


def test_parquet_is_written_a_batch_per_row_group(
    snapshot_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Row groups of the batch size show the rows were streamed a batch at a time, not read whole.
    monkeypatch.setattr(export_queries, "ROWS_PER_BATCH", 1_000)
    export_parquet(snapshot_store, tmp_path / "out")
    models = pq.ParquetFile(tmp_path / "out" / "models.parquet")
    count = snapshot_store.count("models")
    assert count > 3000  # so that the last group is a partial one
    groups = [models.metadata.row_group(i).num_rows for i in range(models.num_row_groups)]
    assert groups == [1000, 1000, 1000, count - 3000]


def test_parquet_filters_narrow_models_and_their_rows(demo: Store, tmp_path: Path) -> None:
    export_parquet(demo, tmp_path / "out", provider="groq", kinds=["model", "task", "provider"])
    out = tmp_path / "out"
    assert _duck(f"SELECT id FROM '{out / 'models.parquet'}'") == [("mistralai/mistral-7b",)]
    providers = _duck(f"SELECT provider_id FROM '{out / 'model_providers.parquet'}' ORDER BY 1")
    assert providers == [("groq",), ("together",)]
    graph = build_graph(demo, provider="groq", kinds=["model", "task", "provider"])
    edges = _duck(
        f"SELECT src_kind || ':' || src_id, dst_kind || ':' || dst_id, rel FROM '{out / 'edges.parquet'}'"
    )
    assert sorted(edges) == sorted(graph.edges(keys=True))
    assert _duck(f"SELECT COUNT(*) FROM '{out / 'tasks.parquet'}'") == [(demo.count("tasks"),)]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["filters"] == {"kinds": ["model", "task", "provider"], "provider": "groq"}


def test_a_sqlite_table_is_read_as_arrow_batches_typed_by_its_columns_not_its_first_rows(
    tmp_path: Path,
) -> None:
    # The driver types a column by its values in the first batch: licenses all NULL there would be
    # taken for integers, and the text after them would stop the read. The typed first row prevents it.
    with Store.open(f"sqlite:///{tmp_path / 'catalog.db'}") as store:
        load_tiny_catalog(store)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE models SET license = NULL WHERE id <> 'old/gone-model'")
        with store.engine.connect() as conn:  # the driver reads what is committed, on a connection of its own
            statement = select(Model.id, Model.license, Model.downloads).order_by(Model.id)
            batches = export_queries.arrow_batches(conn, statement, ["string", "string", "int64"], size=2)
            assert batches is not None
            got = [row for batch in batches for row in zip(*(c.to_pylist() for c in batch.columns))]
            assert got == [tuple(row) for row in conn.execute(statement)]
        assert [license for _, license, _ in got] == [None] * 8 + ["mit", None]


def test_a_value_of_the_wrong_type_is_an_error_naming_its_column(tmp_path: Path) -> None:
    # SQLite keeps text in an integer column; the export says where instead of writing a bad file.
    with Store.open(f"sqlite:///{tmp_path / 'catalog.db'}") as store:
        load_tiny_catalog(store)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE models SET downloads = 'lots' WHERE id = 'meta/llama-7b'")
        with pytest.raises(StoreError, match=r"^cannot export models\.downloads as int: "):
            export_parquet(store, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"]


# --- GraphML and GEXF -------------------------------------------------------------------------


def _expected_graph(graph: nx.MultiDiGraph) -> tuple[dict[str, dict[str, Any]], Counter[tuple[Any, ...]]]:
    nodes = {n: {k: v for k, v in attrs.items() if v is not None} for n, attrs in graph.nodes(data=True)}
    edges = Counter((u, v, d["rel"], d.get("status")) for u, v, d in graph.edges(data=True))
    return nodes, edges


def _read_back(read: Any, path: Path) -> tuple[dict[str, dict[str, Any]], Counter[tuple[Any, ...]]]:
    graph = read(path)
    nodes = dict(graph.nodes(data=True))
    edges = Counter((u, v, d["rel"], d.get("status")) for u, v, d in graph.edges(data=True))
    return nodes, edges


def _gexf_nodes(nodes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    # A GEXF node's label is what Gephi shows: the entity's label, else its id without the kind.
    return {n: {**a, "label": a.get("label") or n.partition(":")[2]} for n, a in nodes.items()}


def _check_graph_files(store: Store, tmp_path: Path, filters: dict[str, Any]) -> None:
    nodes, edges = _expected_graph(build_graph(store, **filters))
    export_graphml(store, tmp_path / "g.graphml", **filters)
    assert _read_back(nx.read_graphml, tmp_path / "g.graphml") == (nodes, edges)
    export_gexf(store, tmp_path / "g.gexf", **filters)
    assert _read_back(nx.read_gexf, tmp_path / "g.gexf") == (_gexf_nodes(nodes), edges)


@pytest.mark.parametrize("filters", GRAPH_FILTERS, ids=lambda f: ",".join(f) or "whole")
def test_graphml_and_gexf_read_back_as_catalog_graph(
    demo: Store, tmp_path: Path, filters: dict[str, Any]
) -> None:
    _check_graph_files(demo, tmp_path, filters)


@pytest.mark.parametrize(
    "filters", [{}, {"task": "text-generation"}, {"kinds": ["space", "dataset", "model"]}]
)
def test_graph_files_of_the_snapshot_read_back_as_catalog_graph(
    snapshot_store: Store, tmp_path: Path, filters: dict[str, Any]
) -> None:
    _check_graph_files(snapshot_store, tmp_path, filters)


HOSTILE = "evil/<b>&amp;\"quote'\x00nul\x01\x1b[31m\x0b\x0c\ufffe]]>\ttab\nline\r"


def test_hostile_strings_leave_every_file_readable(demo: Store, tmp_path: Path) -> None:
    # The store cannot hold a lone surrogate (SQLite's UTF-8, PostgreSQL's text), nor NUL on
    # PostgreSQL; test_xml_writers_take_lone_surrogates covers those.
    nul = "\x00" if demo.dialect == "sqlite" else ""
    hostile = HOSTILE.replace("\x00", nul)
    with demo.engine.begin() as conn:
        from catalog.store import upsert

        model = {"id": hostile, "author": hostile, "pipeline_tag": "text-generation", "downloads": 5}
        upsert(conn, "models", [model])
        upsert(
            conn,
            "model_lineage",
            [{"model_id": hostile, "base_model_id": hostile + "-base", "relation": "merge"}],
        )
    nodes, edges = _expected_graph(build_graph(demo))
    export_graphml(demo, tmp_path / "g.graphml")
    export_gexf(demo, tmp_path / "g.gexf")
    graphml = _read_back(nx.read_graphml, tmp_path / "g.graphml")
    gexf = _read_back(nx.read_gexf, tmp_path / "g.gexf")
    safe_nodes = {
        xml_text(n): {k: xml_text(v) if isinstance(v, str) else v for k, v in a.items()}
        for n, a in nodes.items()
    }
    safe_edges = Counter({(xml_text(u), xml_text(v), r, s): n for (u, v, r, s), n in edges.items()})
    assert graphml == (safe_nodes, safe_edges)
    assert gexf == (_gexf_nodes(safe_nodes), safe_edges)
    assert graphml[0][xml_text(f"model:{hostile}")]["author"] == xml_text(hostile)
    # Markup and the characters XML can hold survive as they were; only the others are replaced.
    assert xml_text(hostile) == hostile.replace(nul, "\ufffd" if nul else "").translate(
        {0x01: "\ufffd", 0x1B: "\ufffd", 0x0B: "\ufffd", 0x0C: "\ufffd", 0xFFFE: "\ufffd"}
    )
    # Triples: still one edge a line, three fields a line, and every character kept.
    export_catalog(demo, "triples", tmp_path / "t.txt")
    lines = (tmp_path / "t.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert len(lines) == demo.count("edges") and all(line.count("\t") == 2 for line in lines)
    merge = [_unescape_line(line) for line in lines if "\tmerge_of\t" in line]
    assert (f"model:{hostile}", "merge_of", f"model:{hostile}-base") in merge


def test_the_xml_writer_writes_the_bytes_xml_generator_would(tmp_path: Path) -> None:
    # The writer is XMLGenerator's escaping and quoting without its per-call cost: same bytes.
    values = [HOSTILE, 'say "hi"', 'it\'s "quoted"', "a\rb\r", "", True, 7, 1.5, "plain"]
    out = io.BytesIO()
    writer = XmlWriter(out)
    writer.start_document()
    writer.start("graph", {"id": HOSTILE, "n": 3})
    for rank, value in enumerate(values):
        writer.empty("key", {"id": rank, "value": value})
        writer.text_element("data", {"key": value}, value)
    writer.end("graph")
    writer.end_document()
    expected = io.BytesIO()
    generator = XMLGenerator(expected, encoding="utf-8", short_empty_elements=True)
    generator.startDocument()
    generator.ignorableWhitespace("\n")
    generator.startElement("graph", AttributesImpl({"id": xml_value(HOSTILE), "n": "3"}))
    for rank, value in enumerate(values):
        generator.ignorableWhitespace("\n  ")
        generator.startElement("key", AttributesImpl({"id": str(rank), "value": xml_value(value)}))
        generator.endElement("key")
        generator.ignorableWhitespace("\n  ")
        generator.startElement("data", AttributesImpl({"key": xml_value(value)}))
        for piece_rank, piece in enumerate(xml_value(value).split("\r")):
            if piece_rank:
                generator.ignorableWhitespace("&#13;")
            generator.characters(piece)
        generator.endElement("data")
    generator.ignorableWhitespace("\n")
    generator.endElement("graph")
    generator.ignorableWhitespace("\n")
    generator.endDocument()
    assert out.getvalue() == expected.getvalue()


def test_xml_writers_take_lone_surrogates_and_nul(tmp_path: Path) -> None:
    nodes = [("model:a\ud800b", "model", {"author": "x\x00\udfffy", "downloads": 3}), ("task:t", "task", {})]
    edges = [("model:a\ud800b", "has_task", "task:t", None)]
    write_graphml(tmp_path / "g.graphml", nodes, edges)
    write_gexf(tmp_path / "g.gexf", [(n, k, dict(a)) for n, k, a in nodes], edges)
    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert dict(graph.nodes(data=True)) == {
        "model:a\ufffdb": {"kind": "model", "author": "x\ufffd\ufffdy", "downloads": 3},
        "task:t": {"kind": "task"},
    }
    assert list(graph.edges(data="rel")) == [("model:a\ufffdb", "task:t", "has_task")]
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    assert gexf.nodes["model:a\ufffdb"] == {
        "kind": "model",
        "author": "x\ufffd\ufffdy",
        "downloads": 3,
        "label": "a\ufffdb",
    }


# --- triples ----------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(\\|t|n|r|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _unescape(field: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}.get(code) or chr(int(code[1:], 16))

    return _ESCAPE.sub(one, field)


def _unescape_line(line: str) -> tuple[str, ...]:
    return tuple(_unescape(f) for f in line.split("\t"))


def test_triples_equal_the_edges_view_row_for_row(snapshot_store: Store, tmp_path: Path) -> None:
    summary = export_catalog(snapshot_store, "triples", tmp_path / "triples.txt")
    lines = (tmp_path / "triples.txt").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    view = snapshot_store.query("SELECT src_kind, src_id, rel, dst_kind, dst_id FROM edges").rows
    assert Counter(_unescape_line(line) for line in lines[:-1]) == Counter(
        (f"{sk}:{si}", rel, f"{dk}:{di}") for sk, si, rel, dk, di in view
    )
    assert summary.rows == len(view) == len(lines) - 1
    assert {line.split("\t")[1] for line in lines[:-1]} == {r for _, _, r, _, _ in view}


def test_triples_of_a_filter_are_the_edges_of_its_graph(demo: Store, tmp_path: Path) -> None:
    export_catalog(demo, "triples", tmp_path / "t.txt", task="text-generation", kinds=["model", "task"])
    lines = (tmp_path / "t.txt").read_text().splitlines()
    graph = build_graph(demo, task="text-generation", kinds=["model", "task"])
    assert sorted(tuple(line.split("\t")) for line in lines) == sorted(
        (u, r, v) for u, v, r in graph.edges(keys=True)
    )


# --- a filtered selection, computed once ------------------------------------------------------


def _my_temp_tables(conn: Any) -> list[str]:
    if conn.dialect.name == "postgresql":
        sql = "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'"
    else:
        sql = "SELECT name FROM sqlite_temp_master WHERE type = 'table'"
    return sorted(name for (name,) in conn.exec_driver_sql(sql))


def test_a_filtered_selection_is_computed_once_and_every_statement_reads_it(demo: Store) -> None:
    # Read-only, as `catalog export` opens it: on PostgreSQL the temporary tables need a
    # read-write transaction, which the selection asks for.
    with Store.open(demo.url, create=False) as store, store.engine.connect() as conn:
        kinds = ["model", "task", "provider", "app"]
        where = model_conditions(store, {"provider": "groq"})
        with GraphSelection.of(kinds, where).held(conn) as held:
            assert _my_temp_tables(conn) == ["export_models", "export_reached", "export_touching"]
            nodes = [(kind, statement) for kind, _, statement in held.node_statements()]
            statements = [statement for _, statement in nodes] + list(held.edge_statements())
            # The filter (a provider's mappings) is evaluated once, into export_models; the
            # statements the export streams read that, never the filter or the view's union again.
            for statement in statements:
                sql = str(statement.compile(dialect=conn.dialect))
                assert "model_providers" not in sql and "UNION" not in sql, sql
                assert "export_" in sql, sql
            models = conn.execute(held.model_ids()).scalars().all()
            read = {f"{kind}:{id}" for kind, statement in nodes for id, *_ in conn.execute(statement)}
        assert _my_temp_tables(conn) == []
    graph = build_graph(demo, provider="groq", kinds=kinds)
    assert models == ["mistralai/mistral-7b"]
    assert read == set(graph.nodes)


def test_a_filtered_graph_export_evaluates_its_filter_once(tmp_path: Path) -> None:
    # SQLite's trace hook sees every statement the export sends, the streamed ones included.
    sent: list[str] = []
    with Store.open(f"sqlite:///{tmp_path / 'catalog.db'}") as store:
        load_tiny_catalog(store)
        event.listen(store.engine, "connect", lambda dbapi, _: dbapi.set_trace_callback(sent.append))
        store.engine.dispose()
        for fmt in ("graphml", "gexf"):
            sent.clear()
            export_catalog(store, fmt, tmp_path / f"g.{fmt}", provider="groq")
            # The filter's own condition (checking that the provider exists is another statement).
            filtering = [sql for sql in sent if "model_providers.model_id = models.id" in sql]
            assert len(filtering) == 1 and filtering[0].startswith("INSERT INTO export_models"), filtering
            assert (
                _read_back(getattr(nx, f"read_{fmt}"), tmp_path / f"g.{fmt}")[1]
                == _expected_graph(build_graph(store, provider="groq"))[1]
            )


# --- Neo4j CSV --------------------------------------------------------------------------------


def test_neo4j_csv_has_the_importers_headers_and_every_node_an_edge_names(
    demo: Store, tmp_path: Path
) -> None:
    summary = export_catalog(demo, "csv", tmp_path / "neo4j")
    out = tmp_path / "neo4j"
    graph = build_graph(demo)
    ids: dict[str, dict[str, str]] = {}
    for path in sorted(out.glob("nodes_*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert list(rows[0])[:3] == [":ID", "id", ":LABEL"], path.name
        ids |= {r[":ID"]: r for r in rows}
    assert set(ids) == set(graph.nodes)
    assert ids["model:meta/llama-7b"]["downloads:long"] == str(
        graph.nodes["model:meta/llama-7b"]["downloads"]
    )
    assert ids["model:meta/llama-7b"][":LABEL"] == "Model" and ids["provider:groq"]["label:string"] == "Groq"
    with (out / "relationships.csv").open(newline="", encoding="utf-8") as f:
        rels = list(csv.DictReader(f))
    assert list(rels[0]) == [":START_ID", ":END_ID", ":TYPE", "status"]
    assert Counter((r[":START_ID"], r[":END_ID"], r[":TYPE"]) for r in rels) == Counter(
        list(graph.edges(keys=True))
    )
    assert {r[":START_ID"] for r in rels} | {r[":END_ID"] for r in rels} <= set(ids)
    assert summary.files["relationships.csv"] == 41
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["relationships.csv"] == {"rows": 41}


# --- errors, and nothing half-written ---------------------------------------------------------


def test_unknown_format_kind_and_filters_are_one_line_errors(demo: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "exports"
    with pytest.raises(
        ConfigError,
        match=r"^unknown export format 'dot' \(choose from parquet, graphml, gexf, triples, csv\)$",
    ):
        export_catalog(demo, "dot", tmp_path / "x")
    with pytest.raises(ConfigError, match=r"^not a node kind: modle "):
        export_catalog(demo, "gexf", tmp_path / "x", kinds=["modle"])  # type: ignore[list-item]
    with pytest.raises(NotFound, match="did you mean 'text-generation'"):
        export_catalog(demo, "gexf", tmp_path / "x", task="text-generaton")
    with pytest.raises(
        ConfigError, match=r"^no model matches the filters \(min_downloads=1000000\): nothing to export$"
    ):
        export_catalog(demo, "parquet", tmp_path / "x", min_downloads=1_000_000)
    assert not tmp_path.exists()


def test_a_failed_export_leaves_nothing_under_the_final_name(demo: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    (tmp_path / "g.gexf").write_text("the previous export")
    # A task's models, but no model kind: the filters select no node once written.
    with pytest.raises(ConfigError, match=r"select no node"):
        export_catalog(demo, "gexf", tmp_path / "g.gexf", task="text-generation", kinds=["task"])
    with pytest.raises(ConfigError, match=r"select no node"):
        export_catalog(demo, "csv", tmp_path / "csv", task="text-generation", kinds=["task"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gexf"]
    assert (tmp_path / "g.gexf").read_text() == "the previous export"


def test_an_export_replaces_an_earlier_one_but_no_other_folder(demo: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "exports"
    export_parquet(demo, tmp_path / "out", author="meta")
    export_parquet(demo, tmp_path / "out")
    assert _duck(f"SELECT COUNT(*) FROM '{tmp_path / 'out' / 'models.parquet'}'") == [(10,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(ConfigError, match=r"holds files that are not an export"):
        export_parquet(demo, tmp_path / "mine")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_an_unwritable_path_is_a_one_line_error(demo: Store, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(
        ConfigError, match=r"^cannot write .*file/sub/g\.graphml: .*file is a file, not a folder$"
    ):
        export_graphml(demo, tmp_path / "file" / "sub" / "g.graphml")
    with pytest.raises(ConfigError, match=r"^cannot write .*: it is a file"):
        export_parquet(demo, tmp_path / "file")
    with pytest.raises(ConfigError, match=r"^cannot write .*: it is a folder"):
        export_graphml(demo, tmp_path)


# --- the command ------------------------------------------------------------------------------


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


def test_cli_exports_with_progress_and_a_summary(demo: Store, tmp_path: Path) -> None:
    result = _run(
        "--format", "gexf", "--out", str(tmp_path / "g.gexf"), "--db", demo.url, "--provider", "groq"
    )
    assert result.exit_code == 0, result.output
    graph = build_graph(demo, provider="groq")
    rows = graph.number_of_nodes() + graph.number_of_edges()
    assert re.fullmatch(
        rf"Exported {rows} rows \(2 files, 0\.0 MB\) to .*g\.gexf in \d+\.\d s\n", result.stdout
    )
    assert "rows" in result.stderr  # the progress bar
    assert set(nx.read_gexf(tmp_path / "g.gexf").nodes) == set(graph.nodes)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "dot"],
            "Error: unknown export format 'dot' (choose from parquet, graphml, gexf, triples, csv)",
        ),
        (
            ["--format", "csv", "--min-downloads", "99999999"],
            "Error: no model matches the filters (min_downloads=99999999): nothing to export",
        ),
        (
            ["--format", "csv", "--library", "transfomers"],
            "Error: no library 'transfomers' in the catalog; did you mean 'transformers'?",
        ),
    ],
)
def test_cli_errors_are_one_line(demo: Store, tmp_path: Path, args: list[str], message: str) -> None:
    result = _run(*args, "--out", str(tmp_path / "exports" / "x"), "--db", demo.url, "--quiet")
    assert (result.exit_code, result.stderr, result.stdout) == (1, message + "\n", "")
    assert not (tmp_path / "exports").exists()


def test_cli_unwritable_out_is_one_line(demo: Store, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = _run(
        "--format", "triples", "--out", str(tmp_path / "file" / "t.txt"), "--db", demo.url, "--quiet"
    )
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: cannot write .*t\.txt: .*file is a file, not a folder\n", result.stderr)


def test_every_format_has_a_function_for_the_benchmark(demo: Store, tmp_path: Path) -> None:
    assert tuple(EXPORTERS) == FORMATS
    for fmt, function in EXPORTERS.items():
        summary = function(demo, tmp_path / fmt)
        assert (summary.format, summary.path, summary.rows > 0, summary.bytes > 0) == (
            fmt,
            tmp_path / fmt,
            True,
            True,
        )
        assert summary.seconds >= 0


def test_the_benchmarks_doubled_catalog_is_the_graph_twice_linked_within_itself(tmp_path: Path) -> None:
    # bench_export.py's 2M store is a 1M crawl doubled in SQL; its docstring says how. Check it
    # on the demo catalog: the copy's graph is the original's with every entity id suffixed.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        bench_export = importlib.import_module("bench_export")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    with Store.open(f"sqlite:///{tmp_path / 'demo.db'}") as store:
        load_tiny_catalog(store)
        original = build_graph(store)
    summary = bench_export.double_store(tmp_path / "demo.db", tmp_path / "doubled.db")
    assert summary == {"models_before": 10, "models": 20}
    with Store.open(f"sqlite:///{tmp_path / 'doubled.db'}", create=False) as store:
        doubled = build_graph(store)
    suffix = bench_export.SUFFIX
    copied = {"model", "dataset", "space"}

    def copy(node: str) -> str:
        return f"{node}{suffix}" if node.partition(":")[0] in copied else node

    # Edges from a model or a Space are copied; a provider's or a library's tasks are not.
    edges = list(original.edges(keys=True))
    expected = Counter(edges) + Counter(
        (copy(u), copy(v), k) for u, v, k in edges if u.partition(":")[0] in {"model", "space"}
    )
    assert Counter(list(doubled.edges(keys=True))) == expected
    assert set(doubled.nodes) == set(original.nodes) | {copy(n) for n in original.nodes}
