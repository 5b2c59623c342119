"""Accounts tables: users, project memberships, sessions, API tokens, login throttling, audit events.

Declared on :class:`pmfit.store.base.Base`, so one Alembic history (revision ``0002_accounts``)
covers them with the plans. Rows only: the rules (password policy, sessions, tokens, roles)
live in :mod:`pmfit.web.security`, which is the only writer of these tables.

Secrets are never stored: session ids, API tokens and one-time login links are kept as
SHA-256 digests of high-entropy random strings; passwords as argon2id hashes.
Times are stored as UTC (naive on SQLite, which has no time zones) and read back aware.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pmfit.store.base import Base
from pmfit.store.types import UtcDateTime

#: The project roles, weakest first; each may do all that the ones before it may:
#: an executive sees the portfolio, summary figures and the executive report; a viewer also sees
#: task detail; an editor also changes the plan; an owner also manages the project's members.
ROLES = ("executive", "viewer", "editor", "owner")
_ROLE_CHECK = "role IN ('executive', 'viewer', 'editor', 'owner')"


#: accounts times are plain ``timestamp`` columns holding UTC (revision 0002_accounts)
UtcTime = UtcDateTime(timezone=False)


class User(Base):
    """A person or a service account. ``password_hash`` is NULL for a link-only local account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    #: ``name`` case-folded: ``Alice`` and ``alice`` are one account.
    name_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcTime, nullable=True)


class Membership(Base):
    """A user's role in one project."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role"), Index("ix_memberships_user", "user_id"))

    project_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)


class WebSession(Base):
    """A browser session. ``id`` is the SHA-256 of the cookie value; ``ended_at`` ends it for good."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiToken(Base):
    """An API token: a role on a list of projects (:class:`ApiTokenProject`), never admin rights."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role"), Index("ix_api_tokens_user", "user_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcTime, nullable=True)


class ApiTokenProject(Base):
    """One project an API token reaches."""

    __tablename__ = "api_token_projects"

    token_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)


class LoginThrottle(Base):
    """Failed logins counted per key (an account, an address, or both) in a window.

    Kept in the database, not in memory, so that every worker of a server counts the same guesses.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UtcTime, nullable=True)


class LoginLink(Base):
    """A one-time login link printed by ``pmfit serve`` (``id`` is the SHA-256 of its secret)."""

    __tablename__ = "login_links"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcTime, nullable=True)


class AuthEvent(Base):
    """The security log: logins, logouts, password changes, tokens, refusals.

    No foreign keys, so the log outlives the users and projects it names.
    """

    __tablename__ = "auth_events"
    __table_args__ = (Index("ix_auth_events_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    path: Mapped[str | None] = mapped_column(String(300), nullable=True)
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(300), nullable=True)


ACCOUNT_TABLES = (
    "users", "memberships", "web_sessions", "api_tokens", "api_token_projects", "login_throttle",
    "login_links", "auth_events",
)
