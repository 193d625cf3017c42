"""Model ids searched by any part of them, through the trigram index of revision 0005.

``llama-3.1-8b`` finds ``meta-llama/Llama-3.1-8B``: a case-insensitive substring of the id. A
B-tree cannot answer that (a scan of 1M ids took 0.8 s), so each backend asks its trigram index:

- SQLite: the FTS5 table ``models_fts`` (``tokenize='trigram'``), as a phrase ``MATCH`` whose
  rowids are those of ``models``. Text that few ids contain (under :data:`FEW`) fetches those rows
  (``models.rowid IN (...)``) and sorts them; text that many contain (``llama``) walks the sort
  order's index instead and keeps the rows in the list (``+models.rowid IN (...)``: the ``+`` keeps
  SQLite from fetching 80,000 rows to sort them), stopping at the page's end. At 1M made-up models
  either takes milliseconds where the other plan took up to a second. Text shorter than a trigram
  (one or two characters) falls back to ``LIKE``.
- PostgreSQL: ``lower(id) LIKE '%...%'``, which the ``pg_trgm`` GIN index ``models_id_trgm`` answers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, table

from catalog.queries.read import scalar
from catalog.schema import Model
from catalog.store import Store

__all__ = ["id_contains", "match_phrase"]

#: The FTS5 table of revision 0005, for SQLAlchemy Core (it is no table of :mod:`catalog.schema`).
MODELS_FTS = table("models_fts")
#: Ids containing the text past which a search walks the sort's index rather than fetching them.
FEW = 5_000


def match_phrase(text: str) -> str:
    """Return ``text`` as an FTS5 phrase: double-quoted, its own quotes doubled, nothing an operator.

    Examples
    --------
    >>> match_phrase('llama "3" OR x*')
    '"llama ""3"" OR x*"'
    """
    return '"' + text.replace('"', '""') + '"'


def id_contains(text: str, store: Store) -> ColumnElement[bool]:
    """Return the condition "the model's id contains ``text``, in any case", through ``store``'s index.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> with store.engine.connect() as conn:
    ...     statement = select(Model.id).where(id_contains("LLAMA-7B-c", store)).order_by(Model.id)
    ...     conn.execute(statement).scalars().all()
    ['alice/llama-7b-chat', 'bob/llama-7b-chat-gguf', 'carol/llama-7b-chat-lora']
    """
    # Trigrams need three characters (counted as SQLite does, in code points); shorter text scans.
    if store.dialect == "sqlite" and len(text) >= 3:
        hits: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(MODELS_FTS)
            .where(literal_column("models_fts").op("MATCH")(match_phrase(text)))
        )
        many = scalar(store, select(func.count()).select_from(hits.limit(FEW).subquery())) >= FEW
        return literal_column(f"{'+' if many else ''}{Model.__tablename__}.rowid").in_(hits)
    return func.lower(Model.id).contains(text.lower(), autoescape=True)
