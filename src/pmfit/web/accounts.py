"""Account operations that routes and the ``pmfit user`` command call: one place for each rule.

Functions take a SQLAlchemy session and leave committing to the caller (one transaction per request
or command).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmfit.store.accounts import ROLES, ApiToken, ApiTokenProject, AuthEvent, LoginLink, Membership, User
from pmfit.web.errors import ApiError, not_found
from pmfit.web.security.passwords import Hasher, check_password_policy
from pmfit.web.security.sessions import digest, end_all_sessions

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
_NAME = re.compile(NAME_PATTERN)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ApiError(422, "bad_request", "a user name has 1-64 letters, digits, '.', '_', '@' or '-' "
                                           "and starts with a letter or digit")
    return name


def find_user(db: Session, name: str) -> User | None:
    return db.execute(select(User).where(User.name_key == name.casefold())).scalar_one_or_none()


def get_user(db: Session, name: str) -> User:
    user = find_user(db, name)
    if user is None:
        raise not_found("user")
    return user


def create_user(db: Session, hasher: Hasher, name: str, password: str | None, is_admin: bool,
                now: dt.datetime) -> User:
    """A new account; ``password=None`` makes a link-only local account (``pmfit serve`` prints its link)."""
    check_name(name)
    password_hash = hasher.hash(check_password_policy(password)) if password is not None else None
    if find_user(db, name) is not None:
        raise ApiError(409, "conflict", f"a user named {name!r} exists already")
    user = User(name=name, name_key=name.casefold(), password_hash=password_hash, is_admin=is_admin,
                disabled=False, created_at=now, password_changed_at=now if password is not None else None)
    db.add(user)
    try:
        db.flush()
    except IntegrityError:  # created by someone else at the same moment
        raise ApiError(409, "conflict", f"a user named {name!r} exists already") from None
    return user


def active_admins(db: Session) -> int:
    return int(db.execute(select(func.count()).select_from(User)
                          .where(User.is_admin.is_(True), User.disabled.is_(False))).scalar_one())


def set_password(db: Session, hasher: Hasher, user: User, new_password: str, now: dt.datetime) -> None:
    """Change the password and end every session of the account."""
    user.password_hash = hasher.hash(check_password_policy(new_password))
    user.password_changed_at = now
    end_all_sessions(db, now, user.id, "password_changed")


def change_account(db: Session, user: User, now: dt.datetime, *, disabled: bool | None,
                   is_admin: bool | None) -> None:
    """Disable/enable or grant/revoke admin; never leaves the server without an active admin."""
    losing_admin = user.is_admin and not user.disabled and (disabled is True or is_admin is False)
    if losing_admin and active_admins(db) <= 1:
        raise ApiError(409, "conflict", "this is the last active administrator; make another one first")
    if disabled is not None:
        user.disabled = disabled
        if disabled:
            end_all_sessions(db, now, user.id, "disabled")
    if is_admin is not None:
        user.is_admin = is_admin


def list_users(db: Session, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of accounts by name, and how many there are."""
    total = int(db.execute(select(func.count()).select_from(User)).scalar_one())
    rows = db.execute(select(User).order_by(User.name_key).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def list_events(db: Session, limit: int, offset: int, user: str | None = None,
                project: str | None = None) -> tuple[list[AuthEvent], int]:
    """One page of the security log, newest first, optionally for one user name or project."""
    query = select(AuthEvent)
    if user:
        query = query.where(AuthEvent.user_name == user)
    if project:
        query = query.where(AuthEvent.project_id == project)
    total = int(db.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = db.execute(query.order_by(AuthEvent.id.desc()).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def list_tokens(db: Session, user_id: int, limit: int, offset: int,
                project: str | None = None) -> tuple[list[ApiToken], int]:
    """One page of a user's API tokens, newest first, optionally only those reaching ``project``."""
    query = select(ApiToken).where(ApiToken.user_id == user_id)
    if project is not None:
        query = query.where(ApiToken.id.in_(select(ApiTokenProject.token_id)
                                            .where(ApiTokenProject.project_id == project)))
    total = int(db.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = db.execute(query.order_by(ApiToken.created_at.desc(), ApiToken.id).limit(limit).offset(offset))
    return list(rows.scalars().all()), total


# ---- memberships ----------------------------------------------------------------------
def members(db: Session, project_id: str) -> list[tuple[User, Membership]]:
    rows = db.execute(select(User, Membership).join(Membership, Membership.user_id == User.id)
                      .where(Membership.project_id == project_id).order_by(User.name_key))
    return [(user, membership) for user, membership in rows]


def owners(db: Session, project_id: str) -> int:
    return int(db.execute(select(func.count()).select_from(Membership)
                          .where(Membership.project_id == project_id, Membership.role == "owner")).scalar_one())


def set_member(db: Session, project_id: str, user: User, role: str, now: dt.datetime) -> Membership:
    """Add ``user`` to the project or change their role; the last owner cannot step down."""
    assert role in ROLES
    membership = db.get(Membership, (project_id, user.id))
    if membership is None:
        membership = Membership(project_id=project_id, user_id=user.id, role=role, created_at=now)
        db.add(membership)
    else:
        if membership.role == "owner" and role != "owner" and owners(db, project_id) <= 1:
            raise ApiError(409, "conflict", "the project's last owner cannot step down; add another owner first")
        membership.role = role
    db.flush()
    return membership


def remove_member(db: Session, project_id: str, user: User) -> None:
    membership = db.get(Membership, (project_id, user.id))
    if membership is None:
        raise not_found("member")
    if membership.role == "owner" and owners(db, project_id) <= 1:
        raise ApiError(409, "conflict", "the project's last owner cannot be removed; add another owner first")
    db.delete(membership)


# ---- one-time login links -------------------------------------------------------------
def make_login_link(db: Session, user: User, now: dt.datetime, lifetime: dt.timedelta) -> str:
    """A one-time secret that logs ``user`` in once, within ``lifetime``."""
    secret = secrets.token_urlsafe(32)
    db.add(LoginLink(id=digest(secret), user_id=user.id, created_at=now, expires_at=now + lifetime))
    return secret


def use_login_link(db: Session, secret: str, now: dt.datetime) -> User | None:
    """The user a link logs in (the link is spent), or ``None`` for an unknown, used or expired link."""
    if not secret or len(secret) > 100:
        return None
    link = db.get(LoginLink, digest(secret))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    user = db.get(User, link.user_id)
    return user if user is not None and not user.disabled else None


def local_admin(db: Session) -> User | None:
    """The oldest active administrator: whom ``pmfit serve``'s login link logs in."""
    return db.execute(select(User).where(User.is_admin.is_(True), User.disabled.is_(False))
                      .order_by(User.id).limit(1)).scalar_one_or_none()
