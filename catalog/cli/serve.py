"""`catalog serve`: a snapshot as the Hub's HTTP API on 127.0.0.1."""

from __future__ import annotations

import sys
from typing import Any

import click

__all__ = ["model_apps", "serve"]


def model_apps(record: dict[str, Any]) -> list[str]:
    """Return the local apps that run a raw model record, by the catalog's own rules (the ``apps`` filter).

    Examples
    --------
    >>> model_apps({"id": "org/m-GGUF", "tags": ["gguf"], "gguf": {"total": 1, "context_length": 4096}})[:3]
    ['llama.cpp', 'node-llama-cpp', 'lmstudio']
    """
    from catalog.normalize import normalize_model  # the same rules the crawler stores in model_apps

    return [row["app_id"] for row in normalize_model(record).children["model_apps"]]


@click.command("serve")
@click.argument("snapshot", type=click.Path(file_okay=False))
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--page-size",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most records one listing page holds.",
)
def serve(snapshot: str, port: int, page_size: int) -> None:
    """Serve a SNAPSHOT folder as the Hub's HTTP API on 127.0.0.1, until Ctrl-C.

    Any Hub client can read it: set HF_ENDPOINT (or HfApi(endpoint=...)) to the URL printed.
    Listings page by the Hub's keyset cursor and take the Hub's filters (apps included); a
    renamed repo (the snapshot's aliases.json) answers 307 to its new name; file endpoints
    answer 404 EntryNotFound (a snapshot holds records, not files).

    \b
    Example:
      catalog serve data/snapshot --port 8000
      HF_ENDPOINT=http://127.0.0.1:8000 hf models ls --limit 5
    """
    import signal
    import time

    from catalog.hub.replay import ReplayServer  # the client loads only for this command

    # SIGTERM (a service manager, a test) stops the server as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with ReplayServer(snapshot, port=port, page_size=page_size, apps=model_apps) as server:
        counts = ", ".join(f"{n:,} {kind}" for kind, n in server.snapshot.manifest["counts"].items())
        click.echo(f"Serving {snapshot} ({counts}) at {server.url}", err=True)
        click.echo(server.url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
