"""Pages without a graph: every face of one kind (what a "+N more" node folds), listed by models."""

from __future__ import annotations

from collections.abc import Sequence

from catalog.render.links import Links
from catalog.render.page import Page

__all__ = ["listing_page"]


def listing_page(
    title: str,
    rows: Sequence[tuple[str, str, str, float | None]],
    links: Links,
    *,
    note: str = "",
    heading: str = "Name",
    figure: str = "Models",
) -> Page:
    """Build a page that lists ``rows`` of ``(kind, id, label, figure)``, each linked to its page.

    Examples
    --------
    >>> from catalog.render.links import ServerLinks
    >>> page = listing_page("Libraries", [("library", "b", "<b>", 3)], ServerLinks())
    >>> '<a href="/libraries/b">&lt;b&gt;</a>' in page.html()
    True
    """
    context = {"rows": list(rows), "note": note, "heading": heading, "figure": figure}
    return Page("listing", title, links, context)
