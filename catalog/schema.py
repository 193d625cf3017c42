"""The relational schema: every table of the store, as SQLAlchemy 2.x declarative models.

Column names mirror the Hub's JSON fields in snake_case so that SQL users can guess them.
``docs/schema.md`` documents each table and column; ``migrations/`` creates them. The ``edges``
view (the whole graph in SQL) is defined in the migrations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "SEARCH_TRIGGER",
    "WALK_INDEXES",
    "App",
    "Base",
    "CrawlRun",
    "Dataset",
    "DatasetTag",
    "FacePair",
    "FaceSummary",
    "FaceValue",
    "Library",
    "LibraryTask",
    "LineageFamily",
    "LineageInfluence",
    "Model",
    "ModelApp",
    "ModelDataset",
    "ModelHistory",
    "ModelLineage",
    "ModelProvider",
    "ModelTag",
    "Provider",
    "ProviderTask",
    "Reject",
    "Space",
    "SpaceDataset",
    "SpaceModel",
    "Task",
    "drop_search_trigger",
    "include_name",
    "include_object_on",
    "restore_search_trigger",
]

#: JSON everywhere, JSONB on PostgreSQL so that it can be indexed and queried with ``->>``.
#: Python ``None`` is stored as SQL NULL (not the JSON text ``null``) so ``IS NULL`` means "absent".
Json = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
Timestamp = DateTime(timezone=True)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: A link table's options: on SQLite a ``WITHOUT ROWID`` table, each row kept once, in its primary
#: key's b-tree, rather than twice (a rowid table and the key's index); revision 0006 makes them so.
LINK_TABLE: dict[str, Any] = {"sqlite_with_rowid": False}


def _model_fk() -> Any:
    return ForeignKey("models.id", ondelete="CASCADE")


# --- entities ---------------------------------------------------------------------------------


class Model(Base):
    """A model repository on the Hub."""

    __tablename__ = "models"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    author: Mapped[str | None] = mapped_column(String, index=True)
    pipeline_tag: Mapped[str | None] = mapped_column(String, index=True)
    library_name: Mapped[str | None] = mapped_column(String, index=True)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    last_modified: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    downloads: Mapped[int | None] = mapped_column(BigInteger, index=True)
    downloads_all_time: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(Integer, index=True)
    trending_score: Mapped[float | None] = mapped_column(Float, index=True)
    private: Mapped[bool | None] = mapped_column(Boolean)
    gated: Mapped[str | None] = mapped_column(String)
    disabled: Mapped[bool | None] = mapped_column(Boolean)
    sha: Mapped[str | None] = mapped_column(String)
    license: Mapped[str | None] = mapped_column(String, index=True)
    num_parameters: Mapped[int | None] = mapped_column(BigInteger, index=True)
    parameters: Mapped[dict[str, int] | None] = mapped_column(Json)
    parameters_source: Mapped[str | None] = mapped_column(String)
    gguf_architecture: Mapped[str | None] = mapped_column(String)
    gguf_context_length: Mapped[int | None] = mapped_column(BigInteger)
    config_model_type: Mapped[str | None] = mapped_column(String)
    config_architectures: Mapped[list[str] | None] = mapped_column(Json)
    card_data: Mapped[dict[str, Any] | None] = mapped_column(Json)
    raw: Mapped[dict[str, Any] | None] = mapped_column(Json)
    first_seen: Mapped[datetime | None] = mapped_column(Timestamp)
    last_seen: Mapped[datetime | None] = mapped_column(Timestamp)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Task(Base):
    """A Hub pipeline tag (task), or a subtask with its parent task."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str | None] = mapped_column(String)
    modality: Mapped[str | None] = mapped_column(String)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id"), index=True)


class Library(Base):
    """A library that loads and runs models (the Hub's ``library_name``)."""

    __tablename__ = "libraries"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str | None] = mapped_column(String)
    repo_url: Mapped[str | None] = mapped_column(String)
    docs_url: Mapped[str | None] = mapped_column(String)


class App(Base):
    """A local app (llama.cpp, Ollama, LM Studio, vLLM, ...) that runs models on one's own machine."""

    __tablename__ = "apps"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str | None] = mapped_column(String)
    docs_url: Mapped[str | None] = mapped_column(String)
    main_task: Mapped[str | None] = mapped_column(String)


class Space(Base):
    """A Space: an app on the Hub that demos models."""

    __tablename__ = "spaces"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    author: Mapped[str | None] = mapped_column(String, index=True)
    sdk: Mapped[str | None] = mapped_column(String)
    likes: Mapped[int | None] = mapped_column(Integer, index=True)
    trending_score: Mapped[float | None] = mapped_column(Float)
    runtime_stage: Mapped[str | None] = mapped_column(String)
    hardware: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_modified: Mapped[datetime | None] = mapped_column(Timestamp)
    raw: Mapped[dict[str, Any] | None] = mapped_column(Json)
    first_seen: Mapped[datetime | None] = mapped_column(Timestamp)
    last_seen: Mapped[datetime | None] = mapped_column(Timestamp)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Provider(Base):
    """An inference provider that serves models behind an API."""

    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str | None] = mapped_column(String)
    hub_org: Mapped[str | None] = mapped_column(String)


class Dataset(Base):
    """A dataset repository on the Hub."""

    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    author: Mapped[str | None] = mapped_column(String, index=True)
    downloads: Mapped[int | None] = mapped_column(BigInteger, index=True)
    likes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_modified: Mapped[datetime | None] = mapped_column(Timestamp)
    task_categories: Mapped[list[str] | None] = mapped_column(Json)
    raw: Mapped[dict[str, Any] | None] = mapped_column(Json)
    first_seen: Mapped[datetime | None] = mapped_column(Timestamp)
    last_seen: Mapped[datetime | None] = mapped_column(Timestamp)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)


# --- tags and relations -----------------------------------------------------------------------


class ModelTag(Base):
    """One tag of a model (``license:mit``, ``en``, ``region:us``, ``base_model:...``)."""

    __tablename__ = "model_tags"
    __table_args__ = LINK_TABLE

    model_id: Mapped[str] = mapped_column(_model_fk(), primary_key=True)
    tag: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class DatasetTag(Base):
    """One tag of a dataset (``task_categories:...``, ``language:...``, ``license:...``)."""

    __tablename__ = "dataset_tags"
    __table_args__ = LINK_TABLE

    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class ModelLineage(Base):
    """A model derived from a base model: finetune, adapter, quantized or merge (several bases)."""

    __tablename__ = "model_lineage"
    __table_args__ = LINK_TABLE

    model_id: Mapped[str] = mapped_column(_model_fk(), primary_key=True)
    base_model_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String, index=True)
    #: Where the row came from: ``tag`` (the Hub's ``base_model:`` tags) or ``card`` (``cardData``);
    #: the crawler always says, NULL is left for rows written by hand (the demo catalog, fixtures).
    source: Mapped[str | None] = mapped_column(String)


class ModelDataset(Base):
    """A model trained (or fine-tuned) on a dataset, from its ``dataset:`` tags."""

    __tablename__ = "model_datasets"
    __table_args__ = LINK_TABLE

    model_id: Mapped[str] = mapped_column(_model_fk(), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class ModelProvider(Base):
    """A model served by an inference provider (the Hub's ``inferenceProviderMapping``)."""

    __tablename__ = "model_providers"
    __table_args__ = LINK_TABLE

    model_id: Mapped[str] = mapped_column(_model_fk(), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)
    provider_model_id: Mapped[str | None] = mapped_column(String)
    status: Mapped[str | None] = mapped_column(String)
    task: Mapped[str | None] = mapped_column(String, index=True)


class ModelApp(Base):
    """A local app that can run a model, by the app's own rule."""

    __tablename__ = "model_apps"
    __table_args__ = LINK_TABLE

    model_id: Mapped[str] = mapped_column(_model_fk(), primary_key=True)
    app_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class SpaceModel(Base):
    """A Space that uses a model."""

    __tablename__ = "space_models"
    __table_args__ = LINK_TABLE

    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True)
    model_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class SpaceDataset(Base):
    """A Space that uses a dataset."""

    __tablename__ = "space_datasets"
    __table_args__ = LINK_TABLE

    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class ProviderTask(Base):
    """A task an inference provider serves, from the client's provider registry."""

    __tablename__ = "provider_tasks"
    __table_args__ = LINK_TABLE

    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class LibraryTask(Base):
    """A task a library supports."""

    __tablename__ = "library_tasks"
    __table_args__ = LINK_TABLE

    library_id: Mapped[str] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


# --- provenance and history -------------------------------------------------------------------


class CrawlRun(Base):
    """One run of the crawler: where it read from, how it went, and where to resume."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    endpoint: Mapped[str | None] = mapped_column(String)
    mode: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, index=True)
    counts: Mapped[dict[str, Any] | None] = mapped_column(Json)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(Json)
    error: Mapped[str | None] = mapped_column(Text)


class Reject(Base):
    """A record the crawler could not take, kept with its raw JSON and the reason."""

    __tablename__ = "rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String)
    record_id: Mapped[str | None] = mapped_column(String)
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class ModelHistory(Base):
    """A model's downloads, likes and trending score as one crawl run saw them."""

    __tablename__ = "model_history"
    __table_args__ = LINK_TABLE

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True)
    model_id: Mapped[str] = mapped_column(_model_fk(), primary_key=True, index=True)
    downloads: Mapped[int | None] = mapped_column(BigInteger)
    downloads_all_time: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(Integer)
    trending_score: Mapped[float | None] = mapped_column(Float)


Index("ix_models_pipeline_tag_downloads", Model.pipeline_tag, Model.downloads)
Index("ix_models_library_name_downloads", Model.library_name, Model.downloads)

#: PostgreSQL only (revision 0010): each sort's order among live models, with the id, so that a
#: search walks it reading ids from the index alone, testing the text on them, and fetches only
#: its page's rows (``catalog.queries.models``). A walk of ``ix_models_downloads`` fetched each
#: row it met to test it: 19,000 of them, 135-178 ms at 1M for a text of 4,000 matches; this, 10-15.
#: SQLite's walk reads rowids the FTS5 table gives, and needs none of them.
WALK_INDEXES = tuple(
    Index(
        f"ix_models_live_{column.key}_id",
        column.desc(),
        Model.id,
        postgresql_where=Model.deleted_at.is_(None),
    ).ddl_if(dialect="postgresql")
    for column in (Model.downloads, Model.likes, Model.trending_score, Model.created_at, Model.num_parameters)
)


#: Search indexes that revisions 0005 and 0008 make beside the metadata, which has no way to spell
#: them: the FTS5 table ``models_fts`` with its shadow tables (SQLite), the trigram index
#: ``models_id_trgm`` (PostgreSQL), which 0008 replaces by ``models_id_joined_trgm``. See
#: ``catalog/queries/fulltext.py``.
SEARCH_INDEXES = frozenset(
    {
        "models_fts",
        "models_fts_config",
        "models_fts_data",
        "models_fts_docsize",
        "models_fts_idx",
        "models_id_trgm",
        "models_id_joined_trgm",
    }
)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Tell Alembic's autogenerate to compare every object but the search indexes.

    Examples
    --------
    >>> include_name("models", "table", {}), include_name("models_fts_idx", "table", {})
    (True, False)
    """
    return name not in SEARCH_INDEXES


def include_object_on(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Return Alembic's ``include_object`` for ``dialect``: on SQLite, :data:`WALK_INDEXES` are not compared.

    Examples
    --------
    >>> include_object_on("sqlite")(None, "ix_models_live_likes_id", "index", False, None)
    False
    >>> include_object_on("postgresql")(None, "ix_models_live_likes_id", "index", False, None)
    True
    """
    made = dialect == "postgresql"
    walks = frozenset(str(index.name) for index in WALK_INDEXES)
    return lambda object, name, type_, reflected, compare_to: made or name not in walks


#: The trigger that indexes each new model's id (revision 0005); a first crawl drops it while it
#: loads the empty table, and :func:`restore_search_trigger` indexes every id at once after.
SEARCH_TRIGGER = "models_fts_insert"


def drop_search_trigger(conn: Any) -> bool:
    """Drop the trigger that indexes new model ids (SQLite); return whether there was one."""
    if conn.dialect.name != "sqlite":
        return False
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (SEARCH_TRIGGER,)
    ).first()
    if found is not None:
        conn.exec_driver_sql(f"DROP TRIGGER {SEARCH_TRIGGER}")
    return found is not None


def restore_search_trigger(conn: Any) -> None:
    """Create the trigger again and index every model id afresh (SQLite: the FTS5 table, in rowid order).

    Examples
    --------
    >>> from catalog.store import Store
    >>> store = Store.open("sqlite://")
    >>> with store.engine.begin() as conn:
    ...     drop_search_trigger(conn), drop_search_trigger(conn)
    ...     _ = conn.exec_driver_sql("INSERT INTO models (id) VALUES ('org/Llama-3.1-8B')")
    ...     restore_search_trigger(conn)
    ...     conn.exec_driver_sql("SELECT rowid FROM models_fts WHERE models_fts MATCH 'llama'").all()
    (True, False)
    [(1,)]
    """
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TRIGGER} AFTER INSERT ON models BEGIN "
        "INSERT INTO models_fts(rowid, id) VALUES (new.rowid, new.id); END"
    )
    # What 'rebuild' does, in rowid order: 'rebuild' reads the ids in the order of their primary
    # key's index, and FTS5 fills its index four times faster from rowids in order (100,000 made-up
    # ids: 0.46 s of CPU instead of 1.78 s).
    conn.exec_driver_sql("INSERT INTO models_fts(models_fts) VALUES ('delete-all')")
    conn.exec_driver_sql("INSERT INTO models_fts(rowid, id) SELECT rowid, id FROM models ORDER BY rowid")


# --- the faces summary (revision 0007) ----------------------------------------------------------


class FaceValue(Base):
    """A face value (a task, library, app, provider or parameter bucket): its live models and their downloads."""

    __tablename__ = "face_values"
    __table_args__ = LINK_TABLE

    face: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String, primary_key=True)
    models: Mapped[int] = mapped_column(BigInteger)
    downloads: Mapped[int] = mapped_column(BigInteger)


class FacePair(Base):
    """Two face values touched by the same live models: how many, and their downloads."""

    __tablename__ = "face_pairs"
    __table_args__ = LINK_TABLE

    face_a: Mapped[str] = mapped_column(String, primary_key=True)
    value_a: Mapped[str] = mapped_column(String, primary_key=True)
    face_b: Mapped[str] = mapped_column(String, primary_key=True)
    value_b: Mapped[str] = mapped_column(String, primary_key=True)
    models: Mapped[int] = mapped_column(BigInteger)
    downloads: Mapped[int] = mapped_column(BigInteger)


Index("ix_face_pairs_face_b_value_b", FacePair.face_b, FacePair.value_b)
#: A model's id, whether it is live, and every column the faces summary counts, so that counting (and
#: any lookup of live models by id) reads this index, not the rows: on SQLite ``deleted_at`` sits past
#: ``raw``, and a row read for it is read whole.
Index(
    "ix_models_faces",
    Model.id,
    Model.deleted_at,
    Model.pipeline_tag,
    Model.library_name,
    Model.num_parameters,
    Model.downloads,
)


class FaceSummary(Base):
    """The crawl run ``face_values`` and ``face_pairs`` were last counted at, and over how many live models."""

    __tablename__ = "face_summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    models: Mapped[int] = mapped_column(BigInteger)


class LineageFamily(Base):
    """A lineage root (a base model with no base of its own) and how many models descend from it."""

    __tablename__ = "lineage_families"
    __table_args__ = LINK_TABLE

    root_id: Mapped[str] = mapped_column(String, primary_key=True)
    descendants: Mapped[int] = mapped_column(BigInteger)


class LineageInfluence(Base):
    """A base model's PageRank over the lineage, weighted by downloads, as the last crawl left it; ``rank`` 1 first."""

    __tablename__ = "lineage_influence"
    __table_args__ = LINK_TABLE

    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(String)
    pagerank: Mapped[float] = mapped_column(Float)
    downloads: Mapped[int] = mapped_column(BigInteger)
    derivatives: Mapped[int] = mapped_column(BigInteger)
