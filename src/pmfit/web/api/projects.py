"""``/api/v1/projects`` and ``/projects/{id}/versions``: the stored plans, their history and diffs.

Each route is a thin call of :class:`pmfit.workspace.Workspace`; the gate decides who may call it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from pmfit.web import accounts
from pmfit.web.api.schemas import PageQuery, Text
from pmfit.web.api.stored import VersionRef, json_answer, release_request_session, workspace
from pmfit.web.api.versioning import base_version
from pmfit.web.errors import ApiError, error_responses
from pmfit.web.security import audit
from pmfit.web.security.access import (
    DB,
    RANK,
    Principal,
    ProjectAccess,
    current_user,
    project_role,
    signed_in,
    visible_projects,
)
from pmfit.web.settings import WebSettings

router = APIRouter(prefix="/projects", tags=["projects"])
ProjectIdPath = Annotated[Text, Path(min_length=1, max_length=64)]
ProjectIdField = Annotated[Text | None, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                                             description="the new project's id (default: from the file name)")]

#: a JSON object answer, for the OpenAPI document
OBJECT = {"content": {"application/json": {"schema": {"type": "object"}}}}
MAX_FILENAME = 120
#: a version in a path: its number (3, or -1 for the one before the head), id or id prefix, or head
VERSION_REF = r"^(head|latest|-?[0-9]{1,9}|[0-9a-f]{6,64})$"
VERSION_ID = re.compile(r"[0-9a-f]{6,64}")


def _ok(status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": "the answer", **OBJECT}}


def project_out(info: Any, role: str | None) -> dict[str, Any]:
    return {**info.to_dict(), "role": role}


def safe_filename(name: str | None) -> str:
    """A client's file name reduced to a harmless base name (it only tells the reader the format)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[-MAX_FILENAME:]
    return cleaned or "plan.yaml"


@router.get("", response_model=None, responses={**_ok(), **error_responses(401, 422)})
def list_projects(request: Request, db: DB, paging: Annotated[PageQuery, Depends()],
                  principal: Annotated[Principal, Depends(signed_in())]) -> JSONResponse:
    """The projects I may open, with my role in each (paginated, by id)."""
    roles = visible_projects(db, principal)
    release_request_session(db)
    stored = {p.id: p for p in workspace(request).list_projects()}
    ids = [pid for pid in roles if pid in stored]
    window = ids[paging.offset:paging.offset + paging.limit]
    page = paging.page([project_out(stored[pid], roles[pid]) for pid in window], len(ids))
    return json_answer(page.model_dump())


@router.post("", status_code=201, response_model=None,
             responses={**_ok(201), **error_responses(401, 403, 409, 413, 422, 503)})
async def create_project(request: Request, db: DB, principal: Annotated[Principal, Depends(signed_in())],
                         file: Annotated[UploadFile, File(description="a plan file in any format pmfit reads")],
                         project_id: ProjectIdField = None,
                         message: Annotated[Text | None, Form(max_length=500)] = None) -> JSONResponse:
    """A new project from an uploaded plan file (multipart). Answers the project, its first version and
    the import report (what was read, approximated, dropped). The caller becomes its owner. Through an
    API token, the token's role must be editor or owner."""
    from starlette.concurrency import run_in_threadpool

    if principal.via == "token" and RANK[principal.token_role or "executive"] < RANK["editor"]:
        raise ApiError(403, "forbidden", "an API token needs the editor or owner role to create projects")
    data = await file.read()
    filename = safe_filename(file.filename)
    settings: WebSettings = request.app.state.settings
    user = current_user(db, principal)
    release_request_session(db)
    saved = await run_in_threadpool(workspace(request).import_bytes, data, filename, project_id=project_id,
                                    author=principal.name, message=message)
    assert saved.project is not None
    accounts.set_member(db, saved.project.id, user, "owner", settings.clock())
    audit.record(request, "project_created", user_id=principal.user_id, user_name=principal.name,
                 project_id=saved.project.id, detail=filename)
    body = {"project": project_out(saved.project, "owner"), "version": saved.version.to_dict(),
            "report": saved.report.to_dict() if saved.report else None}
    return json_answer(body, 201, {"ETag": f'"{saved.version.id}"',
                                   "Location": f"/api/v1/projects/{saved.project.id}"})


@router.get("/{project_id}", response_model=None, responses={**_ok(), **error_responses(401, 404, 422)})
def get_project(project_id: ProjectIdPath, request: Request, db: DB,
                access: Annotated[ProjectAccess, Depends(project_role("executive"))]) -> JSONResponse:
    """The project: name, head version, dates of change, and my role."""
    release_request_session(db)
    info = workspace(request).project(access.project_id)
    return json_answer(project_out(info, access.role), headers={"ETag": f'"{info.head}"'} if info.head else None)


@router.delete("/{project_id}", response_model=None, responses={**_ok(), **error_responses(401, 403, 404, 422)})
def delete_project(project_id: ProjectIdPath, request: Request, db: DB,
                   access: Annotated[ProjectAccess, Depends(project_role("owner"))]) -> JSONResponse:
    """Put the project in the bin (owners): hidden and read-only; undelete brings it back for 30 days."""
    release_request_session(db)
    info = workspace(request).delete_project(access.project_id, author=access.principal.name)
    audit.record(request, "project_deleted", user_id=access.principal.user_id, user_name=access.principal.name,
                 project_id=access.project_id)
    return json_answer(project_out(info, access.role))


@router.post("/{project_id}/undelete", response_model=None,
             responses={**_ok(), **error_responses(401, 403, 404, 422)})
def undelete_project(project_id: ProjectIdPath, request: Request, db: DB,
                     access: Annotated[ProjectAccess, Depends(project_role("owner", deleted=True))]) -> JSONResponse:
    """Take the project out of the bin (owners)."""
    release_request_session(db)
    info = workspace(request).undelete_project(access.project_id)
    audit.record(request, "project_undeleted", user_id=access.principal.user_id, user_name=access.principal.name,
                 project_id=access.project_id)
    return json_answer(project_out(info, access.role))


# ---- versions -----------------------------------------------------------------------------
@router.get("/{project_id}/versions", response_model=None, responses={**_ok(), **error_responses(401, 403, 404, 422)})
def list_versions(project_id: ProjectIdPath, request: Request, db: DB, paging: Annotated[PageQuery, Depends()],
                  access: Annotated[ProjectAccess, Depends(project_role("viewer"))]) -> JSONResponse:
    """The project's versions, newest first (paginated): who saved what, when, and on which base."""
    release_request_session(db)
    space = workspace(request)
    total = space.project(access.project_id).head_number or 0
    window = space.history(access.project_id, paging.offset + paging.limit)[paging.offset:]
    return json_answer(paging.page([v.to_dict() for v in window], total).model_dump())


@router.get("/{project_id}/versions/{version}", response_model=None,
            responses={**_ok(), **error_responses(401, 403, 404, 422)})
def get_version(project_id: ProjectIdPath, request: Request, db: DB,
                version: Annotated[Text, Path(max_length=64, pattern=VERSION_REF)],
                access: Annotated[ProjectAccess, Depends(project_role("viewer"))]) -> JSONResponse:
    """One version: its metadata and the plan document (YAML text). Its ETag is the version id, the
    base to name in ``If-Match`` when changing the plan."""
    release_request_session(db)
    snap = workspace(request).get(access.project_id, version)
    return json_answer({"version": snap.version.to_dict(), "document": snap.text},
                       headers={"ETag": f'"{snap.version.id}"'})


@router.post("/{project_id}/versions/{version}/revert", response_model=None,
             responses={**_ok(), **error_responses(400, 401, 403, 404, 409, 422, 428, 503)})
def revert_version(project_id: ProjectIdPath, request: Request, db: DB,
                   version: Annotated[Text, Path(max_length=64, pattern=VERSION_REF)],
                   access: Annotated[ProjectAccess, Depends(project_role("editor"))],
                   base: Annotated[str, Depends(base_version)],
                   message: Annotated[Text | None, Query(max_length=500)] = None) -> JSONResponse:
    """Restore an earlier version's plan as a new version on top of the head (editors). History is kept:
    the versions in between stay, and the new one (kind ``revert``) says which it restored.

    ``If-Match`` names the head the caller read; a revert replaces the whole plan, so it is never merged:
    if anyone saved since, 409 with who changed what. The answer's ETag is the new head."""
    if not VERSION_ID.fullmatch(base):  # "head" would be a blind overwrite, not a named base
        raise ApiError(400, "bad_request", f"If-Match must name a version by its id (the ETag you read), not {base!r}")
    release_request_session(db)
    saved = workspace(request).revert(access.project_id, version, base=base, author=access.principal.name,
                                      message=message or "")
    return json_answer(saved.to_dict(), headers={"ETag": f'"{saved.version.id}"'})


@router.get("/{project_id}/diff", response_model=None, responses={**_ok(), **error_responses(401, 403, 404, 422)})
def diff_versions(project_id: ProjectIdPath, request: Request, db: DB,
                  access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
                  old: VersionRef = "-1", new: VersionRef = None,
                  ) -> JSONResponse:
    """What changed between two versions (tasks added, removed, changed) and what it did to the finish,
    and every changed field."""
    release_request_session(db)
    space = workspace(request)
    a = space.version(access.project_id, old)
    b = space.version(access.project_id, new)
    summary = space.diff(access.project_id, a.id, b.id)
    fields = space.changes(access.project_id, a.id, b.id)
    return json_answer({"old": a.to_dict(), "new": b.to_dict(), "diff": summary.to_dict(),
                        "changes": [c.to_dict() for c in fields]})
