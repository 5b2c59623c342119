"""Every error the API returns is JSON with pmfit's diagnostic ids, and never a stack trace.

The body is the CLI's ``--json`` error shape: ``{"ok": false, "diagnostics": [...]}``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pmfit.model.diagnostics import CODES, Diagnostic, PlanError

log = logging.getLogger("pmfit.web")

_STATUS_CODES = {
    400: "bad_request", 401: "auth_required", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "request_too_large", 422: "bad_request", 428: "base_version_required",
    429: "rate_limited",
}


class ApiError(Exception):
    """An answer other than success, with its HTTP status and diagnostic id."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        assert code in CODES, code
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(what: str = "object") -> ApiError:
    """The one answer for "does not exist" and "exists but not for you" (no probing for ids)."""
    return ApiError(404, "not_found", f"no such {what}")


def error_body(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    return {"ok": False, "diagnostics": [d.to_dict() for d in diagnostics]}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body([Diagnostic(code, message)]), status_code=status, headers=headers)


#: The error body's schema, for the OpenAPI document (schemathesis checks answers against it).
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "diagnostics"],
    "properties": {
        "ok": {"type": "boolean", "const": False},
        "diagnostics": {"type": "array", "items": {
            "type": "object",
            "required": ["code", "severity", "message"],
            "properties": {
                "code": {"type": "string"}, "severity": {"type": "string"}, "message": {"type": "string"},
                "file": {"type": ["string", "null"]}, "line": {"type": ["integer", "null"]},
                "task": {"type": ["string", "null"]},
            },
        }},
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: these statuses answer with the error body."""
    content = {"application/json": {"schema": ERROR_SCHEMA}}
    return {status: {"description": _STATUS_CODES.get(status, "error"), "content": content} for status in statuses}


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API): errors are shown as an HTML page."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def html_error(request: Request, status: int, message: str) -> Response:
    """The HTML answer to a refusal; not logged in at all: on to the login page."""
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    from pmfit.web.pages.routes import error_page

    return error_page(request, status, message)


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception to a JSON answer; unknown ones to a bare 500 (details go to the log only)."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if wants_html(request):
            return html_error(request, exc.status, exc.message)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(PlanError)
    async def _plan_error(request: Request, exc: PlanError) -> Response:
        if wants_html(request):
            missing = getattr(exc, "code", None) in ("unknown_project", "unknown_version")
            return html_error(request, 404 if missing else 422, "; ".join(d.message for d in exc.diagnostics[:5]))
        return JSONResponse(error_body(exc.diagnostics), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        diagnostics = [
            Diagnostic("bad_request", f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}",
                       path=tuple(err.get("loc", ())))
            for err in exc.errors()
        ] or [Diagnostic("bad_request", "the request does not match the API")]
        return JSONResponse(error_body(diagnostics), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "bad_request")
        message = {404: "no such route", 405: "this route does not take that method"}.get(
            exc.status_code, str(exc.detail))
        if wants_html(request):
            return html_error(request, exc.status_code, message)
        return error_response(exc.status_code, code, message, dict(exc.headers or {}))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # a value the database cannot store (a check above should have caught it): the client's data
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, type(exc.orig))
        return error_response(422, "bad_request", "a value in the request cannot be stored")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "internal error (the server log has the details)")
