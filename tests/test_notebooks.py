"""Every notebook in notebooks/ runs top to bottom, without an error, on the bundled snapshot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from catalog.crawl import crawl_snapshot
from catalog.store import Store

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def snapshot_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite catalog of the bundled snapshot, crawled once for the session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('notebooks') / 'catalog.db'}"
    with Store.open(url) as store:
        crawl_snapshot(store, ROOT / "data" / "snapshot")
    return url


def test_there_is_a_tour() -> None:
    assert [p.name for p in NOTEBOOKS] == ["tour.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_on_the_snapshot(path: Path, snapshot_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_DB", snapshot_db)  # the kernel inherits it
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs), "the tour draws a picture"
