"""Self-contained HTML pages of the catalog's graph: the ecosystem map. The only code that imports pyvis.

One module per page type (``index``, ``face``, ``lineage``, ``listing``) over a shared shell
(``page``), layouts computed in Python (``layout``), aggregation (``fold``) and looks (``style``);
``site`` writes them all.
"""

from __future__ import annotations

from catalog.render.site import MapSummary, PageSummary, render_map

__all__ = ["MapSummary", "PageSummary", "render_map"]
