"""The app's outermost layer (ASGI middleware): refuse unknown Host headers, oversize or
unsized bodies and cross-site requests; add security headers to every response; and
answer any error that escapes the layers inside with a styled page.

The doors of the app and how each is guarded (docs/security.md says more):

- every request: its ``Host`` must be one this server answers to (against DNS
  rebinding), its body is bounded (413) and must say how long it is (411);
- every state-changing request (any method but GET, HEAD, OPTIONS): an ``Origin``
  that is not this server's own (``null`` included) is refused, and so is a
  ``Referer`` from elsewhere when there is no ``Origin``; its body is a web form,
  or JSON for the few paths that take it (the case editor's draft, at most
  :data:`MAX_DRAFT_BYTES`); and it must carry the CSRF token of the browser's
  session (checked by the app, :mod:`._csrf`).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from detente.web._pages import message_page
from detente.web._workers import RemoteError

__all__ = [
    "CSP",
    "DRAIN_LIMIT",
    "JSON_PATHS",
    "MAX_DRAFT_BYTES",
    "MAX_UPLOAD_BYTES",
    "SAFE_METHODS",
    "SECURITY_HEADERS",
    "Guard",
    "apology",
    "internal",
]

log = logging.getLogger("detente.web")

MAX_UPLOAD_BYTES = 5 * 2**20
"""Uploads larger than this are refused with 413 before they are read."""

DRAIN_LIMIT = 64 * 2**20
"""An oversize upload up to this size is read and dropped before the refusal is sent."""

MAX_DRAFT_BYTES = 512 * 2**10
"""A case editor's draft (JSON) larger than this is refused with 413 before it is read."""

JSON_PATHS = frozenset({"/editor/check"})
"""The paths that take a JSON body (with the CSRF token in a header), rather than a form."""

CSP = (
    "default-src 'self'; script-src 'self'; "
    # plotly sets styles on the elements it draws and adds a stylesheet of its own
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" even
    # with the app's own forms, and null is what a sandboxed or data: page sends
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _same_origin(url: str, scheme: str, host: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == scheme and parts.netloc.lower() == host.lower() and bool(host)


def _what(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, RemoteError) else f"{type(exc).__name__}: {exc}"


def apology(exc: BaseException) -> str:
    return (
        f"Sorry: something went wrong on the server (internal error: {_what(exc)}). "
        "This is a bug in detente; please report it."
    )


def internal(exc: BaseException) -> str:
    """What the command line prints for an error it did not expect."""
    return f"internal error: {_what(exc)}\nThis is a bug in detente; please report it."


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware, the app's outermost layer (see the module's docstring)."""

    state: Any = None
    """The FastAPI app's state (its ``workspace`` and ``workers``), for tests and tools."""

    def __init__(self, app: Any, *, max_body: int, allowed_hosts: set[str] | None):
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = allowed_hosts

    def refusal(self, scope: dict[str, Any], headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _hostname(host) not in self.allowed_hosts:
            return 400, "This server answers only on its own address."
        if scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        referer = headers.get("referer")
        scheme = scope.get("scheme", "http")
        if origin is not None:
            if not _same_origin(origin, scheme, host):
                return 403, "Cross-site requests are refused: send the form from this app's pages."
        elif referer is not None and not _same_origin(referer, scheme, host):
            return 403, "Cross-site requests are refused: send the form from this app's pages."
        length = headers.get("content-length")
        if "transfer-encoding" in headers and length is None:
            return 411, "Send the request with a Content-Length."
        kind = headers.get("content-type", "")
        media = kind.split(";", 1)[0].strip().lower()
        takes_json = scope["path"] in JSON_PATHS
        json_body = takes_json and media == "application/json"
        if (
            json_body
            and length is not None
            and (not length.isdigit() or int(length) > MAX_DRAFT_BYTES)
        ):
            return (
                413,
                f"The draft is too large: drafts are limited to {MAX_DRAFT_BYTES // 2**10} KiB.",
            )
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return (
                413,
                f"The upload is too large: case files are limited to "
                f"{MAX_UPLOAD_BYTES // 2**20} MiB.",
            )
        if media == "multipart/form-data" and "; boundary=" not in kind:
            return 400, "The form could not be read: its parts have no boundary."
        if json_body:
            return None
        if media not in FORM_TYPES and (media or (length or "0") != "0"):
            return 415, "Send a web form: this app reads forms and file uploads only."
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            length = headers.get("content-length") or "0"
            if status == 413 and length.isdigit() and int(length) <= DRAIN_LIMIT:
                await _drain(receive)  # a browser shows the answer only once it has sent the body
            await _send_page(send, status, message, close=True)
            return

        started = False

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                own = list(message.get("headers", []))
                named = {bytes(k).lower() for k, _ in own}
                # a response with a policy of its own (the report download) keeps it
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in named]
                message = {**message, "headers": [*own, *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            log.error("error in %s %s", scope["method"], scope["path"], exc_info=exc)
            if not started:  # else the app's own handler has answered with its 500 page
                await _send_page(send, 500, apology(exc))


async def _send_page(send: Any, status: int, message: str, *, close: bool = False) -> None:
    body = message_page(status, message).encode("utf-8")
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
