"""`POST /v1/drafts` (and its stream), `/v1/rewrite`, `/v1/summarize`, `/v1/check`, `/v1/phrases`."""

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event

from app.analysis import input as message_input
from app.analysis.schemas import ContextMessage
from app.conversation.summary import SummarizeRequest, Summary
from app.deps import OfferRecorderDep, ServicesDep
from app.drafting.schemas import (
    DraftRequest,
    DraftsResponse,
    Phrase,
    RewriteRequest,
    RewriteResponse,
    Stage,
    Style,
)
from app.errors import InvalidInput
from app.guard.schemas import CheckRequest, CheckResult
from app.llm.usage import UsageSummary
from app.services import Services

router = APIRouter(tags=["drafting"])


def _checked_request(
    body: DraftRequest, services: Services
) -> tuple[DraftRequest, list[ContextMessage]]:
    settings = services.settings
    text = message_input.check_text(body.text, max_chars=settings.max_text_chars)
    context = message_input.check_context(
        body.context, max_messages=settings.max_context_messages, max_chars=settings.max_text_chars
    )
    services.wants_llm(body.mode)  # refuses mode=llm without an LLM before anything starts
    return body.model_copy(update={"text": text}), context


@router.post("/drafts", response_model=DraftsResponse)
async def create_drafts(
    body: DraftRequest, services: ServicesDep, record_offer: OfferRecorderDep
) -> Response:
    """Analysis and 1–3 editable reply drafts for one customer message."""
    request, context = _checked_request(body, services)
    result = await services.drafts(request, context)
    await record_offer(request, result)
    return Response(result.model_dump_json(), media_type="application/json")


@router.post(
    "/drafts/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}},
)
async def stream_drafts(
    body: DraftRequest, services: ServicesDep, record_offer: OfferRecorderDep
) -> StreamingResponse:
    """The same as `/v1/drafts`, as server-sent events: `analysis`, `drafts` (template, at once),
    `delta` (LLM text as it arrives), `drafts` (LLM, checked), `done`; or `error` and the fallback.
    A client that disconnects cancels the upstream LLM call."""
    request, context = _checked_request(body, services)

    async def events() -> AsyncIterator[bytes]:
        async for event in services.stream_drafts(request, context):
            data = json.dumps(event.data, ensure_ascii=False)
            yield format_sse_event(event=event.event, data_str=data)
            if event.offered is not None:  # recorded after the agent has them, not before
                await record_offer(request, event.offered)

    # Checked before the stream starts, so bad input is a plain 4xx, not an event.
    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/rewrite", response_model=RewriteResponse)
async def rewrite_reply(body: RewriteRequest, services: ServicesDep) -> RewriteResponse:
    """The agent's own reply rewritten in a tone (LLM, or rules for every tone), then checked."""
    max_chars = services.settings.max_text_chars
    text = message_input.check_text(body.text, max_chars=max_chars)
    customer_text = message_input.check_optional_text(
        body.customer_text, max_chars=max_chars, field="customer_text"
    )
    return await services.rewrite(
        body.model_copy(update={"text": text, "customer_text": customer_text})
    )


@router.post("/summarize", response_model=Summary)
async def summarize_conversation(body: SummarizeRequest, services: ServicesDep) -> Summary:
    """A hand-off summary of a conversation: the problem, what was promised, what is pending."""
    settings = services.settings
    context = message_input.check_context(
        body.context, max_messages=settings.max_context_messages, max_chars=settings.max_text_chars
    )
    if not any(message.role == "customer" and message.text.strip() for message in context):
        raise InvalidInput(
            "no_customer_message",
            "对话里没有客户的消息，无法生成摘要。",
            "The conversation has no message from the customer to summarise.",
        )
    return await services.summarize(body.model_copy(update={"context": context}))


@router.get("/llm/usage", response_model=UsageSummary)
async def llm_usage(
    services: ServicesDep, recent: int = Query(default=20, ge=0, le=1000)
) -> UsageSummary:
    """Calls, tokens and latency of the LLM since start-up (empty without an LLM)."""
    return services.usage.summary(recent=recent)


@router.post("/check", response_model=CheckResult)
async def check_reply(body: CheckRequest, services: ServicesDep) -> CheckResult:
    """The pitfalls in an agent's reply, with spans and a suggested rewording."""
    max_chars = services.settings.max_text_chars
    text = message_input.check_text(body.text, max_chars=max_chars)
    customer_text = message_input.check_optional_text(
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
