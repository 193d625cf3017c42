"""Real Hub records the tests read, from the one place the project keeps each.

Import as ``from tests.hub_records import LLAMA_31_8B_INSTRUCT``. The snapshot's recorded records
live in ``scripts/snapshot_sources.py`` (``RECORDED``, with where each field comes from); a test
that wants the Hub's own shape of a record reads it from there rather than copying it.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

# scripts/ is a folder of scripts, not a package: its module is run from its file.
_SOURCES = runpy.run_path(str(Path(__file__).resolve().parent.parent / "scripts" / "snapshot_sources.py"))
RECORDED: dict[str, dict[str, Any]] = _SOURCES["RECORDED"]

#: ``model_info("meta-llama/Llama-3.1-8B-Instruct")`` as the snapshot records it (its real fields): two
#: ``base_model`` tags naming the current id, and ``cardData.base_model`` the repo's old name.
LLAMA_31_8B_INSTRUCT: dict[str, Any] = {
    "id": "meta-llama/Llama-3.1-8B-Instruct",
    **RECORDED["meta-llama/Llama-3.1-8B-Instruct"],
}
