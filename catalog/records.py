"""Values that cross module boundaries: the closed vocabularies of the graph and its node ids."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "KINDS",
    "LINEAGE_RELATIONS",
    "LINEAGE_RELS",
    "RELS",
    "Kind",
    "LineageRelation",
    "Rel",
    "split_node_id",
]

Kind = Literal["model", "task", "library", "app", "space", "provider", "dataset"]
Rel = Literal[
    "has_task",
    "uses_library",
    "finetune_of",
    "adapter_of",
    "quantized_from",
    "merge_of",
    "trained_on",
    "served_by",
    "runs_in",
    "uses_model",
    "uses_dataset",
    "supports_task",
]
LineageRelation = Literal["finetune", "adapter", "quantized", "merge"]

KINDS: tuple[Kind, ...] = get_args(Kind)
RELS: tuple[Rel, ...] = get_args(Rel)
LINEAGE_RELATIONS: tuple[LineageRelation, ...] = get_args(LineageRelation)

#: The ``rel`` of a lineage edge (child -> base) for each relation the Hub names.
LINEAGE_RELS: dict[LineageRelation, Rel] = {
    "finetune": "finetune_of",
    "adapter": "adapter_of",
    "quantized": "quantized_from",
    "merge": "merge_of",
}


def split_node_id(node: str) -> tuple[Kind, str]:
    """Split a graph node id into its kind and entity id.

    Examples
    --------
    >>> split_node_id("model:google-bert/bert-base-uncased")
    ('model', 'google-bert/bert-base-uncased')
    """
    kind, _, id = node.partition(":")
    if kind not in KINDS or not id:
        raise ValueError(f"not a node id: {node!r} (expected 'kind:id' with kind in {', '.join(KINDS)})")
    return kind, id  # type: ignore[return-value]
