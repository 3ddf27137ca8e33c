"""CSRF tokens for the web app: a signed double-submit cookie, per browser session.

Each browser gets a random session value in a cookie (``HttpOnly``,
``SameSite=Lax``, named after the workspace so that two detente servers on one
machine keep apart). Every page carries the session's token: the HMAC-SHA256 of
the session value under a secret kept in the workspace, in a hidden ``csrftoken``
field of each form and in ``<meta name="csrf-token">`` for scripts, which send it
as an ``x-csrftoken`` header. A state-changing request is accepted only when its
token matches its cookie. A page elsewhere can make the browser send the cookie
but can neither read the token nor compute it: binding the token to the cookie
with the server's secret also defeats a cookie planted by another site on the
same host (cookies do not keep ports apart, so any local web server can set one
for 127.0.0.1). The app checks ``Origin`` and ``Referer`` as well (app.py).

Why not a library: starlette-csrf reads the token from a header only, which plain
HTML forms cannot send; fastapi-csrf-protect parses form bodies by string
substitution rather than as forms; asgi-csrf (the closest fit) fails on every
multipart upload with python-multipart 0.0.26 and later, the releases that fix
CVE-2026-40347 (simonw/asgi-csrf issue #38, its fix unreleased), and skips the
check for a request with no cookie unless told otherwise. The scheme here is the
standard library's ``hmac`` and ``secrets``, in some sixty lines.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from starlette.requests import cookie_parser

__all__ = ["FIELD", "HEADER", "CsrfCookie", "CsrfTokens"]

FIELD = "csrftoken"
HEADER = "x-csrftoken"
SCOPE_KEY = "detente.csrf_session"
_SESSION = re.compile(r"[A-Za-z0-9_-]{43}")


class CsrfTokens:
    """Sessions and their tokens under one secret; ``cookie`` is the cookie's name."""

    def __init__(self, secret: str, cookie: str):
        self._key = secret.encode("utf-8")
        self.cookie = cookie

    def token(self, session: str) -> str:
        """The token of ``session``, as forms and scripts send it."""
        return hmac.new(self._key, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()

    def valid(self, session: str | None, token: str | None) -> bool:
        """Whether ``token`` is the token of ``session`` (both sent by the request)."""
        if not session or not token:
            return False
        return hmac.compare_digest(self.token(session), token)

    def session_of(self, headers: dict[str, str]) -> str | None:
        """The session value the request's cookie carries, when well-formed."""
        value = cookie_parser(headers.get("cookie", "")).get(self.cookie)
        return value if value is not None and _SESSION.fullmatch(value) else None


class CsrfCookie:
    """ASGI middleware: give a browser without a session cookie a new session (set on
    the response) and note the request's session in its scope, where
    :func:`session` finds it. It reads no body and refuses nothing: the app checks
    the token of each state-changing request."""

    def __init__(self, app: Any, tokens: CsrfTokens):
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        session = self.tokens.session_of(headers)
        sent = session is not None
        if session is None:
            session = secrets.token_urlsafe(32)
        scope[SCOPE_KEY] = (session, sent)
        cookie = f"{self.tokens.cookie}={session}; Path=/; HttpOnly; SameSite=Lax".encode()

        async def send_with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and not sent:
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", cookie)],
                }
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def session(scope: Mapping[str, Any]) -> tuple[str, bool]:
    """The request's session value and whether the request sent it (rather than being
    given it just now); ``("", False)`` outside :class:`CsrfCookie`."""
    value = scope.get(SCOPE_KEY)
    return value if isinstance(value, tuple) else ("", False)
