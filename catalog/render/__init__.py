"""The explorer's pages: Jinja2 templates filled from the query layer, served live or exported as files.

``views`` builds each page from a store, over page builders per type (``model``, ``face``,
``index``, ``lineage``, ``listing``), layouts computed in Python (``layout``), aggregation
(``fold``) and looks (``style``); ``page`` renders templates, ``links`` names URLs or files;
``site`` exports pages to a folder. The only code that imports pyvis (for its vis-network file).
"""

from __future__ import annotations

from catalog.render.site import MapSummary, PageSummary, render_map

__all__ = ["MapSummary", "PageSummary", "render_map"]
