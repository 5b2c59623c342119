"""Request and response bodies of the REST API (kept apart from the database rows on purpose)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pmfit.store.accounts import User
from pmfit.web.accounts import NAME_PATTERN

Role = Literal["executive", "viewer", "editor", "owner"]
T = TypeVar("T")


def storable(text: str) -> str:
    """Refuse what no database column can hold: NUL characters (PostgreSQL) and lone surrogates."""
    if "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text):
        raise ValueError("text with a NUL character or an unpaired surrogate")
    return text


#: Every string that comes in (bodies, paths, queries) is this, so none can break a query.
Text = Annotated[str, AfterValidator(storable)]
UserName = Annotated[Text, Field(min_length=1, max_length=64, pattern=NAME_PATTERN)]
# the length rules are checked by the password policy (with a diagnostic id), not here; this only bounds size
Password = Annotated[Text, Field(min_length=1, max_length=1024)]
ProjectId = Annotated[Text, Field(min_length=1, max_length=64)]


class Body(BaseModel):
    """Request bodies refuse unknown fields (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list; ask again with ``offset=next_offset`` while it is not null."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class PageQuery:
    """``?limit=&offset=`` for every list route."""

    def __init__(self, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> None:
        self.limit = limit
        self.offset = offset

    def page(self, items: list[T], total: int) -> Page[T]:
        end = self.offset + len(items)
        return Page[T](items=items, total=total, limit=self.limit, offset=self.offset,
                       next_offset=end if end < total else None)


class UserOut(BaseModel):
    name: str
    is_admin: bool
    disabled: bool
    has_password: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(name=user.name, is_admin=user.is_admin, disabled=user.disabled,
                   has_password=user.password_hash is not None, created_at=user.created_at)


class LoginIn(Body):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    password: Password


class ProjectRole(BaseModel):
    project_id: str
    role: Role


class Me(BaseModel):
    """The caller; through a token, only the token's projects with the role it acts with there."""

    user: UserOut
    via: Literal["session", "token"]
    admin_rights: bool = Field(description="whether this request may use admin routes (never through a token)")
    csrf_token: str | None = Field(None, description="send it as X-CSRF-Token on POST/PUT/PATCH/DELETE "
                                                     "(browser sessions only)")
    projects: list[ProjectRole]


class PasswordChangeIn(Body):
    current_password: Password
    new_password: Password


class UserCreateIn(Body):
    name: UserName
    password: Password | None = Field(None, description="omit for a link-only local account")
    is_admin: bool = False


class UserChangeIn(Body):
    disabled: bool | None = None
    is_admin: bool | None = None
    password: Password | None = Field(None, description="set a new password (ends the user's sessions)")


class TokenCreateIn(Body):
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    role: Role = "viewer"
    projects: Annotated[list[ProjectId], Field(min_length=1, max_length=100)]
    expires_in_days: Annotated[int, Field(ge=1, le=366)] = 90


class TokenOut(BaseModel):
    id: str
    name: str
    role: Role
    projects: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


class TokenCreated(TokenOut):
    token: str = Field(description="the secret; shown this once, send it as 'Authorization: Bearer <token>'")


class MemberOut(BaseModel):
    user: str
    role: Role


class MemberIn(Body):
    role: Role


class AuthEventOut(BaseModel):
    at: dt.datetime
    kind: str
    user: str | None
    address: str | None
    method: str | None
    path: str | None
    project_id: str | None
    detail: str | None
