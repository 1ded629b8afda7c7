"""Shop learning: phrases agents rewrite or mark unhelpful rank lower; saved shop phrases compete.

The rankings are kept in memory and refreshed from the database off the request path, so
drafting never waits on a query.
"""

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.datafiles import read_yaml
from app.drafting.phrasebook import Phrasebook
from app.drafting.schemas import Phrase

LEARNING_PATH = Path(__file__).parent / "data" / "learning.yaml"


class LearningRulesError(ValueError):
    """The learning file is malformed; the message names it."""


class LearningRules(BaseModel):
    """Thresholds that turn edits and feedback into rank penalties."""

    model_config = ConfigDict(extra="forbid")

    heavy_edit_ratio: float = Field(gt=0, le=1)
    min_signals: int = Field(ge=1)
    min_share: float = Field(gt=0, le=1)
    penalty: int = Field(ge=1)
    strong_signals: int = Field(ge=1)
    strong_penalty: int = Field(ge=1)
    window_days: int = Field(ge=1)
    max_replies: int = Field(ge=1)


def load_learning_rules(path: Path = LEARNING_PATH) -> LearningRules:
    """Read the learning thresholds."""
    try:
        return LearningRules.model_validate(read_yaml(path, LearningRulesError))
    except ValidationError as exc:
        raise LearningRulesError(f"{path}: {exc}") from exc


@dataclass(frozen=True)
class PhraseUse:
    """One phrase in one draft the agent acted on: kept, rewritten, or judged unhelpful."""

    phrase_id: str
    rewritten: bool = False
    unhelpful: bool = False


def phrase_penalties(uses: Iterable[PhraseUse], rules: LearningRules) -> dict[str, int]:
    """Rank penalty per phrase id from how agents treated the drafts it was in."""
    used: dict[str, int] = {}
    bad: dict[str, int] = {}
    for use in uses:
        used[use.phrase_id] = used.get(use.phrase_id, 0) + 1
        if use.rewritten or use.unhelpful:
            bad[use.phrase_id] = bad.get(use.phrase_id, 0) + 1
    penalties = {}
    for phrase_id, signals in bad.items():
        if signals < rules.min_signals or signals / used[phrase_id] < rules.min_share:
            continue
        strong = signals >= rules.strong_signals
        penalties[phrase_id] = rules.strong_penalty if strong else rules.penalty
    return penalties


@dataclass(frozen=True)
class LearnedRanking:
    """The phrasebook with the shop's phrases, and the penalties learned from agents."""

    phrasebook: Phrasebook
    penalties: Mapping[str, int]


@dataclass
class ShopLearning:
    """The current learned ranking, swapped whole on refresh (readers never see half of one)."""

    base: Phrasebook
    rules: LearningRules
    refresh_after_s: float
    current: LearnedRanking = field(init=False)
    refreshed_at: float = field(init=False, default=float("-inf"))
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.current = LearnedRanking(phrasebook=self.base, penalties={})

    def is_stale(self) -> bool:
        """Whether another instance may have learned something since the last refresh."""
        return time.monotonic() - self.refreshed_at >= self.refresh_after_s

    def replace(self, shop_phrases: list[Phrase], penalties: Mapping[str, int]) -> None:
        """Install a new ranking built from the database's phrases and penalties."""
        ranking = LearnedRanking(
            phrasebook=self.base.with_shop_phrases(shop_phrases) if shop_phrases else self.base,
            penalties=dict(penalties),
        )
        with self._lock:
            self.current = ranking
            self.refreshed_at = time.monotonic()
