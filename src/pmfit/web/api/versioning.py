"""Optimistic concurrency over HTTP: every write names its base version, a stale one gets 409.

The plan routes (next step of issue 14) use these pieces:

- :func:`base_version` — a dependency reading ``If-Match: "<version>"``; no header answers 428
  (``base_version_required``), a list or ``*`` answers 400: a write must name exactly one version;
- :func:`version_etag` — the ``ETag`` a read returns, so a client can send it back as ``If-Match``;
- :func:`register_conflict` — maps the store's typed conflict exception to 409 (``stale_version``)
  with the store's own description of what changed since the base version, e.g.
  ``register_conflict(app, pmfit.workspace.Conflict, lambda exc: exc.to_dict())``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse

from pmfit.model.diagnostics import Diagnostic
from pmfit.web.errors import ApiError, error_body

_ETAG = re.compile(r'^(?:W/)?"([A-Za-z0-9._:-]{1,64})"$')


def parse_if_match(value: str | None) -> str:
    """The one version an ``If-Match`` header names."""
    if value is None or not value.strip():
        raise ApiError(428, "base_version_required",
                       'a change must name the version it is based on: send If-Match: "<version>" '
                       "(the ETag of the version you read)")
    match = _ETAG.match(value.strip())
    if match is None:
        raise ApiError(400, "bad_request", 'If-Match must name exactly one version, like "v-1f3a" (not * or a list)')
    return match.group(1)


def base_version(if_match: Annotated[str | None, Header(alias="If-Match", max_length=200,
                                                        description='the version this change is based on: "<version>"')]
                 = None) -> str:
    """FastAPI dependency for write routes: the base version from ``If-Match``."""
    return parse_if_match(if_match)


def version_etag(response: Response, version: str) -> None:
    """Tell the client which version it read (it sends this back as ``If-Match``)."""
    response.headers["ETag"] = f'"{version}"'


def register_conflict(app: FastAPI, conflict_type: type[Exception], describe: Callable[[Any], dict[str, Any]],
                      latest_version: Callable[[Any], str | None] = lambda exc: getattr(exc, "latest", None)) -> None:
    """Answer ``conflict_type`` with 409: the diagnostic plus ``conflict``, the store's description."""

    async def _conflict(request: Request, exc: Exception) -> JSONResponse:
        body = error_body([Diagnostic("stale_version", str(exc) or "the plan changed since your base version")])
        body["conflict"] = describe(exc)
        latest = latest_version(exc)
        headers = {"ETag": f'"{latest}"'} if latest else None
        return JSONResponse(body, status_code=409, headers=headers)

    app.add_exception_handler(conflict_type, _conflict)
