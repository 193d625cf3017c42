"""The explorer on a real server: a literal catalog with hostile strings, served by uvicorn in a thread.

Import as ``from tests.web_fixtures import ...``. The catalog is the demo one plus datasets, a
Space, and a model, a library and a card whose strings are markup and ``javascript:`` URLs (the
Hub's strings come from strangers). Every count is made up.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from catalog.graph.demo import load_demo
from catalog.store import Store
from catalog.web import create_app

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "EVIL_CARD",
    "EVIL_LIBRARY",
    "EVIL_MODEL",
    "EXTRA",
    "load_web_catalog",
    "serving",
]

#: Debian's Chromium (or ``$CATALOG_CHROMIUM``), which Playwright drives without a download of its own.
CHROMIUM = os.environ.get("CATALOG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Headless, offline and quiet: no sandbox (root in CI), no GPU, no update or sync traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EVIL_MODEL = 'evil/<script>window.__pwned=1</script>"onmouseover="window.__pwned=2'
EVIL_LIBRARY = '"><img src=x onerror="window.__pwned=3">'
EVIL_CARD = "</script><script>window.__pwned=4</script>"
EXTRA: dict[str, list[dict[str, Any]]] = {
    "libraries": [
        {
            "id": EVIL_LIBRARY,
            "label": EVIL_LIBRARY,
            "repo_url": "javascript:window.__pwned=5",
            "docs_url": None,
        },
        {
            "id": "transformers",
            "label": "Transformers",
            "repo_url": "https://github.com/huggingface/transformers",
            "docs_url": " javascript:window.__pwned=7",
        },
    ],
    "models": [
        {
            "id": EVIL_MODEL,
            "author": "evil",
            "pipeline_tag": "text-generation",
            "library_name": EVIL_LIBRARY,
            "downloads": 1_000_000,
            "likes": 1,
            "card_data": {"homepage": "javascript:window.__pwned=6", "note": EVIL_CARD},
        }
    ],
    "model_lineage": [{"model_id": EVIL_MODEL, "base_model_id": "meta/llama-7b", "relation": "finetune"}],
    "datasets": [
        {
            "id": "org/wiki",
            "author": "org",
            "downloads": 70,
            "likes": 3,
            "task_categories": ["text-generation"],
        }
    ],
    "model_datasets": [
        {"model_id": "meta/llama-7b", "dataset_id": "org/wiki"},
        {"model_id": "alice/llama-7b-chat", "dataset_id": "org/wiki"},
        {"model_id": "alice/llama-7b-chat", "dataset_id": "gone/not-held"},
    ],
    "spaces": [{"id": "alice/chat-demo", "author": "alice", "sdk": "gradio", "likes": 4}],
    "space_models": [
        {"space_id": "alice/chat-demo", "model_id": "alice/llama-7b-chat"},
        {"space_id": "alice/chat-demo", "model_id": "nobody/not-held"},
    ],
    "space_datasets": [{"space_id": "alice/chat-demo", "dataset_id": "org/wiki"}],
}


def load_web_catalog(store: Store) -> Store:
    """Load the demo catalog and :data:`EXTRA` into ``store``."""
    return load_demo(store, extra=EXTRA)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(store: Store) -> Iterator[str]:
    """Serve the explorer over ``store`` on 127.0.0.1 in a thread; yield its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the explorer did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
