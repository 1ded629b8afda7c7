"""API keys on every /v1/ route, as pure ASGI middleware (it runs before the body is read)."""

import ipaddress
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from app.access import is_loopback, key_is_accepted
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


class OpenAccessRefused(HuashuError):
    """No key is configured and the request reached the service on a non-loopback address."""

    def __init__(self) -> None:
        super().__init__(
            "open_access_refused",
            "服务未配置 API 密钥，只接受本机访问。请在服务端设置 HUASHU_API_KEYS 后再从其他机器访问。",
            "No API key is configured, so the service only answers on loopback; "
            "set HUASHU_API_KEYS to call it from another machine.",
            403,
        )


def reached_on_loopback(scope: Scope) -> bool:
    """Whether the request arrived on a loopback address (or an in-process test server)."""
    server = scope.get("server")
    if not server:
        return True
    host = str(server[0])
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True  # not a socket address: an in-process transport, nothing is listening
    return is_loopback(host)


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
    """Refuse /v1/ requests without an accepted key; other paths and preflights pass.

    With no key configured, /v1/ answers only requests that reached a loopback address, so a
    service started by hand on 0.0.0.0 (bypassing the start-up check) is still not open.
    """

    def __init__(self, app: ASGIApp, digests: frozenset[str], allow_open: bool = False) -> None:
        self.app = app
        self.digests = digests
        self.allow_open = allow_open

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] == "OPTIONS"
            or not scope["path"].startswith(PROTECTED_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        if not self.digests:
            if self.allow_open or reached_on_loopback(scope):
                await self.app(scope, receive, send)
            else:
                await _refuse(send, OpenAccessRefused())
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
