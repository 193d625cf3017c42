"""The replay server's listings: the Hub's order, its filters, and its keyset cursor.

A listing is sorted by one field (``downloads``, ``lastModified``, ...; records without it come
last) with ties broken by the Hub's ``_id``. The ``Link`` cursor is a keyset, as on the Hub: it
names the last record's (sort value, ``_id``), and the next page starts after that key, whatever was
added, changed or removed meanwhile; a record whose sort value changes between two pages moves past
(or behind) the cursor, exactly as on huggingface.co. Without a sort, the listing is in the
snapshot's file order, which stands for the Hub's creation (``_id``) order: a recording is written
in listing order and a new repo goes at the end. Its cursor names the last record's ``_id`` (and,
should that record be gone, its place).

Orders, facet indexes (tag -> records, owner -> records, ...) and filtered listings are built on
first use and cached. Each is built under a lock of its own, so a request for a new filter value
waits only for the index it needs, never for the listings other clients are paging through.
"""

from __future__ import annotations

import base64
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from catalog.hub.collection import RecordCollection
from catalog.hub.filters import AppsOf, Condition, facet_keys

__all__ = ["Cursor", "Listings"]

Key = tuple[bool, float, str]
T = TypeVar("T")
_HASHABLE = (str, bool, int, float)
#: How many filtered listings stay cached per kind (the orders and facet indexes always stay).
_CACHED_LISTINGS = 64


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a listing page ended: the order it belongs to and its last record's (value, ``_id``).

    Examples
    --------
    >>> cursor = Cursor("downloads", True, 2.0, "6390")
    >>> Cursor.decode(cursor.encode()) == cursor
    True
    >>> Cursor.decode("bm90IGEgY3Vyc29y")
    Traceback (most recent call last):
    ...
    ValueError: not a cursor
    """

    sort: str | None
    descending: bool
    value: float | None
    oid: str

    def encode(self) -> str:
        """Return the cursor as an opaque, URL-safe token."""
        token = orjson.dumps([self.sort, self.descending, self.value, self.oid])
        return base64.urlsafe_b64encode(token).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Read a token made by ``encode``; raise ``ValueError`` for anything else."""
        try:
            sort, descending, value, oid = orjson.loads(
                base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            )
        except (ValueError, TypeError):
            raise ValueError("not a cursor") from None
        if not (
            (sort is None or isinstance(sort, str))
            and isinstance(descending, bool)
            and (value is None or (isinstance(value, int | float) and not isinstance(value, bool)))
            and isinstance(oid, str)
        ):
            raise ValueError("not a cursor")
        return cls(sort, descending, None if value is None else float(value), oid)

    def key(self) -> Key:
        """Return the position the cursor names in its order."""
        return _key(self.value, self.descending, self.oid)


class Listings:
    """The orders, facet indexes and filtered listings of one collection, each built once."""

    def __init__(self, collection: RecordCollection, apps: AppsOf | None = None) -> None:
        self.collection = collection
        self._apps = apps
        self._built: dict[tuple[Any, ...], Any] = {}
        self._listings: dict[tuple[Any, ...], array[int]] = {}
        self._guard = threading.Lock()
        self._building: dict[tuple[Any, ...], threading.Lock] = {}
        #: How many times the records were read and parsed whole (once per facet indexed).
        self.scans = 0

    def page(
        self,
        sort: str | None,
        descending: bool,
        conditions: Sequence[Condition],
        filter_key: Hashable,
        after: Cursor | None,
        size: int,
    ) -> tuple[list[int], bool]:
        """Return the record positions of the page after ``after`` (or the first), and whether more follow.

        ``filter_key`` identifies ``conditions`` in the cache (the query parameters they came from).
        """
        if conditions:
            order = self._once(
                self._listings,
                ("listing", sort, descending, filter_key),
                lambda: self._filter(sort, descending, conditions),
            )
        else:
            order = self._order(sort, descending)
        start = 0
        if after is not None and sort is None:
            position = self._positions().get(after.oid)
            # A record gone since: start at its old place (a record may be listed twice, none lost).
            start = (
                bisect_left(order, after.value or 0) if position is None else bisect_right(order, position)
            )
        elif after is not None:
            start = bisect_right(order, after.key(), key=lambda i: self._key_of(i, sort, descending))
        return list(order[start : start + size]), start + size < len(order)

    def cursor(self, index: int, sort: str | None, descending: bool) -> Cursor:
        """Return the cursor that ends a page on the record at ``index``."""
        value = float(index) if sort is None else self._value(index, sort)
        return Cursor(sort, descending, value, self.collection.oids[index])

    def _positions(self) -> dict[str, int]:
        oids = self.collection.oids
        return self._once(self._built, ("positions",), lambda: {oids[i]: i for i in self.collection.listed()})

    def _key_of(self, index: int, sort: str | None, descending: bool) -> Key:
        return _key(self._value(index, sort), descending, self.collection.oids[index])

    def _value(self, index: int, sort: str | None) -> float | None:
        value = self.collection.sort_value(sort, index) if sort is not None else None
        return None if value is None or value != value else value  # NaN: the record has none

    def _order(self, sort: str | None, descending: bool) -> array[int]:
        def build() -> array[int]:
            listed = self.collection.listed()
            if sort is None:
                return array("l", listed)
            return array("l", sorted(listed, key=lambda i: self._key_of(i, sort, descending)))

        return self._once(self._built, ("order", sort, descending), build)

    def _filter(self, sort: str | None, descending: bool, conditions: Sequence[Condition]) -> array[int]:
        matching: set[int] | None = None
        for condition in conditions:
            found = self._matching(condition)
            matching = found if matching is None else matching & found
        assert matching is not None
        return array("l", filter(matching.__contains__, self._order(sort, descending)))

    def _matching(self, condition: Condition) -> set[int]:
        if condition.facet == "id":
            # Ids are in memory already: a search needs no index and no scan of the records.
            assert condition.where is not None
            ids = self.collection.ids
            return {
                i
                for i in self.collection.listed()
                if (id := ids[i]) is not None and condition.where(id.lower())
            }
        index = self._facet(condition.facet)
        if condition.mode == "where":
            assert condition.where is not None
            groups = [records for key, records in index.items() if condition.where(key)]
        else:
            groups = [index.get(value, array("l")) for value in condition.values]
        if condition.mode == "every":
            found = set(groups[0]) if groups else set()
            for records in groups[1:]:
                found.intersection_update(records)
            return found
        return set().union(*groups)

    def _facet(self, facet: str) -> dict[Hashable, array[int]]:
        def build() -> dict[Hashable, array[int]]:
            extract = facet_keys(self.collection.kind, facet, self._apps)
            index: dict[Hashable, array[int]] = {}
            with self._guard:
                self.scans += 1
            for i, record in self.collection.scan():
                if not isinstance(record, dict):
                    continue
                for key in set(k for k in extract(record) if isinstance(k, _HASHABLE)):
                    index.setdefault(key, array("l")).append(i)
            return index

        return self._once(self._built, ("facet", facet), build)

    def _once(self, cache: dict[tuple[Any, ...], T], key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Return ``cache[key]``, building it once; other keys are not held up meanwhile."""
        if (value := cache.get(key)) is not None:
            return value
        with self._guard:
            lock = self._building.setdefault(key, threading.Lock())
        with lock:
            if (value := cache.get(key)) is None:
                value = build()
                with self._guard:
                    if cache is self._listings and len(cache) >= _CACHED_LISTINGS:
                        cache.pop(next(iter(cache)))
                    cache[key] = value
                    self._building.pop(key, None)
        return value


def _key(value: float | None, descending: bool, oid: str) -> Key:
    # Records without the sort value come last in either direction, in _id order.
    if value is None:
        return True, 0.0, oid
    return False, -value if descending else value, oid
