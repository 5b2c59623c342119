"""The security log (table ``auth_events``).

Events are collected during a request and written in their own transaction once the request's
transaction has ended (:func:`flush`, called by :func:`pmfit.web.db.db_session`): a refused request,
whose own transaction is rolled back, still leaves its trace, and SQLite's single writer is never
asked to serve two transactions of one request at once."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from pmfit.store.accounts import AuthEvent

#: Every kind of event written, so that readers of the log know the vocabulary.
EVENT_KINDS = frozenset({
    "login", "login_failed", "login_throttled", "login_link", "logout", "session_expired",
    "password_changed", "user_created", "user_changed", "token_created", "token_revoked",
    "token_refused", "access_denied", "csrf_refused", "cross_origin_refused", "member_changed",
    "member_removed", "project_created", "project_deleted", "project_undeleted",
})


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def event_fields(request: Request, *, user_id: int | None = None, user_name: str | None = None,
                 project_id: str | None = None, detail: str | None = None) -> dict[str, object]:
    """The columns of an event about this request (all but ``at`` and ``kind``), cut to their sizes."""
    return {"user_id": user_id, "user_name": loggable(user_name, 64), "address": loggable(client_address(request), 64),
            "method": loggable(request.method, 10), "path": loggable(request.url.path, 300),
            "project_id": loggable(project_id, 64), "detail": loggable(detail, 300)}


def loggable(text: str | None, size: int) -> str | None:
    """Text an attacker chose, made storable (no NUL, no lone surrogate: PostgreSQL refuses both) and cut."""
    if not text:
        return None
    cleaned = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return cleaned[:size]


def record(request: Request, kind: str, *, user_id: int | None = None, user_name: str | None = None,
           project_id: str | None = None, detail: str | None = None) -> None:
    """Note one event; it is written when the request's transaction ends."""
    assert kind in EVENT_KINDS, kind
    now = request.app.state.settings.clock()
    event = AuthEvent(at=now, kind=kind, **event_fields(request, user_id=user_id, user_name=user_name,
                                                        project_id=project_id, detail=detail))
    pending: list[AuthEvent] = getattr(request.state, "audit_events", [])
    pending.append(event)
    request.state.audit_events = pending


def record_denial(request: Request, status: int, code: str, project_id: str | None = None) -> None:
    """Note a refused request (401/403/404), once per request, with the caller the gate found."""
    if getattr(request.state, "denial_logged", False):
        return
    request.state.denial_logged = True
    principal = getattr(request.state, "principal", None)
    if project_id is None:
        project_id = request.path_params.get("project_id")
    record(request, "access_denied", user_id=getattr(principal, "user_id", None),
           user_name=getattr(principal, "name", None), project_id=project_id and str(project_id)[:64],
           detail=f"{status} {code}")


def flush(request: Request) -> None:
    """Write the request's events, committed on their own."""
    pending: list[AuthEvent] = getattr(request.state, "audit_events", [])
    if not pending:
        return
    request.state.audit_events = []
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as db:
        db.add_all(pending)
        db.commit()
