"""``/api/v1/auth``: log in and out, who am I, change my password, one-time login links."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from pmfit.store.accounts import User
from pmfit.web import accounts
from pmfit.web.api.schemas import LoginIn, Me, PasswordChangeIn, ProjectRole, Text, UserOut
from pmfit.web.errors import ApiError, error_responses
from pmfit.web.security import audit
from pmfit.web.security.access import DB, Principal, current_user, public, signed_in, visible_projects
from pmfit.web.security.passwords import Hasher
from pmfit.web.security.sessions import (
    clear_session_cookie,
    csrf_token,
    end_session,
    set_session_cookie,
    start_session,
)
from pmfit.web.security.throttle import LoginThrottler
from pmfit.web.settings import WebSettings

router = APIRouter(prefix="/auth", tags=["auth"])


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def _hasher(request: Request) -> Hasher:
    hasher: Hasher = request.app.state.hasher
    return hasher


def _me(request: Request, db: DB, principal: Principal) -> Me:
    user = current_user(db, principal)
    projects = [ProjectRole(project_id=p, role=r)  # type: ignore[arg-type]
                for p, r in visible_projects(db, principal).items()]
    csrf = csrf_token(_settings(request), principal.session_secret) if principal.session_secret else None
    return Me(user=UserOut.of(user), via=principal.via, admin_rights=principal.is_admin, csrf_token=csrf,
              projects=projects)


@router.post("/login", response_model=Me, responses=error_responses(401, 422, 429))
async def login(body: LoginIn, request: Request, response: Response, db: DB,
                _: Annotated[None, Depends(public())]) -> Me:
    """Log in with a name and password: sets the session cookie and returns the CSRF token."""
    # async so that a throttled guess is answered from one short query on the event loop, with no
    # thread hop; the slow part, the password hash, runs in the thread pool

    user, secret = await password_login(request, db, body.name, body.password)
    set_session_cookie(response, secret, _settings(request))
    principal = Principal(user.id, user.name, user.is_admin, "session", session_secret=secret)
    return _me(request, db, principal)


async def password_login(request: Request, db: DB, name: str, password: str) -> tuple[User, str]:
    """Check a name and password (throttled, logged) and start a session: the user and the cookie
    value. Shared by the API's ``POST /auth/login`` and the login page."""
    settings = _settings(request)
    throttler: LoginThrottler = request.app.state.throttler
    address = audit.client_address(request)
    now = settings.clock()
    wait = throttler.refuse(name, address, now, audit.event_fields(request, user_name=name))
    if wait is not None:
        raise ApiError(429, "rate_limited", f"too many failed logins; try again in {wait} s",
                       {"Retry-After": str(wait)})
    user = accounts.find_user(db, name) if len(name) <= 64 else None
    # hand the request's connection back to the pool while the hash is computed: the throttler needs
    # one from the same pool next, and twenty logins each holding one would otherwise exhaust it
    db.commit()
    ok = await run_in_threadpool(_hasher(request).verify, user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        throttler.failed(name, address, now)
        audit.record(request, "login_failed", user_id=user.id if user else None, user_name=name)
        raise ApiError(401, "bad_login", "wrong user name or password")
    throttler.succeeded(name, address)
    if user.password_hash and _hasher(request).needs_rehash(user.password_hash):  # the cost was raised
        user.password_hash = await run_in_threadpool(_hasher(request).hash, password)
    old = request.cookies.get("__Host-pmfit_session")
    if old:  # rotation: a session id from before this login is ended, never reused
        end_session(db, now, old, "replaced")
    secret = start_session(db, settings, user, address)
    audit.record(request, "login", user_id=user.id, user_name=user.name)
    return user, secret


@router.post("/logout", status_code=204, responses=error_responses(401, 403))
def logout(request: Request, response: Response, db: DB,
           principal: Annotated[Principal, Depends(signed_in(session_only=True))]) -> Response:
    """End this session on the server and clear its cookie."""
    assert principal.session_secret is not None
    end_session(db, _settings(request).clock(), principal.session_secret, "logout")
    audit.record(request, "logout", user_id=principal.user_id, user_name=principal.name)
    answer = Response(status_code=204)
    clear_session_cookie(answer)
    return answer


@router.get("/me", response_model=Me, responses=error_responses(401))
def me(request: Request, db: DB, principal: Annotated[Principal, Depends(signed_in())]) -> Me:
    """Who is calling, their projects and roles, and (for a browser session) the CSRF token."""
    return _me(request, db, principal)


@router.post("/password", response_model=Me, responses=error_responses(401, 403, 422))
def change_password(body: PasswordChangeIn, request: Request, response: Response, db: DB,
                    principal: Annotated[Principal, Depends(signed_in(session_only=True))]) -> Me:
    """Change my password: every session of mine ends, this browser gets a new one."""
    settings = _settings(request)
    user = current_user(db, principal)
    if not _hasher(request).verify(user.password_hash, body.current_password):
        audit.record(request, "login_failed", user_id=user.id, user_name=user.name, detail="password change")
        raise ApiError(401, "bad_login", "the current password is wrong")
    accounts.set_password(db, _hasher(request), user, body.new_password, settings.clock())
    secret = start_session(db, settings, user, audit.client_address(request))
    set_session_cookie(response, secret, settings)
    audit.record(request, "password_changed", user_id=user.id, user_name=user.name)
    return _me(request, db, Principal(user.id, user.name, user.is_admin, "session", session_secret=secret))


_LINK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>pmfit: log in</title></head>
<body><main><h1>pmfit</h1>
<form method="post" action="/api/v1/auth/link">
<input type="hidden" name="token" value="{token}">
<button type="submit">Log in</button></form>
<p>This link works once. It was printed by <code>pmfit serve</code>.</p></main></body></html>
"""


@router.get("/link", response_class=HTMLResponse, responses=error_responses(422))
def login_link_page(token: Annotated[Text, Query(min_length=1, max_length=100)],
                    _: Annotated[None, Depends(public())]) -> HTMLResponse:
    """The page of a one-time login link: a button that spends it (a GET never logs in by itself)."""
    return HTMLResponse(_LINK_PAGE.format(token=html.escape(token, quote=True)))


@router.post("/link", status_code=303, response_class=RedirectResponse, responses=error_responses(401, 422))
def use_login_link(token: Annotated[Text, Form(min_length=1, max_length=100)], request: Request, db: DB,
                   _: Annotated[None, Depends(public())]) -> RedirectResponse:
    """Spend a one-time login link: a new session, then on to the app."""
    settings = _settings(request)
    user = accounts.use_login_link(db, token, settings.clock())
    if user is None:
        audit.record(request, "login_failed", detail="unknown, used or expired login link")
        raise ApiError(401, "bad_login", "this login link is unknown, used or expired; "
                                         "pmfit serve prints a new one at each start")
    secret = start_session(db, settings, user, audit.client_address(request))
    answer = RedirectResponse("/", status_code=303)  # the portfolio page
    set_session_cookie(answer, secret, settings)
    audit.record(request, "login_link", user_id=user.id, user_name=user.name)
    return answer
