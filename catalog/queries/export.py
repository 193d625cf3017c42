"""What an export reads: whole tables in batches, and the nodes and edges of the (filtered) graph.

The graph is the one :func:`catalog.graph.build.build_graph` builds, selected here in SQL so that
an export streams it instead of holding it: without a model filter, every live entity of the kinds
asked for, the ends of their edges, and those edges; with one, the models that pass it, every edge
touching one of them, the nodes so reached and the edges among those nodes. A filtered
selection is computed once, into temporary tables (:meth:`GraphSelection.held`), which every
node and edge statement then reads.

Rows come in lists (:func:`read_batches`), not one row type each: an export writes columns, and a
dataclass per row would cost more than the writing at a million models.
"""

from __future__ import annotations

import itertools
import urllib.parse
from collections.abc import Collection, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Float,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    type_coerce,
    union,
)

from catalog.queries.edges import EDGE_COLUMNS, EDGES
from catalog.queries.nodes import ENTITY_ROWS, ModelNode
from catalog.records import KINDS, Kind
from catalog.schema import Base, CrawlRun, Model

__all__ = [
    "NODE_SOURCES",
    "NODE_TYPES",
    "ROWS_PER_BATCH",
    "GraphSelection",
    "arrow_batches",
    "column_type",
    "latest_run",
    "read_batches",
    "table_statement",
    "tables",
]

#: Rows a batch holds: a Parquet row group, a bounded slice of the table in memory (20,000 models
#: with their raw JSON are ~100 MB as Python objects).
ROWS_PER_BATCH = 20_000
#: How long an Arrow reader of a SQLite file waits for a lock (ms).
BUSY_MS = 30_000
_CURSORS = itertools.count()


def column_type(column: Any) -> str:
    """Return the portable type of a table column: int, float, bool, timestamp, json or string.

    Examples
    --------
    >>> column_type(Model.downloads), column_type(Model.created_at), column_type(Model.raw)
    ('int', 'timestamp', 'json')
    """
    kind = column.type
    for sql_type, name in ((JSON, "json"), (DateTime, "timestamp"), (Boolean, "bool"), (Integer, "int")):
        if isinstance(kind, sql_type):
            return name
    return "float" if isinstance(kind, Float) else "string"


def _node_source(kind: Kind) -> tuple[tuple[str, ...], Select[Any]]:
    """The attribute names of ``kind``'s nodes and the statement of its live rows, ``(id, *attributes)``."""
    if kind == "model":
        names = tuple(f.name for f in fields(ModelNode))[1:]
        return names, select(Model.id, *(getattr(Model, n) for n in names)).where(Model.deleted_at.is_(None))
    row, statement = ENTITY_ROWS[kind]
    return tuple(f.name for f in fields(row))[1:], statement


#: The attributes ``Catalog.graph`` puts on a node of each kind (beside ``kind``), and the
#: statement of its live rows: :mod:`catalog.queries.nodes`, the graph's own.
NODE_SOURCES: dict[Kind, tuple[tuple[str, ...], Select[Any]]] = {kind: _node_source(kind) for kind in KINDS}
#: Every node attribute of any kind, and its portable type (see :func:`column_type`).
NODE_TYPES: dict[str, str] = {
    name: column_type(column)
    for names, statement in NODE_SOURCES.values()
    for name, column in zip(names, list(statement.selected_columns)[1:])
}


def tables() -> list[Table]:
    """Return the store's tables, parents before children.

    Examples
    --------
    >>> [t.name for t in tables()][:3]
    ['apps', 'crawl_runs', 'datasets']
    """
    return list(Base.metadata.sorted_tables)


def table_statement(table: Table, selection: GraphSelection | None = None) -> Select[Any]:
    """Return the statement that reads ``table`` whole, JSON columns as their text.

    With a filtered ``selection`` (inside its :meth:`GraphSelection.held` block), ``models`` keeps
    the models it selects and a table with a ``model_id`` the rows of those models; other tables
    are read whole.
    """
    columns = [_as_stored(c) for c in table.columns]
    statement = select(*columns)
    if selection is None or selection.where is None:
        return statement
    if table is Model.__table__:
        return selection.in_filter_order(statement)
    if "model_id" in table.c:
        return statement.where(table.c.model_id.in_(selection.model_ids()))
    return statement


def _as_stored(column: Any) -> Any:
    kind = column_type(column)
    if kind == "json":
        return cast(column, Text).label(column.name)
    if kind == "timestamp":
        # The driver's value, not SQLAlchemy's parse of it: a string on SQLite, a datetime on PostgreSQL.
        return type_coerce(column, Text).label(column.name)
    return column


def _compiled(conn: Connection, statement: Select[Any]) -> tuple[str, Any]:
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    values: Any = compiled.params
    if compiled.positiontup is not None:  # SQLite's qmark style
        values = [values[name] for name in compiled.positiontup]
    return str(compiled), values


#: The first row :func:`arrow_batches` reads, whose values type each column: a text no stored
#: string holds (the crawl refuses NUL), a float, an integer.
_TYPED = {"string": "char(0) || 'catalog-types'", "double": "0.5", "int64": "0"}


def arrow_batches(
    conn: Connection, statement: Select[Any], types: list[str], size: int | None = None
) -> Generator[Any, None, None] | None:
    """Return the rows of ``statement`` as Arrow record batches read in C, or ``None`` where that cannot be.

    A SQLite file is read by the ADBC SQLite driver (``adbc-driver-sqlite``) on a read-only
    connection of its own: a table of tens of millions of rows comes over several times faster
    than through Python's driver a tuple at a time. The driver types each column by its values
    in the first batch (one with no value there would be taken for an integer, and a later text
    would stop the read), so the statement is read after one row of ``types`` (each
    ``"string"``, ``"double"`` or ``"int64"``), dropped before the first batch is yielded.
    Anything else (PostgreSQL, an in-memory database, or no driver installed) answers ``None``:
    read it with :func:`read_batches`. The statement must not read ``conn``'s temporary tables,
    which the other connection cannot see.
    """
    database = conn.engine.url.database
    if conn.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:  # pragma: no cover - a dependency; kept optional for other installs
        return None
    sql, values = _compiled(conn, statement)
    typed = f"SELECT {', '.join(_TYPED[t] for t in types)} UNION ALL SELECT * FROM ({sql})"
    uri = f"file:{urllib.parse.quote(database)}?mode=ro"

    def batches() -> Generator[Any, None, None]:
        with adbc.connect(uri) as driver, driver.cursor() as cursor:
            # Files are read two at a time: wait out a lock the other reader holds for an instant.
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            cursor.fetchall()
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(size or ROWS_PER_BATCH)})
            cursor.execute(typed, values)
            first = True
            for batch in cursor.fetch_record_batch():
                yield batch.slice(1) if first else batch
                first = False

    return batches()


def read_batches(conn: Connection, statement: Select[Any], size: int | None = None) -> Iterator[list[Any]]:
    """Yield the rows of ``statement`` as plain tuples, in lists of at most ``size`` (:data:`ROWS_PER_BATCH`).

    The driver's own cursor hands them over (a server-side one on PostgreSQL, so the result is
    streamed), without SQLAlchemy's row objects: at a million models those cost as much as the
    reading. Values are the driver's, so the statement selects each column as it wants it back
    (see :func:`table_statement`).
    """
    size = size or ROWS_PER_BATCH
    sql, values = _compiled(conn, statement)
    driver = conn.connection.dbapi_connection
    assert driver is not None
    postgresql = conn.dialect.name == "postgresql"
    # A named cursor is psycopg's server-side one: it holds the result, the client a batch.
    cursor: Any = driver.cursor(name=f"export_{next(_CURSORS)}") if postgresql else driver.cursor()
    try:
        if postgresql:
            cursor.itersize = size
        cursor.execute(sql, values)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def latest_run(conn: Connection) -> dict[str, Any] | None:
    """Return the newest crawl run (id, status, mode, endpoint, started, finished), ``None`` without one."""
    columns = (
        CrawlRun.id,
        CrawlRun.status,
        CrawlRun.mode,
        CrawlRun.endpoint,
        CrawlRun.started_at,
        CrawlRun.finished_at,
    )
    row = conn.execute(select(*columns).order_by(CrawlRun.id.desc()).limit(1)).first()
    return None if row is None else dict(row._mapping)


@dataclass(frozen=True, slots=True)
class _Held:
    """The temporary tables a filtered selection is computed into once, on the export's connection.

    ``models``: the models that pass the filter, ranked in the order the filter reads them;
    ``touching``: the edges with one of them at either end; ``reached``: the nodes at those edges' ends.
    """

    models: Table
    touching: Table
    reached: Table

    @classmethod
    def define(cls) -> _Held:
        metadata = MetaData()

        def temporary(name: str, *columns: Column[Any]) -> Table:
            return Table(name, metadata, *columns, prefixes=["TEMPORARY"])

        return cls(
            temporary(
                "export_models",
                Column("rank", Integer, primary_key=True, autoincrement=False),
                Column("id", Text, nullable=False, unique=True),
            ),
            temporary("export_touching", *(Column(c.name, Text) for c in EDGE_COLUMNS)),
            temporary(
                "export_reached", Column("kind", Text, primary_key=True), Column("id", Text, primary_key=True)
            ),
        )

    def tables(self) -> tuple[Table, ...]:
        return self.models, self.touching, self.reached


@dataclass(frozen=True, slots=True)
class GraphSelection:
    """The statements that select the graph's nodes and edges for ``kinds`` and model conditions.

    ``where`` is ``None`` for the whole graph; else the conditions on ``Model`` of a model filter,
    whose selection :meth:`held` computes once into temporary tables that every statement then reads.
    """

    kinds: tuple[Kind, ...]
    where: tuple[ColumnElement[bool], ...] | None = None
    _held: _Held | None = None

    @classmethod
    def of(cls, kinds: Collection[Kind], where: list[ColumnElement[bool]] | None) -> GraphSelection:
        return cls(tuple(k for k in KINDS if k in kinds), None if where is None else tuple(where))

    @contextmanager
    def held(self, conn: Connection) -> Iterator[GraphSelection]:
        """Compute a filtered selection once on ``conn``; yield the selection that reads it.

        The models passing the filter, the edges touching them and the nodes those reach go into
        temporary tables of ``conn``, which every statement then reads: without them each node
        kind, and the edges, would evaluate the filter and scan the ``edges`` view again. Enter
        it before anything else runs in ``conn``'s transaction: on PostgreSQL the transaction is
        made read-write (a read-only one may not create even a temporary table), and it writes
        nothing else. The tables go on the way out, with the transaction (rolled back). A
        selection without a filter is yielded as it is.
        """
        if self.where is None:
            yield self
            return
        held = _Held.define()
        postgresql = conn.dialect.name == "postgresql"
        temp = "pg_temp" if postgresql else "temp"
        try:
            if postgresql:
                conn.exec_driver_sql("SET TRANSACTION READ WRITE")
            for table in held.tables():
                # Only a temporary table of that name: one a failed export may have left on this connection.
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {temp}.{table.name}")
                table.create(conn)
            ranked = select(func.row_number().over(), Model.id).where(*self.where)
            conn.execute(insert(held.models).from_select(["rank", "id"], ranked))
            chosen = select(held.models.c.id)
            touching = union(
                *(
                    select(*EDGE_COLUMNS).where(
                        getattr(EDGES.c, f"{side}_kind") == "model",
                        getattr(EDGES.c, f"{side}_id").in_(chosen),
                        self._kinds_ok(),
                    )
                    for side in ("src", "dst")
                )
            )
            conn.execute(insert(held.touching).from_select([c.name for c in EDGE_COLUMNS], touching))
            ends = union(
                *(
                    select(held.touching.c[f"{side}_kind"], held.touching.c[f"{side}_id"])
                    for side in ("src", "dst")
                )
            )
            conn.execute(insert(held.reached).from_select(["kind", "id"], ends))
            yield replace(self, _held=held)
        finally:
            conn.rollback()  # PostgreSQL's tables go with it; SQLite made them outside it
            if not postgresql:
                for table in reversed(held.tables()):
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {temp}.{table.name}")
                conn.commit()

    def _kinds_ok(self) -> ColumnElement[bool]:
        if set(self.kinds) == set(KINDS):
            return true()
        return and_(EDGES.c.src_kind.in_(self.kinds), EDGES.c.dst_kind.in_(self.kinds))

    def _tables(self) -> _Held:
        if self._held is None:
            raise RuntimeError("a filtered GraphSelection is read inside its held(conn) block")
        return self._held

    def model_ids(self) -> Select[Any]:
        """The statement of the selected models' ids (every live model's without a filter)."""
        if self.where is None:
            return select(Model.id).where(Model.deleted_at.is_(None))
        return select(self._tables().models.c.id)

    def in_filter_order(self, statement: Select[Any]) -> Select[Any]:
        """Narrow ``statement`` (over ``models``) to the selected models, in the order the filter read them."""
        chosen = self._tables().models
        models = Model.__table__
        return statement.join_from(chosen, models, models.c.id == chosen.c.id).order_by(chosen.c.rank)

    def node_statements(self) -> Iterator[tuple[Kind, tuple[str, ...], Select[Any]]]:
        """Yield ``(kind, attribute names, statement)``: each statement's rows are ``(id, *attributes)``.

        A node reached by an edge whose row its table does not hold (a base model never crawled,
        a deleted dataset) comes with no attributes, as in ``Catalog.graph``.
        """
        for kind in self.kinds:
            names, live = NODE_SOURCES[kind]
            if self.where is None:
                yield kind, names, live
                yield kind, (), self._dangling(kind)
                continue
            held = self._tables()
            reached = held.reached
            if kind == "model":
                yield kind, names, self.in_filter_order(live)
                yield (
                    kind,
                    (),
                    select(reached.c.id).where(
                        reached.c.kind == "model", reached.c.id.not_in(self.model_ids())
                    ),
                )
                continue
            rows = live.subquery()
            id, *columns = rows.c
            joined = reached.outerjoin(rows, id == reached.c.id)
            yield (
                kind,
                names,
                select(reached.c.id, *columns).select_from(joined).where(reached.c.kind == kind),
            )

    def _dangling(self, kind: Kind) -> Select[Any]:
        # Only a destination can dangle: the view takes every source from a live row of its table.
        rows = NODE_SOURCES[kind][1].subquery()
        held = exists().where(rows.c.id == EDGES.c.dst_id)
        return (
            select(EDGES.c.dst_id)
            .where(EDGES.c.dst_kind == kind, self._kinds_ok(), ~held)
            .group_by(EDGES.c.dst_id)
        )

    def edge_statements(self) -> Iterator[Select[Any]]:
        """Yield the statements whose rows are the graph's edges, as the view's columns."""
        if self.where is None:
            yield select(*EDGE_COLUMNS).where(self._kinds_ok())
            return
        held = self._tables()
        yield select(*held.touching.c)
        reached = held.reached
        # Edges no model anchors (a provider's tasks, a Space's datasets) join two nodes reached.
        ends = [
            exists().where(reached.c.kind == EDGES.c[f"{side}_kind"], reached.c.id == EDGES.c[f"{side}_id"])
            for side in ("src", "dst")
        ]
        yield select(*EDGE_COLUMNS).where(
            EDGES.c.src_kind != "model", EDGES.c.dst_kind != "model", self._kinds_ok(), *ends
        )

    def any_model(self) -> Select[Any]:
        """A statement with a row when a model is selected (held, when filtered)."""
        return select(literal(1)).select_from(self.model_ids().subquery()).limit(1)


def count(conn: Connection, statement: Select[Any]) -> int:
    """Return the number of rows ``statement`` gives."""
    return int(conn.execute(select(func.count()).select_from(statement.subquery())).scalar_one())
