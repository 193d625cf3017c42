"""Pages without a graph: the list of faces folded into a "+N more" node, and a face no model touches."""

from __future__ import annotations

from collections.abc import Sequence

from catalog.render.page import Page, escape, relative_href
from catalog.render.style import format_count

__all__ = ["listing_page"]


def listing_page(
    path: str,
    title: str,
    rows: Sequence[tuple[str, str | None, float | None]],
    *,
    note: str = "",
    heading: str = "Name",
    figure: str = "Models",
) -> Page:
    """Build a page that lists ``rows`` of ``(name, page path or None, figure)`` in a table.

    Examples
    --------
    >>> page = listing_page("more/library.html", "Libraries", [("<b>", "library/b.html", 3)])
    >>> '<a href="../library/b.html">&lt;b&gt;</a>' in page.html()
    True
    """
    parts = [f'<p class="note">{escape(note)}</p>' if note else ""]
    parts.append(f'<table><tr><th>{escape(heading)}</th><th class="n">{escape(figure)}</th></tr>')
    for name, target, value in rows:
        cell = (
            f'<a href="{escape(relative_href(path, target))}">{escape(name)}</a>' if target else escape(name)
        )
        parts.append(f'<tr><td>{cell}</td><td class="n">{format_count(value)}</td></tr>')
    parts.append("</table>")
    return Page(path, title, [], [], sidebar="".join(parts))
