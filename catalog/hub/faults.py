"""Faults the replay server can inject, and the log of what it was asked.

A ``Fault`` rule picks requests by path and by count (the 2nd and 3rd ``/api/models`` request,
say) and makes them answer 429 with the Hub's rate-limit headers, a 5xx, no answer at all, a body cut
short, no answer until released, or a page with a malformed record slipped in.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

__all__ = ["Fault", "FaultKind", "FaultPlan", "Request", "fault_answer"]

FaultKind = Literal["429", "500", "502", "503", "drop", "truncate", "hang", "malformed"]
RATE_LIMITED = "You have been rate-limited; you can retry this action in about 5 minutes."


@dataclass(frozen=True, slots=True)
class Fault:
    """Make requests whose path matches ``path`` (a glob) fail: numbers ``after + 1`` to ``after + times``.

    ``retry_after`` is the wait a 429 asks for (``RateLimit: "api";r=0;t=N`` and ``Retry-After``);
    ``record`` is what a ``malformed`` fault slips into the middle of a page.
    """

    kind: FaultKind
    path: str = "/api/models"
    after: int = 0
    times: int = 1
    retry_after: int = 0
    record: Mapping[str, Any] = field(
        default_factory=lambda: {"id": "bad/record", "safetensors": {"parameters": {}}}
    )


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
    return None
