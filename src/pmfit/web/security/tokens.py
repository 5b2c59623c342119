"""API tokens: ``pmfit_<id>_<secret>``, shown once, stored as a SHA-256, scoped to projects and a role.

A token acts with the weaker of its own role and its owner's current role in the project, so
demoting or removing a member also cuts what their tokens can do; it never carries admin rights.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmfit.store.accounts import ApiToken, ApiTokenProject, User
from pmfit.web.security.sessions import digest

PREFIX = "pmfit_"


@dataclass(frozen=True)
class NewToken:
    row: ApiToken
    secret: str  # the whole token, shown to its owner once


def issue_token(db: Session, user: User, name: str, role: str, projects: list[str], now: dt.datetime,
                lifetime: dt.timedelta) -> NewToken:
    token_id = secrets.token_hex(8)
    secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    row = ApiToken(id=token_id, user_id=user.id, name=name, secret_hash=digest(secret), role=role,
                   created_at=now, expires_at=now + lifetime)
    db.add(row)
    db.flush()
    for project_id in sorted(set(projects)):
        db.add(ApiTokenProject(token_id=token_id, project_id=project_id))
    return NewToken(row, secret)


def token_projects(db: Session, token_id: str) -> list[str]:
    rows = db.execute(select(ApiTokenProject.project_id).where(ApiTokenProject.token_id == token_id)
                      .order_by(ApiTokenProject.project_id))
    return [project_id for (project_id,) in rows]


def find_token(db: Session, secret: str, now: dt.datetime) -> tuple[ApiToken, User] | None:
    """The live token and its user for a presented secret, or ``None`` (unknown, revoked, expired, disabled)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = db.execute(select(ApiToken).where(ApiToken.secret_hash == digest(secret))).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = db.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    if row.last_used_at is None or now - row.last_used_at >= dt.timedelta(minutes=1):
        row.last_used_at = now
    return row, user
