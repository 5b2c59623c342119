"""Who may call a route: every route depends on exactly one :class:`AccessGate`.

The gate authenticates the caller (a session cookie, or an ``Authorization: Bearer`` API token),
checks the CSRF token of a state-changing browser request, and decides:

- :func:`public` — anyone (log in, the OpenAPI schema);
- :func:`signed_in` — any account (``session_only`` refuses API tokens: password, tokens, logout);
- :func:`admin` — an administrator in a browser session (tokens never carry admin rights);
- :func:`project_role` — at least ``role`` in the project named by the path's ``project_id``
  (roles rank executive < viewer < editor < owner); ``admins=True`` also lets administrators in.

Answers: no credentials 401; a project the caller is not a member of, or that does not exist, 404
(the same answer, so ids cannot be probed); a member whose role is too weak, or a non-admin on an
admin route, 403. Every refusal is written to the security log. The authorisation matrix test
reads the gates from ``app.routes``, so a route without one fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from pmfit.store.accounts import ROLES, Membership, User
from pmfit.web.db import db_session, project_state
from pmfit.web.errors import ApiError, not_found
from pmfit.web.security import audit
from pmfit.web.security.sessions import (
    COOKIE_NAME,
    CSRF_FIELD,
    CSRF_HEADER,
    SessionExpired,
    csrf_matches,
    find_session,
)
from pmfit.web.security.tokens import find_token, token_projects
from pmfit.web.settings import WebSettings

Role = Literal["executive", "viewer", "editor", "owner"]
RANK = {role: rank for rank, role in enumerate(ROLES)}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DB = Annotated[Session, Depends(db_session, scope="function")]


def weaker(a: str, b: str) -> str:
    return a if RANK[a] <= RANK[b] else b


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: int
    name: str
    is_admin: bool
    via: Literal["session", "token"]
    session_secret: str | None = None
    token_id: str | None = None
    token_role: str | None = None


@dataclass(frozen=True)
class ProjectAccess:
    """A caller let into a project, with the role it acts with there (``None``: an admin, not a member)."""

    principal: Principal
    project_id: str
    role: str | None


@dataclass(frozen=True)
class Rule:
    """What a gate demands; read by the authorisation matrix test."""

    kind: Literal["public", "signed_in", "admin", "project"]
    session_only: bool = False
    role: str | None = None
    admins: bool = False
    #: the route may act on a project in the store's bin (undelete); every other one answers 404 there
    deleted: bool = False


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate(request: Request, db: Session, session_only: bool) -> Principal | None:
    """The caller, or ``None`` when the request carries no usable credentials."""
    settings = _settings(request)
    bearer = _bearer(request)
    if bearer is not None:
        found = find_token(db, bearer, settings.clock())
        if found is None:
            audit.record(request, "token_refused", detail="unknown, revoked or expired token")
            return None
        token, user = found
        if session_only:
            raise ApiError(403, "forbidden", "API tokens cannot do this; log in with a browser session")
        return Principal(user.id, user.name, False, "token", token_id=token.id, token_role=token.role)
    secret = request.cookies.get(COOKIE_NAME)
    if not secret:
        return None
    try:
        active = find_session(db, settings, secret)
    except SessionExpired as expired:
        audit.record(request, "session_expired", user_id=expired.user.id, user_name=expired.user.name,
                     detail=expired.reason)
        return None
    if active is None:
        return None
    return Principal(active.user.id, active.user.name, active.user.is_admin, "session", session_secret=secret)


async def _check_csrf(request: Request, principal: Principal) -> None:
    """A state-changing request authenticated by the cookie must carry the session's CSRF token."""
    if principal.via != "session" or request.method not in UNSAFE_METHODS:
        return
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        offered = value if isinstance(value, str) else None
    assert principal.session_secret is not None
    if not csrf_matches(_settings(request), principal.session_secret, offered):
        audit.record(request, "csrf_refused", user_id=principal.user_id, user_name=principal.name)
        raise ApiError(403, "csrf_token", f"missing or wrong CSRF token (send the {CSRF_HEADER} header "
                                          "from GET /api/v1/auth/me, or the csrf_token form field)")


def _denied(request: Request, principal: Principal | None, error: ApiError, project_id: str | None = None) -> None:
    audit.record_denial(request, error.status, error.code, project_id)
    raise error


def _unauthenticated() -> ApiError:
    return ApiError(401, "auth_required", "log in (POST /api/v1/auth/login) or send an API token",
                    {"WWW-Authenticate": 'Bearer realm="pmfit"'})


class AccessGate:
    """A FastAPI dependency that enforces one :class:`Rule`."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __repr__(self) -> str:
        return f"AccessGate({self.rule})"

    async def _principal(self, request: Request, db: Session) -> Principal:
        principal = authenticate(request, db, self.rule.session_only)
        request.state.principal = principal  # for the security log of a refusal further in
        if principal is None:
            _denied(request, None, _unauthenticated())
        assert principal is not None
        await _check_csrf(request, principal)
        return principal


class PublicGate(AccessGate):
    async def __call__(self, request: Request, db: DB) -> Principal | None:
        return None


class SignedInGate(AccessGate):
    async def __call__(self, request: Request, db: DB) -> Principal:
        return await self._principal(request, db)


class AdminGate(AccessGate):
    async def __call__(self, request: Request, db: DB) -> Principal:
        principal = await self._principal(request, db)
        if not principal.is_admin:
            _denied(request, principal, ApiError(403, "forbidden", "only administrators may do this"))
        return principal


def member_role(db: Session, user_id: int, project_id: str) -> str | None:
    return db.execute(select(Membership.role).where(Membership.user_id == user_id,
                                                    Membership.project_id == project_id)).scalar_one_or_none()


def effective_role(db: Session, principal: Principal, project_id: str) -> str | None:
    """The role the caller acts with in a project: its membership, cut down to its token's role and scope."""
    role = member_role(db, principal.user_id, project_id)
    if role is None or principal.via == "session":
        return role
    assert principal.token_id is not None and principal.token_role is not None
    if project_id not in token_projects(db, principal.token_id):
        return None
    return weaker(role, principal.token_role)


def _plausible_id(project_id: str) -> bool:
    return 0 < len(project_id) <= 64 and "\x00" not in project_id and not any(
        "\ud800" <= char <= "\udfff" for char in project_id)


def visible_projects(db: Session, principal: Principal) -> dict[str, str]:
    """Project id -> the role the caller acts with there, for every project it may open.

    The portfolio and ``GET /projects`` list exactly these (administrators see only the projects they
    are members of: managing users does not open plans).
    """
    rows = db.execute(select(Membership.project_id).where(Membership.user_id == principal.user_id)
                      .order_by(Membership.project_id)).scalars().all()
    roles = {project_id: effective_role(db, principal, project_id) for project_id in rows}
    return {project_id: role for project_id, role in roles.items() if role is not None}


class ProjectGate(AccessGate):
    async def __call__(self, request: Request, db: DB) -> ProjectAccess:
        principal = await self._principal(request, db)
        project_id = str(request.path_params.get("project_id", ""))
        assert self.rule.role is not None
        if not _plausible_id(project_id):  # checked before any query: the gate runs before validation
            _denied(request, principal, not_found("project"), None)
        role = effective_role(db, principal, project_id)
        if role is None and not (self.rule.admins and principal.is_admin):
            _denied(request, principal, not_found("project"), project_id[:64])
        if project_state(db, project_id) not in (("live", "deleted") if self.rule.deleted else ("live",)):
            _denied(request, principal, not_found("project"), project_id[:64])
        if role is None:  # an administrator who is not a member, on a route that lets admins in
            return ProjectAccess(principal, project_id, None)
        if RANK[role] < RANK[self.rule.role]:
            _denied(request, principal, ApiError(403, "forbidden", f"this needs the {self.rule.role} role in the "
                                                                   f"project (you act as {role})"), project_id)
        return ProjectAccess(principal, project_id, role)


def public() -> PublicGate:
    return PublicGate(Rule("public"))


def signed_in(session_only: bool = False) -> SignedInGate:
    return SignedInGate(Rule("signed_in", session_only=session_only))


def admin() -> AdminGate:
    return AdminGate(Rule("admin", session_only=True))


def project_role(role: Role, admins: bool = False, deleted: bool = False) -> ProjectGate:
    assert role in RANK
    return ProjectGate(Rule("project", role=role, admins=admins, deleted=deleted))


def gates_of(dependencies: Iterator[object] | list[object]) -> list[AccessGate]:
    """The gates among a route's dependency callables (the matrix test wants exactly one)."""
    return [call for call in dependencies if isinstance(call, AccessGate)]


def current_user(db: Session, principal: Principal) -> User:
    user = db.get(User, principal.user_id)
    if user is None:  # deleted between the gate and here
        raise _unauthenticated()
    return user
