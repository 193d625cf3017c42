from __future__ import annotations

import csv
import io
import json

import pytest

from catalog import Catalog
from catalog.errors import ConfigError, NotFound
from catalog.store import Store
from tests.catalog_fixtures import load_bad_lineage, load_tiny_catalog


@pytest.fixture
def cat(store: Store) -> Catalog:
    return Catalog(load_tiny_catalog(store))


def test_open_uses_the_cli_default(monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    load_tiny_catalog(Store.open(db_url))
    monkeypatch.setenv("CATALOG_DB", db_url)
    with Catalog.open() as cat:
        assert cat.store.url == db_url
        assert cat.search(author="timm")["id"].tolist() == ["timm/resnet50"]


def test_search_frame(cat: Catalog) -> None:
    frame = cat.search(task="text-generation", library="transformers", min_params="7B", max_params="13B")
    assert frame[["id", "num_parameters"]].values.tolist() == [
        ["mistralai/mistral-7b", 7_241_732_096],
        ["dave/llama-mistral-merge", 7_000_000_000],
    ]
    assert cat.search(language="en", sort="likes", limit=2, offset=1)["id"].tolist() == [
        "mistralai/mistral-7b",
        "big/llama-70b",
    ]
    assert cat.search(text="nothing-like-this").empty  # an empty page only when no model matches


def test_lineage_frame_down_and_both(cat: Catalog) -> None:
    down = cat.lineage("meta/llama-7b")
    assert down[["model_id", "depth", "relation"]].fillna("-").values.tolist() == [
        ["meta/llama-7b", 0, "-"],
        ["alice/llama-7b-chat", 1, "finetune"],
        ["dave/llama-mistral-merge", 1, "merge"],
        ["bob/llama-7b-chat-gguf", 2, "quantized"],
        ["carol/llama-7b-chat-lora", 2, "adapter"],
    ]
    both = cat.lineage("dave/llama-mistral-merge", "both")
    assert both.loc[0, "bases"] == ["meta/llama-7b", "mistralai/mistral-7b"]
    assert both["model_id"].tolist() == ["dave/llama-mistral-merge", "meta/llama-7b", "mistralai/mistral-7b"]


def test_family_stats_influence_and_reach(cat: Catalog) -> None:
    stats = cat.family_stats("meta/llama-7b")
    assert stats.to_dict("records") == [
        {
            "root": "meta/llama-7b",
            "descendants": 4,
            "finetune": 1,
            "adapter": 1,
            "quantized": 1,
            "merge": 1,
            "depth": 2,
            "downloads": 1830,
            "cycles": 0,
        }
    ]
    assert cat.influence()["model_id"].tolist() == [
        "meta/llama-7b",
        "mistralai/mistral-7b",
        "alice/llama-7b-chat",
    ]
    assert cat.reach("params")[["id", "models"]].values.tolist() == [
        ["3-7B", 3],
        ["<1B", 3],
        ["7-13B", 2],
        ["70-200B", 1],
    ]


def test_cooccurrence_tables(cat: Catalog) -> None:
    table = cat.cooccurrence("provider", "params", pivot=True)
    assert table.to_dict() == {
        "3-7B": {"groq": 0, "hf-inference": 0, "together": 1},
        "7-13B": {"groq": 1, "hf-inference": 0, "together": 1},
        "70-200B": {"groq": 0, "hf-inference": 0, "together": 1},
        "<1B": {"groq": 0, "hf-inference": 1, "together": 0},
    }
    assert cat.cooccurrence("task", "provider").values.tolist() == [
        ["text-generation", "together", 3, 2600],
        ["text-classification", "hf-inference", 1, 2000],
        ["text-generation", "groq", 1, 900],
    ]


def test_app_reach_and_provider_coverage(cat: Catalog) -> None:
    reach = cat.app_reach()
    assert reach.loc["3-7B"].to_dict() == {"models": 3, "llama.cpp": 1, "ollama": 1, "vllm": 2}
    assert reach["models"].sum() == 9
    assert cat.provider_coverage()["served_any"].tolist() == [3, 0, 1]


def test_what_runs_where(cat: Catalog) -> None:
    assert cat.runs_where("meta/llama-7b")[["kind", "id", "status"]].fillna("-").values.tolist() == [
        ["app", "vllm", "-"],
        ["provider", "together", "live"],
    ]
    fit = cat.hardware_fit("RTX 4090", task="text-generation", limit=3)
    assert fit["model_id"].tolist() == ["meta/llama-7b", "mistralai/mistral-7b", "alice/llama-7b-chat"]
    assert cat.hardware_fit("RTX 4060", by_task=True)["fit"].tolist() == [1, 1, 1]
    with pytest.raises(ConfigError, match="^by_task counts every task: give no task or limit with it$"):
        cat.hardware_fit("RTX 4060", by_task=True, task="text-generation")  # not silently every task


def test_trends_and_stats(cat: Catalog) -> None:
    assert cat.trends("task").values.tolist() == [
        ["text-generation", 1950, 2300, 350, 17.95, 3],
        ["text-classification", 1900, 2000, 100, 5.26, 1],
    ]
    assert dict(cat.stats().values.tolist()) == {
        "models": 9,
        "models deleted from the Hub": 1,
        "tasks": 3,
        "libraries": 4,
        "apps": 3,
        "providers": 3,
        "datasets": 0,
        "spaces": 0,
        "lineage links": 5,
        "graph edges": 41,
        "downloads (live models)": 6930,
        "crawl runs": 2,
    }


def test_graphs(cat: Catalog) -> None:
    assert cat.faces_graph().nodes["app:vllm"]["count"] == 4
    assert cat.graph(kinds=["model", "library"]).number_of_edges() == 14  # 9 uses_library + 5 lineage
    assert sorted(cat.face_neighbourhood("library", "peft").nodes) == [
        "library:peft",
        "model:carol/llama-7b-chat-lora",
        "task:text-generation",
    ]
    assert cat.neighbourhood("app:ollama").number_of_edges() == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.lineage("meta/lama-7b"),
            "no model 'meta/lama-7b' in the catalog; did you mean 'meta/llama-7b'",
        ),
        (lambda c: c.search(library="transformer"), "no library 'transformer'; did you mean 'transformers'"),
        (lambda c: c.search(provider="grok"), "no provider 'grok'"),
        (lambda c: c.runs_where("acme/bert"), "no model 'acme/bert'"),
        (lambda c: c.hardware_fit("RTX 4090", task="txt-generation"), "no task 'txt-generation'"),
        (lambda c: c.face_neighbourhood("task", "text2text"), "no task 'text2text'"),
        (lambda c: c.family_stats("nobody/nothing"), "no model 'nobody/nothing' in the catalog$"),
    ],
)
def test_unknown_ids_raise_not_found(cat: Catalog, call: object, message: str) -> None:
    with pytest.raises(NotFound, match=message.replace("; did you mean", ".*did you mean")):
        call(cat)  # type: ignore[operator]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.family_stats(limit=-1),
        lambda c: c.influence(limit=-1),
        lambda c: c.trends(limit=-1),
        lambda c: c.hardware_fit("RTX 4090", limit=-1),
    ],
)
def test_a_negative_limit_is_refused(cat: Catalog, call: object) -> None:
    # Not "all but the last row" (a Python slice), nor "no limit" (SQLite) or a crash (PostgreSQL).
    with pytest.raises(ConfigError, match="^limit must be 0 or more, got -1$"):
        call(cat)  # type: ignore[operator]


def test_cli_search_lineage_and_stats(db_url: str) -> None:
    from click.testing import CliRunner

    from catalog.cli import main

    load_tiny_catalog(Store.open(db_url))
    runner = CliRunner()
    result = runner.invoke(
        main, ["search", "--db", db_url, "--app", "vllm", "--max-params", "7B", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert [line.split(",")[0] for line in result.output.splitlines()] == [
        "id",
        "meta/llama-7b",
        "alice/llama-7b-chat",
    ]
    result = runner.invoke(
        main, ["lineage", "--db", db_url, "alice/llama-7b-chat", "--direction", "both", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert [(r["model_id"], r["depth"], r["relation"], r["bases"]) for r in json.loads(result.output)] == [
        ("alice/llama-7b-chat", 0, "finetune", "meta/llama-7b"),
        ("bob/llama-7b-chat-gguf", 1, "quantized", "alice/llama-7b-chat"),
        ("carol/llama-7b-chat-lora", 1, "adapter", "alice/llama-7b-chat"),
        ("meta/llama-7b", -1, None, ""),
    ]
    result = runner.invoke(main, ["stats", "--db", db_url, "--families", "1"])
    assert result.exit_code == 0, result.output
    assert "largest model families" in result.output
    assert result.output.splitlines()[-1].split() == [
        "meta/llama-7b",
        "4",
        "1",
        "1",
        "1",
        "1",
        "2",
        "1830",
        "0",
    ]
    result = runner.invoke(main, ["stats", "--db", db_url, "--families", "-1"])
    assert (result.exit_code, result.output) == (1, "Error: limit must be 0 or more, got -1\n")
    result = runner.invoke(main, ["search", "--db", db_url, "--provider", "togther"])
    assert result.exit_code == 1
    assert result.output == "Error: no provider 'togther' in the catalog; did you mean 'together'?\n"


def test_counts_stay_integers_when_some_are_unknown(cat: Catalog) -> None:
    from click.testing import CliRunner

    from catalog.cli import main

    with cat.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE models SET num_parameters = NULL, downloads = NULL WHERE id = 'timm/resnet50'"
        )
    frame = cat.search(sort="likes")
    assert frame[["num_parameters", "downloads", "likes"]].dtypes.astype(str).tolist() == ["Int64"] * 3
    assert frame.loc[frame["id"] == "timm/resnet50", "num_parameters"].isna().all()
    result = CliRunner().invoke(
        main, ["search", "--db", cat.store.url, "--sort", "likes", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    # Not 6738000000.0: an unknown count elsewhere in the page made pandas turn the column into floats.
    assert [(r["id"], r["num_parameters"], r["downloads"]) for r in json.loads(result.output)][:2] == [
        ("meta/llama-7b", 6_738_000_000, 1000),
        ("mistralai/mistral-7b", 7_241_732_096, 900),
    ]
    assert {r["id"]: (r["num_parameters"], r["downloads"]) for r in json.loads(result.output)}[
        "timm/resnet50"
    ] == (None, None)
    table = CliRunner().invoke(main, ["search", "--db", cat.store.url, "--sort", "likes", "--limit", "1"])
    assert table.output.splitlines()[2].split()[4:7] == ["6738000000", "1000", "50"]


def test_cli_lineage_warns_about_cycles(db_url: str) -> None:
    from click.testing import CliRunner

    from catalog.cli import main

    load_bad_lineage(Store.open(db_url))
    result = CliRunner().invoke(main, ["lineage", "--db", db_url, "cyc/self"])
    assert result.exit_code == 0
    assert "warning: lineage cycle in the Hub's metadata: cyc/self" in result.output


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_lineage_goes_both_ways_and_notes_a_base_not_in_the_catalog(db_url: str, fmt: str) -> None:
    from click.testing import CliRunner

    from catalog.cli import main

    store = load_tiny_catalog(Store.open(db_url))
    with store.engine.begin() as conn:  # a base named by a card and never crawled
        conn.exec_driver_sql(
            "INSERT INTO model_lineage (model_id, base_model_id, relation) "
            "VALUES ('carol/llama-7b-chat-lora', 'ghost/base', 'adapter')"
        )
    result = CliRunner().invoke(
        main, ["lineage", "--db", db_url, "carol/llama-7b-chat-lora", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    if fmt == "table":
        lines = result.output.splitlines()
        assert lines[0].split()[-1] == "note"
        rows = [
            (line.split()[0], line.split()[1], line.endswith("  not in the catalog")) for line in lines[2:]
        ]
    else:
        records = (
            json.loads(result.output) if fmt == "json" else list(csv.DictReader(io.StringIO(result.output)))
        )
        rows = [(r["model_id"], str(r["depth"]), r["note"] == "not in the catalog") for r in records]
        assert [r["downloads"] for r in records] == (
            [50, 400, None, 1000] if fmt == "json" else ["50", "400", "", "1000"]
        )
    # Both directions by default: its bases (depth < 0), and its descendants had it any.
    assert rows == [
        ("carol/llama-7b-chat-lora", "0", False),
        ("alice/llama-7b-chat", "-1", False),
        ("ghost/base", "-1", True),
        ("meta/llama-7b", "-2", False),
    ]


@pytest.mark.parametrize(
    "option, message",
    [
        ("--limit", "limit and offset must add up to at most 9223372036854775807, got 99999999999999999999"),
        (
            "--offset",
            "limit and offset must add up to at most 9223372036854775807, got 100000000000000000019",
        ),
        (
            "--min-params",
            "parameter count 99999999999999999999 is out of range (at most 9223372036854775807)",
        ),
    ],
)
def test_cli_search_with_a_huge_number_is_one_error_line(db_url: str, option: str, message: str) -> None:
    from click.testing import CliRunner

    from catalog.cli import main

    load_tiny_catalog(Store.open(db_url))
    result = CliRunner().invoke(main, ["search", "--db", db_url, option, "99999999999999999999"])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
