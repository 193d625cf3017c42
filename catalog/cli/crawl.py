"""`catalog crawl`: the Hub (or a replayed snapshot) into the store."""

from __future__ import annotations

import click

from catalog.cli.common import crawl_progress, crawl_report, db_option, folder_option
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
@folder_option("--record", help="Also save every raw answer as a snapshot in DIR.")
@folder_option("--replay", help="Crawl a snapshot folder, served on 127.0.0.1.")
@click.option(
    "--allow-mass-delete",
    is_flag=True,
    help="Let a --full run mark over half the stored repos deleted (refused by default: an endpoint "
    "that lists nothing has not lost everything).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress bar and no summary (rate-limit waits still show)."
)
def crawl_command(
    endpoint: str | None,
    db_url: str | None,
    full: bool,
    token: str | None,
    record: str | None,
    replay: str | None,
    allow_mass_delete: bool,
    quiet: bool,
) -> None:
    """Crawl the Hub (or a snapshot with --replay) into the database.

    The first run is full; later runs fetch what changed since the previous run began (newest
    first) unless --full. A run that stops (Ctrl-C, the Hub down, a kill) resumes from its last
    committed page next time, and so does its --record snapshot. One crawl at a time per database.

    \b
    Examples:
      catalog crawl --replay data/snapshot            # offline, from the recorded snapshot
      catalog crawl --record data/my-snapshot         # the live Hub, recording what it reads
    """
    from catalog.crawl import crawl, crawl_snapshot, tuned_interpreter
    from catalog.errors import ConfigError
    from catalog.hub.client import HubClient
    from catalog.hub.snapshot import Snapshot

    if replay and endpoint:
        raise ConfigError("give --replay DIR or --endpoint URL, not both")
    # A snapshot or endpoint that is not usable stops the command before it makes a database or draws a bar.
    snapshot = Snapshot.open(replay) if replay else None
    client = None if snapshot is not None else HubClient(endpoint, token=token, notice=_warn)
    with Store.open(db_url) as store, crawl_progress(quiet) as progress, tuned_interpreter():
        if client is not None:
            summary = crawl(
                store,
                client,
                full=full,
                record=record,
                progress=progress,
                allow_mass_delete=allow_mass_delete,
            )
        else:
            assert snapshot is not None
            summary = crawl_snapshot(
                store,
                snapshot,
                full=full,
                record=record,
                progress=progress,
                allow_mass_delete=allow_mass_delete,
            )
    if summary.skipped:
        _warn(
            f"{len(summary.skipped)} listing pages were not JSON and were skipped (nothing was marked "
            f"deleted in their listings): {', '.join(summary.skipped)}"
        )
    if not quiet:
        click.echo(crawl_report(summary, store.display_url))


def _warn(message: str) -> None:
    """Say it on stderr, even under --quiet: a wait or a skipped page is not progress to hide."""
    click.echo(f"Warning: {message}", err=True)
