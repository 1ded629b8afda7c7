"""The ASGI app: `app.main:app`. The lifespan builds the analyzer once, before any request."""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.access import OpenBindRefused, check_bind
from app.api.auth import ApiKeyAuth
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
        _check_access(app_settings)
        database = open_storage(app_settings)
        try:
            services = build_services(app_settings, database=database)
        except ValueError as bad_file:
            # A policy, phrasebook or rule file the service cannot use: say which and where, in
            # both languages, before the traceback.
            logger.error(
                "启动失败：配置或数据文件有误，请修改后重新启动。/ Start-up failed: fix this file "
                "and start again.\n%s",
                bad_file,
            )
            database.dispose()
            raise
        services.refresh_learning()
        app.state.services = services
        logger.info("analyzer, phrasebook and guard ready in %.2f s", time.perf_counter() - started)
        if services.llm_client is not None:
            logger.info(
                "LLM drafts from %s at %s", services.llm_client.model, app_settings.llm_base_url
            )
        else:
            logger.info("no LLM configured: template drafts only")
        try:
            yield
        finally:
            await services.close()
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
    app.add_middleware(
        ApiKeyAuth,
        digests=app_settings.api_key_digests,
        allow_open=app_settings.allow_open_without_keys,
    )
    # Added last, so outermost: refusals (401, 413) carry CORS headers the browser can read.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(app_settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["authorization", "x-api-key", "content-type", "idempotency-key"],
        max_age=600,
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    app.include_router(analyze_routes.router, prefix="/v1")
    app.include_router(draft_routes.router, prefix="/v1")
    app.include_router(reply_routes.router, prefix="/v1")
    pages.install(app)
    return app


def _check_access(settings: Settings) -> None:
    """Refuse an open bind without keys; say at start-up when /v1/ needs no key."""
    try:
        warning = check_bind(
            host=settings.host,
            has_keys=bool(settings.api_key_digests),
            allow_open=settings.allow_open_without_keys,
        )
    except OpenBindRefused as refused:
        logger.error("%s", refused)
        raise
    if warning:
        logger.warning("%s", warning)


app = create_app()
