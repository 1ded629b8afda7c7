"""Typed inputs and outputs of the analysis; the v1 HTTP contract's vocabulary."""

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

Role = Literal["customer", "agent"]
Script = Literal["simplified", "traditional"]
Escalation = Literal["none", "supervisor", "crisis"]

CATEGORY_CODES: tuple[str, ...] = (
    "quality", "color_mismatch", "size", "not_as_described", "wrong_item", "missing_item",
    "out_of_stock", "presale_misleading", "service_attitude", "service_efficiency",
    "shipping_delay", "delivery_delay", "lost_parcel", "damaged_in_transit", "courier_attitude",
    "wrong_courier", "change_address", "refund_before_shipping", "refund_after_shipping",
    "no_reason_return", "return_overdue", "other",
)  # fmt: skip
EMOTION_CODES: tuple[str, ...] = ("angry", "anxious", "disappointed", "neutral", "satisfied")
RISK_CODES: tuple[str, ...] = (
    "bad_review", "platform_complaint", "regulator", "legal", "media", "abuse",
    "repeat_contact", "safety",
)  # fmt: skip
DEMAND_CODES: tuple[str, ...] = (
    "refund", "return", "exchange", "reship", "compensation", "apology", "expedite", "cancel",
    "info",
)  # fmt: skip
CRISIS_RISKS: frozenset[str] = frozenset({"legal", "regulator", "media", "safety"})


class EvidenceSpan(BaseModel):
    """Characters `text[start:end]` of the message as sent (Unicode code points)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Label(BaseModel):
    """A code, its Chinese label, how sure Huashu is, and the spans that show it."""

    code: str
    label: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[EvidenceSpan] = Field(default_factory=list)


class EmotionLabel(Label):
    """The customer's emotion with its intensity: 0 calm to 3 extreme or abusive."""

    intensity: int = Field(ge=0, le=3)


class Amount(BaseModel):
    """A sum of money named in the message."""

    value: float
    span: EvidenceSpan


class Duration(BaseModel):
    """A time span or age named in the message ("三天了", "上周买的"), in days."""

    days: float
    span: EvidenceSpan
    is_deadline: bool = Field(
        default=False, description='A deadline or policy ("15天内", "七天无理由"), not an age.'
    )
    _folded_span: tuple[int, int] = PrivateAttr(default=(0, 0))

    @property
    def folded_span(self) -> tuple[int, int]:
        """Offsets in the folded text the analyzer matched (internal)."""
        return self._folded_span


class Facts(BaseModel):
    """Order and tracking numbers, amounts, durations and product words in the message."""

    order_ids: list[EvidenceSpan] = Field(default_factory=list)
    tracking_ids: list[EvidenceSpan] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    durations: list[Duration] = Field(default_factory=list)
    products: list[EvidenceSpan] = Field(default_factory=list)
    days_since_purchase: float | None = Field(
        default=None, description="The longest age of the order or delivery named, in days."
    )


class Analysis(BaseModel):
    """What Huashu reads in one customer message (the body of `POST /v1/analyze`)."""

    script: Script
    category: Label
    secondary: Label | None
    emotion: EmotionLabel
    risks: list[Label]
    demands: list[Label]
    escalation: Escalation
    facts: Facts


class ContextMessage(BaseModel):
    """An earlier message of the same conversation."""

    role: Role
    text: str


class AnalyzeRequest(BaseModel):
    """Body of `POST /v1/analyze`."""

    text: str
    context: list[ContextMessage] | None = None
