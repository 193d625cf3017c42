"""A crawl run's checkpoint: where it stands, saved with each committed page, read back to resume.

A :class:`Checkpoint` is a frozen value: each step makes a new one (``dataclasses.replace``) that is
saved in ``crawl_runs.checkpoint`` in the same transaction as the page it follows, so the stored
checkpoint and the stored rows never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["CLOCK_MARGIN", "Checkpoint", "SkippedPage", "as_utc", "trusted_clock"]

#: How far the Hub's clock and ours may disagree, and how late a change may reach the listing's
#: order: a watermark is moved back by this much, and a date further ahead than this is not trusted.
CLOCK_MARGIN = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SkippedPage:
    """A listing page that could not be read (not JSON, even when asked again), skipped with its URL."""

    listing: str
    url: str
    error: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a run stands.

    ``done`` lists the finished phases (``reference`` and listings); ``listing`` and ``next`` are
    the listing under way and the relative URL of its next page. ``since`` holds each listing's
    watermark (ISO dates: an incremental run reads what changed at or after it) and ``clock`` the
    Hub's time when this run began, per listing: the next run's watermark. ``deferred_indexes``
    are built and ``staged`` tables merged (:func:`catalog.bulk.merge_staged`) when the run ends.
    ``recorded`` counts the records written to a ``--record`` snapshot up to the last committed page.

    Examples
    --------
    >>> start = Checkpoint(since={"models": "2024-08-01T00:00:00+00:00"})
    >>> Checkpoint.from_json(start.to_json()) == start
    True
    >>> start.page_done("models", "/api/models?cursor=x", records=3, rejects=1).pages
    {'models': 1}
    """

    done: tuple[str, ...] = ()
    listing: str | None = None
    next: str | None = None
    pages: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    rejects: int = 0
    since: dict[str, str | None] = field(default_factory=dict)
    clock: dict[str, str | None] = field(default_factory=dict)
    deferred_indexes: tuple[str, ...] = ()
    staged: tuple[str, ...] = ()
    skipped: tuple[SkippedPage, ...] = ()
    recorded: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Checkpoint:
        """Read a checkpoint back from its JSON form; keys it does not know are ignored."""
        data = data or {}
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("done", "deferred_indexes", "staged"):
            values[name] = tuple(values.get(name) or ())
        values["skipped"] = tuple(SkippedPage(**s) for s in values.get("skipped") or ())
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """Return the checkpoint as JSON-ready data."""
        return asdict(self)

    def page_done(
        self,
        listing: str,
        next_url: str | None,
        *,
        records: int,
        rejects: int,
        skipped: SkippedPage | None = None,
        recorded: dict[str, int] | None = None,
    ) -> Checkpoint:
        """Return the checkpoint after one more committed page of ``listing``."""
        return replace(
            self,
            listing=listing,
            next=next_url,
            pages=self.pages | {listing: self.pages.get(listing, 0) + 1},
            records=self.records | {listing: self.records.get(listing, 0) + records},
            rejects=self.rejects + rejects,
            skipped=(*self.skipped, skipped) if skipped else self.skipped,
            recorded=self.recorded if recorded is None else dict(recorded),
        )

    def phase_done(self, phase: str) -> Checkpoint:
        """Return the checkpoint with ``phase`` finished (and no listing under way)."""
        return replace(self, done=(*self.done, phase), listing=None, next=None)

    def skipped_in(self, listing: str) -> int:
        """How many pages of ``listing`` were skipped."""
        return sum(1 for s in self.skipped if s.listing == listing)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (SQLite gives back naive ones, stored in UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def trusted_clock(newest: datetime | None, now: datetime) -> datetime:
    """Return the Hub's time as the newest ``lastModified`` it lists, unless that is in the future.

    A date further ahead of ``now`` (our clock) than :data:`CLOCK_MARGIN` is a bad record's, not
    the Hub's time: ``now`` is used instead, so that one ``9999-12-31`` cannot freeze the watermark.

    Examples
    --------
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> trusted_clock(datetime(2025, 6, 1, tzinfo=UTC), now).year, trusted_clock(datetime(9999, 12, 31, tzinfo=UTC), now).year
    (2025, 2026)
    """
    if newest is None or as_utc(newest) > now + CLOCK_MARGIN:
        return now
    return as_utc(newest)
