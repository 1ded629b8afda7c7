"""`POST /v1/analyze`."""

from fastapi import APIRouter, Response

from app.analysis import input as message_input
from app.analysis.schemas import Analysis, AnalyzeRequest
from app.deps import ServicesDep

router = APIRouter(tags=["analysis"])


@router.post("/analyze", response_model=Analysis)
async def analyze_message(body: AnalyzeRequest, services: ServicesDep) -> Response:
    """Category, emotion, risks, demands, escalation and facts of one customer message."""
    settings = services.settings  # one dependency: each one costs a resolution per request
    text = message_input.check_text(body.text, max_chars=settings.max_text_chars)
    context = message_input.check_context(
        body.context,
        max_messages=settings.max_context_messages,
        max_chars=settings.max_text_chars,
    )
    analysis = services.analyzer.analyze(text, context)
    # Serialised once by pydantic-core; the response model above documents the shape.
    return Response(analysis.model_dump_json(), media_type="application/json")
