"""The page routes: HTML over the workspace, each behind its access gate (like the API's routes).

Handlers only read the request, call :mod:`pmfit.web.pages.views` and render a template; a refusal
is the same :class:`~pmfit.web.errors.ApiError` the API raises (shown as an HTML page to browsers).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pmfit.model.diagnostics import PlanError
from pmfit.web.errors import ApiError, not_found
from pmfit.web.pages import views
from pmfit.web.security.access import (
    DB,
    RANK,
    Principal,
    ProjectAccess,
    project_role,
    public,
    signed_in,
    visible_projects,
)
from pmfit.web.security.sessions import CSRF_FIELD, csrf_token

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
STATIC = HERE.parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
MAX_UPLOAD = 20 * 1024 * 1024

templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True))
templates.filters["day"] = lambda iso: (iso or "")[:10]
templates.filters["money"] = lambda v: "" if v is None else f"{v:,.0f}"
templates.filters["ratio"] = lambda v: "" if v is None else f"{v:.2f}"
templates.filters["percent"] = lambda v: "" if v is None else f"{100 * v:.0f}%"
templates.filters["urlpart"] = lambda v: quote(str(v), safe="")


def workspace(request: Request) -> Any:
    """The app's workspace over its own engine (made on first use; the store object is thread-safe)."""
    found = getattr(request.app.state, "workspace", None)
    if found is None:
        from pmfit.store import Store
        from pmfit.workspace import Workspace

        found = Workspace(Store(engine=request.app.state.engine), warm_edits=True)
        request.app.state.workspace = found
    return found


def page(request: Request, template: str, principal: Principal | None = None, status: int = 200,
         **context: Any) -> HTMLResponse:
    csrf = csrf_token(request.app.state.settings, principal.session_secret) if (
        principal is not None and principal.session_secret) else ""
    html = templates.get_template(template).render(user=principal, csrf=csrf, csrf_field=CSRF_FIELD, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A refusal or error, for a browser (the API answers JSON)."""
    return page(request, "error.html", None, status=status, status_code=status, message=message)


def _author(principal: Principal) -> str:
    return principal.name


# ---- static files, log in --------------------------------------------------------------------
@router.get("/static/{name}")
def static(name: str, _: Annotated[None, Depends(public())]) -> Response:
    """The style sheet and the script (a fixed list: no path from the request reaches the disk)."""
    files = {p.name: p for p in STATIC.iterdir() if p.suffix in STATIC_TYPES}
    path = files.get(name)
    if path is None:
        raise not_found("file")
    return Response(path.read_bytes(), media_type=STATIC_TYPES[path.suffix],
                    headers={"Cache-Control": "no-cache"})


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, _: Annotated[None, Depends(public())],
               token: Annotated[str | None, Query(max_length=100)] = None) -> HTMLResponse:
    """The login form; with ``?token=`` the landing of a one-time link (a button spends it)."""
    return page(request, "login.html", token=token)


@router.post("/login")
async def login_form(request: Request, db: DB, _: Annotated[None, Depends(public())],
                     name: Annotated[str, Form(max_length=200)],
                     password: Annotated[str, Form(max_length=1000)]) -> Response:
    from pmfit.web.api.auth import password_login
    from pmfit.web.security.sessions import set_session_cookie

    try:
        _user, secret = await password_login(request, db, name, password)
    except ApiError as exc:
        if exc.status != 401:
            raise
        return page(request, "login.html", status=401, error=exc.message, name=name)  # the name typed, kept
    answer = RedirectResponse("/", status_code=303)
    set_session_cookie(answer, secret, request.app.state.settings)
    return answer


@router.post("/logout")
def logout_form(request: Request, db: DB,
                principal: Annotated[Principal, Depends(signed_in(session_only=True))]) -> Response:
    from pmfit.web.security import audit
    from pmfit.web.security.sessions import clear_session_cookie, end_session

    assert principal.session_secret is not None
    end_session(db, request.app.state.settings.clock(), principal.session_secret, "logout")
    audit.record(request, "logout", user_id=principal.user_id, user_name=principal.name)
    answer = RedirectResponse("/login", status_code=303)
    clear_session_cookie(answer)
    return answer


# ---- portfolio, import ----------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def portfolio_page(request: Request, db: DB, principal: Annotated[Principal, Depends(signed_in())],
                   sort: Annotated[str, Query(max_length=20)] = "status",
                   desc: Annotated[bool, Query()] = False) -> HTMLResponse:
    """Every project the caller may see, with its figures, sortable."""
    roles = visible_projects(db, principal)
    rows = views.portfolio(workspace(request), roles, sort, desc)
    return page(request, "portfolio.html", principal, rows=rows, sort=sort, desc=desc, keys=views.SORT_KEYS,
                can_detail={r.id: RANK[r.role] >= RANK["viewer"] for r in rows})


@router.post("/import", response_class=HTMLResponse)
async def import_page(request: Request, db: DB,
                      principal: Annotated[Principal, Depends(signed_in(session_only=True))],
                      plan: UploadFile) -> HTMLResponse:
    """Upload a plan file (any format pmfit reads): a new project owned by the uploader."""
    from fastapi.concurrency import run_in_threadpool

    from pmfit.web import accounts
    from pmfit.web.security.access import current_user

    data = await plan.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "request_too_large", "the plan file is over 20 MiB")
    filename = Path(plan.filename or "plan.yaml").name
    ws = workspace(request)
    try:
        saved = await run_in_threadpool(ws.import_bytes, data, filename, author=principal.name)
    except PlanError as exc:
        return page(request, "imported.html", principal, status=422, saved=None, filename=filename,
                    problems=[d.message for d in exc.diagnostics])
    assert saved.project is not None
    accounts.set_member(db, saved.project.id, current_user(db, principal), "owner", request.app.state.settings.clock())
    return page(request, "imported.html", principal, saved=saved, filename=filename, problems=[],
                report=saved.report.to_dict() if saved.report else None)


# ---- the project page, edits ----------------------------------------------------------------
def _folds(fold: str | None) -> tuple[str, ...]:
    return tuple(f for f in (fold or "").split(",") if f)[:500]


def _options(zoom: str, fold: str | None, baselines: bool = True, leveled: bool = False) -> views.GanttOptions:
    return views.GanttOptions(zoom=zoom, folded=_folds(fold), baselines=baselines, leveled=leveled)


def _project(request: Request, access: ProjectAccess, zoom: str, fold: str | None, task: str | None,
             message: str | None = None, conflict: dict[str, Any] | None = None, status: int = 200,
             baselines: bool = True, leveled: bool = False) -> HTMLResponse:
    view = views.project_page(workspace(request), access.project_id, zoom, _folds(fold), selected=task,
                              options=_options(zoom, fold, baselines, leveled))
    return page(request, "project.html", access.principal, status=status, p=view, role=access.role,
                selected=task, can_edit=access.role is not None and RANK[access.role] >= RANK["editor"],
                message=message, conflict=conflict, zooms=views.ZOOMS, fold=",".join(view.folded),
                show_baselines=baselines, show_leveled=leveled)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
                 zoom: Annotated[str, Query(max_length=10)] = "week",
                 fold: Annotated[str | None, Query(max_length=20000)] = None,
                 task: Annotated[str | None, Query(max_length=200)] = None,
                 message: Annotated[str | None, Query(max_length=300)] = None,
                 baselines: Annotated[bool, Query()] = True,
                 leveled: Annotated[bool, Query()] = False) -> HTMLResponse:
    """The Gantt of the current schedule (its first rows; the script fetches the rest as they scroll
    into view), a task's panel, the history and the reports."""
    return _project(request, access, zoom, fold, task, message, baselines=baselines, leveled=leveled)


@router.get("/projects/{project_id}/gantt")
def gantt_fragment(request: Request, access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
                   zoom: Annotated[str, Query(max_length=10)] = "week",
                   fold: Annotated[str | None, Query(max_length=20000)] = None,
                   first: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                   last: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
                   version: Annotated[str | None, Query(max_length=100)] = None,
                   baselines: Annotated[bool, Query()] = True,
                   leveled: Annotated[bool, Query()] = False) -> Response:
    """A window of the Gantt as JSON (``svg`` and the figures an edit changes: version, finish,
    critical count): the page's script swaps it in after an edit, a zoom or a scroll."""
    fragment = views.gantt_fragment(workspace(request), access.project_id, _options(zoom, fold, baselines, leveled),
                                    first, last, version)
    return JSONResponse(fragment.to_dict(), headers={"Cache-Control": "no-store",
                                                     "ETag": f'"{fragment.version}"'})


@router.get("/projects/{project_id}/panel/{task_id}", response_class=HTMLResponse)
def task_panel(request: Request, task_id: str, access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
               version: Annotated[str | None, Query(max_length=100)] = None,
               zoom: Annotated[str, Query(max_length=10)] = "week",
               fold: Annotated[str | None, Query(max_length=20000)] = None) -> HTMLResponse:
    """One task's side panel with its "why" as an HTML fragment, in the version the page shows: the
    script fetches it when a bar is selected (the page computes no other task's "why")."""
    found = views.task_panel(workspace(request), access.project_id, task_id, version)
    if found is None:
        raise not_found("task")
    panel, shown, status_date = found
    return page(request, "task_panel.html", access.principal, t=panel, version=shown,
                project_id=access.project_id, can_edit=access.role is not None and RANK[access.role] >= RANK["editor"],
                constraint_types=views.CONSTRAINT_TYPES, status_date=status_date, zoom=zoom,
                fold=",".join(_folds(fold)), hidden=False)


def _after_edit(project_id: str, task_id: str, zoom: str, fold: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"/projects/{quote(project_id, safe='')}?zoom={quote(zoom)}&fold={quote(fold)}"
                            f"&task={quote(task_id, safe='')}&message={quote(message)}#panel", status_code=303)


def _conflict(request: Request, access: ProjectAccess, task_id: str, zoom: str, fold: str,
              exc: PlanError) -> HTMLResponse:
    from pmfit.workspace import EditConflict

    conflict = {"messages": [d.message for d in exc.diagnostics],
                "since": [c.describe() for c in exc.changes_since] if isinstance(exc, EditConflict) else []}
    return _project(request, access, zoom, fold, task_id, conflict=conflict,
                    status=409 if isinstance(exc, EditConflict) else 422)


@router.post("/projects/{project_id}/tasks/{task_id}", response_class=HTMLResponse)
def edit_task_page(request: Request, task_id: str,
                   access: Annotated[ProjectAccess, Depends(project_role("editor"))],
                   base: Annotated[str, Form(max_length=100)],
                   name: Annotated[str | None, Form(max_length=500)] = None,
                   duration: Annotated[str | None, Form(max_length=40)] = None,
                   not_before: Annotated[str | None, Form(max_length=40)] = None,
                   constraint_type: Annotated[str | None, Form(max_length=10)] = None,
                   constraint_date: Annotated[str | None, Form(max_length=40)] = None,
                   resources: Annotated[str | None, Form(max_length=2000)] = None,
                   zoom: Annotated[str, Form(max_length=10)] = "week",
                   fold: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """The side panel's form without script: the same merge patch and library call as
    ``PATCH /api/v1/projects/{id}/tasks/{task}``, made on version ``base``."""
    try:
        version = views.edit_task(workspace(request), access.project_id, base, task_id,
                                  author=_author(access.principal), name=name, duration=duration,
                                  not_before=not_before, constraint_type=constraint_type,
                                  constraint_date=constraint_date, resources=resources)
    except PlanError as exc:
        if getattr(exc, "code", None) in ("unknown_version", "unknown_project"):
            raise
        return _conflict(request, access, task_id, zoom, fold, exc)
    return _after_edit(access.project_id, task_id, zoom, fold, f"saved as {version.label}")


@router.post("/projects/{project_id}/progress", response_class=HTMLResponse)
def progress_page(request: Request, access: Annotated[ProjectAccess, Depends(project_role("editor"))],
                  base: Annotated[str, Form(max_length=100)], task: Annotated[str, Form(max_length=200)],
                  percent: Annotated[float | None, Form()] = None,
                  status_date: Annotated[str | None, Form(max_length=40)] = None,
                  zoom: Annotated[str, Form(max_length=10)] = "week",
                  fold: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """Record one task's percent complete as of the status date, made on version ``base``."""
    try:
        version = views.record_progress(workspace(request), access.project_id, base, task, percent=percent,
                                        status_date=status_date, author=_author(access.principal))
    except PlanError as exc:
        if getattr(exc, "code", None) in ("unknown_version", "unknown_project"):
            raise
        return _conflict(request, access, task, zoom, fold, exc)
    return _after_edit(access.project_id, task, zoom, fold, f"progress saved as {version.label}")


@router.get("/projects/{project_id}/analysis", response_class=HTMLResponse)
def analysis_page(request: Request, access: Annotated[ProjectAccess, Depends(project_role("viewer"))]) -> HTMLResponse:
    """The engines' charts: finish distribution, drivers, S-curve, resource use (cached by version)."""
    snap = workspace(request).get(access.project_id)
    charts = views.analysis(workspace(request), access.project_id)
    return page(request, "analysis.html", access.principal, project=snap.project, version=snap.version,
                charts=charts)


@router.get("/projects/{project_id}/diff", response_class=HTMLResponse)
def diff_page(request: Request, access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
              old: Annotated[str, Query(max_length=100)],
              new: Annotated[str | None, Query(max_length=100)] = None) -> HTMLResponse:
    """What changed between two versions, and what it did to the finish date."""
    changed = views.diff(workspace(request), access.project_id, old, new)
    return page(request, "diff.html", access.principal, project=workspace(request).project(access.project_id),
                d=changed)


# ---- reports --------------------------------------------------------------------------------
def _report(request: Request, project_id: str, audience: str, format: str, download: bool) -> Response:
    if format not in views.REPORT_TYPES:
        raise ApiError(422, "bad_request", "format is md, html or pdf")
    body = views.report(workspace(request), project_id, audience, format)
    headers = {"Cache-Control": "no-store"}
    if download or format == "pdf":
        stamp = dt.date.today().isoformat()
        headers["Content-Disposition"] = f'attachment; filename="{project_id}-{audience}-{stamp}.{format}"'
    return Response(body, media_type=views.REPORT_TYPES[format], headers=headers)


@router.get("/projects/{project_id}/reports/executive")
def executive_report(request: Request, access: Annotated[ProjectAccess, Depends(project_role("executive"))],
                     format: Annotated[str, Query(max_length=4)] = "html",
                     download: Annotated[bool, Query()] = False) -> Response:
    """The executive report (view as HTML, or download md/html/pdf)."""
    return _report(request, access.project_id, "executive", format, download)


@router.get("/projects/{project_id}/reports/technical")
def technical_report(request: Request, access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
                     format: Annotated[str, Query(max_length=4)] = "html",
                     download: Annotated[bool, Query()] = False) -> Response:
    """The technical report (view as HTML, or download md/html/pdf)."""
    return _report(request, access.project_id, "technical", format, download)
