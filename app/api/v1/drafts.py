"""`POST /v1/drafts`, `POST /v1/check`, `GET /v1/phrases`."""

from fastapi import APIRouter, Query, Response

from app.analysis import input as message_input
from app.deps import OfferRecorderDep, ServicesDep
from app.drafting.schemas import DraftRequest, DraftsResponse, Phrase, Stage, Style
from app.errors import InvalidInput
from app.guard.schemas import CheckRequest, CheckResult

router = APIRouter(tags=["drafting"])


@router.post("/drafts", response_model=DraftsResponse)
async def create_drafts(
    body: DraftRequest, services: ServicesDep, record_offer: OfferRecorderDep
) -> Response:
    """Analysis and 1–3 editable reply drafts for one customer message."""
    settings = services.settings
    text = message_input.check_text(body.text, max_chars=settings.max_text_chars)
    context = message_input.check_context(
        body.context, max_messages=settings.max_context_messages, max_chars=settings.max_text_chars
    )
    if body.mode == "llm":
        raise InvalidInput(
            "llm_not_configured",
            "未配置大模型（HUASHU_LLM_BASE_URL / HUASHU_LLM_MODEL），请改用 mode=template 或 auto。",
            "No LLM is configured (HUASHU_LLM_BASE_URL / HUASHU_LLM_MODEL); use mode=template or auto.",
        )
    result = services.template_drafts(body.model_copy(update={"text": text}), context)
    await record_offer(body, result)
    return Response(result.model_dump_json(), media_type="application/json")


@router.post("/check", response_model=CheckResult)
async def check_reply(body: CheckRequest, services: ServicesDep) -> CheckResult:
    """The pitfalls in an agent's reply, with spans and a suggested rewording."""
    max_chars = services.settings.max_text_chars
    text = message_input.check_text(body.text, max_chars=max_chars)
    customer_text = None
    if body.customer_text is not None and body.customer_text.strip():
        customer_text = message_input.check_text(
            body.customer_text, max_chars=max_chars, field="customer_text"
        )
    return services.check(text, customer_text)


@router.get("/phrases", response_model=list[Phrase])
async def list_phrases(
    services: ServicesDep,
    stage: Stage | None = None,
    style: Style | None = None,
    category: str | None = Query(default=None, max_length=40),
    q: str | None = Query(default=None, max_length=40, description="text contained in the phrase"),
) -> list[Phrase]:
    """The phrasebook, filtered by stage, style, category or text."""
    phrases = services.phrasebook.phrases
    if stage is not None:
        phrases = [p for p in phrases if p.stage == stage]
    if style is not None:
        phrases = [p for p in phrases if p.style == style]
    if category is not None:
        phrases = [p for p in phrases if p.when.categories and category in p.when.categories]
    if q:
        phrases = [p for p in phrases if q in p.text]
    return phrases
