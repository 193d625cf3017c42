"""Pages prepared in a worker process: the same database as inline, in order, and nothing left behind."""

from __future__ import annotations

import os
import pickle
import resource
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog.crawl import crawl
from catalog.crawl.prepare import PageRows, Preparer, _Context, prepare_page
from catalog.errors import CatalogError
from catalog.hub import HubClient, ReplayServer
from catalog.store import Store
from tests.test_crawl import MODELS, dump, model, snapshot

SEEN = datetime(2026, 12, 1, tzinfo=UTC)
FILLERS = [
    model(f"filler/m{i}", 8 + i, tags=["gguf", "text-generation"], gguf={"total": i, "context_length": 4})
    for i in range(9)
]
BAD = [{"id": "bad/tags", "tags": "text-generation"}, {"id": 7}, "not a record"]


def crawl_twice(store: Store, tmp_path: Path, parallel: bool) -> dict[str, list[tuple[Any, ...]]]:
    """A full crawl, then an incremental one that stops inside a page; the database's rows after both."""
    store.downgrade("base")
    store.upgrade()
    first = [*MODELS[:3], *BAD, *MODELS[3:], *FILLERS]
    with ReplayServer(snapshot(tmp_path / f"a-{parallel}", first), page_size=3) as server:
        crawl(store, HubClient(server.url, token=False), parallel=parallel)
    changed = [
        m | {"likes": 99, "lastModified": "2024-10-01T00:00:00.000Z"} if m is FILLERS[0] else m for m in first
    ]
    with ReplayServer(snapshot(tmp_path / f"b-{parallel}", changed), page_size=3) as server:
        summary = crawl(store, HubClient(server.url, token=False), parallel=parallel)
    assert summary.mode == "incremental" and summary.records["models"] < len(first)
    rows = dump(store)
    # The runs' endpoints (the servers' ports) and clocks differ; what they read must not.
    rows["crawl_runs"] = [
        (run[2], run[3], {key: run[4][key] for key in ("pages", "records", "rejects", "deleted")})
        for run in rows["crawl_runs"]
    ]
    return rows


def children_cpu() -> float:
    """CPU seconds of the child processes this process has waited for (the replay server is a thread)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_a_crawl_prepared_in_a_worker_stores_what_an_inline_one_does(store: Store, tmp_path: Path) -> None:
    before = children_cpu()
    inline = crawl_twice(store, tmp_path, parallel=False)
    assert children_cpu() == before  # no worker
    assert [row[3] for row in inline["rejects"]] == ["bad/tags", None, None]
    assert len(inline["models"]) == len(MODELS) + len(FILLERS)
    assert crawl_twice(store, tmp_path, parallel=True) == inline
    assert children_cpu() > before  # a worker per run, waited for at its end


def pages(count: int, size: int) -> list[bytes]:
    return [
        orjson.dumps([model(f"org/p{p}-m{m}", 1 + m, tags=["gguf"]) for m in range(size)])
        for p in range(count)
    ]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker starts on its own with a second core only")
def test_pages_come_back_in_order_across_the_switch_to_the_worker() -> None:
    preparer: Preparer[int] = Preparer(dialect="sqlite", run_id=1, seen_at=SEEN, after=5)
    bodies = pages(8, 2)
    out: list[tuple[int, PageRows]] = []
    used = []
    try:
        for tag, body in enumerate(bodies):
            used.append(preparer.parallel)
            out += preparer.submit("models", orjson.loads(body), body, tag)
            if tag == 3:  # the worker, started by this page, answers within a few seconds
                deadline = time.monotonic() + 60
                while not preparer.parallel and time.monotonic() < deadline:
                    time.sleep(0.05)
        out += preparer.drain()
    finally:
        preparer.close()
    # 6 records prepared inline start the worker; pages go on inline until it has started.
    assert used == [False, False, False, False, True, True, True, True]
    assert [tag for tag, _ in out] == list(range(8))
    expected = [
        prepare_page("models", orjson.loads(body), dialect="sqlite", run_id=1, seen_at=SEEN)
        for body in bodies
    ]
    assert [rows for _, rows in out] == expected


def test_an_incremental_cut_is_applied_in_the_worker() -> None:
    preparer: Preparer[str] = Preparer(dialect="postgresql", run_id=2, seen_at=SEEN, parallel=True)
    [body] = pages(1, 5)
    try:
        out = preparer.submit("models", orjson.loads(body)[:2], body, "cut") + preparer.drain()
    finally:
        preparer.close()
    assert [(tag, rows.ids) for tag, rows in out] == [("cut", ["org/p0-m0", "org/p0-m1"])]


def test_a_worker_that_dies_stops_the_crawl_with_one_line() -> None:
    preparer: Preparer[int] = Preparer(dialect="sqlite", run_id=1, seen_at=SEEN, parallel=True)
    [body] = pages(1, 2)
    preparer.submit("models", orjson.loads(body), body, 0)
    assert preparer._worker is not None
    preparer._worker._process.kill()
    try:
        with pytest.raises(CatalogError, match=r"worker process preparing pages stopped \(exit status -9\)"):
            for tag in range(1, 50):  # a write to the dead pipe, or the read of its answer, finds it gone
                preparer.submit("models", orjson.loads(body), body, tag)
            preparer.drain()
    finally:
        preparer.close()


def test_a_worker_that_stops_answering_is_given_up_after_the_timeout() -> None:
    preparer: Preparer[int] = Preparer(dialect="sqlite", run_id=1, seen_at=SEEN, parallel=True, timeout=0.5)
    assert preparer._worker is None
    [body] = pages(1, 2)
    preparer.submit("models", orjson.loads(body), body, 0)  # waits for the worker to start
    assert preparer._worker is not None
    pid = preparer._worker._process.pid
    preparer.drain()
    os.kill(pid, signal.SIGSTOP)
    try:
        preparer.submit("models", orjson.loads(body), body, 1)
        with pytest.raises(CatalogError, match=r"gave no page in 0.5 s"):
            preparer.drain()
    finally:
        os.kill(pid, signal.SIGCONT)
        preparer.close()


def test_a_script_without_a_main_guard_crawls_once(tmp_path: Path) -> None:
    # multiprocessing's spawn would run this script again in its worker: a second crawl there.
    snapshot(tmp_path / "snap", MODELS + FILLERS)
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(f"""
            import resource
            from catalog.crawl import crawl_snapshot
            from catalog.store import Store
            print("crawling", flush=True)
            store = Store.open("sqlite:///{tmp_path / "cat.db"}")
            print(crawl_snapshot(store, "{tmp_path / "snap"}", parallel=True).records["models"])
            print("worker ran:", resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime > 0)
        """)
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    expected = f"crawling\n{len(MODELS) + len(FILLERS)}\nworker ran: True\n"
    assert (done.returncode, done.stdout) == (0, expected), done.stderr


def test_the_worker_ends_when_the_crawl_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import time
        from datetime import UTC, datetime
        from catalog.crawl.prepare import Preparer
        preparer = Preparer(dialect="sqlite", run_id=1, seen_at=datetime.now(UTC), parallel=True)
        preparer.submit("models", [], b"[]", 0)
        print(preparer._worker._process.pid, flush=True)
        time.sleep(120)
    """)
    crawler = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert crawler.stdout is not None
    worker = int(crawler.stdout.readline())
    assert alive(worker)
    crawler.kill()
    crawler.wait()
    deadline = time.monotonic() + 20
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_a_worker_whose_crawl_died_mid_request_ends() -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", "from catalog.crawl.prepare import serve; serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert worker.stdin is not None
    context = pickle.dumps(_Context("sqlite", 1, SEEN))
    worker.stdin.write(len(context).to_bytes(8, "little") + context)
    worker.stdin.write((1000).to_bytes(8, "little") + b"cut short")  # a request the crawl never finished
    worker.stdin.close()
    try:
        assert worker.wait(30) == 0
    finally:
        worker.kill()
