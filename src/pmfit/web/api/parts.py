"""The plan's parts: ``tasks`` (with their ``links``), ``resources``, ``risks``, ``stakeholders`` and
``progress``, read and changed one at a time.

Every change names its base version (``If-Match: "<version id>"``, the ETag of what the client read).
It is made on that version's plan, validated as a whole plan, and committed through
:meth:`pmfit.workspace.Workspace.commit`, which merges it field by field with anything saved since;
the same field changed differently answers 409 with who changed what. The answer's ETag is the new
version, the base for the next change.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.web.api.projects import OBJECT
from pmfit.web.api.schemas import PageQuery, Text
from pmfit.web.api.stored import VersionRef, json_answer, release_request_session, snapshot, workspace
from pmfit.web.api.versioning import base_version
from pmfit.web.errors import ApiError, error_responses
from pmfit.web.security.access import DB, ProjectAccess, project_role
from pmfit.workspace import Saved, Snapshot, Workspace

router = APIRouter(prefix="/projects/{project_id}", tags=["plan parts"])
ProjectIdPath = Annotated[Text, Path(min_length=1, max_length=64)]
ItemPath = Annotated[Text, Path(min_length=1, max_length=200)]
Viewer = Annotated[ProjectAccess, Depends(project_role("viewer"))]
Editor = Annotated[ProjectAccess, Depends(project_role("editor"))]
BaseVersion = Annotated[str, Depends(base_version)]
JsonObject = Annotated[dict[str, Any], Body(description="fields of the object, as in a plan file")]
READ_ERRORS = error_responses(401, 403, 404, 422, 503)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 428, 503)


VERSION_ID = re.compile(r"[0-9a-f]{6,64}")


def _ok(status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": "the answer", **OBJECT}}


#: list in the plan -> (the object's key field, what one is called, diagnostic id of an unknown one)
PARTS = {
    "tasks": ("id", "task", "unknown_task"),
    "resources": ("id", "resource", "not_found"),
    "risks": ("id", "risk", "not_found"),
    "stakeholders": ("name", "stakeholder", "not_found"),
}


def plan_data(snap: Snapshot) -> dict[str, Any]:
    from pmfit.workspace.edit import plan_data as data_of

    return data_of(snap.plan)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, ``null`` removes a field, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _find(items: list[dict[str, Any]], part: str, item_id: str) -> int:
    key, what, code = PARTS[part]
    for index, item in enumerate(items):
        if str(item.get(key)) == item_id:
            return index
    raise ApiError(404, code, f"no {what} '{item_id}'")


def _read(request: Request, db: DB, access: ProjectAccess, version: str | None) -> Snapshot:
    release_request_session(db)
    return snapshot(request, access.project_id, version)


def commit_data_change(space: Workspace, project_id: str, base: str, author: str, message: str,
                       change: Callable[[dict[str, Any]], None]) -> Saved:
    """Apply ``change`` to the base version's plan data, validate, commit (merging with what was saved
    since). The one path every plan-part change takes: the JSON routes and the pages' forms."""
    from pmfit.workspace.edit import plan_from_data

    if not VERSION_ID.fullmatch(base):  # "head" or "-1" would be a blind overwrite, not a named base
        raise ApiError(400, "bad_request", 'If-Match must name a version by its id (the ETag you read), not '
                                           f'{base!r}')
    base_snap = space.get(project_id, base)
    data = plan_data(base_snap)
    change(data)
    try:
        plan = plan_from_data(data)
    except (ValueError, TypeError) as exc:  # a body no plan can hold (PlanError answers with its own ids)
        raise PlanError(Diagnostic("bad_field", f"the change does not make a valid plan: {exc}")) from None
    return space.commit(project_id, base_snap.version.id, plan=plan, author=author, message=message)


def patch_item(space: Workspace, project_id: str, base: str, part: str, item_id: str, patch: dict[str, Any],
               author: str) -> Saved:
    """A JSON merge patch of one task, resource, risk or stakeholder, made on version ``base``."""
    key, what, _ = PARTS[part]
    if key in patch and patch[key] != item_id:
        raise ApiError(422, "bad_field", f"a {what}'s {key} cannot be changed (add a new one instead)")

    def change(data: dict[str, Any]) -> None:
        items = data.get(part, [])
        index = _find(items, part, item_id)
        items[index] = merge_patch(items[index], patch)

    fields = ", ".join(sorted(patch)) or "nothing"
    return commit_data_change(space, project_id, base, author, f"change {what} {item_id}: {fields}", change)


def patch_progress(space: Workspace, project_id: str, base: str, patch: dict[str, Any], author: str,
                   message: str = "") -> Saved:
    """A JSON merge patch of the plan's progress (status date, actuals per task), made on ``base``.

    As MS Project's Update Tasks does, a task given a percent complete without the actual dates it
    implies gets them from the plan's schedule, no later than the status date: begun work its scheduled
    start, finished work its scheduled finish (the page's form and script, and the API, agree).
    """
    def change(data: dict[str, Any]) -> None:
        data["progress"] = merge_patch(data.get("progress", {}), patch)
        _fill_actual_dates(data["progress"], patch, lambda: space.get(project_id, base).plan)

    return commit_data_change(space, project_id, base, author,
                              message or f"progress: {', '.join(sorted(patch)) or 'nothing'}", change)


def _fill_actual_dates(progress: Any, patch: dict[str, Any], base_plan: Callable[[], Any]) -> None:
    import datetime as dt

    tasks = progress.get("tasks") if isinstance(progress, dict) else None
    asked = patch.get("tasks") if isinstance(patch.get("tasks"), dict) else {}
    if not isinstance(tasks, dict) or not asked:
        return
    wanting = []
    for task_id in asked:
        record = tasks.get(task_id)
        percent = record.get("percent_complete") if isinstance(record, dict) else None
        if not isinstance(percent, (int, float)) or isinstance(percent, bool) or not 0 < percent <= 100:
            continue
        if record.get("actual_start") is None or (percent >= 100 and record.get("actual_finish") is None):
            wanting.append(task_id)
    if not wanting:
        return
    from pmfit.project import Project

    plan = base_plan()
    try:
        rows = Project(plan).planned.tasks
        status = progress.get("status_date")
        when = dt.date.fromisoformat(str(status)[:10]) if status else None
    except (PlanError, ValueError):
        return  # the plan's own checks then say what is missing
    for task_id in wanting:
        row, record = rows.get(task_id), tasks[task_id]
        if row is None:
            continue
        start = row.start.date() if when is None else min(row.start.date(), when)
        if record.get("actual_start") is None:
            record["actual_start"] = start.isoformat()
        if record["percent_complete"] >= 100 and record.get("actual_finish") is None:
            finish = row.finish.date() if when is None else min(row.finish.date(), when)
            record["actual_finish"] = max(finish, dt.date.fromisoformat(str(record["actual_start"])[:10])).isoformat()


def _saved(request: Request, access: ProjectAccess, saved: Saved) -> tuple[Snapshot, dict[str, Any]]:
    head = workspace(request).get(access.project_id, saved.version.id)
    return head, saved.to_dict()


def commit_change(request: Request, db: DB, access: ProjectAccess, base: str, message: str,
                  change: Callable[[dict[str, Any]], None]) -> tuple[Snapshot, dict[str, Any]]:
    """:func:`commit_data_change` for a route; returns the new head and the saved version's description."""
    release_request_session(db)
    saved = commit_data_change(workspace(request), access.project_id, base, access.principal.name, message, change)
    return _saved(request, access, saved)


def _answer(head: Snapshot, saved: dict[str, Any], extra: dict[str, Any], status: int = 200) -> JSONResponse:
    return json_answer({**saved, **extra}, status, {"ETag": f'"{head.version.id}"'})


def _add_part_routes(part: str) -> None:
    key, what, _ = PARTS[part]

    def list_items(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer,
                   paging: Annotated[PageQuery, Depends()], version: VersionRef = None) -> JSONResponse:
        snap = _read(request, db, access, version)
        items = plan_data(snap).get(part, [])
        page = paging.page(items[paging.offset:paging.offset + paging.limit], len(items))
        return json_answer({**page.model_dump(), "version": snap.version.id},
                           headers={"ETag": f'"{snap.version.id}"'})

    def get_item(project_id: ProjectIdPath, item_id: ItemPath, request: Request, db: DB, access: Viewer,
                 version: VersionRef = None) -> JSONResponse:
        snap = _read(request, db, access, version)
        items = plan_data(snap).get(part, [])
        return json_answer({"version": snap.version.id, what: items[_find(items, part, item_id)]},
                           headers={"ETag": f'"{snap.version.id}"'})

    def add_item(project_id: ProjectIdPath, request: Request, db: DB, access: Editor, base: BaseVersion,
                 body: JsonObject) -> JSONResponse:
        item_id = body.get(key)
        if not isinstance(item_id, str) or not item_id:
            raise ApiError(422, "bad_field", f"a new {what} needs its {key}")

        def change(data: dict[str, Any]) -> None:
            items = data.setdefault(part, [])
            if any(str(item.get(key)) == item_id for item in items):
                raise ApiError(409, "duplicate_id", f"there is a {what} '{item_id}' already")
            items.append(dict(body))

        head, saved = commit_change(request, db, access, base, f"add {what} {item_id}", change)
        items = plan_data(head).get(part, [])
        return _answer(head, saved, {what: items[_find(items, part, item_id)]}, 201)

    def change_item(project_id: ProjectIdPath, item_id: ItemPath, request: Request, db: DB, access: Editor,
                    base: BaseVersion, body: JsonObject) -> JSONResponse:
        release_request_session(db)
        saved = patch_item(workspace(request), access.project_id, base, part, item_id, body, access.principal.name)
        head, described = _saved(request, access, saved)
        items = plan_data(head).get(part, [])
        return _answer(head, described, {what: items[_find(items, part, item_id)]})

    def remove_item(project_id: ProjectIdPath, item_id: ItemPath, request: Request, db: DB, access: Editor,
                    base: BaseVersion) -> JSONResponse:
        def change(data: dict[str, Any]) -> None:
            items = data.get(part, [])
            del items[_find(items, part, item_id)]

        head, saved = commit_change(request, db, access, base, f"remove {what} {item_id}", change)
        return _answer(head, saved, {})

    path = f"/{part}"
    router.add_api_route(path, list_items, methods=["GET"], response_model=None, responses={**_ok(), **READ_ERRORS},
                         summary=f"List the {part}", description=f"The plan's {part} (paginated), as in a plan file.")
    router.add_api_route(path, add_item, methods=["POST"], status_code=201, response_model=None,
                         responses={**_ok(201), **WRITE_ERRORS}, summary=f"Add a {what}",
                         description=f"Add a {what} on the version named by If-Match; answers the new version.")
    item = f"{path}/{{item_id}}"
    router.add_api_route(item, get_item, methods=["GET"], response_model=None, responses={**_ok(), **READ_ERRORS},
                         summary=f"One {what}")
    router.add_api_route(item, change_item, methods=["PATCH"], response_model=None,
                         responses={**_ok(), **WRITE_ERRORS}, summary=f"Change a {what}",
                         description="A JSON merge patch (null removes a field) on the version named by If-Match.")
    router.add_api_route(item, remove_item, methods=["DELETE"], response_model=None,
                         responses={**_ok(), **WRITE_ERRORS}, summary=f"Remove a {what}")


for _part in PARTS:
    _add_part_routes(_part)


# ---- links of a task -------------------------------------------------------------------------
def _link_target(link: str) -> str:
    from pmfit.model.plan import Link

    return str(Link.model_validate(link).task)


@router.get("/tasks/{item_id}/links", response_model=None, responses={**_ok(), **READ_ERRORS})
def list_links(project_id: ProjectIdPath, item_id: ItemPath, request: Request, db: DB, access: Viewer,
               version: VersionRef = None) -> JSONResponse:
    """The task's predecessors: ``{"task", "type", "lag"}`` each."""
    snap = _read(request, db, access, version)
    task = next((t for t in snap.plan.tasks if t.id == item_id), None)
    if task is None:
        raise ApiError(404, "unknown_task", f"no task '{item_id}'")
    links = [{"task": link.task, "type": str(link.type.value), "lag": str(link.lag), "text": str(link)}
             for link in task.after]
    return json_answer({"version": snap.version.id, "links": links}, headers={"ETag": f'"{snap.version.id}"'})


@router.post("/tasks/{item_id}/links", status_code=201, response_model=None,
             responses={**_ok(201), **WRITE_ERRORS})
def add_link(project_id: ProjectIdPath, item_id: ItemPath, request: Request, db: DB, access: Editor,
             base: BaseVersion,
             body: Annotated[dict[str, Any], Body(description='the predecessor: {"task": "design", "type": "SS", '
                                                              '"lag": "2d"} (type and lag optional)')]) -> JSONResponse:
    """Link the task after a predecessor (one per predecessor; a second one replaces the first)."""
    from pmfit.model.plan import Link

    try:
        link = Link.model_validate(body)
    except ValueError as exc:
        raise PlanError(Diagnostic("bad_field", f"not a link: {exc}".splitlines()[0])) from None

    def change(data: dict[str, Any]) -> None:
        tasks = data.get("tasks", [])
        task = tasks[_find(tasks, "tasks", item_id)]
        kept = [x for x in task.get("after", []) if _link_target(x) != link.task]
        task["after"] = [*kept, str(link)]

    head, saved = commit_change(request, db, access, base, f"link {item_id} after {link}", change)
    return _answer(head, saved, {"link": {"task": link.task, "type": link.type.value, "lag": str(link.lag),
                                          "text": str(link)}}, 201)


@router.delete("/tasks/{item_id}/links/{predecessor}", response_model=None, responses={**_ok(), **WRITE_ERRORS})
def remove_link(project_id: ProjectIdPath, item_id: ItemPath, predecessor: ItemPath, request: Request, db: DB,
                access: Editor, base: BaseVersion) -> JSONResponse:
    """Remove the task's link to a predecessor."""

    def change(data: dict[str, Any]) -> None:
        tasks = data.get("tasks", [])
        task = tasks[_find(tasks, "tasks", item_id)]
        links = task.get("after", [])
        kept = [x for x in links if _link_target(x) != predecessor]
        if len(kept) == len(links):
            raise ApiError(404, "unknown_task", f"task '{item_id}' has no link to '{predecessor}'")
        task["after"] = kept

    head, saved = commit_change(request, db, access, base, f"unlink {item_id} from {predecessor}", change)
    return _answer(head, saved, {})


# ---- progress --------------------------------------------------------------------------------
@router.get("/progress", response_model=None, responses={**_ok(), **READ_ERRORS})
def get_progress(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer,
                 version: VersionRef = None) -> JSONResponse:
    """The recorded progress: status date, earned-value method, actuals per task (empty: none)."""
    snap = _read(request, db, access, version)
    return json_answer({"version": snap.version.id, "progress": plan_data(snap).get("progress", {})},
                       headers={"ETag": f'"{snap.version.id}"'})


def _progress_answer(head: Snapshot, saved: dict[str, Any], status: int = 200) -> JSONResponse:
    return _answer(head, saved, {"progress": plan_data(head).get("progress", {})}, status)


@router.post("/progress", response_model=None, responses={**_ok(), **WRITE_ERRORS})
def record_progress(project_id: ProjectIdPath, request: Request, db: DB, access: Editor, base: BaseVersion,
                    body: Annotated[dict[str, Any], Body(description='all the progress: {"status_date": '
                                                                     '"2027-03-05", "tasks": {"design": '
                                                                     '{"percent_complete": 100}}}')]) -> JSONResponse:
    """Replace the plan's progress as a whole (a new version)."""
    head, saved = commit_change(request, db, access, base, "progress recorded",
                                lambda data: data.__setitem__("progress", body))
    return _progress_answer(head, saved)


@router.patch("/progress", response_model=None, responses={**_ok(), **WRITE_ERRORS})
def update_progress(project_id: ProjectIdPath, request: Request, db: DB, access: Editor, base: BaseVersion,
                    body: Annotated[dict[str, Any], Body(description='a merge patch: {"status_date": "2027-03-12", '
                                                                     '"tasks": {"build": {"percent_complete": 40}, '
                                                                     '"old": null}}')]) -> JSONResponse:
    """Change part of the progress (a JSON merge patch: null removes a task's actuals)."""
    release_request_session(db)
    saved = patch_progress(workspace(request), access.project_id, base, body, access.principal.name)
    return _progress_answer(*_saved(request, access, saved))


@router.delete("/progress", response_model=None, responses={**_ok(), **WRITE_ERRORS})
def clear_progress(project_id: ProjectIdPath, request: Request, db: DB, access: Editor,
                   base: BaseVersion) -> JSONResponse:
    """Remove all recorded progress (a new version; the old one stays in the history)."""
    head, saved = commit_change(request, db, access, base, "progress cleared",
                                lambda data: data.pop("progress", None))
    return _progress_answer(head, saved)


# ---- baselines -------------------------------------------------------------------------------
class BaselineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=100)] = "baseline"
    replace: bool = Field(False, description="replace a baseline of that name (else a second one is refused)")


@router.get("/baselines", response_model=None, responses={**_ok(), **READ_ERRORS})
def list_baselines(project_id: ProjectIdPath, request: Request, db: DB, access: Viewer,
                   version: VersionRef = None) -> JSONResponse:
    """The plan's baselines: name, when it was set, its start and finish (not the per-task dates)."""
    snap = _read(request, db, access, version)
    out = [{"name": b.name, "created": b.created, "start": b.start, "finish": b.finish,
            "cost": b.cost, "tasks": len(b.tasks)}
           for b in snap.plan.baselines]
    return json_answer({"version": snap.version.id, "baselines": out}, headers={"ETag": f'"{snap.version.id}"'})


@router.post("/baselines", status_code=201, response_model=None, responses={**_ok(201), **WRITE_ERRORS})
def save_baseline(project_id: ProjectIdPath, request: Request, db: DB, access: Editor, base: BaseVersion,
                  body: BaselineIn) -> JSONResponse:
    """Freeze the current schedule of the base version as a baseline (a new version)."""
    if not VERSION_ID.fullmatch(base):
        raise ApiError(400, "bad_request", "If-Match must name a version by its id (the ETag you read)")
    release_request_session(db)
    space = workspace(request)
    saved = space.save_baseline(access.project_id, space.version(access.project_id, base).id, body.name,
                                author=access.principal.name, replace=body.replace)
    return json_answer({**saved.to_dict(), "baseline": body.name}, 201, {"ETag": f'"{saved.version.id}"'})
