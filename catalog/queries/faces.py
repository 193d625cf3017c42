"""The five faces of a model (task, library, app, provider, parameter bucket): counts and co-occurrence.

A live model touches one task (``pipeline_tag``), one library (``library_name``), one parameter
bucket, and any number of providers and local apps. Two face values co-occur once per live model
touching both. The counts come from the faces summary the crawl keeps (``face_values``,
``face_pairs``: see :mod:`catalog.store.summary`) when it is current, else from ``GROUP BY`` queries
over the live models (``recount=True`` asks for those), which read the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Executable, Select, case, cast, func, select

from catalog.errors import ConfigError
from catalog.queries.read import read, scalar
from catalog.records import FACES, PARAM_BUCKETS, Face
from catalog.schema import (
    App,
    FacePair,
    FaceSummary,
    FaceValue,
    Library,
    Model,
    ModelApp,
    ModelProvider,
    Provider,
    Task,
)
from catalog.store import Store
from catalog.store.summary import faces_current

__all__ = [
    "CoverageRow",
    "FaceCount",
    "PairCount",
    "ReachRow",
    "bucket",
    "check_face",
    "cooccurrence_all",
    "cooccurrence_counts",
    "face_counts",
    "face_labels",
    "face_total",
    "live_models",
    "provider_coverage",
    "reach",
    "summary_current",
    "summary_run",
    "task_modalities",
    "total",
]

#: A face value: ``(face, value)``.
Value = tuple[Face, str]


@dataclass(frozen=True, slots=True)
class FaceCount:
    """A face value, the live models touching it, and their downloads."""

    value: str
    models: int
    downloads: int


@dataclass(frozen=True, slots=True)
class PairCount:
    """Two face values that co-occur, on how many live models, with how many downloads."""

    a: str
    b: str
    models: int
    downloads: int


@dataclass(frozen=True, slots=True)
class ReachRow:
    """A face value's label, the live models it reaches, their downloads, and its share of all live models."""

    id: str
    label: str
    models: int
    downloads: int
    share: float


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """Per task: live models, those a provider serves live, live or staging, the share, and providers."""

    task: str
    models: int
    served_live: int
    served_any: int
    share_live: float
    providers: int


def bucket(column: Any) -> ColumnElement[str | None]:
    """Return the parameter bucket of ``column`` as SQL (NULL when the count is).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.queries.read import scalar
    >>> from sqlalchemy import literal, select
    >>> scalar(demo_store(), select(bucket(literal(7_000_000_000))))
    '7-13B'
    """
    whens = [(column < high, id) for id, _, high in PARAM_BUCKETS if high is not None]
    return case(*whens, (column.is_not(None), PARAM_BUCKETS[-1][0]), else_=None)


def total(column: Any) -> ColumnElement[int]:
    """Return ``SUM(column)`` (0 over no rows) as a BIGINT: PostgreSQL sums BIGINTs into NUMERIC."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def summary_current(store: Store) -> bool:
    """Return whether the store's faces summary is there and current (see :mod:`catalog.store.summary`).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> summary_current(demo_store())  # loaded without a crawl
    False
    """
    with store.engine.connect() as conn:
        return faces_current(conn)


def summary_run(store: Store) -> int | None:
    """Return the crawl run the faces summary was counted at, if the summary is current (else ``None``).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> print(summary_run(demo_store()))
    None
    """
    if not summary_current(store):
        return None
    run = scalar(store, select(FaceSummary.run_id).where(FaceSummary.id == 1))
    return None if run is None else int(run)


def live_models(store: Store, *, recount: bool = False) -> int:
    """Return how many models are live (not deleted from the Hub): the summary's count while it is current.

    ``recount`` (here and in the other readers) counts over ``models`` even then.
    """
    if not recount and summary_current(store):
        return int(scalar(store, select(FaceSummary.models).where(FaceSummary.id == 1)))
    return int(scalar(store, select(func.count()).select_from(Model).where(Model.deleted_at.is_(None))))


# What each face's value is, over ``models``, and the table joined to bring it in (if any).
_VALUE: dict[Face, Any] = {
    "task": Model.pipeline_tag,
    "library": Model.library_name,
    "params": bucket(Model.num_parameters),
    "provider": ModelProvider.provider_id,
    "app": ModelApp.app_id,
}
_JOIN: dict[Face, Any] = {"provider": ModelProvider, "app": ModelApp}
# The entity table behind each face, and the column holding its display label.
_LABEL: dict[Face, tuple[Any, Any]] = {
    "task": (Task.id, Task.name),
    "library": (Library.id, Library.label),
    "provider": (Provider.id, Provider.label),
    "app": (App.id, App.label),
}


def check_face(face: str) -> Face:
    """Return ``face`` if it is one of :data:`~catalog.records.FACES`, else raise :class:`ConfigError`."""
    for known in FACES:
        if face == known:
            return known
    raise ConfigError(f"not a face: {face!r} (choose from {', '.join(FACES)})")


def _grouped(faces: tuple[Face, ...]) -> Select[Any]:
    """``SELECT value of each face, COUNT(*), SUM(downloads)`` over live models, grouped by the values."""
    values = [_VALUE[f].label(f"f{i}") for i, f in enumerate(faces)]
    statement = select(*values, func.count(), total(Model.downloads)).select_from(Model)
    for face in dict.fromkeys(faces):
        if face in _JOIN:
            statement = statement.join(_JOIN[face], _JOIN[face].model_id == Model.id)
    return statement.where(Model.deleted_at.is_(None)).group_by(*(_VALUE[f] for f in faces))


def face_counts(store: Store, face: Face, *, recount: bool = False) -> list[FaceCount]:
    """Return each value of ``face`` with its live models and their downloads, most models first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> face_counts(demo_store(), "provider")
    [FaceCount(value='together', models=3, downloads=2600), FaceCount(value='groq', models=1, downloads=900),
     FaceCount(value='hf-inference', models=1, downloads=2000)]
    """
    statement: Executable = _grouped((check_face(face),)).where(_VALUE[face].is_not(None))
    if not recount and summary_current(store):
        columns = (FaceValue.value, FaceValue.models, FaceValue.downloads)
        statement = select(*columns).where(FaceValue.face == face)
    return sorted(read(store, statement, FaceCount), key=lambda r: (-r.models, r.value))


def face_total(store: Store, face: Face, value: str, *, recount: bool = False) -> FaceCount:
    """Return one value of ``face`` with its live models and their downloads (0 and 0 if none touch it).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> face_total(demo_store(), "task", "text-generation"), face_total(demo_store(), "app", "nothing")
    (FaceCount(value='text-generation', models=7, downloads=3430), FaceCount(value='nothing', models=0, downloads=0))
    """
    statement: Executable = _grouped((check_face(face),)).where(_VALUE[face] == value)
    if not recount and summary_current(store):
        columns = (FaceValue.value, FaceValue.models, FaceValue.downloads)
        statement = select(*columns).where(FaceValue.face == face, FaceValue.value == value)
    found = list(read(store, statement, FaceCount))
    return found[0] if found else FaceCount(value, 0, 0)


def cooccurrence_counts(store: Store, a: Face, b: Face, *, recount: bool = False) -> list[PairCount]:
    """Return the pairs of ``a`` and ``b`` values that co-occur, most models first, then by value.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.a, r.b, r.models) for r in cooccurrence_counts(demo_store(), "provider", "params")]
    [('groq', '7-13B', 1), ('hf-inference', '<1B', 1), ('together', '3-7B', 1), ('together', '7-13B', 1),
     ('together', '70-200B', 1)]
    """
    if check_face(a) == check_face(b):
        raise ConfigError(f"co-occurrence needs two different faces, got {a!r} twice")
    statement: Executable = _grouped((a, b)).where(_VALUE[a].is_not(None), _VALUE[b].is_not(None))
    if not recount and summary_current(store):
        # The summary keeps each pair once, its faces in the order of FACES.
        first, second = (a, b) if FACES.index(a) < FACES.index(b) else (b, a)
        va, vb = (FacePair.value_a, FacePair.value_b) if first == a else (FacePair.value_b, FacePair.value_a)
        statement = select(va, vb, FacePair.models, FacePair.downloads).where(
            FacePair.face_a == first, FacePair.face_b == second
        )
    return sorted(read(store, statement, PairCount), key=lambda r: (-r.models, r.a, r.b))


# Four GROUP BYs give every count and pair at once: the single-valued faces of a model together,
# then each multi-valued face (one row per model and value) with them, then the two multi-valued
# faces together. Each query: its faces, the faces it counts, and whether it answers only the
# pairs with its first face (the others come from the first query).
_CUBES: tuple[tuple[tuple[Face, ...], tuple[Face, ...], bool], ...] = (
    (("task", "library", "params"), ("task", "library", "params"), False),
    (("provider", "task", "library", "params"), ("provider",), True),
    (("app", "task", "library", "params"), ("app",), True),
    (("provider", "app"), (), False),
)


def cooccurrence_all(
    store: Store, *, recount: bool = False
) -> tuple[dict[Value, tuple[int, int]], dict[tuple[Value, Value], tuple[int, int]]]:
    """Return ``(live models, downloads)`` of every face value, and of every co-occurring pair.

    Pairs are keyed ``((face a, value a), (face b, value b))`` with ``a`` before ``b`` in
    :data:`~catalog.records.FACES`. The numbers of :func:`face_counts` and
    :func:`cooccurrence_counts`: from the faces summary when it is current, else (or with
    ``recount``) from four queries over the live models instead of fifteen.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> counts, pairs = cooccurrence_all(demo_store())
    >>> counts[("app", "vllm")], pairs[(("task", "text-generation"), ("provider", "together"))]
    ((4, 3000), (3, 2600))
    """
    counts: dict[Value, tuple[int, int]] = {}
    pairs: dict[tuple[Value, Value], tuple[int, int]] = {}
    if not recount and summary_current(store):
        stored = select(FaceValue.face, FaceValue.value, FaceValue.models, FaceValue.downloads)
        for face, value, n, d in read(store, stored, lambda *row: row):
            counts[(check_face(face), value)] = (n, d)
        columns = (FacePair.face_a, FacePair.value_a, FacePair.face_b, FacePair.value_b)
        for fa, va, fb, vb, n, d in read(
            store, select(*columns, FacePair.models, FacePair.downloads), lambda *row: row
        ):
            pairs[((check_face(fa), va), (check_face(fb), vb))] = (n, d)
        return counts, pairs
    for faces, counted, first_only in _CUBES:
        for *values, n, d in read(store, _grouped(faces), lambda *row: row):
            present = [(f, v) for f, v in zip(faces, values) if v is not None]
            for value in present:
                if value[0] in counted:
                    _add(counts, value, n, d)
            for a, b in combinations(present, 2):
                if not first_only or a[0] == faces[0]:
                    _add(pairs, (a, b) if FACES.index(a[0]) < FACES.index(b[0]) else (b, a), n, d)
    return counts, pairs


def _add(table: dict[Any, tuple[int, int]], key: Any, n: int, d: int) -> None:
    before = table.get(key, (0, 0))
    table[key] = (before[0] + n, before[1] + d)


def face_labels(store: Store, face: Face) -> dict[str, str]:
    """Return the display label of each value of ``face`` that its entity table names, by id.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> face_labels(demo_store(), "app")
    {'llama.cpp': 'llama.cpp', 'ollama': 'Ollama', 'vllm': 'vLLM'}
    """
    if check_face(face) == "params":
        return {id: id for id, _, _ in PARAM_BUCKETS}
    id, label = _LABEL[face]
    return {i: text or i for i, text in read(store, select(id, label).order_by(id), lambda *row: row)}


def task_modalities(store: Store) -> dict[str, str | None]:
    """Return the modality of each task, by id."""
    return dict(read(store, select(Task.id, Task.modality), lambda *row: row))


def reach(store: Store, face: Face, *, recount: bool = False) -> list[ReachRow]:
    """Rank the values of a face by the live models they reach (see :func:`face_counts`).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.id, r.models, round(r.share, 3)) for r in reach(demo_store(), "app")]
    [('vllm', 4, 0.444), ('llama.cpp', 1, 0.111), ('ollama', 1, 0.111)]
    """
    everyone = live_models(store, recount=recount) or 1
    labels = face_labels(store, face)
    return [
        ReachRow(r.value, labels.get(r.value, r.value), r.models, r.downloads, r.models / everyone)
        for r in face_counts(store, face, recount=recount)
    ]


def provider_coverage(store: Store) -> list[CoverageRow]:
    """Return, per task, how many live models inference providers serve, most models first.

    ``served_live`` counts models at least one provider serves with status ``live``,
    ``served_any`` those served live or staging, ``providers`` the distinct providers serving live.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.task, r.models, r.served_live, r.served_any, r.providers) for r in provider_coverage(demo_store())]
    [('text-generation', 7, 3, 3, 2), ('image-classification', 1, 0, 0, 0), ('text-classification', 1, 1, 1, 1)]
    """
    live = ModelProvider.status == "live"
    served = (
        select(ModelProvider.model_id, total(case((live, 1), else_=0)).label("live"))
        .group_by(ModelProvider.model_id)
        .subquery()
    )
    task = Model.pipeline_tag
    tasks = (
        select(
            task,
            func.count(),
            total(case((served.c.live > 0, 1), else_=0)),
            total(case((served.c.model_id.is_not(None), 1), else_=0)),
        )
        .select_from(Model)
        .outerjoin(served, served.c.model_id == Model.id)
        .where(Model.deleted_at.is_(None), task.is_not(None))
        .group_by(task)
    )
    providers = dict(
        read(
            store,
            select(task, func.count(ModelProvider.provider_id.distinct()))
            .join(ModelProvider, (ModelProvider.model_id == Model.id) & live)
            .where(Model.deleted_at.is_(None), task.is_not(None))
            .group_by(task),
            lambda *row: row,
        )
    )
    rows = [
        CoverageRow(t, n, live_n, any_n, live_n / n, providers.get(t, 0))
        for t, n, live_n, any_n in read(store, tasks, lambda *row: row)
    ]
    return sorted(rows, key=lambda r: (-r.models, r.task))
