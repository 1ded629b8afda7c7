"""Typed phrases, policy-free draft requests and the drafts returned to agents."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.analysis.schemas import Analysis, ContextMessage
from app.guard.schemas import Finding

Stage = Literal[
    "greet", "acknowledge", "empathize", "offer_help", "ask_facts", "solution", "ask_consent",
    "commit", "thanks", "follow_up", "progress_update", "handoff",
]  # fmt: skip
Style = Literal["standard", "soothing", "concise"]
Purpose = Literal["reply", "follow_up", "progress_update"]
Mode = Literal["auto", "template", "llm"]
Tone = Literal["softer", "shorter", "more_formal", "more_apologetic"]
SeedDoc = Literal["000", "001", "002", "003", "004"]
STYLES: tuple[Style, ...] = ("standard", "soothing", "concise")
VARIABLES: frozenset[str] = frozenset(
    {
        "customer",
        "shop",
        "agent",
        "hours",
        "max_hours",
        "order_id",
        "product",
        "return_days",
        "platform",
    }
)


class Conditions(BaseModel):
    """When a phrase fits; a missing key means any value."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] | None = None
    emotions: list[str] | None = None
    intensity: tuple[int, int] | None = None
    demands: list[str] | None = None
    risks: list[str] | None = None
    escalation: list[str] | None = None
    purpose: list[Purpose] | None = None


class Source(BaseModel):
    """The seed document and passage a phrase is distilled from."""

    model_config = ConfigDict(extra="forbid")

    doc: SeedDoc | Literal["shop"] = Field(
        description='The seed document; "shop" for a phrase an agent saved from a sent reply.'
    )
    quote: str = Field(min_length=4)
    note: str = ""


class Phrase(BaseModel):
    """One scripted phrase (话术) of the phrasebook."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    stage: Stage
    style: Style
    text: str = Field(min_length=2)
    when: Conditions = Field(default_factory=Conditions)
    source: Source
    origin: Literal["phrasebook", "shop"] = "phrasebook"


class DraftRequest(BaseModel):
    """Body of `POST /v1/drafts`."""

    text: str
    context: list[ContextMessage] | None = None
    customer_name: str | None = Field(default=None, max_length=40)
    mode: Mode = "auto"
    variants: int = Field(default=3, ge=1, le=3)
    purpose: Purpose = "reply"


class DraftStage(BaseModel):
    """One stage of a draft and the phrase it came from."""

    stage: Stage
    text: str
    phrase_id: str | None


class Draft(BaseModel):
    """An editable reply draft."""

    id: str
    style: Style
    text: str
    script: Literal["simplified", "traditional"]
    source: Literal["template", "llm"]
    stages: list[DraftStage]
    findings: list[Finding]
    script_phrase_ids: list[str] = Field(
        default_factory=list,
        description="For an LLM draft: the phrases it was given as the script to follow.",
    )


class AgentNote(BaseModel):
    """A note for the agent only (a supervisor hand-off), never for the customer."""

    text: str
    phrase_id: str


class DroppedDraft(BaseModel):
    """An LLM draft that was not shown, and why."""

    style: str
    reason: str


class LLMReport(BaseModel):
    """What the LLM did for one request: cost, time, repairs and drops."""

    model: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    repaired: list[str] = Field(default_factory=list, description="Styles repaired once.")
    dropped: list[DroppedDraft] = Field(default_factory=list)
    detail: str | None = Field(default=None, description="What went wrong, when it did.")


class DraftsResponse(BaseModel):
    """Body returned by `POST /v1/drafts`."""

    analysis: Analysis
    drafts: list[Draft]
    agent_notes: list[AgentNote] = Field(default_factory=list)
    fallback_reason: str | None = Field(
        default=None,
        description="Why these are template drafts although an LLM was asked for "
        "(timeout, rate_limited, upstream_error, connection_error, refused, unparsable, "
        "invalid_shape, guard_rejected).",
    )
    llm: LLMReport | None = None


class RewriteRequest(BaseModel):
    """Body of `POST /v1/rewrite`: the agent's own text and the tone wanted."""

    text: str
    tone: Tone
    customer_text: str | None = None
    mode: Mode = "auto"


class RewriteResponse(BaseModel):
    """The rewritten text, checked by the guard."""

    text: str
    tone: Tone
    source: Literal["llm", "rules"]
    ok: bool
    findings: list[Finding]
    fallback_reason: str | None = None
