"""Browser sessions: ``__Host-`` cookies, server-side rows, idle and absolute timeouts, CSRF tokens.

The cookie holds 256 random bits; the database holds only their SHA-256, so a copy of the database
opens no session. A session ends for good (``ended_at``) at logout, at a password change, when the
account is disabled, and when a timeout is found; a new one is made at every login (rotation), so a
session id planted before login is worthless after it.

The cookie is ``Secure``: browsers keep it only over HTTPS, and over plain HTTP only for
``localhost`` / ``127.0.0.1`` (Chromium and Firefox treat those as secure). Serve pmfit behind TLS
for any other address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from fastapi import Response
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pmfit.store.accounts import User, WebSession
from pmfit.web.settings import WebSettings

COOKIE_NAME = "__Host-pmfit_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
#: a session's last-seen time is written at most this often (the idle clock is coarse anyway)
TOUCH_EVERY = dt.timedelta(seconds=15)
#: key in ``Session.info`` of the last-seen times to write after the request
TOUCHES = "pmfit_session_touches"


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (session id, API token, login link): enough, no salt needed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token(settings: WebSettings, session_secret: str) -> str:
    """The CSRF token of one session: an HMAC of its id, so it dies with the session."""
    return hmac.new(settings.secret_key.encode(), b"csrf:" + session_secret.encode(), hashlib.sha256).hexdigest()


def csrf_matches(settings: WebSettings, session_secret: str, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(csrf_token(settings, session_secret), offered or "")


@dataclass(frozen=True)
class ActiveSession:
    row_id: str
    secret: str
    user: User


def start_session(db: Session, settings: WebSettings, user: User, address: str | None) -> str:
    """A new session for ``user``; returns the cookie value (the only copy of the secret)."""
    secret = secrets.token_urlsafe(32)
    now = settings.clock()
    db.add(WebSession(id=digest(secret), user_id=user.id, created_at=now, last_seen_at=now,
                      address=(address or None) and address[:64]))
    return secret


def end_session(db: Session, now: dt.datetime, secret: str, reason: str) -> None:
    db.execute(update(WebSession).where(WebSession.id == digest(secret), WebSession.ended_at.is_(None))
               .values(ended_at=now, end_reason=reason))


def end_all_sessions(db: Session, now: dt.datetime, user_id: int, reason: str,
                     keep: str | None = None) -> int:
    """End every open session of a user (except ``keep``, a session secret); returns how many."""
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(WebSession.id != digest(keep))
    result = db.execute(query.values(ended_at=now, end_reason=reason))
    return int(result.rowcount)  # type: ignore[attr-defined]


class SessionExpired(Exception):
    """The session was open but timed out now (the caller logs it)."""

    def __init__(self, user: User, reason: str) -> None:
        super().__init__(reason)
        self.user = user
        self.reason = reason


def find_session(db: Session, settings: WebSettings, secret: str) -> ActiveSession | None:
    """The live session for a cookie value, its idle clock restarted; ``None`` if there is none.

    Raises :class:`SessionExpired` when the session existed but has just timed out (it is ended).
    """
    if not secret or len(secret) > 100:
        return None
    row = db.get(WebSession, digest(secret))
    if row is None or row.ended_at is not None:
        return None
    user = db.get(User, row.user_id)
    now = settings.clock()
    reason = None
    if user is None or user.disabled:
        reason = "disabled"
    elif now - row.created_at >= settings.session_absolute:
        reason = "absolute_timeout"
    elif now - row.last_seen_at >= settings.session_idle:
        reason = "idle_timeout"
    if reason is not None:
        row.ended_at, row.end_reason = now, reason
        db.commit()
        if user is not None and reason != "disabled":
            raise SessionExpired(user, reason)
        return None
    assert user is not None
    if now - row.last_seen_at >= TOUCH_EVERY:
        # written after the request, on its own (pmfit.web.db.db_session): a read stays a read
        db.info.setdefault(TOUCHES, {})[row.id] = now
    return ActiveSession(row.id, secret, user)


def write_touches(sessions: sessionmaker[Session], touches: dict[str, dt.datetime]) -> None:
    """Restart the idle clocks of sessions used by a request (``{session row id: when}``).

    Best effort: a write that cannot get the database (SQLite's write lock held too long) is logged and
    dropped, and the next request of the session tries again; ended sessions are never touched.
    """
    try:
        with sessions.begin() as db:
            for row_id, when in touches.items():
                db.execute(update(WebSession)
                           .where(WebSession.id == row_id, WebSession.ended_at.is_(None),
                                  WebSession.last_seen_at < when)
                           .values(last_seen_at=when))
    except OperationalError:
        logging.getLogger("pmfit.web").warning("could not record a session's last request (will retry)")


def set_session_cookie(response: Response, secret: str, settings: WebSettings) -> None:
    """``__Host-`` prefix: Secure, Path=/, no Domain, so no other host or path can set or read it."""
    response.set_cookie(COOKIE_NAME, secret, max_age=int(settings.session_absolute.total_seconds()),
                        path="/", secure=True, httponly=True, samesite="lax")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="lax")


def open_sessions(db: Session, user_id: int) -> int:
    rows = db.execute(select(WebSession.id).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None)))
    return len(rows.all())
