"""Typed inputs and outputs of replies, feedback, follow-ups, shop phrases and statistics."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.analysis.schemas import EvidenceSpan
from app.drafting.schemas import Stage, Style

Outcome = Literal["unedited", "edited", "written"]


class ReplyCreate(BaseModel):
    """Body of `POST /v1/replies`: what the agent sent and which draft it came from."""

    text: str = Field(description="The reply as sent to the customer.")
    draft_id: str | None = Field(
        default=None, max_length=64, description="The offered draft it was edited from."
    )
    customer_text: str | None = Field(
        default=None, description="The customer's message, when the reply is not from a draft."
    )
    agent: str | None = Field(default=None, max_length=40)
    caught: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Pitfall codes the guard flagged while the agent edited.",
    )


class FeedbackCreate(BaseModel):
    """Body of `POST /v1/feedback`: helpful or not, about a sent reply or an offered draft."""

    reply_id: int | None = None
    draft_id: str | None = Field(default=None, max_length=64)
    helpful: bool
    reason: str | None = Field(default=None, max_length=500)


class FeedbackRead(BaseModel):
    """Stored feedback."""

    id: int
    reply_id: int | None
    draft_id: str | None
    helpful: bool
    reason: str | None
    created_at: datetime


class CommitmentRead(BaseModel):
    """A time-bound promise made in a sent reply: a follow-up due at `due_at`."""

    id: int
    reply_id: int
    promise: EvidenceSpan
    due_at: datetime
    done_at: datetime | None
    overdue: bool
    customer_text: str | None = None
    sent_text: str | None = None


class FollowUpList(BaseModel):
    """Body of `GET /v1/followups`."""

    due_before: datetime
    items: list[CommitmentRead]


class ReplyRead(BaseModel):
    """A recorded reply with its draft, edit distance, commitments and feedback."""

    id: int
    text: str
    draft_id: str | None
    draft_text: str | None
    draft_style: str | None
    draft_source: str | None
    phrase_ids: list[str]
    customer_text: str | None
    category: str | None
    emotion: str | None
    edit_distance: int | None
    edit_ratio: float | None
    outcome: Outcome
    findings: list[str] = Field(description="Pitfall codes still in the sent text.")
    caught: list[str]
    agent: str | None
    created_at: datetime
    commitments: list[CommitmentRead]
    feedback: list[FeedbackRead]


class ReplyList(BaseModel):
    """Body of `GET /v1/replies`: one page, newest first."""

    items: list[ReplyRead]
    total: int
    limit: int
    offset: int


class ReplyFilter(BaseModel):
    """Filters of `GET /v1/replies` and the CSV export."""

    category: str | None = None
    draft_id: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None


class ShopPhraseCreate(BaseModel):
    """Body of `POST /v1/phrases`: save (part of) a sent reply as the shop's own phrase."""

    text: str
    stage: Stage
    style: Style = "standard"
    reply_id: int | None = None
    categories: list[str] | None = Field(
        default=None, description="Categories it fits; default: the reply's category."
    )


class CountByDay(BaseModel):
    """How many of each code on one local day."""

    day: str
    counts: dict[str, int]


class PreventionAdvice(BaseModel):
    """004's causes and prevention for one problem (产生原因 → 预防措施)."""

    category: str
    label: str
    count: int
    causes: list[str]
    handling: list[str]
    prevention: list[str]
    source: str


class Stats(BaseModel):
    """Body of `GET /v1/stats`: the shop's record over a window of days."""

    days: int
    since: datetime
    messages: int
    replies: int
    categories: dict[str, int]
    emotions: dict[str, int]
    categories_by_day: list[CountByDay]
    emotions_by_day: list[CountByDay]
    outcomes: dict[str, int] = Field(
        description="Offers whose draft was sent unedited, edited, or discarded (nothing sent)."
    )
    pitfalls: dict[str, int] = Field(description="Pitfall codes the guard caught, most first.")
    followups_open: int
    followups_overdue: int
    prevention: list[PreventionAdvice]
