"""Model ids searched by any part of them, through the trigram index of revision 0005.

``llama-3.1-8b`` finds ``meta-llama/Llama-3.1-8B``: a case-insensitive substring of the id. A
B-tree cannot answer that (a scan of 1M ids took 0.8 s), so each backend asks its trigram index:

- SQLite: the FTS5 table ``models_fts`` (``tokenize='trigram'``), as a phrase ``MATCH`` on the
  rowids of ``models``; text shorter than a trigram (one or two characters) falls back to ``LIKE``.
- PostgreSQL: ``lower(id) LIKE '%...%'``, which the ``pg_trgm`` GIN index ``models_id_trgm`` answers.

:func:`id_contains` is one SQLAlchemy condition that compiles to the right one for each dialect.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, bindparam, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement as _Element

from catalog.schema import Model

__all__ = ["id_contains", "match_phrase"]


def match_phrase(text: str) -> str:
    """Return ``text`` as an FTS5 phrase: double-quoted, its own quotes doubled, nothing an operator.

    Examples
    --------
    >>> match_phrase('llama "3" OR x*')
    '"llama ""3"" OR x*"'
    """
    return '"' + text.replace('"', '""') + '"'


class _IdContains(_Element[bool]):
    """``models.id`` contains ``text``, ignoring case (compiled per dialect below)."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, text: str) -> None:
        self.text = text


def id_contains(text: str) -> ColumnElement[bool]:
    """Return the condition "the model's id contains ``text``, in any case", using the search index.

    Examples
    --------
    >>> from sqlalchemy import select
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> with store.engine.connect() as conn:
    ...     conn.execute(select(Model.id).where(id_contains("LLAMA-7B-c")).order_by(Model.id)).scalars().all()
    ['alice/llama-7b-chat', 'bob/llama-7b-chat-gguf', 'carol/llama-7b-chat-lora']
    """
    return _IdContains(text)


def _like(text: str) -> ColumnElement[bool]:
    return func.lower(Model.id).contains(text.lower(), autoescape=True)


@compiles(_IdContains)
def _compile_default(element: _IdContains, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(_like(element.text), **kw))


@compiles(_IdContains, "sqlite")
def _compile_sqlite(element: _IdContains, compiler: Any, **kw: Any) -> str:
    # Trigrams need three characters (counted as SQLite does, in code points); shorter text scans.
    if len(element.text) < 3:
        return str(compiler.process(_like(element.text), **kw))
    phrase = compiler.process(bindparam(None, match_phrase(element.text), unique=True), **kw)
    return f"{Model.__tablename__}.rowid IN (SELECT rowid FROM models_fts WHERE models_fts MATCH {phrase})"
