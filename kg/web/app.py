"""The pages of ``privacy-kg serve``: Starlette routes over ``kg.web.data`` (the one door to the graph), rendered
with the Jinja2 templates in ``kg/templates`` (autoescaped: policy text is hostile input).

Security: every response carries a Content-Security-Policy that allows scripts and styles from this origin only
(``/static/app.js``, ``/static/app.css``: no inline script or style runs, whatever a policy's text holds), and only
``POST /review`` writes (a per-process token in the form and a same-origin check).
"""
from __future__ import annotations

import contextlib
import secrets
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rdflib import URIRef

from kg.errors import KgError
from kg.templating import environment
from kg.web.data import Data

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PAGE_ROWS = 200  # rows of a question's answer per page
CONCEPT_ROWS = 100  # companies per section of a concept page (?all=1: every one)


class WebLinks:
    """Where the templates' links go in the app (the report has its own: anchors in the file)."""

    @staticmethod
    def evidence(policy: str, statements, title: str) -> str:
        return "/evidence?" + urlencode({"policy": policy, "s": list(statements), "title": title}, doseq=True)


class SecurityHeaders:
    """ASGI middleware: CSP and friends on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]
                message["headers"] = headers
            await send(message)
        await self.app(scope, receive, with_headers)


def create_app(data: Data, *, warm: bool = True, sparql_limits: Mapping[str, Any] | None = None) -> Starlette:
    """The web app over ``data``; ``warm``: start the background index (policy cards, network, completeness)."""
    env = environment()
    token = secrets.token_urlsafe(24)
    from kg.web.sparql import SparqlService

    sparql = SparqlService(data.source, **(sparql_limits or {}))

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(template).render(request=request, data=data, token=token, nav=template,
                                                 links=WebLinks, **context)
        return HTMLResponse(html, status_code=status)

    # -- pages ------------------------------------------------------------------------------------------------
    def overview(request: Request):
        companies = data.companies()
        rows = data.policy_rows()
        longest = _safe(lambda: data.run("longest-retention"))
        named = _safe(lambda: data.run("named-recipients"))
        matrix = data.matrix("gdpr")
        missing = []
        if matrix is not None:
            counts: Counter[str] = Counter()
            for (policy, _), cell in matrix.cells.items():
                if cell.status == "missing":
                    counts[policy] += 1
            missing = [(matrix.labels[p], n, str(p)) for p, n in counts.most_common(5)]
        return page(request, "overview.html", companies=companies, policies=rows, longest=longest, named=named,
                    missing=missing, statements=sum(r.statements for r in rows))

    def companies(request: Request):
        q = request.query_params.get("q", "").strip().casefold()
        shown = [c for c in data.companies() if q in c.name.casefold() or any(q in v.source.casefold()
                                                                          for v in c.versions)]
        return page(request, "companies.html", companies=shown, q=request.query_params.get("q", ""))

    def company(request: Request):
        c = data.company(request.path_params["key"])
        if c is None:
            raise HTTPException(404, "no such company")
        iri = request.query_params.get("policy") or c.latest.iri
        if not any(v.iri == iri for v in c.versions):
            raise HTTPException(404, "no such policy of this company")
        card = data.card(iri)
        reviews = data.reviews_of(iri) if hasattr(data, "reviews_of") else {}
        return page(request, "company.html", company=c, card=card, policy=iri, reviews=reviews,
                    row=data.policy_row(iri), scope=data.scope(iri))

    def evidence(request: Request):
        iri = request.query_params.get("policy", "")
        statements = request.query_params.getlist("s")
        row = data.policy_row(iri)
        if row is None:
            raise HTTPException(404, "no such policy")
        items = data.evidence(iri, statements)
        return page(request, "evidence.html", items=items, row=row, company=data.company_of(iri),
                    title=request.query_params.get("title", "Evidence"), reviews=_reviews(data, iri))

    def source_view(request: Request):
        iri = request.query_params.get("policy", "")
        row = data.policy_row(iri)
        if row is None:
            raise HTTPException(404, "no such policy")
        statement = request.query_params.get("s", "")
        items = data.evidence(iri, [statement]) if statement else []
        text = data.document_text(iri)
        target = items[0] if items else None
        parts = None
        if text is not None and target is not None and target.start is not None and target.end is not None:
            parts = (text[:target.start], text[target.start:target.end], text[target.end:])
        context = None
        if text is None:  # no policy file given: every evidence sentence of the policy, in order
            context = data.all_evidence(iri)
        return page(request, "source.html", row=row, company=data.company_of(iri), target=target, parts=parts,
                    text=text, context=context, statement=statement)

    def diff(request: Request):
        c = data.company(request.path_params["key"])
        if c is None or len(c.versions) < 2:
            raise HTTPException(404, "this company has fewer than two versions")
        old = request.query_params.get("old") or c.versions[-2].iri
        new = request.query_params.get("new") or c.versions[-1].iri
        if not all(any(v.iri == x for v in c.versions) for x in (old, new)):
            raise HTTPException(404, "no such version")
        result = data.diff(old, new)
        return page(request, "diff.html", company=c, diff=result, old=old, new=new)

    def concepts(request: Request):
        q = request.query_params.get("q", "").strip()
        if q:
            try:
                found = data.vocab.resolve(q, data.concept_domain())
                return RedirectResponse(f"/concepts/{found.name}", status_code=303)
            except KgError as exc:
                return page(request, "concepts.html", q=q, error=exc, groups=data.concept_groups(),
                            status=404)
        return page(request, "concepts.html", q="", error=None, groups=data.concept_groups())

    def concept(request: Request):
        name = request.path_params["name"]
        try:
            c = data.vocab.resolve(name, data.concept_domain())
        except KgError:
            raise HTTPException(404, "no such concept") from None
        shown = 10**9 if request.query_params.get("all") else CONCEPT_ROWS
        return page(request, "concept.html", concept=c, view=data.concept_view(c.iri), shown=shown)

    def api_concepts(request: Request):
        q = request.query_params.get("q", "")
        domain = data.param_domain(request.query_params.get("of", "")) or data.concept_domain()
        return JSONResponse([{"label": c.label, "name": c.name} for c in data.vocab.search(q, domain, limit=15)])

    def questions(request: Request):
        return page(request, "questions.html", specs=data.specs())

    def question(request: Request):
        name, fmt = request.path_params["name"], None
        for ext in (".csv", ".tsv", ".json"):
            if name.endswith(ext):
                name, fmt = name[: -len(ext)], ext[1:]
        try:
            spec = data.spec(name)
        except KgError:
            raise HTTPException(404, "no such question") from None
        params = {p.name: request.query_params.get(p.name, "") for p in spec.params}
        error = result = None
        try:
            result = data.run(name, params)
        except KgError as exc:
            error = exc
        if fmt is not None:
            if error is not None:
                return PlainTextResponse(f"error: {error.one_line()}\n", status_code=400)
            return _download(result, fmt, name)
        start = max(int(request.query_params.get("start", "0") or 0), 0) if result else 0
        return page(request, "question.html", spec=spec, params=params, error=error, result=result,
                    start=start, size=PAGE_ROWS, domains={p.name: data.param_domain(p.default) for p in spec.params},
                    status=400 if error else 200)

    def question_evidence(request: Request):
        name = request.path_params["name"]
        try:
            spec = data.spec(name)
        except KgError:
            raise HTTPException(404, "no such question") from None
        params = {p.name: request.query_params.get(p.name, "") for p in spec.params}
        try:
            result = data.run(name, params)
            index = int(request.query_params.get("row", "-1"))
            if not 0 <= index < len(result.rows):
                raise HTTPException(404, "no such row")
            row = result.rows[index]
            items = data.explain_row(name, params, row)
        except KgError as exc:
            return page(request, "error.html", status=400, message=exc.one_line())
        return page(request, "row_evidence.html", spec=spec, params=params, result=result, row=row, index=index,
                    items=items)

    def completeness(request: Request):
        profile = request.query_params.get("profile", "gdpr")
        if profile not in ("gdpr", "ccpa"):
            raise HTTPException(404, "no such profile")
        return page(request, "completeness.html", profile=profile, matrix=data.matrix(profile),
                    job=data.jobs["matrices"], q=request.query_params.get("q", ""))

    def completeness_cell(request: Request):
        profile = request.query_params.get("profile", "gdpr")
        matrix = data.matrix(profile)
        if matrix is None:
            raise HTTPException(503, "the completeness matrix is still being computed")
        policy, shape = request.query_params.get("policy", ""), request.query_params.get("req", "")
        cell = next((c for (p, s), c in matrix.cells.items() if str(p) == policy and str(s) == shape), None)
        req = next((r for r in matrix.requirements if str(r.shape) == shape), None)
        if cell is None or req is None:
            raise HTTPException(404, "no such cell")
        statements = [str(f.node) for f in cell.facts]
        items = data.evidence(policy, statements) if statements else []
        policy_iri = next(p for p in matrix.policies if str(p) == policy)
        return page(request, "cell.html", profile=profile, matrix=matrix, cell=cell, req=req, policy=policy,
                    items=items, row=data.policy_row(policy), label=matrix.labels.get(policy_iri, policy),
                    policy_iri=policy_iri, scope=matrix.jurisdictions.get(policy_iri))

    def compare(request: Request):
        keys = [k.strip() for k in request.query_params.getlist("c") if k.strip()][:6]
        chosen = []  # by URL key, or by name as typed (case and spacing aside)
        for k in keys:
            c = data.company(k) or next((x for x in data.companies() if " ".join(x.name.split()).casefold() ==
                                         " ".join(k.split()).casefold()), None)
            if c is not None and c not in chosen:
                chosen.append(c)
        keys = [c.key for c in chosen]
        matrix = data.matrix("gdpr")
        missing = {c.latest.iri: [r for r in matrix.requirements
                                  if matrix.cell(URIRef(c.latest.iri), r.shape).status == "missing"]
                   for c in chosen} if matrix is not None else None
        return page(request, "compare.html", chosen=chosen, cards=[data.card(c.latest.iri) for c in chosen],
                    companies=data.companies(), missing=missing, keys=keys,
                    scopes={c.latest.iri: data.scope(c.latest.iri) for c in chosen})

    def review(request: Request):
        return page(request, "review.html", reviews=data.all_reviews())

    async def review_post(request: Request):
        form = await request.form()
        if form.get("token") != token or not _same_origin(request):
            return PlainTextResponse("refused: the review form must come from this app\n", status_code=403)
        statement, verdict = str(form.get("statement", "")), str(form.get("verdict", ""))
        comment, reviewer = str(form.get("comment", ""))[:2000], str(form.get("reviewer", ""))[:200]
        back = str(form.get("back", "/"))
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        try:
            import anyio

            await anyio.to_thread.run_sync(lambda: data.add_review(statement, verdict, comment, reviewer))
        except KgError as exc:
            return page(request, "error.html", status=400, message=exc.one_line())
        return RedirectResponse(back, status_code=303)

    async def sparql_endpoint(request: Request):
        def render(query, answer, error):
            return page(request, "sparql.html", status=error.status if error else 200, query=query,
                        answer=answer, error=error, limits={"timeout": sparql.timeout, "row_limit": sparql.row_limit})
        return await sparql.handle(request, render=render)

    def health(request: Request):
        return JSONResponse({"policies": len(data.policy_rows()), "index": {
            "done": data.index.done, "total": data.index.total, "ready": data.index.ready},
            "seconds": round(data.index.seconds, 1), "from_cache": data.from_cache,
            "jobs": {k: {"done": j.done, "total": j.total, "ready": j.ready, "error": j.error,
                         "seconds": round(j.seconds, 1)}
                     for k, j in data.jobs.items()}})

    async def not_found(request: Request, exc: HTTPException):
        html = env.get_template("error.html").render(request=request, data=data, token=token, nav="",
                                                     links=WebLinks, message=exc.detail)
        return HTMLResponse(html, status_code=exc.status_code)

    routes = [
        Route("/", overview), Route("/companies", companies), Route("/companies/{key}", company),
        Route("/companies/{key}/diff", diff), Route("/evidence", evidence), Route("/source", source_view),
        Route("/concepts", concepts), Route("/concepts/{name}", concept), Route("/api/concepts", api_concepts),
        Route("/questions", questions), Route("/questions/{name}", question),
        Route("/questions/{name}/evidence", question_evidence), Route("/completeness", completeness),
        Route("/completeness/cell", completeness_cell), Route("/compare", compare),
        Route("/review", review, methods=["GET"]), Route("/review", review_post, methods=["POST"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]), Route("/health", health),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        sparql.close()
        data.close()

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={HTTPException: not_found},  # type: ignore[dict-item]
                    lifespan=lifespan)
    if warm:
        threading.Thread(target=data.warm, name="privacy-kg-index", daemon=True).start()
    app.state.data = data
    return app


def _safe(compute):
    try:
        return compute()
    except KgError:
        return None


def _reviews(data: Data, iri: str) -> dict:
    return data.reviews_of(iri) if hasattr(data, "reviews_of") else {}


def _same_origin(request: Request) -> bool:
    """A POST from a page of this app: its Origin (or Referer) names this host."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin or origin == "null":
        return False
    from urllib.parse import urlsplit

    return urlsplit(origin).netloc == host


def _download(result, fmt: str, name: str) -> Response:
    from kg.sparql import to_csv, to_json, to_tsv

    body, media = {"csv": (to_csv, "text/csv"), "tsv": (to_tsv, "text/tab-separated-values"),
                   "json": (to_json, "application/sparql-results+json")}[fmt]
    return Response(body(result), media_type=f"{media}; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.{fmt}"'})
