"""``/api/v1/projects/{project_id}/members``: who may see and change a project, and as what."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from pmfit.web import accounts
from pmfit.web.api.schemas import MemberIn, MemberOut, Page, PageQuery, Text
from pmfit.web.errors import error_responses
from pmfit.web.security import audit
from pmfit.web.security.access import DB, ProjectAccess, project_role
from pmfit.web.settings import WebSettings

router = APIRouter(prefix="/projects/{project_id}/members", tags=["members"])
ProjectIdPath = Annotated[Text, Path(min_length=1, max_length=64)]
UserPath = Annotated[Text, Path(min_length=1, max_length=64)]


@router.get("", response_model=Page[MemberOut], responses=error_responses(401, 403, 404, 422))
def list_members(project_id: ProjectIdPath, db: DB, paging: Annotated[PageQuery, Depends()],
                 access: Annotated[ProjectAccess, Depends(project_role("executive", admins=True))]) -> Page[MemberOut]:
    """The project's members and their roles (any member, and administrators)."""
    everyone = accounts.members(db, access.project_id)
    window = everyone[paging.offset:paging.offset + paging.limit]
    return paging.page([MemberOut(user=u.name, role=m.role) for u, m in window], len(everyone))  # type: ignore[arg-type]


@router.put("/{user_name}", response_model=MemberOut, responses=error_responses(401, 403, 404, 409, 422))
def set_member(project_id: ProjectIdPath, user_name: UserPath, body: MemberIn, request: Request, db: DB,
               access: Annotated[ProjectAccess, Depends(project_role("owner", admins=True))]) -> MemberOut:
    """Add a user to the project or change their role (owners, and administrators)."""
    settings: WebSettings = request.app.state.settings
    user = accounts.get_user(db, user_name)
    membership = accounts.set_member(db, access.project_id, user, body.role, settings.clock())
    audit.record(request, "member_changed", user_id=access.principal.user_id, user_name=access.principal.name,
                 project_id=access.project_id, detail=f"{user.name} is {membership.role}")
    return MemberOut(user=user.name, role=membership.role)  # type: ignore[arg-type]


@router.delete("/{user_name}", status_code=204, responses=error_responses(401, 403, 404, 409, 422))
def remove_member(project_id: ProjectIdPath, user_name: UserPath, request: Request, db: DB,
                  access: Annotated[ProjectAccess, Depends(project_role("owner", admins=True))]) -> Response:
    """Take a user out of the project (the last owner stays)."""
    user = accounts.get_user(db, user_name)
    accounts.remove_member(db, access.project_id, user)
    audit.record(request, "member_removed", user_id=access.principal.user_id, user_name=access.principal.name,
                 project_id=access.project_id, detail=user.name)
    return Response(status_code=204)
