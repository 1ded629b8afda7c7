"""`/` (the agent's workbench) and `/stats`, rendered with Jinja2; assets under /static."""

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.access import key_is_accepted
from app.datafiles import read_yaml
from app.deps import RecordsDep, ServicesDep, SessionDep
from app.replies import service as replies_service
from app.stats import charts

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
UI_PATH = WEB_DIR / "data" / "ui.yaml"
DEFAULT_DAYS = 30
MAX_DAYS = 366
OVERDUE_SHOWN = 20

templates = Jinja2Templates(directory=WEB_DIR / "templates")
router = APIRouter(include_in_schema=False)


class UITextError(ValueError):
    """The UI strings file is malformed."""


@cache
def ui_text() -> dict[str, Any]:
    """Chinese names and messages of the pages (app/web/data/ui.yaml)."""
    document = read_yaml(UI_PATH, UITextError)
    if not isinstance(document, dict):
        raise UITextError(f"{UI_PATH}: expected a mapping")
    return document


@cache
def asset_version(name: str) -> str:
    """A short hash of a static file, so browsers reload it when it changes."""
    return hashlib.sha1((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def _asset(name: str) -> str:
    return f"/static/{name}?v={asset_version(name)}"


templates.env.globals["asset"] = _asset


@router.get("/", response_class=HTMLResponse)
async def workbench(request: Request, services: ServicesDep) -> HTMLResponse:
    """The agent's workbench: paste a message, see the analysis, edit and send a draft."""
    ui = ui_text()
    page_data = {
        **ui,
        "crisis": services.records.advice.crisis.model_dump(),
        "max_chars": services.settings.max_text_chars,
        "shop": services.policy.shop_name,
    }
    return templates.TemplateResponse(
        request,
        "workbench.html",
        {"ui": ui, "page_data": page_data, "shop": services.policy.shop_name},
    )


def _days(raw: str | None) -> int:
    try:
        return min(max(int(raw or DEFAULT_DAYS), 1), MAX_DAYS)
    except ValueError:
        return DEFAULT_DAYS


@router.get("/stats", response_class=HTMLResponse)
def statistics(
    request: Request,
    session: SessionDep,
    records: RecordsDep,
    services: ServicesDep,
    days: str | None = None,
) -> HTMLResponse:
    """The shop's statistics with server-rendered SVG charts and 004's prevention advice.

    With API keys configured the page shows the shop's records only to a browser holding a key
    (the `huashu_key` cookie its own prompt sets; SameSite=Strict, read-only page).
    """
    ui = ui_text()
    digests = services.settings.api_key_digests
    cookie = unquote(request.cookies.get(STATS_KEY_COOKIE, ""))
    if digests and not (cookie and key_is_accepted(cookie, digests)):
        return templates.TemplateResponse(
            request, "key_needed.html", {"ui": ui, "cookie": STATS_KEY_COOKIE}, status_code=401
        )
    now = datetime.now(UTC)
    stats = replies_service.shop_statistics(
        session=session, keeper=records, days=_days(days), now=now
    )
    overdue = replies_service.followups(
        session=session, keeper=records, due_before=now, include_done=False, now=now
    ).items
    outcome_order = [(code, ui["outcomes"][code]) for code in ("unedited", "edited", "discarded")]
    pitfall_labels = {code: p.label for code, p in services.guard.rules.pitfalls.items()}
    context = {
        "ui": ui,
        "stats": stats,
        "shop": records.shop,
        "category_chart": charts.stacked_by_day(stats.categories_by_day, records.category_labels),
        "emotion_chart": charts.stacked_by_day(stats.emotions_by_day, records.emotion_labels),
        "outcome_bar": charts.share(stats.outcomes, outcome_order),
        "outcome_total": sum(stats.outcomes.get(code, 0) for code, _ in outcome_order),
        "pitfall_chart": charts.ranking(stats.pitfalls, pitfall_labels),
        "category_labels": records.category_labels,
        "overdue": overdue[:OVERDUE_SHOWN],
        "zone": records.zone,
        "llm_model": services.llm_client.model if services.llm_client else None,
        "llm_usage": services.usage.summary(recent=0),
    }
    return templates.TemplateResponse(request, "stats.html", context)


STATS_KEY_COOKIE = "huashu_key"


def install(app: FastAPI) -> None:
    """Serve the pages and their local assets (no CDN: agents' networks may have none)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
