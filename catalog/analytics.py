"""The Python analytics API: questions about the ecosystem answered as pandas DataFrames.

``Catalog.open(url)`` opens the same database as the CLI (``$CATALOG_DB``, else
``data/catalog.db``); each method answers one question with a DataFrame, or with a networkx
graph where the answer is a graph. An id the catalog does not hold raises
:class:`~catalog.errors.NotFound` naming it (with close matches), never an empty frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import fields
from typing import Any, Unpack

import networkx as nx
import pandas as pd

from catalog.errors import ConfigError
from catalog.graph.build import build_graph
from catalog.graph.demo import demo_store
from catalog.graph.faces import build_faces_graph
from catalog.graph.influence import Influence, lineage_pagerank
from catalog.graph.lineage import (
    FamilyMember,
    family_members,
    family_stats,
    family_tree,
    largest_families,
)
from catalog.graph.neighbourhood import Centre, face_neighbourhood, neighbourhood
from catalog.queries.faces import CoverageRow, ReachRow, cooccurrence_counts, provider_coverage, reach
from catalog.queries.fit import FitRow, FitShare, RunsWhere, hardware_fit, hardware_fit_by_task, runs_where
from catalog.queries.models import ModelFacets, SearchFacets, SearchRow, search_models
from catalog.queries.stats import catalog_stats
from catalog.queries.trends import Metric, Trend, TrendBy, trends
from catalog.records import LINEAGE_RELATIONS, PARAM_BUCKETS, Direction, Face, Kind
from catalog.store import Store

__all__ = ["Catalog", "catalog_stats"]

#: Counts that may be unknown: kept as integers (pandas' nullable ``Int64``), not floats with NaN.
_COUNTS = ("num_parameters", "downloads", "likes")


def _frame(rows: Sequence[Any], row_type: type[Any]) -> pd.DataFrame:
    """Return ``rows`` (of the dataclass ``row_type``) as a frame with its fields as columns, in order."""
    columns = [f.name for f in fields(row_type)]
    frame = pd.DataFrame([[getattr(r, c) for c in columns] for r in rows], columns=columns)
    return frame.astype({c: "Int64" for c in _COUNTS if c in frame.columns})


class Catalog(AbstractContextManager["Catalog"]):
    """A catalog database, asked questions from Python (``with Catalog.open(...) as cat:`` closes it).

    Examples
    --------
    >>> cat = Catalog.demo()
    >>> cat.search(task="text-generation", limit=3)[["id", "downloads"]]
                         id  downloads
    0         meta/llama-7b       1000
    1  mistralai/mistral-7b        900
    2         big/llama-70b        700
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, url: str | None = None) -> Catalog:
        """Open the catalog at ``url``; the default is the CLI's (``$CATALOG_DB``, else ``data/catalog.db``).

        Examples
        --------
        >>> with Catalog.open("sqlite://") as empty:  # a new database is created at the newest schema
        ...     int(empty.stats().set_index("what").loc["models", "count"])
        0
        """
        return cls(Store.open(url, create=False))

    @classmethod
    def demo(cls) -> Catalog:
        """Return a catalog of the tiny made-up demo data (``catalog.graph.demo``), in memory.

        Examples
        --------
        >>> Catalog.demo()
        Catalog('sqlite://')
        """
        return cls(demo_store())

    def close(self) -> None:
        """Release the database connections (``with Catalog.open(...) as cat:`` does it on exit)."""
        self.store.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog({self.store.display_url!r})"

    # --- models ---------------------------------------------------------------------------

    def search(self, **facets: Unpack[SearchFacets]) -> pd.DataFrame:
        """Return one page of live models matching every facet given (see ``SearchFacets``).

        Examples
        --------
        >>> Catalog.demo().search(app="vllm", max_params="10B", sort="likes")[["id", "likes"]]
                             id  likes
        0         meta/llama-7b     50
        1  mistralai/mistral-7b     40
        2   alice/llama-7b-chat     20
        """
        return _frame(search_models(self.store, **facets), SearchRow)

    def runs_where(self, model_id: str) -> pd.DataFrame:
        """Return the local apps that run ``model_id`` and the providers that serve it (live or staging).

        Examples
        --------
        >>> Catalog.demo().runs_where("mistralai/mistral-7b")[["kind", "id", "status"]]
               kind        id   status
        0       app      vllm      NaN
        1  provider      groq     live
        2  provider  together  staging
        """
        return _frame(runs_where(self.store, model_id), RunsWhere)

    def hardware_fit(
        self,
        sku: str,
        *,
        task: str | None = None,
        memory_gb: float | None = None,
        by_task: bool = False,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Return the live models whose weights fit the memory of ``sku``, or their count per task.

        Examples
        --------
        >>> Catalog.demo().hardware_fit("RTX 4090", by_task=True)[["pipeline_tag", "fit", "sized"]]
                   pipeline_tag  fit  sized
        0       text-generation    6      7
        1  image-classification    1      1
        2   text-classification    1      1
        """
        if by_task:
            if task is not None or limit is not None:
                raise ConfigError("by_task counts every task: give no task or limit with it")
            return _frame(hardware_fit_by_task(self.store, sku, memory_gb=memory_gb), FitShare)
        return _frame(hardware_fit(self.store, sku, task=task, memory_gb=memory_gb, limit=limit), FitRow)

    # --- lineage ----------------------------------------------------------------------------

    def family_tree(
        self, model_id: str, direction: Direction = "down", max_depth: int | None = None
    ) -> nx.DiGraph:
        """Return the family of ``model_id`` as a graph (see ``catalog.graph.lineage.family_tree``).

        Examples
        --------
        >>> tree = Catalog.demo().family_tree("meta/llama-7b", max_depth=1)
        >>> sorted(tree.edges(data="rel"))
        [('model:alice/llama-7b-chat', 'model:meta/llama-7b', 'finetune_of'),
         ('model:dave/llama-mistral-merge', 'model:meta/llama-7b', 'merge_of')]
        """
        return family_tree(self.store, model_id, direction=direction, max_depth=max_depth)

    def lineage(
        self, model_id: str, direction: Direction = "both", max_depth: int | None = None
    ) -> pd.DataFrame:
        """Return the family of ``model_id``, one row per model (see ``FamilyMember``), nearest first.

        ``frame.attrs["cycles"]`` lists the cycles met in the lineage (see ``family_tree``).

        Examples
        --------
        >>> Catalog.demo().lineage("bob/llama-7b-chat-gguf", "up")[["model_id", "depth", "relation", "bases"]]
                         model_id  depth   relation                  bases
        0  bob/llama-7b-chat-gguf      0  quantized  [alice/llama-7b-chat]
        1     alice/llama-7b-chat     -1   finetune        [meta/llama-7b]
        2           meta/llama-7b     -2        NaN                     []
        """
        tree = self.family_tree(model_id, direction, max_depth)
        frame = _frame(family_members(tree), FamilyMember)
        frame.attrs["cycles"] = tree.graph["cycles"]
        return frame

    def family_stats(self, root_id: str | None = None, *, limit: int = 20) -> pd.DataFrame:
        """Return family statistics of ``root_id``, or of the ``limit`` largest families.

        Examples
        --------
        >>> Catalog.demo().family_stats()[["root", "descendants", "merge", "depth", "downloads"]]
                           root  descendants  merge  depth  downloads
        0         meta/llama-7b            4      1      2       1830
        1  mistralai/mistral-7b            1      1      1        980
        """
        roots = [root_id] if root_id is not None else [r for r, _ in largest_families(self.store, limit)]
        columns = ["root", "descendants", *LINEAGE_RELATIONS, "depth", "downloads", "cycles"]
        rows = []
        for stats in (family_stats(self.store, root) for root in roots):
            rows.append(
                [
                    stats.root,
                    stats.descendants,
                    *stats.by_relation.values(),
                    stats.depth,
                    stats.downloads,
                    stats.cycles,
                ]
            )
        return pd.DataFrame(rows, columns=columns)

    def influence(self, limit: int | None = 20) -> pd.DataFrame:
        """Rank base models by PageRank over the lineage, weighted by downloads.

        Examples
        --------
        >>> Catalog.demo().influence()[["model_id", "derivatives"]]
                      model_id  derivatives
        0         meta/llama-7b            2
        1  mistralai/mistral-7b            1
        2   alice/llama-7b-chat            2
        """
        return _frame(lineage_pagerank(self.store, limit=limit), Influence)

    # --- faces ------------------------------------------------------------------------------

    def reach(self, face: Face) -> pd.DataFrame:
        """Rank the values of a face (task, library, app, provider, params) by the live models they reach.

        Examples
        --------
        >>> Catalog.demo().reach("provider")[["id", "models", "downloads"]]
                     id  models  downloads
        0      together       3       2600
        1          groq       1        900
        2  hf-inference       1       2000
        """
        return _frame(reach(self.store, face), ReachRow)

    def cooccurrence(self, a: Face, b: Face, *, pivot: bool = False) -> pd.DataFrame:
        """Return how many live models each pair of ``a`` and ``b`` values shares (a table if ``pivot``).

        Examples
        --------
        >>> Catalog.demo().cooccurrence("library", "app", pivot=True)
        app           llama.cpp  ollama  vllm
        library
        gguf                  1       1     0
        transformers          0       0     4
        """
        rows = [(r.a, r.b, r.models, r.downloads) for r in cooccurrence_counts(self.store, a, b)]
        frame = pd.DataFrame(rows, columns=[a, b, "models", "downloads"])
        if not pivot:
            return frame
        return frame.pivot_table(index=a, columns=b, values="models", fill_value=0, aggfunc="sum")

    def provider_coverage(self) -> pd.DataFrame:
        """Return, per task, how many live models inference providers serve (live, or live or staging).

        Examples
        --------
        >>> Catalog.demo().provider_coverage()[["task", "models", "served_live", "providers"]]
                           task  models  served_live  providers
        0       text-generation       7            3          2
        1  image-classification       1            0          0
        2   text-classification       1            1          1
        """
        return _frame(provider_coverage(self.store), CoverageRow)

    def app_reach(self) -> pd.DataFrame:
        """Return, per parameter bucket, its live models and how many of them each local app runs.

        Examples
        --------
        >>> Catalog.demo().app_reach()
                 models  llama.cpp  ollama  vllm
        <1B           3          0       0     0
        1-3B          0          0       0     0
        3-7B          3          1       1     2
        7-13B         2          0       0     1
        13-34B        0          0       0     0
        34-70B        0          0       0     0
        70-200B       1          0       0     1
        >200B         0          0       0     0
        """
        buckets = [b for b, _, _ in PARAM_BUCKETS]
        table = self.cooccurrence("params", "app", pivot=True).reindex(buckets, fill_value=0)
        models = {r.id: r.models for r in reach(self.store, "params")}
        table.insert(0, "models", [models.get(b, 0) for b in buckets])
        table.index.name = table.columns.name = None
        return table.astype(int)

    def faces_graph(self) -> nx.Graph:
        """Return the graph of the five faces and their co-occurrence (see ``build_faces_graph``).

        Examples
        --------
        >>> faces = Catalog.demo().faces_graph()
        >>> faces.edges["library:gguf", "app:ollama"]["weight"]
        1
        """
        return build_faces_graph(self.store)

    def face_neighbourhood(self, kind: Centre, id: str, *, limit: int = 50) -> nx.Graph:
        """Return the top ``limit`` models around a task, library, app or provider, as a graph.

        Examples
        --------
        >>> sorted(Catalog.demo().face_neighbourhood("app", "llama.cpp"))
        ['app:llama.cpp', 'app:ollama', 'library:gguf', 'model:bob/llama-7b-chat-gguf', 'task:text-generation']
        """
        return face_neighbourhood(self.store, kind, id, limit=limit)

    def graph(self, *, kinds: Sequence[Kind] | None = None, **facets: Unpack[ModelFacets]) -> nx.MultiDiGraph:
        """Return the knowledge graph, or a sub-graph (see ``catalog.graph.build.build_graph``).

        Examples
        --------
        >>> graph = Catalog.demo().graph(task="image-classification")
        >>> sorted(graph.edges(keys=True))[:2]
        [('library:timm', 'task:image-classification', 'supports_task'),
         ('model:timm/resnet50', 'library:timm', 'uses_library')]
        """
        return build_graph(self.store, kinds=kinds, **facets)

    def neighbourhood(self, node: str, radius: int = 1) -> nx.MultiDiGraph:
        """Return every node within ``radius`` steps of ``node`` (``kind:id``) in the graph.

        Examples
        --------
        >>> sorted(Catalog.demo().neighbourhood("provider:groq").edges(keys=True))
        [('model:mistralai/mistral-7b', 'provider:groq', 'served_by'),
         ('provider:groq', 'task:text-generation', 'supports_task')]
        """
        return neighbourhood(self.store, node, radius)

    # --- history ----------------------------------------------------------------------------

    def trends(
        self,
        by: TrendBy = "model",
        *,
        metric: Metric = "downloads",
        runs: tuple[int, int] | None = None,
        limit: int | None = 20,
    ) -> pd.DataFrame:
        """Return the growth of downloads (or likes) per model, library, task, provider or author.

        Examples
        --------
        >>> Catalog.demo().trends("library")[["id", "before", "after", "growth"]]
                     id  before  after  growth
        0  transformers    3850   4300     450
        """
        return _frame(trends(self.store, by, metric=metric, runs=runs, limit=limit), Trend)

    def stats(self) -> pd.DataFrame:
        """Return the main counts of the catalog.

        Examples
        --------
        >>> Catalog.demo().stats().head(3)
                                  what  count
        0                       models      9
        1  models deleted from the Hub      1
        2                        tasks      3
        """
        return pd.DataFrame(catalog_stats(self.store), columns=["what", "count"])
