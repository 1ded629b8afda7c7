"""Promises with a time in a sent reply ("24小时内给您回复") and when each falls due."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.analysis.normalize import ScriptConverter, normalize
from app.analysis.schemas import EvidenceSpan
from app.datafiles import read_yaml

COMMITMENTS_PATH = Path(__file__).parent / "data" / "commitments.yaml"
CHINESE_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


class CommitmentRulesError(ValueError):
    """The commitments file is malformed; the message names it."""


class PromiseRule(BaseModel):
    """One way of naming a time in a promise."""

    model_config = ConfigDict(extra="forbid")

    name: str
    pattern: str
    unit: Literal["hours", "days"] | None = None
    local_time: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    days_ahead: int | None = Field(default=None, ge=0, le=7)
    reason: str
    examples: list[str] = Field(min_length=1)


class CommitmentRulesFile(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid")

    window: int = Field(gt=0)
    promise_words: list[str] = Field(min_length=1)
    promises: list[PromiseRule] = Field(min_length=1)
    not_promises: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class CommitmentRules:
    """Compiled promise patterns."""

    file: CommitmentRulesFile
    patterns: tuple[tuple[PromiseRule, re.Pattern[str]], ...]
    promise_word: re.Pattern[str]


class Promise(BaseModel):
    """A promise found in a reply: its words and when it falls due."""

    span: EvidenceSpan
    due_at: datetime


def load_commitment_rules(path: Path = COMMITMENTS_PATH) -> CommitmentRules:
    """Read and compile the promise patterns."""
    document = read_yaml(path, CommitmentRulesError)
    try:
        rules = CommitmentRulesFile.model_validate(document)
        patterns = tuple((rule, re.compile(rule.pattern)) for rule in rules.promises)
    except (ValidationError, re.error) as exc:
        raise CommitmentRulesError(f"{path}: {exc}") from exc
    for rule in rules.promises:
        if (rule.unit is None) == (rule.local_time is None or rule.days_ahead is None):
            raise CommitmentRulesError(
                f"{path}: promise {rule.name}: give either unit or local_time with days_ahead"
            )
    words = "|".join(re.escape(word) for word in rules.promise_words)
    return CommitmentRules(file=rules, patterns=patterns, promise_word=re.compile(words))


def _number(token: str) -> float:
    if token.isdigit():
        return float(token)
    if token == "半":
        return 0.5
    if token.startswith("十"):
        token = "一" + token
    if "十" in token:
        tens, _, ones = token.partition("十")
        return float(CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(ones, 0))
    return float(CHINESE_DIGITS.get(token, 0))


def _due(rule: PromiseRule, match: re.Match[str], now: datetime, zone: ZoneInfo) -> datetime | None:
    if rule.unit is not None:
        amount = _number(match.group("n"))
        if amount <= 0:
            return None
        return now + (timedelta(hours=amount) if rule.unit == "hours" else timedelta(days=amount))
    local_time, days_ahead = rule.local_time or "18:00", rule.days_ahead or 0
    hour, minute = (int(part) for part in local_time.split(":"))
    local_day = now.astimezone(zone).date() + timedelta(days=days_ahead)
    due = datetime.combine(local_day, time(hour, minute), tzinfo=zone)
    # "今天" said after the end of the working day falls due an hour later, not in the past.
    return max(due, now + timedelta(hours=1))


def find_promises(
    text: str, *, rules: CommitmentRules, converter: ScriptConverter, now: datetime, zone: ZoneInfo
) -> list[Promise]:
    """Every time-bound promise in a reply, earliest first in the text; overlaps counted once."""
    folded = normalize(text, converter)
    found: list[tuple[int, int, datetime]] = []
    for rule, pattern in rules.patterns:
        for match in pattern.finditer(folded.text):
            start, end = match.span()
            if any(a < end and start < b for a, b, _ in found):
                continue
            after = folded.text[end : end + rules.file.window]
            clause = re.split(r"[。！？!?；;\n]", after, maxsplit=1)[0]
            if not rules.promise_word.search(clause):
                continue
            due = _due(rule, match, now, zone)
            # Two promises for the same moment ("24小时内…", later "24小时内…") are one follow-up.
            if due is not None and all(due != other for _, _, other in found):
                found.append((start, end, due))
    found.sort()
    return [
        Promise(span=folded.span(start, end), due_at=due.astimezone(UTC))
        for start, end, due in found
    ]
