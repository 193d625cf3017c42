"""The explorer's JSON answers (``/api/...``): the same data as the pages, typed for the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.queries.entity import BaseRow, ModelDetail, ProviderRow

__all__ = ["ModelAnswer", "SqlAnswer", "Suggestion", "model_answer"]


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """``GET /api/models/{id}``: a model, its faces, lineage, datasets and Spaces."""

    id: str
    author: str | None
    pipeline_tag: str | None
    library_name: str | None
    num_parameters: int | None
    parameters: dict[str, int] | None
    license: str | None
    downloads: int | None
    likes: int | None
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
    m = detail.model
    return ModelAnswer(
        id=m.id,
        author=m.author,
        pipeline_tag=m.pipeline_tag,
        library_name=m.library_name,
        num_parameters=m.num_parameters,
        parameters=m.parameters,
        license=m.license,
        downloads=m.downloads,
        likes=m.likes,
        apps=[a.id for a in detail.apps],
        providers=list(detail.providers),
        bases=list(detail.bases),
        children=dict(detail.children),
        datasets=[d for d, _ in detail.datasets],
        spaces=list(detail.spaces),
    )
