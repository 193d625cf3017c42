"""Model ids searched by any part of them, through the trigram index of revision 0005.

``llama-3.1-8b`` finds ``meta-llama/Llama-3.1-8B``: a case-insensitive substring of the id. A
B-tree cannot answer that (a scan of 1M ids took 0.8 s), so each backend asks its trigram index:

- SQLite: the FTS5 table ``models_fts`` (``tokenize='trigram'``), as a phrase ``MATCH`` whose
  rowids are those of ``models``. Text that few ids contain (under :data:`FEW`, found by
  :func:`rowids_containing`) is read as a list of rowids, once. Under :data:`DRIVE` of them, those
  rows are fetched and sorted (``models.rowid IN (...)``, the search *driven* by the text); from
  :data:`DRIVE` to one in :data:`MANY_PER` of the models, the search walks its sort's index and
  keeps the entries whose rowid is in the list, which the index holds, so that only the page's
  rows are fetched (at 1M models, 4,000 rows fetched and sorted took 200 ms on a cold cache; the
  walk, 10-40 ms; under 1,000 matches the walk is the slower, see :data:`DRIVE`). Text that more
  ids contain (``llama``) is a filter on the rows the walk meets instead (``models.id LIKE
  '%llama%'``, case-insensitive for ASCII as FTS5 is), stopping at the page's end: dense
  matches make a short walk, and no list of 200,000 rowids is built to be looked up 20 times.
  Text shorter than a trigram (one or two characters) falls back to ``LIKE``.
- PostgreSQL: ``strpos(lower(id), ...) > 0``, with a LIKE over the id whose separators are one
  letter (:func:`join_words`), which the ``pg_trgm`` GIN index ``models_id_joined_trgm`` of
  revision 0008 answers (or not: the planner weighs it against walking a sort's index).

Which path a search takes is decided in :mod:`catalog.queries.models` (``search_models``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select, table

from catalog.queries.read import scalar
from catalog.schema import Model
from catalog.store import Store

__all__ = [
    "DRIVE",
    "FEW",
    "JOINER",
    "MANY_PER",
    "SEPARATORS",
    "cover",
    "id_contains",
    "join_words",
    "match_phrase",
    "rowids_containing",
]

#: The FTS5 table of revision 0005, for SQLAlchemy Core (it is no table of :mod:`catalog.schema`).
MODELS_FTS = table("models_fts")
#: Rows a search's selector (a text, a facet) may select; past it, the search walks a sort's index.
FEW = 5_000
#: The text's matches a search fetches to sort them; from here it walks a sort's index among them.
#: A walk passes every index entry above the page's last match, ~0.3 us each: few matches, often
#: in the long tail (at 1M made-up models half have 3 downloads or fewer), made it pass up to half
#: the index. Measured 2026-12-01 at 1M, warm, a page of 50 by downloads, 141 texts: under 1,000
#: matches the walk took up to 250 ms and fetching 2-3 ms; from 2,000 to 5,000, the walk up to
#: 12 ms and fetching up to 25 ms; past 5,000, the walk up to 12 ms and fetching up to 108 ms.
#: (From a cold disk a fetch is 40-80 us a row: 2,000 of them, 80-160 ms.)
DRIVE = 2_000
#: Past one match in this many models, the walk tests ``LIKE`` on the rows it meets (``limit`` x
#: 40 of them, ~40 us each on a cold cache) rather than reading every match's rowid (~1 us each).
MANY_PER = 40


def match_phrase(text: str) -> str:
    """Return ``text`` as an FTS5 phrase: double-quoted, its own quotes doubled, nothing an operator.

    Examples
    --------
    >>> match_phrase('llama "3" OR x*')
    '"llama ""3"" OR x*"'
    """
    return '"' + text.replace('"', '""') + '"'


def cover(text: str) -> str:
    """Return an FTS5 query for the ids holding every trigram of a cover of ``text``: side by side, and the last.

    A superset of the ids holding ``text`` (the trigrams may stand apart), cheaper than its phrase,
    which reads every trigram's doclist, the commonest included: at 2M models, ids holding 8,000
    to 47,000 matches took 30-110 ms, not 65-540 ms (cold). ``LIKE`` then keeps the exact ones.

    Examples
    --------
    >>> cover("llama-3.1"), cover("qwen2"), cover('a"b')
    ('"lla" AND "ma-" AND "3.1"', '"qwe" AND "en2"', '"a""b"')
    """
    grams = [text[i : i + 3] for i in range(0, len(text) - 2, 3)]
    if len(text) % 3:
        grams.append(text[-3:])
    return " AND ".join(match_phrase(gram) for gram in grams)


def _hits(query: str) -> Select[Any]:
    return (
        select(literal_column("rowid"))
        .select_from(MODELS_FTS)
        .where(literal_column("models_fts").op("MATCH")(query))
    )


def rowids_containing(
    store: Store, text: str, up_to: int = FEW, after: int | None = None
) -> list[int] | None:
    """Return the rowids of the models whose id may contain ``text``: the first ``up_to`` past ``after``.

    ``None`` if no index can tell: only SQLite's FTS5 table does (from its doclists, touching no
    row of ``models``), for text of three characters or more. For ASCII text (which ``LIKE``
    tests in SQLite's case-folding, as FTS5's) the rowids are of the ids holding its
    :func:`cover`: a superset, to be narrowed by ``LIKE`` on the rows fetched; for other text,
    of those holding its phrase, exactly. Its cost is that of the trigrams' doclists, whatever
    the matches: read once, its answer both counts the matches and fetches them. They come in
    rowid order, as one text (``group_concat``): read as rows, 25,000 of them cost twice the
    index's own work.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> len(rowids_containing(store, "LLAMA")), rowids_containing(store, "llama", up_to=2)
    (6, [1, 2])
    >>> rowids_containing(store, "ll") is None
    True
    """
    if store.dialect != "sqlite" or len(text) < 3:
        return None
    query = cover(text) if text.isascii() else match_phrase(text)
    hits = _hits(query)
    if after is not None:
        hits = hits.where(literal_column("rowid") > after)
    listed = scalar(
        store, select(func.group_concat(literal_column("rowid"))).select_from(hits.limit(up_to).subquery())
    )
    return [int(rowid) for rowid in listed.split(",")] if listed else []


def id_contains(text: str, store: Store, drive: bool | None = None) -> ColumnElement[bool]:
    """Return the condition "the model's id contains ``text``, in any case", through ``store``'s index.

    On SQLite, ``drive`` says whether the text selects the rows to fetch (``True``: the rowids of
    its FTS5 matches) or filters rows found by another index (``False``: ``LIKE``, or the matches
    as a list for text beyond ASCII, whose case ``LIKE`` does not fold); ``None`` decides by
    :func:`rowids_containing` against :data:`FEW`. Every choice selects the same rows.

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
        if drive is None:
            drive = len(rowids_containing(store, text) or ()) < FEW
        if drive:
            return literal_column(f"{Model.__tablename__}.rowid").in_(_hits(match_phrase(text)))
        if text.isascii():
            # SQLite's LIKE folds ASCII letters only, as the trigram tokenizer does for this text.
            return Model.id.contains(text, autoescape=True)
        # The ``+`` keeps SQLite from fetching every match to sort them.
        return literal_column(f"+{Model.__tablename__}.rowid").in_(_hits(match_phrase(text)))
    if store.dialect == "sqlite" or len(text) < 3:
        return func.lower(Model.id).contains(text.lower(), autoescape=True)
    # pg_trgm cuts text into words at every character but letters and digits: ``qwen2.5`` is the
    # words ``qwen2`` and ``5``, which 46,000 ids of 1M match, each read from the heap to be
    # rechecked (0.8 s). The index of revision 0008 holds the id with its separators made one
    # letter (``qwen2z5``, one word): its matches are few; ``strpos`` keeps the answer exact.
    # Written as constants, not bound values, so that the planner sees the expression it indexes.
    joined = func.translate(
        func.lower(Model.id),
        literal_column(f"'{SEPARATORS}'"),
        literal_column(f"'{JOINER * len(SEPARATORS)}'"),
    )
    # The exact test is strpos, not a second LIKE: the planner would multiply two LIKEs' estimates,
    # take instruct's 100,000 ids for 4, and fetch them all rather than walk the sort's index.
    exact = func.strpos(func.lower(Model.id), text.lower()) > 0
    # strpos first: PostgreSQL tests a walk's rows in this order (the two cost it alike), and
    # translate is the dearer; at 1M, a walk past 16,000 rows for 50 took 66 ms, not 103.
    return and_(exact, joined.contains(join_words(text.lower()), autoescape=True))


#: The characters of a Hub id that pg_trgm takes for word breaks, and the letter that joins them.
SEPARATORS, JOINER = "-._/", "z"


def join_words(text: str) -> str:
    """Return ``text`` with every separator of :data:`SEPARATORS` made :data:`JOINER`, as revision 0008 indexes it.

    Examples
    --------
    >>> join_words("meta-llama/llama-3.1-8b")
    'metazllamazllamaz3z1z8b'
    """
    return text.translate(str.maketrans(SEPARATORS, JOINER * len(SEPARATORS)))
