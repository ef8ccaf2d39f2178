"""Browser sessions: a signed cookie holding who is signed in and the form token (CSRF).

Every visitor gets a session, anonymous ones too, so the sign-in and setup forms carry a
CSRF token like every other form. The cookie is signed by itsdangerous with the secret key
(LEAD_SECRET_KEY, or a key generated once in the data directory with mode 0600).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from takethelead.config import Settings
from takethelead.storage.files import private_dir

COOKIE: Final = "lead_session"
MAX_AGE: Final = 14 * 24 * 3600
KEY_FILE: Final = "web-secret.key"
_STATE_KEY: Final = "web_session"
_DIRTY_KEY: Final = "web_session_dirty"


@dataclass(frozen=True, slots=True)
class WebSession:
    csrf: str
    issued: int
    user_id: int | None = None
    workspace_id: int | None = None

    @classmethod
    def anonymous(cls) -> WebSession:
        return cls(csrf=secrets.token_urlsafe(24), issued=int(time.time()))

    def signed_in(self, user_id: int, workspace_id: int) -> WebSession:
        """A fresh session (new CSRF token) for a user who just signed in."""
        return WebSession(secrets.token_urlsafe(24), int(time.time()), user_id, workspace_id)

    def switched(self, workspace_id: int) -> WebSession:
        return replace(self, workspace_id=workspace_id)


def secret_key(settings: Settings) -> bytes:
    """The key that signs cookies: the configured secret, or one kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        private_dir(settings.data_dir)
        _create_key_file(path)
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))


class Signer:
    """Signs the session cookie and reads it back, refusing a forged or expired one."""

    # The salt keeps this key's signatures from being valid for any other purpose.
    _SALT: Final = "takethelead-session"

    def __init__(self, key: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt=self._SALT)

    def dumps(self, session: WebSession) -> str:
        data = [session.csrf, session.issued, session.user_id, session.workspace_id]
        return self._serializer.dumps(data)

    def loads(self, cookie: str) -> WebSession | None:
        try:
            data = self._serializer.loads(cookie, max_age=MAX_AGE)
            csrf, issued, user_id, workspace_id = data
            session = WebSession(str(csrf), int(issued), user_id, workspace_id)
        except (BadSignature, ValueError, TypeError):
            return None
        # A session re-signed on a workspace switch still ends MAX_AGE after sign-in.
        if time.time() - session.issued > MAX_AGE:
            return None
        return session


def current(connection: HTTPConnection) -> WebSession:
    """The request's session (set by the middleware)."""
    found: WebSession = connection.scope["state"][_STATE_KEY]
    return found


def replace_session(connection: HTTPConnection, session: WebSession) -> None:
    """Send a new session cookie with the response (after signing in or out)."""
    connection.scope["state"][_STATE_KEY] = session
    connection.scope["state"][_DIRTY_KEY] = True


class SessionMiddleware:
    """Reads the cookie into the request state and writes it back when it changed."""

    def __init__(self, app: ASGIApp, signer: Signer, always_secure: bool = False) -> None:
        self.app = app
        self.signer = signer
        self.always_secure = always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/api/", "/static/")):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        raw = connection.cookies.get(COOKIE)
        session = self.signer.loads(raw) if raw else None
        state = scope.setdefault("state", {})
        state[_STATE_KEY] = session or WebSession.anonymous()
        state[_DIRTY_KEY] = session is None
        secure = self.always_secure or scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state[_DIRTY_KEY]:
                headers = MutableHeaders(scope=message)
                value = self.signer.dumps(state[_STATE_KEY])
                flags = f"Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax"
                headers.append("set-cookie", f"{COOKIE}={value}; {flags}{'; Secure' * secure}")
            await send(message)

        await self.app(scope, receive, send_with_cookie)
