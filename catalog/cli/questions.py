"""`catalog search`, `catalog lineage`, `catalog stats`: questions to the analytics API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from catalog.cli.common import db_option, echo_frame, format_option, visible
from catalog.records import DIRECTIONS, FACES, SORTS, Direction

#: The note of a family member the catalog does not hold (a base named by a card, never crawled).
NOT_IN_CATALOG = "not in the catalog"
F = TypeVar("F", bound=Callable[..., Any])


def _choice(name: str, choices: tuple[str, ...], default: str, help: str) -> Callable[[F], F]:
    """An option taking one of a vocabulary's ``choices`` (see catalog.records), its default shown."""
    return click.option(name, type=click.Choice(choices), default=default, show_default=True, help=help)


@click.command("search")
@db_option
@click.option("--task", metavar="ID", help="Pipeline tag, e.g. text-generation.")
@click.option("--library", metavar="ID", help="Library, e.g. transformers.")
@click.option("--app", metavar="ID", help="Local app that runs the model, e.g. llama.cpp.")
@click.option("--provider", metavar="ID", help="Inference provider that serves it, e.g. together.")
@click.option("--min-params", metavar="N", help="At least N parameters: 7B, 500M or an integer.")
@click.option("--max-params", metavar="N", help="At most N parameters: 13B, 500M or an integer.")
@click.option("--license", metavar="ID", help="License id, e.g. apache-2.0.")
@click.option("--language", metavar="CODE", help="Language code, e.g. en.")
@click.option("--author", metavar="NAME", help="Author (user or organisation).")
@click.option("--text", metavar="TEXT", help="Text the model id contains (any case).")
@_choice("--sort", SORTS, "downloads", "Order, largest (newest) first.")
@click.option("--limit", default=20, show_default=True, help="Models per page.")
@click.option("--offset", default=0, show_default=True, help="Models to skip (page x limit).")
@format_option
def search(db_url: str | None, fmt: str, **facets: Any) -> None:
    """Find models by task, library, app, provider, size, license, language, author or text.

    Facets combine (AND). A task, library, app, provider or author the catalog does not hold is
    an error that names close matches, not an empty list.

    \b
    Example:
      catalog search --task text-generation --library transformers --max-params 8B --limit 10
    """
    from catalog.analytics import Catalog

    with Catalog.open(db_url) as cat:
        echo_frame(cat.search(**facets), fmt)


@click.command("lineage")
@click.argument("model")
@db_option
@_choice("--direction", DIRECTIONS, "both", "down: descendants; up: base models; both: the two.")
@click.option("--max-depth", type=int, metavar="N", help="Follow at most N steps.")
@format_option
def lineage(model: str, db_url: str | None, direction: Direction, max_depth: int | None, fmt: str) -> None:
    """Show the family tree of MODEL: its bases and descendants (finetunes, adapters, quantizations, merges).

    Depth counts steps from MODEL (negative for its bases). A base that the catalog does not hold
    (named by a model card, never crawled) is listed with the note "not in the catalog". Cycles in
    the Hub's metadata are reported on stderr, never followed.

    \b
    Example:
      catalog lineage meta-llama/Llama-3.1-8B --max-depth 1
    """
    from catalog.analytics import Catalog

    with Catalog.open(db_url) as cat:
        frame = cat.lineage(model, direction, max_depth)
    frame["bases"] = frame["bases"].map(", ".join)
    frame["note"] = frame["missing"].map({True: NOT_IN_CATALOG, False: ""})
    echo_frame(frame.drop(columns="missing"), fmt)
    for cycle in frame.attrs["cycles"]:
        click.echo(f"warning: lineage cycle in the Hub's metadata: {visible(' -> '.join(cycle))}", err=True)


@click.command("stats")
@db_option
@click.option("--families", default=10, show_default=True, help="Also list this many largest model families.")
@format_option
def stats(db_url: str | None, families: int, fmt: str) -> None:
    """Summarise the catalog: counts, the reach of each face, and the largest model families.

    With --format csv or json, only the counts are printed (one table).

    \b
    Example:
      catalog stats --families 5
    """
    from catalog.analytics import Catalog

    with Catalog.open(db_url) as cat:
        frames = [("catalog", cat.stats())]
        for face in FACES:
            top = cat.reach(face).head(10).round({"share": 3})
            frames.append((f"top {face} values by live models", top))
        if families:
            frames.append(("largest model families", cat.family_stats(limit=families)))
    if fmt == "table":
        for i, (title, frame) in enumerate(frames):
            click.echo(("\n" if i else "") + title)
            echo_frame(frame, fmt)
    else:
        echo_frame(frames[0][1], fmt)
