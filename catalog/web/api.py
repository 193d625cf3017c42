"""The explorer's JSON answers (``/api/...``): the same data as the pages, typed for the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from catalog.queries.entity import BaseRow, ModelDetail, ModelRow, ProviderRow

__all__ = ["ModelAnswer", "SqlAnswer", "Suggestion", "model_answer"]


@dataclass(frozen=True, slots=True)
class ModelAnswer(ModelRow):
    """``GET /api/models/{id}``: a model's row, then its faces, lineage, datasets and Spaces."""

    apps: list[str]
    providers: list[ProviderRow]
    bases: list[BaseRow]
    children: dict[str, int]
    datasets: list[str]
    spaces: list[str]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One entry of the search box's list: a name, its kind, the page it opens."""

    name: str
    kind: str
    href: str


@dataclass(frozen=True, slots=True)
class SqlAnswer:
    """One page of a read-only query's rows; ``more`` says whether rows follow."""

    columns: list[str]
    rows: list[list[Any]]
    offset: int
    more: bool


def model_answer(detail: ModelDetail) -> ModelAnswer:
    """Return the JSON answer of a model from its detail.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.queries.entity import model_detail
    >>> answer = model_answer(model_detail(demo_store(), "mistralai/mistral-7b"))
    >>> answer.providers[0], answer.children, answer.apps
    (ProviderRow(id='groq', label='Groq', status='live', provider_model_id='mistral-7b', task='text-generation'), {'merge': 1}, ['vllm'])
    """
    row = detail.model
    return ModelAnswer(
        **{f.name: getattr(row, f.name) for f in fields(row)},
        apps=[a.id for a in detail.apps],
        providers=list(detail.providers),
        bases=list(detail.bases),
        children=dict(detail.children),
        datasets=[d for d, _ in detail.datasets],
        spaces=list(detail.spaces),
    )
