"""Measuring a benchmark stage: in a child process of its own, its wall time, CPU time and peak RSS.

Each stage runs in a forked child so that its peak memory is its own (the parent stays small: it
only starts children and a replay server process), and its CPU time counts that child alone.
A child's figures start from the parent's memory at the fork (``baseline_rss_mib``).

Examples
--------
>>> figures = in_child(lambda n: {"total": sum(range(n))}, 1000)
>>> figures["total"], sorted(k for k in figures if k.endswith(("_s", "_mib")))
(499500, ['children_cpu_s', 'cpu_s', 'peak_rss_mib', 'wall_s'])
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["baseline_rss_mib", "in_child", "percentiles", "replay_server", "table", "warm_after_cold"]

_FORK = multiprocessing.get_context("fork")


def baseline_rss_mib() -> float:
    """Return this process's peak RSS so far, in MiB (what a forked child starts from)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], queue: Any) -> None:
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    try:
        figures = dict(fn(*args))
    except BaseException as exc:  # reported by the parent as the stage's error
        figures = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=6)}
    figures["wall_s"] = time.perf_counter() - started
    # With the CPU of the processes the stage started and waited for (the crawl's worker).
    figures["children_cpu_s"] = _children_cpu() - children
    figures["cpu_s"] = time.process_time() - cpu + figures["children_cpu_s"]
    figures["peak_rss_mib"] = baseline_rss_mib()
    if figures["children_cpu_s"]:
        figures["child_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put(figures)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_child(fn: Callable[..., dict[str, Any]], *args: Any, timeout: float = 7200) -> dict[str, Any]:
    """Run ``fn(*args)`` in a forked child; return its figures with ``wall_s``, ``cpu_s``, ``peak_rss_mib``.

    An exception in the child comes back as an ``error`` entry, so one failing stage does not stop
    the others.
    """
    queue = _FORK.Queue()
    child = _FORK.Process(target=_child, args=(fn, args, queue), daemon=False)
    child.start()
    try:
        figures: dict[str, Any] = queue.get(timeout=timeout)
    except Exception:
        child.kill()
        figures = {"error": f"no answer within {timeout:.0f} s (exit code {child.exitcode})"}
    child.join(timeout=60)
    return figures


@contextmanager
def replay_server(snapshot: Path) -> Iterator[tuple[str, float]]:
    """Serve ``snapshot`` with the catalog's replay server in a child process (as a remote Hub would be).

    Yields the server's URL and the seconds it took to index the snapshot.
    """
    code = (
        "import sys, time; from catalog.hub import ReplayServer; t = time.perf_counter(); "
        "s = ReplayServer(sys.argv[1]).start(); print(s.url, time.perf_counter() - t, flush=True); "
        "sys.stdin.read()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(snapshot)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"HF_HUB_DISABLE_TELEMETRY": "1"},
    )
    try:
        line = child.stdout.readline().split() if child.stdout else []
        if len(line) != 2:
            raise RuntimeError(f"the replay server did not start (exit code {child.poll()})")
        yield line[0], float(line[1])
    finally:
        if child.stdin:
            child.stdin.close()  # the server reads stdin to its end, then exits
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def percentiles(times: list[float]) -> dict[str, float]:
    """Return the p50 and p95 of ``times`` (seconds) in milliseconds.

    Examples
    --------
    >>> percentiles([0.001 * i for i in range(1, 101)])
    {'p50_ms': 50.5, 'p95_ms': 95.0, 'n': 100}
    """
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    middle = len(ordered) // 2
    p50 = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"p50_ms": round(p50 * 1000, 3), "p95_ms": round(p95 * 1000, 3), "n": len(ordered)}


def warm_after_cold(cold: list[float], warm: list[float]) -> dict[str, Any]:
    """The percentiles of ``warm`` (seconds), with those of ``cold`` as ``cold_p50_ms`` / ``cold_p95_ms``.

    Examples
    --------
    >>> figures = warm_after_cold([0.5, 0.3], [0.002, 0.004])
    >>> figures["p95_ms"], figures["cold_p95_ms"], figures["note"]
    (4.0, 500.0, 'warm p50 3.0 / p95 4.0 ms (2); cold (first pass) p50 400.0 / p95 500.0 ms (2)')
    """
    first, then = percentiles(cold), percentiles(warm)
    return then | {
        "cold_p50_ms": first["p50_ms"],
        "cold_p95_ms": first["p95_ms"],
        "note": (
            f"warm p50 {then['p50_ms']} / p95 {then['p95_ms']} ms ({then['n']}); "
            f"cold (first pass) p50 {first['p50_ms']} / p95 {first['p95_ms']} ms ({first['n']})"
        ),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Return ``rows`` as a Markdown table of ``columns`` (a missing value is an empty cell).

    Examples
    --------
    >>> print(table([{"stage": "crawl", "wall_s": 1.5}], ["stage", "wall_s"]))
    | stage | wall_s |
    |---|---|
    | crawl | 1.50 |
    """
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)
