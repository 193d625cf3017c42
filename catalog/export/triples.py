"""Triples: ``subject<TAB>predicate<TAB>object`` a line, typed ids, the ``edges`` view's relations.

The shape of HuggingKG's ``triples.txt`` (and of KGTK, DGL-KE and PyKEEN's TSV input): no header,
one relation a line, ``model:org/name  has_task  task:text-generation``. A field never holds a
raw tab or line break: :func:`~catalog.export.text.line_field` escapes them (``\\t``, ``\\n``,
``\\\\``...), so splitting each line on tabs gives the three fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from catalog.export.graph import Edge
from catalog.export.text import line_field

__all__ = ["write_triples"]


def write_triples(path: Path, edges: Iterable[Edge]) -> None:
    """Write one line per edge (source, rel, target, status) to ``path``, in UTF-8.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "triples.txt"
    >>> write_triples(out, [("model:a/b", "has_task", "task:fill-mask", None), ("model:a\\tx", "merge_of", "model:c", None)])
    >>> print(out.read_text(), end="")
    model:a/b	has_task	task:fill-mask
    model:a\\tx	merge_of	model:c
    """
    with path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        for src, rel, dst, _status in edges:
            out.write(f"{line_field(src)}\t{line_field(rel)}\t{line_field(dst)}\n")
