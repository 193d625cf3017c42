"""Interpreter-wide tuning that makes a long crawl faster: opt-in, because it affects the whole process.

The CLI and the benchmarks turn it on around a crawl; a library call (``crawl_snapshot`` from a
notebook or a web app) leaves the interpreter as it was.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["tuned_interpreter"]


@contextmanager
def tuned_interpreter() -> Iterator[None]:
    """Collect garbage less often and hand the GIL over sooner while the block runs (restored after).

    A page makes ~50,000 short-lived containers; at the default threshold (700) the collector runs
    hundreds of times a page and its older generations walk every object the process holds, which
    measured as a third of the normaliser's time. Objects alive before are frozen out of its walks;
    cycles are still collected. The thread writing pages lets go of the GIL for each SQLite
    statement and needs it back to go on: with a 0.5 ms switch interval instead of 5 ms it no
    longer waits behind the normaliser (a third of the benchmark crawl's time went there).

    Examples
    --------
    >>> before = gc.get_threshold(), sys.getswitchinterval()
    >>> with tuned_interpreter():
    ...     gc.get_threshold()[0]
    50000
    >>> (gc.get_threshold(), sys.getswitchinterval()) == before
    True
    """
    threshold = gc.get_threshold()
    interval = sys.getswitchinterval()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    sys.setswitchinterval(min(interval, 0.0005))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*threshold)
        gc.unfreeze()
