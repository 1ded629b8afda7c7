"""Choosing the situation, the stages and, per stage, the phrase that best fits the message."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.analysis.schemas import Analysis
from app.datafiles import read_yaml
from app.drafting.phrasebook import Phrasebook
from app.drafting.schemas import STYLES, Phrase, Purpose, Stage, Style

PLANS_PATH = Path(__file__).parent / "data" / "plans.yaml"
CRISIS_OR_SUPERVISOR = ("crisis", "supervisor")


class PlanError(ValueError):
    """The plans file is malformed; the message names it."""


@dataclass(frozen=True)
class Plans:
    """Stage plans per situation and the weights that rank phrases."""

    stages: dict[str, tuple[Stage, ...]]
    concise_drops: frozenset[str]
    facts_needed_for: frozenset[str]
    solution_phrases: dict[str, int]
    styles_by_situation: dict[str, tuple[Style, ...]]
    specificity: dict[str, int]
    length_budget: dict[str, int]
    trim_order: tuple[str, ...]
    keep: dict[str, frozenset[str]]


def load_plans(path: Path = PLANS_PATH) -> Plans:
    """Read the stage plans."""
    document = read_yaml(path, PlanError)
    try:
        return Plans(
            stages={name: tuple(plan["stages"]) for name, plan in document["plans"].items()},
            concise_drops=frozenset(document["concise_drops"]),
            facts_needed_for=frozenset(document["facts_needed_for"]),
            solution_phrases={str(k): int(v) for k, v in document["solution_phrases"].items()},
            styles_by_situation={
                name: tuple(styles) for name, styles in document["styles_by_situation"].items()
            },
            specificity={str(k): int(v) for k, v in document["specificity"].items()},
            length_budget={str(k): int(v) for k, v in document["length_budget"].items()},
            trim_order=tuple(document["trim_order"]),
            keep={
                name: frozenset(plan.get("keep", ())) for name, plan in document["plans"].items()
            },
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"{path}: malformed stage plans: {exc}") from exc


@dataclass(frozen=True)
class Situation:
    """What the drafts respond to: the analysis reduced to what phrases are chosen by."""

    name: str
    purpose: Purpose
    category: str
    secondary: str | None
    emotion: str
    intensity: int
    demands: frozenset[str]
    risks: frozenset[str]
    escalation: str
    seed: str


def situation_of(analysis: Analysis, purpose: Purpose, text: str) -> Situation:
    """Reduce an analysis to the situation that picks the plan."""
    emotion = analysis.emotion
    demands = frozenset(d.code for d in analysis.demands)
    risks = frozenset(r.code for r in analysis.risks)
    if purpose != "reply":
        name: str = purpose
    elif analysis.escalation == "crisis":
        name = "crisis"
    elif emotion.intensity >= 3 or analysis.escalation == "supervisor":
        name = "intense"
    elif emotion.code in ("angry", "anxious", "disappointed") or risks - {"repeat_contact"}:
        name = "upset"
    elif analysis.category.code == "other" or demands <= {"info"} and emotion.intensity == 0:
        name = "info" if analysis.category.code == "other" or "info" in demands else "calm"
    else:
        name = "calm"
    return Situation(
        name=name,
        purpose=purpose,
        category=analysis.category.code,
        secondary=analysis.secondary.code if analysis.secondary else None,
        emotion=emotion.code,
        intensity=emotion.intensity,
        demands=demands,
        risks=risks,
        escalation=analysis.escalation,
        seed=hashlib.sha1(text.encode("utf-8")).hexdigest(),
    )


def fit(phrase: Phrase, situation: Situation, weights: dict[str, int]) -> int | None:
    """How specifically a phrase fits; `None` when one of its conditions fails."""
    when = phrase.when
    score = 0
    if when.purpose is not None:
        if situation.purpose not in when.purpose:
            return None
        score += weights["purpose"]
    elif situation.purpose != "reply" and phrase.stage not in ("follow_up", "progress_update"):
        return None  # a reply phrase without a purpose is not for a revisit
    if when.categories is not None:
        if situation.category not in when.categories and situation.secondary not in when.categories:
            return None
        score += weights["categories"] if situation.category in when.categories else 1
    if when.emotions is not None:
        if situation.emotion not in when.emotions:
            return None
        score += weights["emotions"]
    if when.intensity is not None:
        low, high = when.intensity
        if not low <= situation.intensity <= high:
            return None
        score += weights["intensity"]
    if when.demands is not None:
        if not situation.demands & set(when.demands):
            return None
        score += weights["demands"]
    if when.risks is not None:
        if not situation.risks & set(when.risks):
            return None
        score += weights["risks"]
    if when.escalation is not None:
        if situation.escalation not in when.escalation:
            return None
        score += weights["escalation"]
    return score


def _pick(candidates: list[Phrase], situation: Situation, salt: str) -> Phrase:
    """A deterministic but message-dependent choice: the same message, the same draft; two
    messages, two wordings."""
    ranked = sorted(
        candidates,
        key=lambda p: hashlib.sha1(f"{situation.seed}:{salt}:{p.id}".encode()).hexdigest(),
    )
    return ranked[0]


def choose(
    phrasebook: Phrasebook,
    plans: Plans,
    stage: Stage,
    style: Style,
    situation: Situation,
    available: set[str],
    avoid: set[str],
    limit: int = 1,
    penalties: Mapping[str, int] | None = None,
) -> list[Phrase]:
    """The best-fitting phrases of a stage in this style (another style when none fits).

    `penalties` (phrase id → points) lowers phrases this shop's agents rewrite or mark
    unhelpful; a penalised phrase still fits, it just loses to an equally fitting rival.
    """
    scored = []
    for phrase in phrasebook.by_stage.get(stage, []):
        if phrase.id in avoid or not phrasebook.variables[phrase.id] <= available:
            continue
        score = fit(phrase, situation, plans.specificity)
        if score is not None:
            scored.append((score - (penalties or {}).get(phrase.id, 0), phrase))
    if not scored:
        return []
    chosen: list[Phrase] = []
    for style_choice in (style, *[s for s in STYLES if s != style]):
        pool = [(score, p) for score, p in scored if p.style == style_choice]
        while pool and len(chosen) < limit:
            best = max(score for score, _ in pool)
            top = [p for score, p in pool if score == best]
            picked = _pick(top, situation, f"{stage}:{style}:{len(chosen)}")
            if chosen and not _adds_something(picked, chosen):
                pool = [(s, p) for s, p in pool if p.id != picked.id]
                continue
            chosen.append(picked)
            pool = [(s, p) for s, p in pool if p.id != picked.id and best > 0]
            if stage != "solution":
                break
        if chosen:
            break
    return chosen


def _adds_something(candidate: Phrase, chosen: list[Phrase]) -> bool:
    """A second solution phrase must answer another condition (a risk, a demand, a crisis)."""
    first = chosen[0].when
    when = candidate.when
    return bool(
        (when.risks and when.risks != first.risks)
        or (when.demands and when.demands != first.demands)
        or (when.escalation and when.escalation != first.escalation)
    ) and not (when.categories and first.categories)
