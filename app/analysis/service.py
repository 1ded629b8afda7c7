"""`analyze(text, context)`: everything Huashu reads in a customer message, with evidence."""

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba

from app.analysis.facts import extract_facts
from app.analysis.lexicon import CLAUSE_BREAKS, DATA_DIR, Hit, Lexicon, load_lexicon
from app.analysis.normalize import NormalizedText, ScriptConverter, normalize
from app.analysis.schemas import (
    CRISIS_RISKS,
    Analysis,
    ContextMessage,
    EmotionLabel,
    Escalation,
    EvidenceSpan,
    Facts,
    Label,
)

Token = tuple[str, int, int]


FoldedSpan = tuple[int, int]


@dataclass
class _Scores:
    """Weighted votes per code of one label family, with the folded spans that cast them."""

    score: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    evidence: dict[str, list[FoldedSpan]] = field(default_factory=lambda: defaultdict(list))

    def add(self, code: str, weight: float, span: FoldedSpan | None) -> None:
        self.score[code] += weight
        if span is not None and span not in self.evidence[code]:
            self.evidence[code].append(span)

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(
            ((code, score) for code, score in self.score.items() if score > 0),
            key=lambda item: -item[1],
        )


@dataclass(frozen=True)
class _Reading:
    """Cues of one message after negation and contrast are applied."""

    norm: NormalizedText
    hits: list[Hit]
    negated: list[Hit]
    boosted: frozenset[int]  # ids of hits standing after a contrast marker


def _confidence(top: float, runner_up: float, scale: float) -> float:
    """Sure when the winner is strong and far ahead of the runner-up."""
    strength = 1.0 - math.exp(-top / scale)
    margin = (top - runner_up) / top if top > 0 else 0.0
    return round(min(0.99, 0.35 + 0.64 * strength * (0.5 + 0.5 * margin)), 3)


class Analyzer:
    """Holds the lexicon automaton, the script converter and the tokenizer; built once."""

    def __init__(self, lexicon: Lexicon, converter: ScriptConverter, tokenizer: Any) -> None:
        self.lexicon = lexicon
        self.converter = converter
        self.tokenizer = tokenizer
        self.weights: dict[str, Any] = lexicon.weights

    @classmethod
    def from_data(cls, data_dir: Path = DATA_DIR) -> "Analyzer":
        """Load the data files and warm the tokenizer with the domain dictionary."""
        jieba.setLogLevel(logging.WARNING)
        lexicon = load_lexicon(data_dir)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.load_userdict(str(data_dir / "jieba_userdict.txt"))
        tokenizer.load_userdict(str(data_dir / "products.dict"))
        return cls(lexicon, ScriptConverter(), tokenizer)

    # --- reading cues -----------------------------------------------------------------

    def _read(self, text: str) -> _Reading:
        norm = normalize(text, self.converter)
        folded = norm.text
        raw_hits = list(self.lexicon.find(folded))
        hits = _resolve_overlaps(raw_hits)
        tokens = self._tokens_near_negators(folded)
        negators = self._negator_ends(folded, tokens)
        kept: list[Hit] = []
        negated: list[Hit] = []
        for hit in hits:
            if hit.cue.negatable and self._is_negated(folded, hit, negators):
                negated.append(hit)
            else:
                kept.append(hit)
        contrast_at = self._last_contrast(folded)
        boosted = frozenset(
            id(hit) for hit in kept if contrast_at is not None and hit.start >= contrast_at
        )
        return _Reading(norm, kept, negated, boosted)

    def _tokens_near_negators(self, folded: str) -> list[Token]:
        """jieba tokens of the clauses that hold a possible negator, in folded offsets.

        Segmenting tells a negator ("不", "没有") from a word that only starts like one
        ("不错", "不好意思", "没收到"); clauses without a negator character need no segmenting.
        """
        starts = self.lexicon.modifiers.negator_initials
        tokens: list[Token] = []
        clause_start = 0
        has_negator = False
        for index, char in enumerate(folded + "\n"):
            if char in CLAUSE_BREAKS:
                if has_negator:
                    clause = folded[clause_start:index]
                    for word, start, end in self.tokenizer.tokenize(clause, HMM=False):
                        tokens.append((word, clause_start + start, clause_start + end))
                clause_start = index + 1
                has_negator = False
            elif char in starts:
                has_negator = True
        return tokens

    def _negator_ends(self, folded: str, tokens: list[Token]) -> list[tuple[int, int]]:
        modifiers = self.lexicon.modifiers
        found = []
        for word, start, end in tokens:
            if word not in modifiers.negators:
                continue
            if any(
                folded.startswith(exception, start) for exception in modifiers.negation_exceptions
            ):
                continue
            found.append((start, end))
        return found

    def _is_negated(self, folded: str, hit: Hit, negators: list[tuple[int, int]]) -> bool:
        modifiers = self.lexicon.modifiers
        for start, end in negators:
            if end > hit.start or hit.start - end > modifiers.negation_window:
                continue
            gap = folded[end : hit.start]
            if any(char in CLAUSE_BREAKS for char in gap):
                continue
            if any(breaker in gap for breaker in modifiers.scope_breakers):
                continue
            clause_end = _clause_end(folded, hit.end)
            clause = folded[start:clause_end]
            if any(marker in clause for marker in modifiers.rhetorical_markers):
                continue
            return True
        return False

    def _last_contrast(self, folded: str) -> int | None:
        positions = [
            folded.rfind(marker) + len(marker)
            for marker in self.lexicon.modifiers.contrast_markers
            if marker in folded
        ]
        return max(positions) if positions else None

    # --- label families ----------------------------------------------------------------

    def _category_scores(self, reading: _Reading, facts: Facts) -> _Scores:
        weights = self.weights
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family != "category":
                continue
            boost = weights["contrast_boost"] if id(hit) in reading.boosted else 1.0
            scores.add(hit.cue.code, hit.cue.weight * boost, (hit.start, hit.end))
        background: dict[str, float] = weights["background_categories"]
        if any(code not in background and s > 0 for code, s in scores.score.items()):
            for code, factor in background.items():
                if code in scores.score:
                    scores.score[code] *= factor
        self._apply_return_window(scores, facts)
        return scores

    def _apply_return_window(self, scores: _Scores, facts: Facts) -> None:
        """DESIGN: past the return window a fit or no-reason return is `return_overdue`."""
        window = float(self.weights["return_window_days"])
        age = facts.days_since_purchase
        ranked = scores.ranked()
        if not ranked:
            return
        top = ranked[0][0]
        if age is not None and age > window and top in self.weights["window_bound_categories"]:
            scores.score["return_overdue"] = ranked[0][1] + 0.5
            for duration in facts.durations:
                if duration.days > window:
                    scores.add("return_overdue", 0.0, duration.folded_span)

    def _categories(
        self, reading: _Reading, facts: Facts, context_reading: list[_Reading]
    ) -> tuple[Label, Label | None]:
        scores = self._category_scores(reading, facts)
        ranked = scores.ranked()
        scale = float(self.weights["confidence_scale"])
        if not ranked:
            inherited = self._category_from_context(context_reading)
            if inherited is not None:
                return self._label(reading, "category", inherited, 0.5, []), None
            return self._label(reading, "category", "other", 0.55, []), None
        top_code, top_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        primary = self._label(
            reading,
            "category",
            top_code,
            _confidence(top_score, runner_up, scale),
            scores.evidence[top_code],
        )
        secondary = None
        for code, score in ranked[1:]:
            if score >= self.weights["secondary_min_score"] and score >= (
                self.weights["secondary_min_ratio"] * top_score
            ):
                secondary = self._label(
                    reading,
                    "category", code, _confidence(score, top_score, scale) * 0.9,
                    scores.evidence[code],
                )  # fmt: skip
                break
        if secondary is None and top_code in self.weights["secondary_by_primary"]:
            rule = self.weights["secondary_by_primary"][top_code]
            if rule["when_demand"] in self._demand_codes(reading):
                secondary = self._label(reading, "category", rule["secondary"], 0.5, [])
        return primary, secondary

    def _category_from_context(self, context_reading: list[_Reading]) -> str | None:
        for earlier in reversed(context_reading):
            ranked = self._category_scores(earlier, Facts()).ranked()
            if ranked:
                return ranked[0][0]
        return None

    def _demand_codes(self, reading: _Reading) -> set[str]:
        return {hit.cue.code for hit in reading.hits if hit.cue.family == "demand"}

    def _emotion(
        self,
        reading: _Reading,
        category: Label,
        risks: list[Label],
        context_reading: list[_Reading],
    ) -> EmotionLabel:
        weights = self.weights
        modifiers = self.lexicon.modifiers
        folded = reading.norm.text
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "emotion":
                scores.add(hit.cue.code, hit.cue.weight, (hit.start, hit.end))
        for hit in reading.negated:
            # "不满意" is a complaint; "不生气" only takes the heat out.
            if hit.cue.family == "emotion" and hit.cue.code == "satisfied":
                scores.add("disappointed", hit.cue.weight, (hit.start, hit.end))

        is_problem = category.code != "other" or any(r.code != "repeat_contact" for r in risks)
        sarcasm = [m for m in modifiers.sarcasm_markers if m in folded]
        praise = scores.score.get("satisfied", 0.0)
        resolved = any(marker in folded for marker in modifiers.resolved_markers)
        if praise > 0 and (
            sarcasm
            or (
                is_problem
                and not resolved
                and category.confidence >= weights["sarcasm_problem_confidence"]
            )
        ):
            # Praise beside a complaint is sarcasm ("呵呵，效率真高"): it is anger, not praise.
            scores.add("angry", praise * weights["sarcasm_factor"], None)
            scores.evidence["angry"].extend(scores.evidence.pop("satisfied", []))
            scores.score["satisfied"] = 0.0
        for marker in sarcasm:
            start = folded.find(marker)
            scores.add(
                "angry",
                weights["sarcasm_marker_weight"],
                (start, start + len(marker)),
            )

        negative = sum(scores.score.get(code, 0.0) for code in ("angry", "anxious", "disappointed"))
        is_question = any(marker in folded for marker in modifiers.question_markers)
        if negative == 0 and scores.score.get("satisfied", 0.0) == 0:
            if is_problem and not is_question:
                prior = weights["problem_emotion_prior"]
                scores.add(prior["emotion"], prior["weight"], None)
            else:
                scores.add("neutral", 1.0, None)
        if any(r.code in ("abuse",) for r in risks):
            scores.add("angry", weights["abuse_anger"], None)

        ranked = scores.ranked()
        code, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = _confidence(top, runner_up, float(weights["confidence_scale"]))
        intensity = 0
        if code not in ("neutral", "satisfied"):
            intensity = self._intensity(reading, top, risks, context_reading)
        return EmotionLabel(
            code=code,
            label=self.lexicon.labels["emotion"][code],
            confidence=confidence,
            evidence=_materialize(reading, scores.evidence.get(code, [])),
            intensity=intensity,
        )

    def _intensity(
        self, reading: _Reading, emotion_score: float, risks: list[Label],
        context_reading: list[_Reading],
    ) -> int:  # fmt: skip
        weights = self.weights
        folded = reading.norm.text
        if any(r.code == "abuse" for r in risks):
            return 3
        raw = emotion_score
        raw += sum(
            weight * folded.count(word)
            for word, weight in self.lexicon.modifiers.intensifiers.items()
            if word in folded
        )
        exclaims = folded.count("!")
        raw += min(exclaims, 4) * weights["exclamation_weight"]
        raw += (
            min(folded.count("?"), 4) * weights["question_weight"] if folded.count("?") > 1 else 0
        )
        threats = {r.code for r in risks} - {"repeat_contact"}
        raw += weights["threat_weight"] * min(len(threats), 2)
        if any(r.code == "repeat_contact" for r in risks):
            raw += weights["repeat_weight"]
        upset_before = sum(
            1 for earlier in context_reading
            if any(h.cue.family == "emotion" and h.cue.code in ("angry", "disappointed", "anxious") for h in earlier.hits)
        )  # fmt: skip
        raw += min(upset_before, 2) * weights["context_upset_weight"]
        thresholds: list[float] = weights["intensity_thresholds"]
        return 1 + sum(1 for threshold in thresholds if raw >= threshold)

    def _risks(self, reading: _Reading, context: Sequence[ContextMessage]) -> list[Label]:
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "risk":
                scores.add(hit.cue.code, hit.cue.weight, (hit.start, hit.end))
        earlier_customer = sum(1 for message in context if message.role == "customer")
        if earlier_customer >= self.weights["repeat_contact_turns"]:
            scores.add("repeat_contact", 1.0, None)
        scale = float(self.weights["confidence_scale"])
        return [
            self._label(
                reading, "risk", code, _confidence(score, 0.0, scale), scores.evidence[code]
            )
            for code, score in scores.ranked()
            if score >= self.weights["risk_min_score"]
        ]

    def _demands(self, reading: _Reading, emotion: EmotionLabel) -> list[Label]:
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "demand":
                scores.add(hit.cue.code, hit.cue.weight, (hit.start, hit.end))
        scale = float(self.weights["confidence_scale"])
        ranked = scores.ranked()
        actions = [code for code, _ in ranked if code != "info"]
        minimum = self.weights["demand_min_score"]
        labels = []
        for code, score in ranked:
            if score < minimum:
                continue
            if code == "info" and actions and score < self.weights["info_beside_action_min"]:
                continue
            labels.append(
                self._label(
                    reading, "demand", code, _confidence(score, 0.0, scale), scores.evidence[code]
                )
            )
        return labels

    def _escalation(
        self, reading: _Reading, risks: list[Label], emotion: EmotionLabel, facts: Facts,
        category: Label,
    ) -> Escalation:  # fmt: skip
        codes = {risk.code for risk in risks}
        if codes & CRISIS_RISKS:
            return "crisis"
        folded = reading.norm.text
        if "abuse" in codes:
            return "supervisor"
        if "repeat_contact" in codes and emotion.code == "angry":
            return "supervisor"
        if any(word in folded for word in self.lexicon.modifiers.manager_requests):
            return "supervisor"
        high_value = float(self.weights["high_value_amount"])
        if (
            category.code != "other"
            and emotion.code not in ("neutral", "satisfied")
            and any(amount.value >= high_value for amount in facts.amounts)
        ):
            return "supervisor"
        return "none"

    def _label(
        self,
        reading: _Reading,
        family: str,
        code: str,
        confidence: float,
        evidence: list[FoldedSpan],
    ) -> Label:
        return Label(
            code=code,
            label=self.lexicon.labels[family][code],
            confidence=round(confidence, 3),
            evidence=_materialize(reading, evidence),
        )

    # --- the one entry point --------------------------------------------------------------

    def analyze(self, text: str, context: Sequence[ContextMessage] | None = None) -> Analysis:
        """Read category, emotion, risks, demands, escalation and facts from one message."""
        context = list(context or [])
        reading = self._read(text)
        context_reading = [
            self._read(message.text) for message in context if message.role == "customer"
        ]
        facts = extract_facts(
            reading.norm, ((h.start, h.end) for h in reading.hits if h.cue.family == "product")
        )
        category, secondary = self._categories(reading, facts, context_reading)
        risks = self._risks(reading, context)
        emotion = self._emotion(reading, category, risks, context_reading)
        demands = self._demands(reading, emotion)
        escalation = self._escalation(reading, risks, emotion, facts, category)
        return Analysis(
            script=reading.norm.script,
            category=category,
            secondary=secondary,
            emotion=emotion,
            risks=risks,
            demands=demands,
            escalation=escalation,
            facts=facts,
        )


def _materialize(reading: _Reading, spans: list[FoldedSpan]) -> list[EvidenceSpan]:
    """Evidence in the original text's offsets, overlapping pieces merged, in reading order."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [reading.norm.span(start, end) for start, end in merged]


def _clause_end(folded: str, position: int) -> int:
    for index in range(position, len(folded)):
        if folded[index] in CLAUSE_BREAKS and folded[index] not in "?":
            return index + 1
    return len(folded)


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Within a family the longest cue wins ("发错快递" is not also "发错"); of two cues
    that only overlap, the earlier one keeps the shared characters ("色差太大了" is not "太大了").
    Cues of one code may overlap freely: together they are one piece of evidence."""
    by_family: dict[str, list[Hit]] = defaultdict(list)
    for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
        by_family[hit.cue.family].append(hit)
    kept: list[Hit] = []
    for family_hits in by_family.values():
        chosen: list[Hit] = []
        for hit in family_hits:
            if any(
                other.cue.code != hit.cue.code or other.end >= hit.end
                for other in chosen
                if other.end > hit.start
            ):
                continue
            chosen.append(hit)
        kept.extend(chosen)
    return kept


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The process-wide analyzer, built on first use (the app builds it at start-up)."""
    return Analyzer.from_data()


def analyze(text: str, context: Sequence[ContextMessage] | None = None) -> Analysis:
    """Analyse one customer message with the process-wide analyzer."""
    return default_analyzer().analyze(text, context)
