"""Computed views of a stored version (default: the latest): schedule, why, level, risk, status, advice,
summary, reports and exports. Each is a thin call of :class:`pmfit.Project` on the version's plan;
the slow ones (leveling, simulation, reports) are cached by version in the store's results table, so
every worker answers the same numbers and computes them once.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from pmfit.project import SIMULATION, Project
from pmfit.web.api.projects import OBJECT
from pmfit.web.api.schemas import Text
from pmfit.web.api.stored import (
    VersionRef,
    json_answer,
    project_of,
    projects_cache,
    release_request_session,
    snapshot,
    workspace,
)
from pmfit.web.errors import ApiError, error_responses
from pmfit.web.security.access import DB, ProjectAccess, project_role
from pmfit.workspace import Snapshot

router = APIRouter(prefix="/projects/{project_id}", tags=["views"])
ProjectIdPath = Annotated[Text, Path(min_length=1, max_length=64)]
Viewer = Annotated[ProjectAccess, Depends(project_role("viewer"))]
Executive = Annotated[ProjectAccess, Depends(project_role("executive"))]
AsPlanned = Annotated[bool, Query(description="the plan as if nothing had happened (ignore progress)")]
ERRORS = error_responses(401, 403, 404, 422, 503)
OK: dict[int | str, dict[str, Any]] = {200: {"description": "the answer", **OBJECT}}

#: what an export route writes: extension -> (pmfit format, media type)
EXPORTS = {
    "yaml": ("yaml", "application/yaml"),
    "json": ("json", "application/json"),
    "xml": ("mspdi", "application/xml"),
    "xer": ("xer", "text/plain"),
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ics": ("icalendar", "text/calendar"),
}
REPORT_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
MAX_HEADER = 4000


def _read(request: Request, db: DB, access: ProjectAccess, version: str | None) -> Snapshot:
    release_request_session(db)
    return snapshot(request, access.project_id, version)


def _etag(snap: Snapshot) -> dict[str, str]:
    return {"ETag": f'"{snap.version.id}"'}


def _cached(request: Request, snap: Snapshot, kind: str, params: dict[str, Any],
            compute: Callable[[], bytes]) -> bytes:
    space = workspace(request)
    found = space.cached_result(snap.version, kind, params)
    if found is not None:
        return found
    payload = compute()
    space.store_result(snap.version, kind, params, payload)
    return payload


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, default=str, separators=(",", ":")).encode("utf-8")


def _cached_json(request: Request, snap: Snapshot, kind: str, params: dict[str, Any], compute: Callable[[], Any],
                 extra: dict[str, Any] | None = None) -> Response:
    payload = _cached(request, snap, kind, params, lambda: _json_bytes(compute()))
    body = json.loads(payload)
    return json_answer({"version": snap.version.id, **(extra or {}), kind: body}, headers=_etag(snap))


@router.get("/schedule", response_model=None, responses={**OK, **ERRORS})
def schedule(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer,
             version: VersionRef = None, as_planned: AsPlanned = False) -> JSONResponse:
    """The current schedule (progress respected; ``as_planned``: the plan as if nothing had happened):
    each task's dates, floats and criticality, and the headline figures."""
    snap = _read(request, db, access, version)

    def records(proj: Project) -> dict[str, Any]:
        sched = proj.schedule(as_planned)
        out: dict[str, Any] = jsonable_encoder({"summary": sched.summary(), "tasks": sched.to_records()})
        return out

    kind = "as_planned" if as_planned else "current"
    body = projects_cache(request).view(snap, f"schedule:{kind}", records)
    return json_answer({"version": snap.version.id, "kind": kind, **body}, headers=_etag(snap))


@router.get("/why/{task_id}", response_model=None, responses={**OK, **ERRORS})
def why(project_id: ProjectIdPath, task_id: Annotated[Text, Path(min_length=1, max_length=200)], request: Request,
        db: DB, access: Viewer, version: VersionRef = None, as_planned: AsPlanned = False) -> JSONResponse:
    """The driving chain that sets the task's start: links, constraints, the project start."""
    from pmfit.model.diagnostics import did_you_mean

    snap = _read(request, db, access, version)
    sched = project_of(request, snap).schedule(as_planned)
    if task_id not in sched.tasks:
        raise ApiError(404, "unknown_task", f"no task '{task_id}'{did_you_mean(task_id, sched.tasks)}")
    return json_answer({"version": snap.version.id, "task": task_id,
                        "steps": [step.to_dict() for step in sched.why(task_id)]}, headers=_etag(snap))


@router.get("/level", response_model=None, responses={**OK, **ERRORS})
def level(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer, version: VersionRef = None,
          method: Literal["auto", "heuristic", "cp"] = "auto",
          time_limit: Annotated[float, Query(ge=0.1, le=10.0, description="seconds for CP-SAT")] = 2.0,
          as_planned: AsPlanned = False) -> Response:
    """Resource-leveled dates of the current schedule, with each delay's cause (cached per version)."""
    snap = _read(request, db, access, version)
    proj = project_of(request, snap)
    params = {"method": method, "time_limit": time_limit, "as_planned": as_planned}
    return _cached_json(request, snap, "level", params,
                        lambda: proj.level(time_limit, method, as_planned=as_planned).to_dict())


@router.get("/risk", response_model=None, responses={**OK, **ERRORS})
def risk(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer, version: VersionRef = None,
         iterations: Annotated[int, Query(ge=100, le=50_000)] = SIMULATION.iterations,
         seed: Annotated[int, Query(ge=0, le=2**62)] = SIMULATION.seed,
         as_planned: AsPlanned = False) -> Response:
    """Monte Carlo schedule risk: P10-P90 finish, deadline odds, drivers (cached per version and
    parameters; with progress only the remaining work varies)."""
    snap = _read(request, db, access, version)
    proj = project_of(request, snap)
    params = {"iterations": iterations, "seed": seed, "as_planned": as_planned}
    return _cached_json(request, snap, "risk", params,
                        lambda: proj.simulate(iterations, seed, as_planned=as_planned).summary())


@router.get("/status", response_model=None, responses={**OK, **ERRORS})
def status(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer, version: VersionRef = None,
           baseline: Annotated[Text | None, Query(min_length=1, max_length=200)] = None,
           period: Annotated[Literal["week", "month"] | None, Query()] = None) -> JSONResponse:
    """Earned value at the status date against a baseline (the first by default)."""
    snap = _read(request, db, access, version)
    earned = project_of(request, snap).earned_value(baseline, period)
    return json_answer({"version": snap.version.id, "status": earned.to_dict()}, headers=_etag(snap))


@router.get("/advice", response_model=None, responses={**OK, **ERRORS})
def advice(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer,
           version: VersionRef = None) -> JSONResponse:
    """Which kind of project manager the plan needs, why, and what each option costs."""
    snap = _read(request, db, access, version)
    found = project_of(request, snap).advice()
    return json_answer({"version": snap.version.id, "advice": found.to_dict()}, headers=_etag(snap))


@router.get("/summary", response_model=None, responses={**OK, **ERRORS})
def summary(project_id: ProjectIdPath, request: Request, db: DB, access: Executive,
            version: VersionRef = None) -> JSONResponse:
    """Summary figures any member may see, executives included: start, finish, every labelled finish
    known, planned cost. No task detail."""
    snap = _read(request, db, access, version)
    proj = project_of(request, snap)
    figures = proj.current.summary()
    keep = {k: v for k, v in figures.items() if not isinstance(v, (list, dict))}
    return json_answer({"version": snap.version.id, "project": snap.project.name, "status_date": proj.status_date,
                        "schedule": keep, "finishes": [f.to_dict() for f in proj.finishes()],
                        "planned_cost": proj.planned_cost()}, headers=_etag(snap))


@router.get("/reports/{report}", response_model=None,
            responses={200: {"description": "the report", "content": {
                "text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}, **ERRORS})
def report(project_id: ProjectIdPath, request: Request, db: DB, access: Executive,
           report: Annotated[Text, Path(pattern=r"^(technical|executive)\.(md|html|pdf)$",
                                        description="audience.format: technical or executive; md, html or pdf")],
           version: VersionRef = None) -> Response:
    """A status report for an audience (cached per version). Executives may read the executive one only."""
    from pmfit.api import report as make_report

    audience, _, fmt = report.partition(".")
    if access.role == "executive" and audience != "executive":
        raise ApiError(403, "forbidden", "the executive role reads the executive report only")
    snap = _read(request, db, access, version)
    proj = project_of(request, snap)

    def compute() -> bytes:
        out = make_report(proj, audience, fmt)
        return out if isinstance(out, bytes) else out.encode("utf-8")

    payload = _cached(request, snap, "report", {"audience": audience, "format": fmt}, compute)
    return Response(payload, media_type=REPORT_TYPES[fmt], headers=_etag(snap))


@router.get("/export.{extension}", response_model=None,
            responses={200: {"description": "the plan in that format (or, with report=true, the loss report)",
                             "content": {**{media: {"schema": {}} for _, media in EXPORTS.values()},
                                         "application/json": {"schema": {"type": "object"}}}}, **ERRORS})
def export(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer,
           extension: Annotated[Literal["yaml", "json", "xml", "xer", "csv", "xlsx", "ics"], Path()],
           version: VersionRef = None, as_planned: AsPlanned = False,
           report: Annotated[bool, Query(description="answer the loss report as JSON instead of the file")] = False,
           ) -> Response:
    """The version in another format. What the format cannot hold is in the ``X-Pmfit-Export-Report``
    header (JSON: approximated and dropped), or the whole report as JSON with ``report=true``."""
    from pmfit.api import export_plan

    fmt, media = EXPORTS[extension]
    snap = _read(request, db, access, version)
    proj = project_of(request, snap)
    filename = f"{snap.project.id}-{snap.version.number}.{extension}"
    with tempfile.TemporaryDirectory(prefix="pmfit-export-") as work:
        target = FilePath(work) / filename
        if fmt == "yaml" and not as_planned:
            target.write_text(snap.text, encoding="utf-8")  # the stored document, byte for byte
            told: dict[str, Any] = {"format": "yaml", "read": ["everything (the stored document)"],
                                    "approximated": [], "dropped": [], "schedule_checked": 0,
                                    "schedule_differences": [], "warnings": []}
        else:
            told = export_plan(proj, target, fmt, as_planned=as_planned).report.to_dict()
        data = target.read_bytes()
    told = {**told, "source": filename}  # not the temporary folder's path
    if report:
        return json_answer({"version": snap.version.id, "format": fmt, "filename": filename, "report": told},
                           headers=_etag(snap))
    header = json.dumps({"approximated": told["approximated"], "dropped": told["dropped"]}, ensure_ascii=True)
    if len(header) > MAX_HEADER:
        header = json.dumps({"truncated": True, "approximated": len(told["approximated"]),
                             "dropped": len(told["dropped"])})
    return Response(data, media_type=media, headers={
        **_etag(snap), "X-Pmfit-Export-Report": header,
        "Content-Disposition": f'attachment; filename="{filename}"'})
