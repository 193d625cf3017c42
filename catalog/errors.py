"""Errors raised by the catalog.

Every error the library raises on purpose is a ``CatalogError``; the CLI prints it as one
``Error: ...`` line and exits 1. Anything else is a bug and shows its traceback.

    CatalogError
    ├── ConfigError            bad input from the user: a URL, an option, a file
    │   ├── NodeIdError        a graph node id that is not ``kind:id``
    │   └── FilterError        a listing filter the replay server cannot evaluate (``catalog.hub.filters``)
    ├── StoreError             the database cannot be used
    │   ├── SchemaOutOfDate    the database is at another schema revision than the code
    │   └── ReadOnlyViolation  a read-only query tried to write
    ├── HubError               the Hub (or a replayed snapshot) cannot be read
    │   ├── SnapshotError      a snapshot folder is missing or malformed
    │   └── RecordError        one raw Hub record is malformed (the crawler sets it aside in `rejects`)
    └── NotFound               an id that the catalog does not hold
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "ConfigError",
    "HubError",
    "NodeIdError",
    "NotFound",
    "ReadOnlyViolation",
    "RecordError",
    "SchemaOutOfDate",
    "SnapshotError",
    "StoreError",
]


class CatalogError(Exception):
    """Base class of every error the catalog raises on purpose."""


class ConfigError(CatalogError):
    """An option, URL or input file given by the user is not usable."""


class NodeIdError(ConfigError):
    """A graph node id that is not ``kind:id`` with a known kind."""


class StoreError(CatalogError):
    """The database cannot be opened, read or written."""


class SchemaOutOfDate(StoreError):
    """The database is at a schema revision other than the one the code expects."""


class ReadOnlyViolation(StoreError):
    """A statement given as read-only would change the database."""


class HubError(CatalogError):
    """The Hub, or a replayed snapshot of it, cannot be read."""


class SnapshotError(HubError):
    """A recorded snapshot folder is missing or malformed."""


class RecordError(HubError):
    """One raw Hub record is malformed; the crawler keeps it in ``rejects`` with this reason."""


class NotFound(CatalogError):
    """An id that the catalog does not hold."""

    def __init__(self, kind: str, id: str, suggestions: list[str] | None = None) -> None:
        self.kind = kind
        self.id = id
        self.suggestions = list(suggestions or [])
        message = f"no {kind} {id!r} in the catalog"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


def one_line(exc: BaseException) -> str:
    """Return the first line of an exception's message, for a one-line error that quotes it.

    Under SQLAlchemy's wrapper (``(psycopg.OperationalError) ...``) the driver's own message is
    quoted; an exception without a message gives its class name.

    Examples
    --------
    >>> one_line(ValueError("bad value\\nmore detail"))
    'bad value'
    >>> one_line(KeyError())
    'KeyError'
    """
    exc = getattr(exc, "orig", None) or exc
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
