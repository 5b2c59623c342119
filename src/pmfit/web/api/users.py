"""``/api/v1/users`` and ``/api/v1/audit``: administrators manage accounts and read the security log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from pmfit.web import accounts
from pmfit.web.api.schemas import AuthEventOut, Page, PageQuery, Text, UserChangeIn, UserCreateIn, UserOut
from pmfit.web.errors import error_responses
from pmfit.web.security import audit
from pmfit.web.security.access import DB, Principal, admin
from pmfit.web.security.passwords import Hasher
from pmfit.web.settings import WebSettings

router = APIRouter(tags=["users"])
AdminOnly = Annotated[Principal, Depends(admin())]
UserPath = Annotated[Text, Path(min_length=1, max_length=64)]


def _hasher(request: Request) -> Hasher:
    hasher: Hasher = request.app.state.hasher
    return hasher


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


@router.get("/users", response_model=Page[UserOut], responses=error_responses(401, 403, 422))
def list_users(db: DB, _: AdminOnly, paging: Annotated[PageQuery, Depends()]) -> Page[UserOut]:
    """Every account, by name."""
    rows, total = accounts.list_users(db, paging.limit, paging.offset)
    return paging.page([UserOut.of(user) for user in rows], total)


@router.post("/users", status_code=201, response_model=UserOut, responses=error_responses(401, 403, 409, 422))
def create_user(body: UserCreateIn, request: Request, db: DB, principal: AdminOnly) -> UserOut:
    """Create an account (no password: a link-only local account)."""
    user = accounts.create_user(db, _hasher(request), body.name, body.password, body.is_admin,
                                _settings(request).clock())
    audit.record(request, "user_created", user_id=principal.user_id, user_name=principal.name,
                 detail=f"created {user.name}" + (" (admin)" if user.is_admin else ""))
    return UserOut.of(user)


@router.get("/users/{user_name}", response_model=UserOut, responses=error_responses(401, 403, 404, 422))
def get_user(user_name: UserPath, db: DB, _: AdminOnly) -> UserOut:
    """One account."""
    return UserOut.of(accounts.get_user(db, user_name))


@router.patch("/users/{user_name}", response_model=UserOut, responses=error_responses(401, 403, 404, 409, 422))
def change_user(user_name: UserPath, body: UserChangeIn, request: Request, db: DB, principal: AdminOnly) -> UserOut:
    """Disable or enable an account, grant or revoke admin, or set its password (its sessions end)."""
    user = accounts.get_user(db, user_name)
    settings = _settings(request)
    accounts.change_account(db, user, settings.clock(), disabled=body.disabled, is_admin=body.is_admin)
    if body.password is not None:
        accounts.set_password(db, _hasher(request), user, body.password, settings.clock())
    changes = body.model_dump(exclude_none=True)
    if "password" in changes:
        changes["password"] = "(set)"
    audit.record(request, "user_changed", user_id=principal.user_id, user_name=principal.name,
                 detail=f"{user.name}: {changes}")
    return UserOut.of(user)


@router.get("/audit", response_model=Page[AuthEventOut], responses=error_responses(401, 403, 422))
def security_log(db: DB, _: AdminOnly, paging: Annotated[PageQuery, Depends()],
                 user: Annotated[Text | None, Query(max_length=64)] = None,
                 project: Annotated[Text | None, Query(max_length=64)] = None) -> Page[AuthEventOut]:
    """The security log, newest first, optionally for one user name or project id."""
    rows, total = accounts.list_events(db, paging.limit, paging.offset, user=user, project=project)
    items = [AuthEventOut(at=e.at, kind=e.kind, user=e.user_name, address=e.address, method=e.method,
                          path=e.path, project_id=e.project_id, detail=e.detail) for e in rows]
    return paging.page(items, total)
