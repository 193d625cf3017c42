"""Alembic environment: migrates the database named by the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from catalog.schema import Base, include_name, include_object_on
from catalog.store import create_engine_for, resolve_url

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # Run as `alembic upgrade head` (not through the store): the engine is ours to close.
        engine = create_engine_for(resolve_url(None))
        try:
            with engine.begin() as connection:
                _run(connection)
        finally:
            engine.dispose()
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
        include_object=include_object_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
