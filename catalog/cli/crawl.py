"""`catalog crawl`: the Hub (or a replayed snapshot) into the store."""

from __future__ import annotations

import click

from catalog.cli.common import crawl_progress, crawl_report, db_option
from catalog.store import Store


@click.command("crawl")
@click.option(
    "--endpoint", metavar="URL", help="Hub endpoint. Default: $HF_ENDPOINT, else https://huggingface.co."
)
@db_option
@click.option("--full", is_flag=True, help="Re-list everything and mark repos gone from the Hub as deleted.")
@click.option(
    "--token", metavar="TOKEN", help="Hub token (default: $HF_TOKEN or the saved login); never stored."
)
@click.option(
    "--record",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Also save every raw answer as a snapshot in DIR.",
)
@click.option(
    "--replay",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Crawl a snapshot folder, served on 127.0.0.1.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def crawl_command(
    endpoint: str | None,
    db_url: str | None,
    full: bool,
    token: str | None,
    record: str | None,
    replay: str | None,
    quiet: bool,
) -> None:
    """Crawl the Hub (or a snapshot with --replay) into the database.

    The first run is full; later runs fetch what changed since (newest first) unless --full. A run
    that stops (Ctrl-C, the Hub down, a kill) resumes from its last committed page next time.

    \b
    Examples:
      catalog crawl --replay data/snapshot            # offline, from the recorded snapshot
      catalog crawl --record data/my-snapshot         # the live Hub, recording what it reads
    """
    from catalog.crawl import crawl, replay_source
    from catalog.errors import ConfigError
    from catalog.hub.client import HubClient, silence_client_warnings
    from catalog.hub.replay import ReplayServer
    from catalog.hub.snapshot import Snapshot

    if replay and endpoint:
        raise ConfigError("give --replay DIR or --endpoint URL, not both")
    # A snapshot or endpoint that is not usable stops the command before it makes a database or draws a bar.
    snapshot = Snapshot.open(replay) if replay else None
    client = None if snapshot is not None else HubClient(endpoint, token=token)
    if quiet:
        silence_client_warnings()
    with Store.open(db_url) as store, crawl_progress(quiet) as progress:
        if client is not None:
            summary = crawl(store, client, full=full, record=record, progress=progress)
        else:
            assert snapshot is not None
            with ReplayServer(snapshot) as server:
                summary = crawl(
                    store,
                    HubClient(server.url, token=False),
                    full=full,
                    record=record,
                    progress=progress,
                    source=replay_source(snapshot),
                )
    if not quiet:
        click.echo(crawl_report(summary, store.display_url))
