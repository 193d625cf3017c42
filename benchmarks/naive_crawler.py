"""A naive crawler, the kind one writes in an afternoon: stdlib ``urllib`` + ``json`` + ``sqlite3``.

The baseline ``bench_hub.py`` compares ``catalog crawl`` with, for speed and above all for the size
of the database: it keeps everything (each record's whole JSON in ``raw``, its main fields in
columns, its tags in a link table indexed by tag, the models' lineage), with no deferred index, no
batching beyond a page, no threads. The catalog's database should be no bigger than 1.2x this one
for the same records. Usage::

    python benchmarks/naive_crawler.py http://127.0.0.1:8000 naive.db

Examples
--------
>>> import tempfile
>>> from catalog.hub import ReplayServer, write_snapshot
>>> snap = write_snapshot(tempfile.mkdtemp(), models=[{"id": "a/b", "tags": ["x", "base_model:c/d"]}])
>>> with ReplayServer(snap) as server:
...     counts = crawl(server.url, tempfile.mktemp(suffix=".db"))
>>> counts["models"], counts["model_tags"], counts["model_lineage"]
(1, 2, 1)
"""

from __future__ import annotations

import json
import sqlite3
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

__all__ = ["SCHEMA", "crawl"]

SCHEMA = """
CREATE TABLE models (id TEXT PRIMARY KEY, author TEXT, pipeline_tag TEXT, library_name TEXT,
  downloads INTEGER, likes INTEGER, created_at TEXT, last_modified TEXT, num_parameters INTEGER, raw TEXT);
CREATE TABLE model_tags (model_id TEXT, tag TEXT, PRIMARY KEY (model_id, tag));
CREATE INDEX model_tags_tag ON model_tags (tag);
CREATE TABLE model_lineage (model_id TEXT, base_model_id TEXT, relation TEXT, PRIMARY KEY (model_id, base_model_id));
CREATE INDEX model_lineage_base ON model_lineage (base_model_id);
CREATE TABLE datasets (id TEXT PRIMARY KEY, author TEXT, downloads INTEGER, likes INTEGER,
  created_at TEXT, last_modified TEXT, raw TEXT);
CREATE TABLE dataset_tags (dataset_id TEXT, tag TEXT, PRIMARY KEY (dataset_id, tag));
CREATE TABLE spaces (id TEXT PRIMARY KEY, author TEXT, sdk TEXT, likes INTEGER,
  created_at TEXT, last_modified TEXT, raw TEXT);
CREATE TABLE space_models (space_id TEXT, model_id TEXT, PRIMARY KEY (space_id, model_id));
"""


def pages(endpoint: str, kind: str) -> Iterator[list[Any]]:
    """Yield the pages of a listing, following its ``Link: <...>; rel="next"`` header."""
    url: str | None = f"{endpoint}/api/{kind}?limit=1000&full=true"
    while url:
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
            link = response.headers.get("Link") or ""
        yield json.loads(body)
        url = None
        for part in link.split(","):
            if 'rel="next"' in part:
                url = part.split(";")[0].strip().strip("<>")
                url = url if url.startswith("http") else endpoint + url


def _model(record: dict[str, Any]) -> tuple[Any, ...]:
    size = (record.get("safetensors") or {}).get("total") or (record.get("gguf") or {}).get("total")
    return (
        record["id"],
        record.get("author"),
        record.get("pipeline_tag"),
        record.get("library_name"),
        record.get("downloads"),
        record.get("likes"),
        record.get("createdAt"),
        record.get("lastModified"),
        size,
        json.dumps(record),
    )


def _lineage(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    found: dict[str, str] = {}
    for tag in record.get("tags") or []:
        if tag.startswith("base_model:"):
            relation, _, base = tag[11:].rpartition(":")
            if base and "/" in base and (relation or base not in found):
                found[base] = relation or "finetune"
    return [(record["id"], base, relation) for base, relation in found.items()]


#: Datasets and Spaces: the record fields of a row (between its id and its JSON), and the link
#: table filled from one list field.
_OTHER_REPOS = (
    ("datasets", ("author", "downloads", "likes", "createdAt", "lastModified"), "dataset_tags", "tags"),
    ("spaces", ("author", "sdk", "likes", "createdAt", "lastModified"), "space_models", "models"),
)


def _row(record: dict[str, Any], fields: tuple[str, ...]) -> tuple[Any, ...]:
    return (record["id"], *(record.get(f) for f in fields), json.dumps(record))


def crawl(endpoint: str, path: str) -> dict[str, int]:
    """Crawl models, datasets and Spaces from ``endpoint`` into a new SQLite file; return row counts."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    for records in pages(endpoint, "models"):
        db.executemany("INSERT OR REPLACE INTO models VALUES (?,?,?,?,?,?,?,?,?,?)", map(_model, records))
        db.executemany(
            "INSERT OR IGNORE INTO model_tags VALUES (?, ?)",
            [(r["id"], t) for r in records for t in r.get("tags") or []],
        )
        db.executemany(
            "INSERT OR IGNORE INTO model_lineage VALUES (?, ?, ?)", [x for r in records for x in _lineage(r)]
        )
        db.commit()
    for kind, fields, link, listed in _OTHER_REPOS:
        marks = ",".join("?" * (len(fields) + 2))
        for records in pages(endpoint, kind):
            db.executemany(
                f"INSERT OR REPLACE INTO {kind} VALUES ({marks})", [_row(r, fields) for r in records]
            )
            db.executemany(
                f"INSERT OR IGNORE INTO {link} VALUES (?, ?)",
                [(r["id"], x) for r in records for x in r.get(listed) or []],
            )
            db.commit()
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    counts = {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}
    db.close()
    return counts


if __name__ == "__main__":
    print(crawl(sys.argv[1], sys.argv[2]))
