"""Pure ASGI middleware (no per-request task overhead, unlike BaseHTTPMiddleware)."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import HuashuError


class BodyTooLarge(HuashuError):
    """The request body is over the service's limit."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            "body_too_large",
            f"请求体超过 {max_bytes // 1000} KB，请只发送客户的消息。",
            f"The request body is over {max_bytes // 1000} KB; send the message only.",
            413,
        )


class BodySizeLimit:
    """Refuse bodies over the limit in the contract's error shape.

    A declared Content-Length is refused before reading; a streamed body is counted as it
    arrives, refused once over the limit, and the app then sees a disconnected client.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(BodyTooLarge(self.max_bytes).to_body(), ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
