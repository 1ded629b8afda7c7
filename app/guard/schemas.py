"""Typed findings of the guard and the `POST /v1/check` contract."""

from typing import Literal

from pydantic import BaseModel, Field

from app.analysis.schemas import EvidenceSpan

Severity = Literal["high", "medium", "low"]
PITFALL_CODES: tuple[str, ...] = (
    "flat_refusal", "arguing", "lecturing", "blaming_customer", "insisting_right", "dismissive",
    "compensation_first", "compensation_over_cap", "overpromise", "internal_leak",
    "personal_data", "rude", "mechanical",
)  # fmt: skip


class Finding(BaseModel):
    """A pitfall in a reply: where it is and how to say it instead."""

    code: str
    label: str
    severity: Severity
    span: EvidenceSpan
    suggestion: str
    reason: str = Field(default="", description="Why this is a pitfall, with its source document.")


class CheckRequest(BaseModel):
    """Body of `POST /v1/check`."""

    text: str
    customer_text: str | None = None


class CheckResult(BaseModel):
    """Body returned by `POST /v1/check`."""

    ok: bool
    findings: list[Finding]
