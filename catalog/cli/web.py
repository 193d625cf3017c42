"""`catalog web`: serve the explorer over the store, read-only, on 127.0.0.1."""

from __future__ import annotations

import click

from catalog.cli.common import db_option
from catalog.store import Store


def serve_explorer(store: Store, host: str, port: int) -> None:
    """Serve the explorer over ``store`` until Ctrl-C, saying where to open it."""
    import uvicorn

    from catalog.web import create_app

    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Explorer: http://{shown}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(store), host=host, port=port, log_level="warning")


@click.command("web")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
def web(db_url: str | None, host: str, port: int) -> None:
    """Serve the explorer: a page for every model, dataset, Space, author and face, and JSON under /api.

    Pages are read live from the database (SQLite or PostgreSQL), which is never written. The
    JSON API is described at /openapi.json; /sql is a read-only SQL console.

    \b
    Example:
      catalog web --port 8000    # then open http://127.0.0.1:8000/
    """
    with Store.open(db_url, create=False) as store:
        serve_explorer(store, host, port)
