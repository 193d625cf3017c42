"""One crawl at a time per database, with a lock that a killed crawl does not leave behind.

PostgreSQL: a session-level advisory lock (per schema), held by a connection of its own; the server
lets it go when that session ends, however the process ended. SQLite: ``flock`` on a sidecar file
next to the database (``catalog.db.crawl-lock``), which the kernel lets go when the process ends.
An in-memory SQLite database is private to its process: nothing to lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from catalog.errors import StoreError
from catalog.store import Store

__all__ = ["crawl_lock"]

#: The advisory lock's key: one per schema, so that schemas of one database crawl independently.
_PG_KEY = "hashtext('hf-catalog crawl ' || current_schema())"
#: Seconds a held PostgreSQL lock is asked for again (the server ends a dead client's session late).
_PG_GRACE = 3.0


@contextmanager
def crawl_lock(store: Store) -> Iterator[None]:
    """Hold the crawl lock of ``store``'s database while the block runs; refuse if another holds it."""
    if store.dialect == "postgresql":
        with _postgresql_lock(store):
            yield
        return
    database = make_url(store.url).database
    if store.dialect != "sqlite" or database in (None, "", ":memory:"):
        yield
        return
    path = Path(f"{database}.crawl-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(store) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _postgresql_lock(store: Store) -> Iterator[None]:
    with store.engine.connect() as conn:
        # A killed crawl's session ends on the server a moment after its process: asked again
        # for up to _PG_GRACE seconds before another crawl is said to hold the lock.
        deadline = time.monotonic() + _PG_GRACE
        while True:
            held = conn.execute(text(f"SELECT pg_try_advisory_lock({_PG_KEY})")).scalar()
            conn.commit()  # the lock is the session's, not the transaction's: no transaction stays open
            if held or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        if not held:
            raise _busy(store)
        try:
            yield
        finally:
            # The connection goes back to the pool, so the lock must be let go explicitly.
            conn.execute(text(f"SELECT pg_advisory_unlock({_PG_KEY})"))
            conn.commit()


def _busy(store: Store) -> StoreError:
    return StoreError(
        f"another crawl is running on {store.display_url}: wait for it to finish, or stop it "
        "(a crawl that was killed holds no lock, so this one is alive)"
    )
