"""The outermost layer of every request: body size cap, cross-origin refusal, security headers,
and a last-resort JSON 500 (so no error, however unexpected, ever shows a stack trace).

Written as plain ASGI (not ``BaseHTTPMiddleware``) so it can stop a large upload while it streams in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from pmfit.model.diagnostics import Diagnostic
from pmfit.web.errors import error_body

log = logging.getLogger("pmfit.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: No inline script or style anywhere (so an injected <script> or onclick= never runs); nothing from
#: other sites; the app may not be framed (clickjacking); forms post only to pmfit itself.
def _report_style_hashes() -> str:
    """CSP hashes of the two <style> blocks pmfit's HTML reports carry (fixed text of pmfit's own: the
    report's CSS and the Gantt's), so the reports served by the app keep their look while any other
    inline style, injected or not, is still refused."""
    import base64
    import hashlib
    import re

    from pmfit.report.html import _CSS
    from pmfit.report.svg.gantt import gantt_svg

    blocks = [_CSS, *re.findall(r"<style>(.*?)</style>", gantt_svg([]), flags=re.S)]
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks)


CSP = (f"default-src 'self'; script-src 'self'; style-src 'self' {_report_style_hashes()}; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")

SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # the one-time login link carries its secret in the URL: never send it on to another site
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class _TooLarge(BaseException):
    """Raised from ``receive`` past the cap; a BaseException so no body parser turns it into a 400."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _own_origin(scope: Scope) -> str:
    host = _header(scope, b"host") or "localhost"
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def cross_origin_refusal(scope: Scope, trusted: tuple[str, ...]) -> str | None:
    """Why a state-changing request looks cross-site, or ``None``.

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` on such requests and a page cannot forge them;
    a request with neither (curl, scripts with a token) is not a browser being abused.
    """
    if scope.get("method") not in UNSAFE_METHODS:
        return None
    site = _header(scope, b"sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site is {site!r}"
    origin = _header(scope, b"origin")
    if origin is not None:
        parts = urlsplit(origin.lower())
        normal = f"{parts.scheme}://{parts.netloc}"
        if normal != _own_origin(scope) and normal not in {t.lower().rstrip("/") for t in trusted}:
            return f"Origin {origin[:100]!r} is not this server"
    return None


class GuardMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, trusted_origins: tuple[str, ...] = (),
                 on_cross_origin: Callable[[Scope, str], None] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.trusted_origins = trusted_origins
        self.on_cross_origin = on_cross_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers += SECURITY_HEADERS + ([HSTS] if secure else [])
                if scope.get("path", "").startswith("/api/") and not any(k.lower() == b"cache-control"
                                                                        for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        async def answer(status: int, code: str, text: str) -> None:
            body = json.dumps(error_body([Diagnostic(code, text)])).encode()
            await send_with_headers({"type": "http.response.start", "status": status,
                                     "headers": [(b"content-type", b"application/json"),
                                                 (b"content-length", str(len(body)).encode())]})
            await send_with_headers({"type": "http.response.body", "body": body})

        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await answer(413, "request_too_large", f"the request body is larger than {self.max_body_bytes} bytes")
            return
        why = cross_origin_refusal(scope, self.trusted_origins)
        if why is not None:
            if self.on_cross_origin is not None:
                self.on_cross_origin(scope, why)
            await answer(403, "cross_origin", f"a state-changing request from another site is refused ({why})")
            return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await answer(413, "request_too_large", f"the request body is larger than {self.max_body_bytes} bytes")
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await answer(500, "internal_error", "internal error (the server log has the details)")


_OURS = frozenset(name for name, _ in [*SECURITY_HEADERS, HSTS])
