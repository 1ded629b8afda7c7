"""The ASGI app: `app.main:app`. The lifespan builds the analyzer once, before any request."""

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from app.analysis.service import default_analyzer
from app.api.errors import install_error_handlers
from app.api.v1 import analyze as analyze_routes
from app.errors import HuashuError
from app.settings import Settings, get_settings

logger = logging.getLogger("huashu")

MAX_BODY_BYTES = 1_000_000


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; tests pass their own settings."""
    app_settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        app.state.analyzer = default_analyzer()
        logger.info("analyzer ready in %.2f s", time.perf_counter() - started)
        yield

    app = FastAPI(
        title="Huashu 话术",
        summary="Reply assistant for after-sales customer-service agents of Chinese online shops.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = app_settings
    install_error_handlers(app)

    @app.middleware("http")
    async def limit_body_size(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            error = HuashuError(
                "body_too_large",
                f"请求体超过 {MAX_BODY_BYTES // 1000} KB，请只发送客户的消息。",
                f"The request body is over {MAX_BODY_BYTES // 1000} KB; send the message only.",
                413,
            )
            from fastapi.responses import JSONResponse

            return JSONResponse(status_code=error.status, content=error.to_body())
        return await call_next(request)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    app.include_router(analyze_routes.router, prefix="/v1")
    return app


app = create_app()
