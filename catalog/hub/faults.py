"""Faults the replay server can inject, and the log of what it was asked.

A ``Fault`` rule picks requests by path and by count (the 2nd and 3rd ``/api/models`` request,
say) and makes them answer 429 with the Hub's rate-limit headers, a 5xx, no answer at all, a body cut
short, no answer until released, a page with a malformed record slipped in, a page that is not
JSON (its ``Link`` kept), a ``Link`` back to the same page (``loop``) or to a new cursor every time
(``endless``), a body trickled a byte every ``every`` seconds, or a small gzip body that unpacks
to ``size`` bytes (``bomb``).
"""

from __future__ import annotations

import fnmatch
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

__all__ = [
    "PAGE_FAULTS",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Request",
    "fault_answer",
    "fault_page",
    "trickle",
]

FaultKind = Literal[
    "429",
    "500",
    "502",
    "503",
    "drop",
    "truncate",
    "hang",
    "malformed",
    "invalid",
    "loop",
    "endless",
    "trickle",
    "bomb",
]
#: Faults that change a listing page the server computes (the others replace the answer).
PAGE_FAULTS = frozenset({"malformed", "invalid"})
RATE_LIMITED = "You have been rate-limited; you can retry this action in about 5 minutes."


@dataclass(frozen=True, slots=True)
class Fault:
    """Make requests whose path matches ``path`` (a glob) fail: numbers ``after + 1`` to ``after + times``.

    ``retry_after`` is the wait a 429 asks for (``RateLimit: "api";r=0;t=N`` and ``Retry-After``);
    ``record`` is what a ``malformed`` fault slips into the middle of a page; ``every`` the seconds
    between the bytes of a ``trickle``; ``size`` what a ``bomb`` unpacks to.
    """

    kind: FaultKind
    path: str = "/api/models"
    after: int = 0
    times: int = 1
    retry_after: int = 0
    record: Mapping[str, Any] = field(
        default_factory=lambda: {"id": "bad/record", "safetensors": {"parameters": {}}}
    )
    every: float = 1.0
    size: int = 500_000_000


@dataclass(frozen=True, slots=True)
class Request:
    """One request the server received: ``status`` is None when no answer was sent."""

    method: str
    target: str
    status: int | None
    fault: FaultKind | None = None

    @property
    def path(self) -> str:
        """The request path, without the query string."""
        return self.target.partition("?")[0]


class FaultPlan:
    """Fault rules, each counting the requests its path matches (thread-safe).

    Examples
    --------
    >>> plan = FaultPlan([Fault("500", after=1)])
    >>> [getattr(plan.take("/api/models"), "kind", None) for _ in range(3)]
    [None, '500', None]
    >>> plan.take("/api/models/org/name") is None
    True
    """

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._rules: list[tuple[Fault, list[int]]] = [(f, [0]) for f in faults]

    def add(self, fault: Fault) -> None:
        """Add a rule; it counts matching requests from now on."""
        with self._lock:
            self._rules.append((fault, [0]))

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def take(self, path: str) -> Fault | None:
        """Count a request for ``path`` against every rule; return the first rule it must fail by."""
        with self._lock:
            chosen = None
            for fault, seen in self._rules:
                if fnmatch.fnmatchcase(path, fault.path):
                    seen[0] += 1
                    if chosen is None and fault.after < seen[0] <= fault.after + fault.times:
                        chosen = fault
            return chosen


def fault_answer(fault: Fault) -> tuple[int, bytes, dict[str, str], int] | None:
    """Return ``(status, body, headers, declared length)`` of a failing answer, or None for no answer.

    Examples
    --------
    >>> status, body, headers, length = fault_answer(Fault("429", retry_after=3))
    >>> status, headers["RateLimit"], headers["Retry-After"], length == len(body)
    (429, '"api";r=0;t=3', '3', True)
    >>> fault_answer(Fault("drop")) is None
    True
    """
    if fault.kind == "429":
        body = orjson.dumps({"error": RATE_LIMITED})
        headers = {
            "RateLimit": f'"api";r=0;t={fault.retry_after}',
            "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
            "Retry-After": str(fault.retry_after),
            "X-Error-Message": RATE_LIMITED,
        }
        return 429, body, headers, len(body)
    if fault.kind in ("500", "502", "503"):
        body = orjson.dumps({"error": "Internal Error - We're working hard to fix this."})
        return int(fault.kind), body, {}, len(body)
    if fault.kind == "truncate":
        # The length promised is never sent: the client sees the connection end mid-body.
        body = b'[{"id": "cut/short", "tags": ["a", '
        return 200, body, {}, len(body) * 4
    if fault.kind in ("loop", "endless"):
        cursor = "loop" if fault.kind == "loop" else uuid.uuid4().hex
        return 200, b"[]", {"Link": f'<{fault.path}?cursor={cursor}>; rel="next"'}, 2
    if fault.kind == "trickle":
        body = orjson.dumps([{"id": "slow/record"}] * 8)
        return 200, body, {}, len(body)
    if fault.kind == "bomb":
        body = _gzipped_spaces(fault.size)
        return 200, body, {"Content-Encoding": "gzip"}, len(body)
    return None


def fault_page(fault: Fault, lines: list[bytes]) -> bytes:
    """Return the body of a listing page of ``lines`` (raw records) changed by a page fault.

    Examples
    --------
    >>> fault_page(Fault("malformed", record={"id": "x"}), [b'{"id":"a"}', b'{"id":"b"}'])
    b'[{"id":"a"},{"id":"x"},{"id":"b"}]'
    >>> fault_page(Fault("invalid"), [b'{"id":"a"}'])
    b'[{"id":"a"},{"id": "cut'
    """
    if fault.kind == "malformed":
        lines = [*lines[: len(lines) // 2], orjson.dumps(fault.record), *lines[len(lines) // 2 :]]
    body = b"[" + b",".join(lines) + b"]"
    return body[:-1] + b',{"id": "cut' if fault.kind == "invalid" else body


def trickle(write: Callable[[bytes], Any], body: bytes, every: float, stop: threading.Event) -> None:
    """Write ``body`` a byte every ``every`` seconds, until done or ``stop`` is set."""
    for at in range(len(body)):
        if stop.wait(every):
            return
        write(body[at : at + 1])


def _gzipped_spaces(size: int) -> bytes:
    """Return a gzip body that unpacks to a JSON list padded to ``size`` bytes (~1/1000 its size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    out = [packer.compress(b"[")]
    for at in range(0, size, len(block)):
        out.append(packer.compress(block[: min(len(block), size - at)]))
    out.append(packer.compress(b"]"))
    out.append(packer.flush())
    return b"".join(out)
