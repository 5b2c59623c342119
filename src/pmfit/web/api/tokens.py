"""``/api/v1/tokens``: my API tokens (made and revoked in a browser session; a token cannot make tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from pmfit.store.accounts import ApiToken
from pmfit.web import accounts
from pmfit.web.api.schemas import Page, PageQuery, Text, TokenCreated, TokenCreateIn, TokenOut
from pmfit.web.errors import ApiError, error_responses, not_found
from pmfit.web.security import audit
from pmfit.web.security.access import DB, RANK, Principal, current_user, member_role, signed_in
from pmfit.web.security.tokens import issue_token, token_projects
from pmfit.web.settings import WebSettings

router = APIRouter(prefix="/tokens", tags=["tokens"])
SessionUser = Annotated[Principal, Depends(signed_in(session_only=True))]


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def _out(db: DB, row: ApiToken) -> TokenOut:
    return TokenOut(id=row.id, name=row.name, role=row.role, projects=token_projects(db, row.id),  # type: ignore[arg-type]
                    created_at=row.created_at, expires_at=row.expires_at, last_used_at=row.last_used_at,
                    revoked=row.revoked_at is not None)


@router.get("", response_model=Page[TokenOut], responses=error_responses(401, 403, 404, 422))
def list_tokens(db: DB, principal: SessionUser, paging: Annotated[PageQuery, Depends()],
                project: Annotated[Text | None, Query(min_length=1, max_length=64,
                                                     description="only tokens that reach this project")] = None,
                ) -> Page[TokenOut]:
    """My tokens (never their secrets), newest first."""
    if project is not None and member_role(db, principal.user_id, project) is None:
        raise not_found("project")
    rows, total = accounts.list_tokens(db, principal.user_id, paging.limit, paging.offset, project=project)
    return paging.page([_out(db, row) for row in rows], total)


@router.post("", status_code=201, response_model=TokenCreated, responses=error_responses(401, 403, 404, 422))
def create_token(body: TokenCreateIn, request: Request, db: DB, principal: SessionUser) -> TokenCreated:
    """A new token for some of my projects with at most my role in each; its secret is shown only now."""
    for project_id in body.projects:
        role = member_role(db, principal.user_id, project_id)
        if role is None:
            raise not_found("project")
        if RANK[body.role] > RANK[role]:
            raise ApiError(403, "forbidden", f"a token cannot have more than your role ({role}) in {project_id}")
    now = _settings(request).clock()
    new = issue_token(db, current_user(db, principal), body.name, body.role, body.projects, now,
                      dt.timedelta(days=body.expires_in_days))
    audit.record(request, "token_created", user_id=principal.user_id, user_name=principal.name,
                 detail=f"token {new.row.id} ({body.role}) for {', '.join(sorted(set(body.projects)))}"[:300])
    return TokenCreated(token=new.secret, **_out(db, new.row).model_dump())


@router.delete("/{token_id}", status_code=204, responses=error_responses(401, 403, 404, 422))
def revoke_token(token_id: Annotated[Text, Path(min_length=1, max_length=32)], request: Request, db: DB,
                 principal: SessionUser) -> Response:
    """Revoke one of my tokens (someone else's answers 404)."""
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != principal.user_id:
        raise not_found("token")
    if row.revoked_at is None:
        row.revoked_at = _settings(request).clock()
        audit.record(request, "token_revoked", user_id=principal.user_id, user_name=principal.name,
                     detail=f"token {token_id}")
    return Response(status_code=204)
