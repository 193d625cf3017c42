"""What the commands share: the --db and --format options, progress bars and result printing."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from catalog.store import DEFAULT_URL, QueryResult

DB_HELP = f"Database URL (SQLAlchemy). Default: $CATALOG_DB, else {DEFAULT_URL}."
FORMATS = click.Choice(["table", "csv", "json"])


def db_option(function: Any) -> Any:
    return click.option("--db", "db_url", metavar="URL", help=DB_HELP)(function)


def format_option(function: Any) -> Any:
    return click.option(
        "--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format."
    )(function)


def crawl_progress(quiet: bool) -> Any:
    """A context giving the crawl's progress callback: a tqdm bar on stderr, or None when quiet."""
    from contextlib import contextmanager, nullcontext

    from tqdm.auto import tqdm

    if quiet:
        return nullcontext(None)

    @contextmanager
    def bar() -> Any:
        with tqdm(unit=" records", unit_scale=True, file=sys.stderr, dynamic_ncols=True) as progress_bar:
            listing = [""]

            def update(event: Any) -> None:
                if listing[0] != event.listing:
                    listing[0] = event.listing
                    progress_bar.reset()
                    progress_bar.set_description_str(event.listing, refresh=False)
                progress_bar.set_postfix(pages=event.pages, rejects=event.rejects, refresh=False)
                progress_bar.update(event.records - progress_bar.n)

            yield update

    return bar()


def crawl_report(summary: Any, db: str) -> str:
    """Format a crawl summary: the run, then rows per listing, then the size of every table."""
    resumed = " (resumed)" if summary.resumed else ""
    lines = [
        f"Crawl run {summary.run_id}{resumed}: {summary.mode} from {summary.endpoint} into {db}",
        f"{sum(summary.records.values()):,} records in {summary.seconds:.1f} s "
        f"({summary.rate:,.0f}/s), {summary.rejects:,} rejected (see the rejects table)",
        "",
    ]
    listed = [
        (kind, summary.pages.get(kind, 0), summary.records.get(kind, 0), summary.deleted.get(kind, 0))
        for kind in ("models", "datasets", "spaces")
    ]
    lines.append(format_table(["listing", "pages", "stored", "marked deleted"], listed))
    lines.append("")
    lines.append(format_table(["table", "rows"], sorted(summary.tables.items())))
    return "\n".join(lines)


def echo_frame(frame: Any, fmt: str) -> None:
    # pandas shows a missing value as NaN (or NA); the table, CSV and JSON show it as empty/null.
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    echo_result(QueryResult([str(c) for c in frame.columns], rows), fmt)


def _plain(value: Any) -> Any:
    """Return ``value`` as a plain Python value: ``None`` when missing, numpy scalars as ints and floats."""
    import pandas as pd

    if isinstance(value, list | dict | str):
        return value
    if value is None or value is pd.NA or value is pd.NaT or value != value:  # NaN is unequal to itself
        return None
    return value.item() if hasattr(value, "item") and not hasattr(value, "tzinfo") else value


def echo_result(result: QueryResult, fmt: str) -> None:
    """Print rows as an aligned table, CSV or JSON (a list of objects)."""
    if fmt == "json":
        records = [dict(zip(result.columns, row)) for row in result.rows]
        click.echo(json.dumps(records, indent=2, default=str, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        click.echo(format_table(result.columns, result.rows))


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Format rows as a plain aligned text table.

    Examples
    --------
    >>> print(format_table(["id", "n"], [("a", 1), ("bcd", 22)]))
    id     n
    ---  --
    a      1
    bcd   22
    """
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows if row[i] is not None) and bool(rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
