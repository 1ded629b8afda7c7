"""The ASGI app: `app.main:app`. The lifespan builds the analyzer once, before any request."""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.errors import install_error_handlers
from app.api.middleware import BodySizeLimit
from app.api.v1 import analyze as analyze_routes
from app.api.v1 import drafts as draft_routes
from app.api.v1 import replies as reply_routes
from app.services import build_services, open_storage
from app.settings import Settings, get_settings
from app.web import pages

logger = logging.getLogger("huashu")

MAX_BODY_BYTES = 1_000_000


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; tests pass their own settings."""
    app_settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        database = open_storage(app_settings)
        services = build_services(app_settings, database=database)
        services.refresh_learning()
        app.state.services = services
        logger.info("analyzer, phrasebook and guard ready in %.2f s", time.perf_counter() - started)
        try:
            yield
        finally:
            database.dispose()

    app = FastAPI(
        title="Huashu 话术",
        summary="Reply assistant for after-sales customer-service agents of Chinese online shops.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = app_settings
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    app.include_router(analyze_routes.router, prefix="/v1")
    app.include_router(draft_routes.router, prefix="/v1")
    app.include_router(reply_routes.router, prefix="/v1")
    pages.install(app)
    return app


app = create_app()
