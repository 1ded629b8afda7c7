"""API keys on every /v1/ route, as pure ASGI middleware (it runs before the body is read)."""

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from app.access import key_is_accepted
from app.errors import HuashuError

PROTECTED_PREFIX = "/v1/"


class ApiKeyMissing(HuashuError):
    """No key in the request although the service requires one."""

    def __init__(self) -> None:
        super().__init__(
            "api_key_missing",
            "缺少 API 密钥：请在请求头 Authorization: Bearer <密钥> 或 X-API-Key 中提供。",
            "API key missing: send it as Authorization: Bearer <key> or X-API-Key.",
            401,
        )


class ApiKeyInvalid(HuashuError):
    """A key was sent but it is not one of the configured keys."""

    def __init__(self) -> None:
        super().__init__(
            "api_key_invalid",
            "API 密钥无效，请检查设置里的密钥是否与服务端配置一致。",
            "Invalid API key; check that it matches one configured on the server.",
            401,
        )


def presented_key(scope: Scope) -> str | None:
    """The key from `Authorization: Bearer …` or `X-API-Key`, whichever is present."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        text = value.decode("latin-1").strip()
        if name == b"authorization":
            scheme, _, credentials = text.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
        elif name == b"x-api-key" and text:
            return text
    return None


class ApiKeyAuth:
    """Refuse /v1/ requests without an accepted key; other paths and preflights pass."""

    def __init__(self, app: ASGIApp, digests: frozenset[str]) -> None:
        self.app = app
        self.digests = digests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self.digests
            or scope["method"] == "OPTIONS"
            or not scope["path"].startswith(PROTECTED_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        key = presented_key(scope)
        if key is None:
            await _refuse(send, ApiKeyMissing())
        elif not key_is_accepted(key, self.digests):
            await _refuse(send, ApiKeyInvalid())
        else:
            await self.app(scope, receive, send)


async def _refuse(send: Send, error: HuashuError) -> None:
    body = json.dumps(error.to_body(), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b'Bearer realm="huashu"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
