"""The closed vocabularies of the catalog, each written once: kinds, faces, relations, node ids, counts.

Every other module imports these names instead of spelling the sets again, so adding a face or a
relation is one edit here (plus its SQL). ``hub/`` may import this module, so it imports nothing of
the package but :mod:`catalog.errors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar, get_args

from catalog.errors import ConfigError, NodeIdError

__all__ = [
    "DIRECTIONS",
    "FACES",
    "GRAPH_RELS",
    "IDENTIFIED",
    "IN_LIST",
    "KINDS",
    "LINEAGE_RELATIONS",
    "LINEAGE_RELS",
    "MAX_COUNT",
    "NODE_KINDS",
    "PARAM_BUCKETS",
    "RELS",
    "SINGULAR",
    "SORTS",
    "Direction",
    "Face",
    "GraphRel",
    "Identified",
    "Kind",
    "LineageRelation",
    "NodeKind",
    "Rel",
    "Sort",
    "bucket_of",
    "chunks",
    "node_id",
    "parse_count",
    "split_node_id",
]

#: The kinds of node in the ``edges`` view: every entity table.
Kind = Literal["model", "task", "library", "app", "space", "provider", "dataset"]
#: Every kind of graph node: the entities, and the parameter buckets of the faces graph.
NodeKind = Literal[Kind, "params"]
#: The five faces of a model, in the one order every listing of them follows (the map's wedges).
Face = Literal["task", "library", "app", "provider", "params"]
#: Every kind of id the catalog can be asked about: node kinds, and the model columns searched on.
Identified = Literal[NodeKind, "author", "license", "language"]
#: The relations of the ``edges`` view.
Rel = Literal[
    "has_task",
    "uses_library",
    "finetune_of",
    "adapter_of",
    "quantized_from",
    "merge_of",
    "trained_on",
    "served_by",
    "runs_in",
    "uses_model",
    "uses_dataset",
    "supports_task",
]
#: Every ``rel`` a graph edge carries: the view's, ``co_occurs`` (two face values on the same
#: models, in the faces graph) and ``has_model`` (a face value to a "+N more" node on a map page).
GraphRel = Literal[Rel, "co_occurs", "has_model"]
LineageRelation = Literal["finetune", "adapter", "quantized", "merge"]
#: Which way a family tree is followed from a model: to its descendants, its bases, or both.
Direction = Literal["down", "up", "both"]
#: What a model search sorts by (descending).
Sort = Literal["downloads", "likes", "trending", "created", "parameters"]

KINDS: tuple[Kind, ...] = get_args(Kind)
NODE_KINDS: tuple[NodeKind, ...] = get_args(NodeKind)
FACES: tuple[Face, ...] = get_args(Face)
IDENTIFIED: tuple[Identified, ...] = get_args(Identified)
RELS: tuple[Rel, ...] = get_args(Rel)
GRAPH_RELS: tuple[GraphRel, ...] = get_args(GraphRel)
LINEAGE_RELATIONS: tuple[LineageRelation, ...] = get_args(LineageRelation)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
SORTS: tuple[Sort, ...] = get_args(Sort)

#: The ``rel`` of a lineage edge (child -> base) for each relation the Hub names.
LINEAGE_RELS: dict[LineageRelation, Rel] = {
    "finetune": "finetune_of",
    "adapter": "adapter_of",
    "quantized": "quantized_from",
    "merge": "merge_of",
}
#: The kind of one repo of each Hub listing (``/api/models`` lists models).
SINGULAR: dict[str, Kind] = {"models": "model", "datasets": "dataset", "spaces": "space"}


def node_id(kind: NodeKind, id: str) -> str:
    """Return the graph node id ``kind:id``.

    Examples
    --------
    >>> node_id("model", "google-bert/bert-base-uncased")
    'model:google-bert/bert-base-uncased'
    """
    return f"{kind}:{id}"


def split_node_id(node: str) -> tuple[NodeKind, str]:
    """Split a graph node id into its kind and entity id; :class:`NodeIdError` if it is not one.

    Examples
    --------
    >>> split_node_id("model:google-bert/bert-base-uncased")
    ('model', 'google-bert/bert-base-uncased')
    >>> split_node_id("modle:x")
    Traceback (most recent call last):
    ...
    catalog.errors.NodeIdError: not a node id: 'modle:x' (expected 'kind:id' with kind in model, ...)
    """
    kind, _, id = node.partition(":")
    for known in NODE_KINDS:
        if kind == known and id:
            return known, id
    raise NodeIdError(f"not a node id: {node!r} (expected 'kind:id' with kind in {', '.join(NODE_KINDS)})")


# --- id lists ------------------------------------------------------------------------------------

T = TypeVar("T")
#: Ids per ``IN (...)`` list: far below SQLite's 32766 variables and PostgreSQL's 65535.
IN_LIST = 5_000


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """Yield ``items`` in lists of at most ``size``, short enough for one ``IN (...)``.

    Examples
    --------
    >>> list(chunks(["a", "b", "c"], 2))
    [['a', 'b'], ['c']]
    """
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- parameter counts ------------------------------------------------------------------------------

_B = 1_000_000_000
#: ``(id, low, high)`` of each parameter bucket, ``low <= num_parameters < high``; ``None`` is
#: unbounded. The customary open-model sizes: the Hub's own filter takes free bounds.
PARAM_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("<1B", None, 1 * _B),
    ("1-3B", 1 * _B, 3 * _B),
    ("3-7B", 3 * _B, 7 * _B),
    ("7-13B", 7 * _B, 13 * _B),
    ("13-34B", 13 * _B, 34 * _B),
    ("34-70B", 34 * _B, 70 * _B),
    ("70-200B", 70 * _B, 200 * _B),
    (">200B", 200 * _B, None),
)
#: The largest count a database column holds (a signed 64-bit integer, SQLite's and PostgreSQL's).
MAX_COUNT = 2**63 - 1


def bucket_of(num_parameters: int | None) -> str | None:
    """Return the bucket of a parameter count, ``None`` when the count is unknown.

    Examples
    --------
    >>> bucket_of(6_738_000_000), bucket_of(7_000_000_000), bucket_of(None)
    ('3-7B', '7-13B', None)
    """
    if num_parameters is None:
        return None
    for id, low, high in PARAM_BUCKETS:
        if (low is None or num_parameters >= low) and (high is None or num_parameters < high):
            return id
    raise AssertionError("the buckets cover every count")


_COUNT = re.compile(r"^\s*(\d*\.?\d+)\s*([KMBT]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def parse_count(value: int | str) -> int:
    """Parse a parameter count: an integer, or a string such as ``"7B"``, ``"500M"``, ``"1.5B"``.

    A count past :data:`MAX_COUNT` (no column could hold it) is a :class:`ConfigError`, as is
    anything that is not a count.

    Examples
    --------
    >>> parse_count("1.5B"), parse_count("500m"), parse_count(42)
    (1500000000, 500000000, 42)
    >>> parse_count("99999999999999999999")
    Traceback (most recent call last):
    ...
    catalog.errors.ConfigError: parameter count 99999999999999999999 is out of range (at most 9223372036854775807)
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"not a parameter count: {value!r} (use e.g. 7B, 500M or 1500000)")
    if isinstance(value, int):
        count = value
    else:
        match = _COUNT.match(value)
        if not match:
            raise ConfigError(f"not a parameter count: {value!r} (use e.g. 7B, 500M or 1500000)")
        # Decimal, not float: 1.005 * 1000 is 1004.999... as a float, and int() would drop a parameter.
        try:
            count = int(Decimal(match.group(1)) * _SCALE[match.group(2).upper()])
        except InvalidOperation:  # more digits than Decimal's context holds
            count = MAX_COUNT + 1
    if not 0 <= count <= MAX_COUNT:
        raise ConfigError(f"parameter count {value} is out of range (at most {MAX_COUNT})")
    return count
