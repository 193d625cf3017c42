"""The schema's history: Alembic's revisions in ``migrations/``, and moving a database along them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from catalog.errors import StoreError, one_line

__all__ = ["MIGRATIONS", "current_revision", "downgrade", "head_revision", "known_revisions", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    """Return every revision the code knows."""
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def head_revision() -> str:
    """Return the schema revision the code expects."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the database's Alembic revision, ``None`` when it has none."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str, shown_url: str) -> None:
    """Migrate the database up to ``revision``."""
    with _migrating(shown_url), engine.begin() as conn:
        _serialise(conn)
        command.upgrade(_config(conn), revision)


def downgrade(engine: Engine, revision: str, shown_url: str) -> None:
    """Migrate the database down to ``revision`` (``base`` drops everything)."""
    with _migrating(shown_url), engine.begin() as conn:
        _serialise(conn)
        command.downgrade(_config(conn), revision)


def _serialise(conn: Connection) -> None:
    """Make concurrent migrations of one PostgreSQL schema wait for each other (until commit).

    Two first crawls on a fresh database both find it empty and migrate it: without the lock,
    their CREATE TABLEs collide (``pg_type_typname_nsp_index`` duplicate key). The second one,
    let in after the first commits, finds the schema at head and does nothing.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('hf-catalog migrate ' || current_schema()))")
        )


@contextmanager
def _migrating(shown_url: str) -> Iterator[None]:
    # An unknown revision or a clash with tables made elsewhere: one line, not a traceback.
    try:
        yield
    except (CommandError, DBAPIError) as exc:
        raise StoreError(f"cannot migrate database {shown_url}: {one_line(exc)}") from exc
