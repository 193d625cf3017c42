"""The explorer as an ASGI app: FastAPI routes over a store, pages from the templates, JSON under ``/api``.

FastAPI (on Starlette, served by uvicorn) because it writes the OpenAPI document of the JSON API
(``/openapi.json``) from the routes' own types, which the fuzz test reads. Every route only reads;
the store is opened read-only by ``catalog web``. An id the catalog does not hold answers 404 with
its close matches, as a page or as JSON (``{"detail", "kind", "id", "suggestions"}``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any

import networkx as nx
from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from catalog.errors import CatalogError, ConfigError, NotFound
from catalog.graph.lineage import largest_families
from catalog.queries.entity import model_detail
from catalog.queries.faces import summary_run
from catalog.queries.models import SearchRow, search_models
from catalog.records import Sort, split_node_id
from catalog.render import views
from catalog.render.links import ServerLinks
from catalog.render.page import Page, static_files
from catalog.store import Store
from catalog.web.api import ModelAnswer, SqlAnswer, Suggestion, model_answer

__all__ = ["SQL_PAGE", "SQL_TIMEOUT", "create_app"]

#: Rows of the SQL console a page shows, the deepest page it goes to, and its time limit in seconds.
SQL_PAGE, SQL_MAX_OFFSET, SQL_TIMEOUT = 100, 100_000, 5.0
LINKS = ServerLinks()
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


async def _facets(
    q: str | None = None,
    task: str | None = None,
    library: str | None = None,
    app: str | None = None,
    provider: str | None = None,
    author: str | None = None,
    min_params: str | None = None,
    max_params: str | None = None,
) -> dict[str, Any]:
    """The search's query parameters, for the page and the JSON alike: each given one, stripped."""
    given = {
        "text": q,
        "task": task,
        "library": library,
        "app": app,
        "provider": provider,
        "author": author,
        "min_params": min_params,
        "max_params": max_params,
    }
    return {k: v.strip() for k, v in given.items() if v is not None and v.strip()}


#: The search facets of a request (``/search`` and ``/api/search`` take the same ones).
Facets = Annotated[dict[str, Any], Depends(_facets)]
#: How far into a listing a page starts.
Offset = Annotated[int, Query(ge=0, le=SQL_MAX_OFFSET)]


class _Cache:
    """What every map page shares: the faces graph (until a crawl counts the faces again), the families."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._faces: nx.Graph | None = None
        self._faces_run: int | None = None
        self._families: list[tuple[str, int]] | None = None
        self._families_run: int | None = None

    def faces(self) -> nx.Graph:
        # The faces graph comes from the summary each crawl counts: a crawl that ends while the
        # explorer serves (another process, writing the same database) brings a new one.
        run = summary_run(self.store)
        with self._lock:
            if self._faces is None or run != self._faces_run:
                self._faces, self._faces_run = views.faces_graph(self.store), run
            return self._faces

    def families(self) -> list[tuple[str, int]]:
        # Counted with the faces summary: kept until a crawl counts them again, as the faces are.
        run = summary_run(self.store)
        with self._lock:
            if self._families is None or run != self._families_run:
                self._families, self._families_run = largest_families(self.store, 20), run
            return self._families


def create_app(store: Store) -> FastAPI:
    """Return the explorer over ``store``: pages at the documented URLs, JSON under ``/api``."""
    app = FastAPI(
        title="hf-catalog explorer",
        summary="The catalog of the Hugging Face ecosystem, read-only.",
        version="1",
    )
    cache = _Cache(store)
    statics = static_files()

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # The time the server took, for the benchmark and the browser's network panel.
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(CatalogError)
    async def catalog_error(request: Request, exc: CatalogError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 400
        if request.url.path.startswith("/api/"):
            body: dict[str, Any] = {"detail": str(exc)}
            if isinstance(exc, NotFound):
                body.update(kind=exc.kind, id=exc.id, suggestions=exc.suggestions)
            return JSONResponse(body, status_code=status)
        if isinstance(exc, NotFound):
            page = views.not_found_page(exc, LINKS)
        else:
            page = Page(
                "notfound", "Cannot answer", LINKS, {"error": str(exc), "kind": "", "suggestions": []}
            )
        return HTMLResponse(page.html(), status_code=status)

    async def html(build: Callable[[], Page]) -> HTMLResponse:
        page = await run_in_threadpool(build)
        return HTMLResponse(page.html())

    # --- pages ---------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return await html(lambda: views.map_view(store, cache.faces(), cache.families(), LINKS))

    entities: dict[str, Callable[..., Page]] = {
        "models": views.model_view,
        "datasets": views.dataset_view,
        "spaces": views.space_view,
        "authors": views.author_view,
        "families": views.family_view,
    }
    for prefix, view in entities.items():
        _entity_route(app, prefix, partial(view, store, links=LINKS))

    @app.get("/more/{kind}", response_class=HTMLResponse, include_in_schema=False)
    async def more(kind: str) -> HTMLResponse:
        return await html(lambda: views.listing_view(cache.faces(), kind, LINKS))

    for kind, prefix in (
        ("task", "tasks"),
        ("library", "libraries"),
        ("app", "apps"),
        ("provider", "providers"),
        ("params", "params"),
    ):
        _entity_route(app, prefix, partial(_face_page, store, cache, kind))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    async def search_page(
        request: Request, facets: Facets, sort: str = "downloads", offset: Offset = 0
    ) -> HTMLResponse:
        rows = await run_in_threadpool(lambda: _search(store, facets, sort, 50, offset))
        shown = {**facets, "sort": sort}
        shown["query_without_offset"] = str(request.url.remove_query_params("offset").query)
        return HTMLResponse(views.search_view(rows, shown, LINKS, offset=offset, limit=50).html())

    @app.get("/sql", response_class=HTMLResponse, include_in_schema=False)
    async def sql_page(q: str = "", offset: Offset = 0) -> HTMLResponse:
        context: dict[str, Any] = {"sql": q, "page_rows": SQL_PAGE, "timeout": SQL_TIMEOUT, "offset": offset}
        context.update(columns=[], rows=[], more=False, error="")
        if q.strip():
            try:
                answer = await run_in_threadpool(lambda: _sql(store, q, offset))
                context.update(columns=answer.columns, rows=answer.rows, more=answer.more)
            except CatalogError as exc:  # a refused or runaway query is a line on the page
                context["error"] = str(exc)
        return HTMLResponse(Page("sql", "SQL console", LINKS, context).html())

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in statics:
            return Response("no such file", status_code=404, media_type="text/plain")
        return FileResponse(statics[name], headers={"Cache-Control": "public, max-age=3600"})

    # --- JSON ----------------------------------------------------------------------------

    @app.get("/api/models/{id:path}", summary="A model with its faces, lineage, datasets and Spaces")
    def api_model(id: str) -> ModelAnswer:
        return model_answer(model_detail(store, id))

    @app.get("/api/search", summary="Live models by id substring, author and faces, in the Hub's orders")
    def api_search(
        facets: Facets,
        sort: Sort = "downloads",
        limit: Annotated[int, Query(ge=0, le=100)] = 20,
        offset: Offset = 0,
    ) -> list[SearchRow]:
        return _search(store, facets, sort, limit, offset)

    @app.get("/api/suggest", summary="What the search box lists for a few typed characters")
    def api_suggest(q: Annotated[str, Query(max_length=200)] = "") -> list[Suggestion]:
        return _suggest(store, cache.faces(), q)

    @app.get("/api/sql", summary="One page of a read-only SQL query, under a time limit")
    def api_sql(
        q: Annotated[str, Query(min_length=1, max_length=20_000)],
        offset: Offset = 0,
    ) -> SqlAnswer:
        return _sql(store, q, offset)

    return app


def _face_page(store: Store, cache: _Cache, kind: str, id: str) -> Page:
    return views.face_view(store, cache.faces(), kind, id, LINKS)


def _entity_route(app: FastAPI, prefix: str, build: Callable[[str], Page]) -> None:
    """Serve ``/{prefix}/{id}`` (the id keeps its slashes) with the page ``build(id)`` returns."""

    async def page(id: str) -> HTMLResponse:
        built = await run_in_threadpool(build, id)
        return HTMLResponse(built.html())

    app.add_api_route(
        f"/{prefix}/{{id:path}}", page, response_class=HTMLResponse, include_in_schema=False, name=prefix
    )


def _search(store: Store, facets: dict[str, Any], sort: str, limit: int, offset: int) -> list[SearchRow]:
    if "\x00" in "".join(facets.values()):
        raise ConfigError("a search term cannot hold a NUL character")
    return search_models(store, **facets, sort=sort, limit=limit, offset=offset)  # type: ignore[arg-type]


def _suggest(store: Store, faces: nx.Graph, text: str) -> list[Suggestion]:
    text = text.strip()
    if not text or "\x00" in text:
        return []
    found = [
        Suggestion(row.id, "model", LINKS.to("model", row.id) or "")
        for row in search_models(store, text=text, limit=8)
    ]
    words = text.lower().split()
    for node, data in faces.nodes(data=True):
        kind, id = split_node_id(str(node))
        key = f"{data.get('label') or id} {id} {kind}".lower()
        if all(word in key for word in words) and len(found) < 16:
            found.append(Suggestion(str(data.get("label") or id), kind, LINKS.to(kind, id) or ""))
    return found


def _sql(store: Store, sql: str, offset: int) -> SqlAnswer:
    if "\x00" in sql:
        raise ConfigError("a query cannot hold a NUL character")
    # Rows stream from the database: the ones before the page are skipped, and one past it says
    # whether another page follows; a query matching millions of rows is never read whole.
    with store.read_only_query(sql, timeout=SQL_TIMEOUT, max_rows=offset + SQL_PAGE + 1) as rows:
        page = [[_plain(v) for v in row] for i, row in enumerate(rows) if i >= offset]
        columns = list(rows.columns)
    return SqlAnswer(columns, page[:SQL_PAGE], offset, len(page) > SQL_PAGE)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
