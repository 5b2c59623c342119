"""Deleting the accounts rows nobody needs any more: ended or timed-out sessions, used or expired login
links, login-throttle counts whose window and block are over, and security-log rows past their retention.

The server runs :func:`prune_accounts` at start and then at most once a minute (``pmfit.web.db``);
``pmfit db prune`` runs it by hand. Every rule deletes only rows that can no longer change an answer:
a session is kept for ``grace`` after it ended or could last have been alive (so that a late request with
its cookie is still told "your session expired"), a throttle row only once its block is over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, and_, delete, or_

from pmfit.store.accounts import AuthEvent, LoginLink, LoginThrottle, WebSession

_SESSIONS = cast(Table, WebSession.__table__)
_LINKS = cast(Table, LoginLink.__table__)
_THROTTLE = cast(Table, LoginThrottle.__table__)
_EVENTS = cast(Table, AuthEvent.__table__)


@dataclass(frozen=True)
class Retention:
    """How long finished rows are kept. The session and throttle lengths are the server's own limits
    (``WebSettings.session_absolute``, ``LoginLimits.window``); the defaults are the server's defaults."""

    #: the security log (``auth_events``): ASVS asks for logs kept long enough to investigate
    auth_log: dt.timedelta = dt.timedelta(days=90)
    #: ended sessions and used or expired login links, after they ended
    grace: dt.timedelta = dt.timedelta(days=1)
    #: no session lives longer than this (its absolute timeout)
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    #: the login-throttle counting window
    throttle_window: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Pruned:
    sessions: int
    login_links: int
    throttle: int
    auth_events: int

    def to_dict(self) -> dict[str, int]:
        return {"sessions": self.sessions, "login_links": self.login_links, "throttle": self.throttle,
                "auth_events": self.auth_events}


def prune_accounts(connection: Connection, now: dt.datetime, retention: Retention = Retention()) -> Pruned:
    """Delete the finished rows (in the caller's transaction); returns how many of each went."""
    cutoff = now - retention.grace
    sessions = connection.execute(delete(_SESSIONS).where(or_(
        _SESSIONS.c.ended_at <= cutoff,
        _SESSIONS.c.created_at <= cutoff - retention.session_lifetime,
    )))
    links = connection.execute(delete(_LINKS).where(or_(_LINKS.c.used_at <= cutoff, _LINKS.c.expires_at <= cutoff)))
    throttle = connection.execute(delete(_THROTTLE).where(and_(
        _THROTTLE.c.window_start <= now - retention.throttle_window,
        or_(_THROTTLE.c.blocked_until.is_(None), _THROTTLE.c.blocked_until <= now),
    )))
    events = connection.execute(delete(_EVENTS).where(_EVENTS.c.at < now - retention.auth_log))
    return Pruned(*(int(r.rowcount) for r in (sessions, links, throttle, events)))
