"""benchmarks/bench_hub.py at 20,000 made-up models: it completes and reports every stage (no timings).

Also the made-up records' shape, which every benchmark relies on (sizes, tags, shares of lineage and
providers), and that the generator is deterministic.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
from pathlib import Path
from types import ModuleType

import orjson

from catalog.crawl import END_STEPS

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _module(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def test_made_up_models_have_the_hubs_shape() -> None:
    hubgen = _module("hubgen")
    records = list(hubgen.models(5000, seed=3))
    assert records == list(hubgen.models(5000, seed=3))
    assert all(r["id"].startswith("mu-") and "made-up" in r["tags"] for r in records)
    assert 1000 <= statistics.mean(len(orjson.dumps(r)) for r in records) <= 1400
    assert 10 <= statistics.mean(len(r["tags"]) for r in records) <= 13
    with_base = sum(any(t.startswith("base_model:") for t in r["tags"]) for r in records) / len(records)
    assert 0.37 <= with_base <= 0.43
    with_providers = sum(bool(r["inferenceProviderMapping"]) for r in records) / len(records)
    assert 0.035 <= with_providers <= 0.065
    configs = [r["config"] for r in records if "config" in r]
    assert any("quantization_config" in c for c in configs)
    assert any("chat_template" in c.get("tokenizer_config", {}) for c in configs)
    assert all(
        sum(r["safetensors"]["parameters"].values()) == r["safetensors"]["total"]
        for r in records
        if "safetensors" in r
    )
    # A base is always an earlier model of the same catalog (a forest, nothing dangling).
    ids = {r["id"] for r in records}
    bases = {
        t.split(":", 2)[2]
        for r in records
        for t in r["tags"]
        if t.count(":") == 2 and t.startswith("base_model:")
    }
    assert bases and bases <= ids
    assert len(list(hubgen.datasets(5000))) == 1250 and len(list(hubgen.spaces(5000))) == 1500


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("CATALOG_TEST_POSTGRES_URL") else ["sqlite"]


def test_bench_hub_runs_every_stage(tmp_path: Path) -> None:
    bench_hub = _module("bench_hub")
    backends = _backends()
    argv = ["--models", "20000", "--work", str(tmp_path), "--json", str(tmp_path / "out.json")]
    # The map is left out: render_map alone took over 9 minutes at 20,000 models on this machine
    # (2026-12-01), past any suite's time; bench_hub runs it by hand.
    argv += ["--backends", ",".join(backends), "--skip", "map", "--map-families", "2"]
    if "postgresql" in backends:
        argv += ["--db", os.environ["CATALOG_TEST_POSTGRES_URL"]]
    rows = bench_hub.main(argv)
    reported = json.loads((tmp_path / "out.json").read_text())["rows"]
    assert [r["stage"] for r in reported] == [r["stage"] for r in rows]
    for stage in bench_hub.STAGES:
        found = [r for r in rows if r["stage"] == stage]
        assert found, f"{stage} not reported"
        for row in found:
            assert "wall_s" in row or (stage == "map" and row["note"] == "skipped: --skip"), row
            assert not row.get("error"), f"{stage} on {row.get('backend')}: {row['error']}"
    by_stage = {(r["stage"], r.get("backend")): r for r in rows}
    for backend in backends:
        crawl = by_stage["crawl", backend]
        assert crawl["records"] == 20000 + 5000 + 6000 and crawl["rejects"] == 0
        # The end of a first crawl, step by step (the benchmark hears of each as it begins).
        assert list(crawl["end_steps_s"]) == [s.removeprefix("end: ") for s in END_STEPS]
        assert by_stage["incremental crawl", backend]["mode"] == "incremental"
        assert by_stage["incremental crawl", backend]["pages"] < crawl["pages"] / 5
        store = by_stage["store", backend]
        assert store["race"]["records"] == crawl["records"] and store["vs_floor"] > 0
        whole = by_stage["graph: whole build", backend]
        assert whole["edges"] == whole["floor"]["edges"] > crawl["records"]
        # Reads are reported warm, with the first (cold) pass beside them.
        search, explorer = by_stage["graph: text search", backend], by_stage["explorer", backend]
        assert search["n"] == 20 and explorer["n"] == 26
        assert search["cold_p95_ms"] > 0 and explorer["cold_p95_ms"] > 0
    assert by_stage["fetch + decode", None]["records"] == 31000
    assert by_stage["naive crawler", "sqlite"]["records"] == 31000
