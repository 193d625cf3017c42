"""What the commands share: the --db and --format options, progress bars and result printing."""

from __future__ import annotations

import csv
import json
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import click

from catalog.store import DEFAULT_URL, QueryResult

DB_HELP = f"Database URL (SQLAlchemy). Default: $CATALOG_DB, else {DEFAULT_URL}."
FORMATS = click.Choice(["table", "csv", "json"])
_F = TypeVar("_F", bound=Callable[..., Any])


def db_option(function: Any) -> Any:
    return click.option("--db", "db_url", metavar="URL", help=DB_HELP)(function)


def folder_option(*names: str, **attrs: Any) -> Callable[[_F], _F]:
    """An option that names a folder (``DIR``; a file of that name is refused)."""
    return click.option(*names, metavar="DIR", type=click.Path(file_okay=False), **attrs)


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
    """Print a DataFrame like :func:`echo_result`; pandas' missing values (NaN, NA) show as empty/null."""
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
    echo_rows(result.columns, result.rows, fmt)


def echo_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> None:
    """Print rows as they come: CSV and JSON stream, a table is aligned once its rows are read.

    JSON is strict (NaN and infinities are ``null``); in a table, and in CSV written to a terminal,
    control characters are shown escaped (see :func:`visible`), never sent to the terminal raw.
    """
    if fmt == "json":
        _echo_json(columns, rows)
    elif fmt == "csv":
        shown = visible if sys.stdout.isatty() else _same
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([shown(c) for c in columns])
        for row in rows:
            writer.writerow([shown(v) if isinstance(v, str) else v for v in row])
        sys.stdout.flush()  # a closed pipe fails here, inside the command, not at exit
    else:
        click.echo(format_table(columns, list(rows)))


def _same(text: str) -> str:
    return text


def _echo_json(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    # orjson writes NaN and infinities as null (json.dumps would write NaN, which is not JSON);
    # datetimes keep str()'s spelling, as they always had here.
    import orjson

    option = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    out = sys.stdout
    opened = False
    for row in rows:
        record = orjson.dumps(dict(zip(columns, row)), default=str, option=option).decode()
        out.write(("[\n" if not opened else ",\n") + textwrap.indent(record, "  "))
        opened = True
    out.write("\n]\n" if opened else "[]\n")
    out.flush()


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Format rows as a plain aligned text table (tabulate's ``simple`` style), numbers to the right.

    Control characters in a cell are shown escaped, so a Hub string cannot drive the terminal.

    Examples
    --------
    >>> print(format_table(["id", "n"], [("a", 1), ("bcd", 22)]))
    id      n
    ----  ---
    a       1
    bcd    22
    >>> print(format_table(["id", "note"], [("\x1b]0;pwned\x07x", None), ("y", {"a": [1]})]))
    id                 note
    -----------------  ----------
    \\x1b]0;pwned\\x07x
    y                  {"a": [1]}
    """
    from tabulate import tabulate

    numeric = [
        bool(rows) and all(isinstance(row[i], int | float) for row in rows if row[i] is not None)
        for i in range(len(columns))
    ]
    table = tabulate(
        [[_cell(v) for v in row] for row in rows],
        headers=[visible(str(c)) for c in columns],
        tablefmt="simple",
        colalign=["right" if n else "left" for n in numeric],
        disable_numparse=True,  # cells are already text: 1.0000001 stays 1.0000001, '007' stays '007'
    )
    return "\n".join(line.rstrip() for line in table.splitlines())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return visible(json.dumps(value, ensure_ascii=False))
    return visible(str(value))


# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Return ``text`` with control characters escaped (``\\x1b``), so a terminal shows, not obeys, them.

    Examples
    --------
    >>> print(visible("evil\x1b[2J\x1b]0;title\x07 id\u202e"))
    evil\\x1b[2J\\x1b]0;title\\x07 id\\u202e
    >>> visible("plain ünïcode 中文")
    'plain ünïcode 中文'
    """
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
