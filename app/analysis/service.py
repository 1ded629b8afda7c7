"""`analyze(text, context)`: everything Huashu reads in a customer message, with evidence."""

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba

from app.analysis.facts import extract_facts
from app.analysis.lexicon import CLAUSE_BREAKS, DATA_DIR, Hit, Lexicon, load_lexicon
from app.analysis.model import TextModel, load_model, text_features
from app.analysis.normalize import NormalizedText, ScriptConverter, normalize, quoted_spans
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
from app.analysis.segmenter import negation_tokenizer

Token = tuple[str, int, int]
FoldedSpan = tuple[int, int]
NEGATIVE_EMOTIONS = ("angry", "anxious", "disappointed")
SINGLE_LABEL_FAMILIES = frozenset({"category", "emotion"})


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
    hits: list[Hit]  # label cues (category, emotion, risk, demand) that stand
    negated: list[Hit]  # label cues denied by a negator
    markers: dict[str, list[Hit]]  # modifier words by list name
    classes: dict[str, list[Hit]]  # word-class words by class name
    products: list[FoldedSpan]
    boosted: frozenset[int]  # ids of hits standing after a contrast marker
    learned: "_Learned | None" = None  # the text model's view, when a model is loaded

    def has(self, marker: str) -> bool:
        return marker in self.markers


@dataclass(frozen=True)
class _Learned:
    """The text model's probabilities per head and the features they came from."""

    model: TextModel
    folded: str
    rows: list[int]
    probabilities: dict[str, dict[str, float]]

    def evidence(self, head: str, code: str) -> list[FoldedSpan]:
        return self.model.evidence(self.folded, self.rows, head, code, minimum=0.15)


def _confidence(top: float, runner_up: float, scale: float) -> float:
    """Sure when the winner is strong and far ahead of the runner-up."""
    strength = 1.0 - math.exp(-top / scale)
    margin = (top - runner_up) / top if top > 0 else 0.0
    return round(min(0.99, 0.35 + 0.64 * strength * (0.5 + 0.5 * margin)), 3)


class Analyzer:
    """Holds the lexicon automaton, the script converter and the tokenizer; built once."""

    def __init__(
        self,
        lexicon: Lexicon,
        converter: ScriptConverter,
        tokenizer: Any,
        model: TextModel | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.converter = converter
        self.tokenizer = tokenizer
        self.model = model
        self.weights: dict[str, Any] = lexicon.weights

    @classmethod
    def from_data(cls, data_dir: Path = DATA_DIR) -> "Analyzer":
        """Load the data files and warm the tokenizer with the domain dictionary."""
        jieba.setLogLevel(logging.WARNING)
        lexicon = load_lexicon(data_dir)
        tokenizer = negation_tokenizer(
            lexicon.modifiers.negator_initials,
            [data_dir / "jieba_userdict.txt", data_dir / "products.dict"],
        )
        return cls(lexicon, ScriptConverter(), tokenizer, load_model(data_dir / "model.npz"))

    # --- reading cues -----------------------------------------------------------------

    def _read(self, text: str) -> _Reading:
        norm = normalize(text, self.converter)
        folded = norm.text
        hits = _resolve_overlaps(list(self.lexicon.find(folded)))
        negatable = [h.start for h in hits if h.cue.negatable and h.cue.family_kind == "label"]
        negators = self._negator_ends(folded, self._tokens_near_negators(folded, negatable))
        kept: list[Hit] = []
        negated: list[Hit] = []
        markers: dict[str, list[Hit]] = defaultdict(list)
        classes: dict[str, list[Hit]] = defaultdict(list)
        products: list[FoldedSpan] = []
        for hit in hits:
            family = hit.cue.family
            if family.startswith("marker:"):
                markers[hit.cue.code].append(hit)
            elif family.startswith("class:"):
                classes[hit.cue.code].append(hit)
            elif family == "product":
                products.append((hit.start, hit.end))
            elif hit.cue.negatable and self._is_negated(folded, hit, negators):
                negated.append(hit)
            else:
                kept.append(hit)
        kept = _drop_yielding(_drop_quoted_threats(folded, kept))
        if products:
            # A product name shields the cues inside it: "空气炸锅" holds no "气炸" (anger).
            kept = [
                h
                for h in kept
                if not any(
                    a <= h.start and h.end <= b and (a, b) != (h.start, h.end) for a, b in products
                )
            ]
        contrast_at = max((hit.end for hit in markers.get("contrast", [])), default=None)
        boosted = frozenset(
            id(hit) for hit in kept if contrast_at is not None and hit.start >= contrast_at
        )
        return _Reading(norm, kept, negated, dict(markers), dict(classes), products, boosted)

    def _tokens_near_negators(self, folded: str, cue_starts: list[int]) -> list[Token]:
        """jieba tokens of the clauses where a possible negator stands before a cue.

        Segmenting tells a negator ("不", "没有") from a word that only starts like one
        ("不错", "不好意思", "没收到"); other clauses need no segmenting.
        """
        starts = self.lexicon.modifiers.negator_initials
        tokens: list[Token] = []
        clause_start = 0
        has_negator = False
        for index, char in enumerate(folded + "\n"):
            if char in CLAUSE_BREAKS:
                negator_at = next(
                    (i for i in range(clause_start, index) if folded[i] in starts), None
                )
                has_negator = negator_at is not None and any(
                    negator_at < start < index for start in cue_starts
                )
                if has_negator:
                    clause = folded[clause_start:index]
                    for word, start, end in self.tokenizer.tokenize(clause, HMM=False):
                        tokens.append((word, clause_start + start, clause_start + end))
                clause_start = index + 1
        return tokens

    def _negator_ends(self, folded: str, tokens: list[Token]) -> list[FoldedSpan]:
        modifiers = self.lexicon.modifiers
        return [
            (start, end)
            for word, start, end in tokens
            if word in modifiers.negators
            and not any(folded.startswith(exc, start) for exc in modifiers.negation_exceptions)
        ]

    def _is_negated(self, folded: str, hit: Hit, negators: list[FoldedSpan]) -> bool:
        modifiers = self.lexicon.modifiers
        for start, end in negators:
            if end > hit.start or hit.start - end > modifiers.negation_window:
                continue
            gap = folded[end : hit.start]
            if any(char in CLAUSE_BREAKS for char in gap):
                continue
            if any(breaker in gap for breaker in modifiers.scope_breakers):
                continue
            clause = folded[start : _clause_end(folded, hit.end)]
            if any(marker in clause for marker in modifiers.rhetorical_markers):
                continue
            return True
        return False

    def features(self, reading: "_Reading", earlier: Sequence["_Reading"] = ()) -> list[str]:
        """What the text model sees: n-grams of the folded text and the cues found in it, and
        the cues of the customer's last earlier messages ("还没好吗" is about what came before)."""
        return text_features(reading.norm.text) + self.cue_features(reading, earlier)

    def cue_features(self, reading: "_Reading", earlier: Sequence["_Reading"] = ()) -> list[str]:
        """The model's features beyond the n-grams: cues, markers, word classes, context."""
        features = ["c:" + h.cue.family + ":" + h.cue.code for h in reading.hits]
        features += ["n:" + h.cue.family + ":" + h.cue.code for h in reading.negated]
        features += ["m:" + name for name in reading.markers]
        features += ["k:" + name for name in reading.classes]
        for before in earlier[-2:]:
            features += ["x:" + h.cue.family + ":" + h.cue.code for h in before.hits]
            features += ["xk:" + name for name in before.classes]
        if earlier:
            features.append("x:any")
        return features

    # --- category -----------------------------------------------------------------------

    def _category_scores(self, reading: _Reading, facts: Facts) -> _Scores:
        weights = self.weights
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "category":
                boost = weights["contrast_boost"] if id(hit) in reading.boosted else 1.0
                scores.add(hit.cue.code, hit.cue.weight * boost, (hit.start, hit.end))
        for combination in self.lexicon.combinations:
            if all(name in reading.classes for name in combination.requires):
                scores.add(combination.category, combination.weight, None)
                for name in combination.requires:
                    first = reading.classes[name][0]
                    scores.evidence[combination.category].append((first.start, first.end))
        background: dict[str, float] = weights["background_categories"]
        if any(code not in background and s > 0 for code, s in scores.score.items()):
            for code, factor in background.items():
                if code in scores.score:
                    scores.score[code] *= factor
        returning = any(
            hit.cue.family == "demand" and hit.cue.code in ("return", "exchange", "refund")
            for hit in reading.hits
        )
        self._apply_return_window(scores, facts, returning)
        return scores

    def _apply_return_window(self, scores: _Scores, facts: Facts, returning: bool) -> None:
        """DESIGN: past the return window a fit or no-reason return is `return_overdue`."""
        window = float(self.weights["return_window_days"])
        age = facts.days_since_purchase
        ranked = scores.ranked()
        if age is None or age <= window:
            return
        if not ranked:
            if returning:
                scores.add("return_overdue", 2.0, None)
            return
        if ranked[0][0] in self.weights["window_bound_categories"]:
            scores.score["return_overdue"] = ranked[0][1] + 0.5
            for duration in facts.durations:
                if duration.days > window:
                    scores.add("return_overdue", 0.0, duration.folded_span)

    def _categories(
        self, reading: _Reading, facts: Facts, context_readings: list[_Reading]
    ) -> tuple[Label, Label | None]:
        scores = self._category_scores(reading, facts)
        learned = reading.learned
        if learned is not None:
            weight = float(self.weights["model_weight"]["category"])
            floor = float(self.weights["model_min_probability"])
            for code, probability in learned.probabilities["category"].items():
                if probability >= floor and code != "other":
                    scores.add(code, weight * probability, None)
        ranked = scores.ranked()
        if learned is not None:
            # The model decided without a lexicon cue: show the n-grams that moved it.
            for code, _ in ranked[:2]:
                if not scores.evidence[code] and code != "other":
                    scores.evidence[code].extend(learned.evidence("category", code))
        scale = float(self.weights["confidence_scale"])
        if not ranked:
            inherited = self._category_from_context(context_readings)
            if inherited is not None:
                return self._label(reading, "category", inherited, 0.5, []), None
            return self._label(reading, "category", "other", 0.55, []), None
        top_code, top_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        primary = self._label(
            reading, "category", top_code, _confidence(top_score, runner_up, scale),
            scores.evidence[top_code],
        )  # fmt: skip
        secondary = None
        for code, score in ranked[1:]:
            if (
                code != "other"
                and score >= self.weights["secondary_min_score"]
                and score >= (self.weights["secondary_min_ratio"] * top_score)
            ):
                secondary = self._label(
                    reading, "category", code, _confidence(score, top_score, scale) * 0.9,
                    scores.evidence[code],
                )  # fmt: skip
                break
        rule = self.weights["secondary_by_primary"].get(top_code)
        if secondary is None and rule is not None:
            if any(
                h.cue.family == "demand" and h.cue.code == rule["when_demand"] for h in reading.hits
            ):
                secondary = self._label(reading, "category", rule["secondary"], 0.5, [])
        return primary, secondary

    def _category_from_context(self, context_readings: list[_Reading]) -> str | None:
        for earlier in reversed(context_readings):
            ranked = self._category_scores(earlier, Facts()).ranked()
            if ranked and ranked[0][0] != "other":
                return ranked[0][0]
        return None

    # --- emotion ------------------------------------------------------------------------

    def _emotion(
        self,
        reading: _Reading,
        category: Label,
        risks: list[Label],
        context_readings: list[_Reading],
    ) -> EmotionLabel:
        weights = self.weights
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "emotion":
                scores.add(hit.cue.code, hit.cue.weight, (hit.start, hit.end))
        calm_request = reading.has("question") or reading.has("politeness")
        for hit in reading.negated:
            # "不满意" is a complaint; "不生气" only takes the heat out; "不喜欢，能退吗" is a reason.
            if hit.cue.family == "emotion" and hit.cue.code == "satisfied" and not calm_request:
                scores.add("disappointed", hit.cue.weight, (hit.start, hit.end))

        threats = {r.code for r in risks} - {"repeat_contact"}
        is_problem = category.code != "other" or bool(threats)
        resolved = reading.has("resolved")
        praise = scores.score.get("satisfied", 0.0)
        sarcasm_markers = reading.markers.get("sarcasm", [])
        if reading.has("contrast"):
            # "东西挺好的，就是…": praise before a "but" softens the complaint that follows.
            for hit in reading.hits:
                if (
                    hit.cue.family == "emotion"
                    and hit.cue.code == "satisfied"
                    and id(hit) not in reading.boosted
                ):
                    scores.score["satisfied"] -= hit.cue.weight
            praise = max(scores.score.get("satisfied", 0.0), 0.0)
            scores.score["satisfied"] = praise
        complained = not resolved and any(
            scores.score.get(code, 0.0) > 0 for code in ("angry", "disappointed")
        )
        reassured = any(hit.cue.family == "risk" for hit in reading.negated)
        courteous = (
            reading.has("politeness")
            or reading.has("thanks")
            or reading.has("question")
            or reassured
        )
        mocking = is_problem and not resolved and not courteous
        if praise > 0 and (sarcasm_markers or complained or mocking):
            # Praise beside a complaint is sarcasm ("呵呵，效率真高"): anger, not praise.
            scores.add("angry", praise * weights["sarcasm_factor"], None)
            scores.evidence["angry"].extend(scores.evidence.pop("satisfied", []))
            scores.score["satisfied"] = 0.0
        for marker in sarcasm_markers:
            scores.add("angry", weights["sarcasm_marker_weight"], (marker.start, marker.end))
        if "abuse" in threats:
            scores.add("angry", weights["abuse_anger"], None)

        negative = sum(scores.score.get(code, 0.0) for code in NEGATIVE_EMOTIONS)
        thanks = reading.markers.get("thanks", [])
        if negative == 0 and scores.score.get("satisfied", 0.0) == 0:
            if is_problem and (threats or not courteous):
                prior = weights["problem_emotion_prior"]
                scores.add(prior["emotion"], prior["weight"], None)
            elif thanks and (resolved or not is_problem):
                for hit in thanks:
                    scores.add("satisfied", 1.0, (hit.start, hit.end))
            else:
                scores.add("neutral", 1.0, None)
        elif negative == 0 and thanks:
            for hit in thanks:
                scores.add("satisfied", 0.5, (hit.start, hit.end))

        if reading.learned is not None:
            weight = float(weights["model_weight"]["emotion"])
            for emotion_code, probability in reading.learned.probabilities["emotion"].items():
                scores.add(emotion_code, weight * probability, None)
        ranked = scores.ranked()
        if "abuse" in threats and ranked[0][0] not in NEGATIVE_EMOTIONS:
            # DESIGN: abuse is anger at intensity 3, however politely the rest is worded.
            ranked.insert(0, ("angry", scores.score.get("angry", 0.0)))
        code, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        intensity = 0
        if code in NEGATIVE_EMOTIONS:
            intensity = self._intensity(reading, top, threats, risks, context_readings)
        evidence = _materialize(reading, scores.evidence.get(code, []))
        if not evidence and code in NEGATIVE_EMOTIONS:
            # No cue named the feeling (a flat complaint read by the prior or the model): show
            # the model's words when they are words, else the complaint itself.
            learned = reading.learned.evidence("emotion", code) if reading.learned else []
            evidence = _materialize(reading, [(a, b) for a, b in learned if b - a >= 2])
            evidence = evidence or list(category.evidence)
        return EmotionLabel(
            code=code,
            label=self.lexicon.labels["emotion"][code],
            confidence=_confidence(top, runner_up, float(weights["confidence_scale"])),
            evidence=evidence,
            intensity=intensity,
        )

    def _intensity(
        self,
        reading: _Reading,
        emotion_score: float,
        threats: set[str],
        risks: list[Label],
        context_readings: list[_Reading],
    ) -> int:
        weights = self.weights
        if "abuse" in threats:
            return 3
        folded = reading.norm.text
        raw = emotion_score
        raw += sum(hit.cue.weight for hit in reading.markers.get("intensifier", []))
        raw += min(folded.count("!"), 4) * weights["exclamation_weight"]
        questions = folded.count("?")
        raw += min(questions, 4) * weights["question_weight"] if questions > 1 else 0.0
        raw += weights["threat_weight"] * min(len(threats), 2)
        if any(r.code == "repeat_contact" for r in risks):
            raw += weights["repeat_weight"]
        upset_before = sum(
            1
            for earlier in context_readings
            if any(
                h.cue.family == "emotion" and h.cue.code in NEGATIVE_EMOTIONS for h in earlier.hits
            )
        )
        raw += min(upset_before, 2) * weights["context_upset_weight"]
        thresholds: list[float] = weights["intensity_thresholds"]
        by_rules = 1 + sum(1 for threshold in thresholds if raw >= threshold)
        learned = reading.learned.probabilities.get("intensity") if reading.learned else None
        if not learned:
            return by_rules
        # The model's intensity (1-3, given that the buyer is upset) with the rules as a prior.
        prior = float(weights["intensity_rule_weight"])
        votes = {level: learned.get(str(level), 0.0) for level in (1, 2, 3)}
        votes[by_rules] += prior
        return max(votes, key=lambda level: votes[level])

    # --- risks, demands, escalation -----------------------------------------------------

    def _risks(self, reading: _Reading, context_readings: list[_Reading]) -> list[Label]:
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "risk":
                scores.add(hit.cue.code, hit.cue.weight, (hit.start, hit.end))
        self._add_learned(reading, "risks", scores)
        if len(context_readings) >= self.weights["repeat_contact_turns"]:
            # Several messages about something still unsolved, said now or before ("怎么还没到",
            # "查到了吗", "什么时候能到"); a string of follow-up questions in one chat is not.
            markers = reading.markers.get("unresolved", [])
            if markers or any(earlier.has("unresolved") for earlier in context_readings):
                span = (markers[0].start, markers[0].end) if markers else None
                scores.add("repeat_contact", 1.0, span)
        scale = float(self.weights["confidence_scale"])
        veto = float(self.weights["risk_model_veto_below"])
        learned = reading.learned.probabilities["risks"] if reading.learned else {}
        return [
            self._label(
                reading, "risk", code, _confidence(score, 0.0, scale), scores.evidence[code]
            )
            for code, score in scores.ranked()
            if score >= self.weights["risk_min_score"]
            and (code in CRISIS_RISKS or learned.get(code, 1.0) >= veto)
        ]

    def _add_learned(self, reading: _Reading, head: str, scores: _Scores) -> None:
        """Multi-label heads: a confident model vote counts like a cue, with its n-grams as evidence."""
        if reading.learned is None:
            return
        weight = float(self.weights["model_weight"][head])
        floor = float(self.weights["model_min_probability_multilabel"])
        family = "risk" if head == "risks" else "demand"
        stated = {h.cue.code for h in reading.hits if h.cue.family == family}
        # A cue the buyer denied ("放心不会给差评") outweighs the model's reading of the word.
        denied = {h.cue.code for h in reading.negated if h.cue.family == family} - stated
        crisis_floor = float(self.weights["model_min_probability_crisis"])
        for code, probability in reading.learned.probabilities[head].items():
            # Missing a crisis costs more than a false alarm the agent can dismiss.
            needed = crisis_floor if head == "risks" and code in CRISIS_RISKS else floor
            if probability >= needed and code not in denied:
                scores.add(code, weight * probability, None)
                if (
                    not scores.evidence[code]
                    and scores.score[code]
                    >= self.weights["risk_min_score" if head == "risks" else "demand_min_score"]
                ):
                    scores.evidence[code].extend(reading.learned.evidence(head, code))

    def _demands(self, reading: _Reading, category: Label, emotion: EmotionLabel) -> list[Label]:
        scores = _Scores()
        for hit in reading.hits:
            if hit.cue.family == "demand":
                scores.add(hit.cue.code, hit.cue.weight, (hit.start, hit.end))
        self._add_learned(reading, "demands", scores)
        implied = self.weights["implied_demands"].get(category.code)
        if implied and emotion.code in NEGATIVE_EMOTIONS and scores.score.get(implied, 0.0) == 0:
            # 000: find out what the customer really wants; a wrong item wants the right one.
            scores.add(implied, float(self.weights["implied_demand_weight"]), None)
        is_calm = emotion.code in ("neutral", "satisfied", "anxious")
        if is_calm and reading.has("question") and not any(c != "info" for c in scores.score):
            scores.add("info", float(self.weights["question_info_weight"]), None)
        scale = float(self.weights["confidence_scale"])
        ranked = scores.ranked()
        has_action = any(code != "info" for code, _ in ranked)
        labels = []
        for code, score in ranked:
            if score < self.weights["demand_min_score"]:
                continue
            if code == "info" and has_action and score < self.weights["info_beside_action_min"]:
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
        if "abuse" in codes:
            return "supervisor"
        if "repeat_contact" in codes and emotion.code == "angry":
            return "supervisor"
        if reading.has("manager"):
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

    def _learn(self, reading: _Reading, earlier: Sequence[_Reading] = ()) -> _Reading:
        """The reading with the text model's probabilities attached (unchanged without a model)."""
        if self.model is None:
            return reading
        rows = self.model.text_rows(reading.norm.text, self.cue_features(reading, earlier))
        learned = _Learned(self.model, reading.norm.text, rows, self.model.probabilities(rows))
        return replace(reading, learned=learned)

    # --- the one entry point --------------------------------------------------------------

    def analyze(self, text: str, context: Sequence[ContextMessage] | None = None) -> Analysis:
        """Read category, emotion, risks, demands, escalation and facts from one message."""
        context = list(context or [])
        context_readings = [self._read(m.text) for m in context if m.role == "customer"]
        reading = self._learn(self._read(text), context_readings)
        facts = extract_facts(reading.norm, reading.products)
        category, secondary = self._categories(reading, facts, context_readings)
        risks = self._risks(reading, context_readings)
        emotion = self._emotion(reading, category, risks, context_readings)
        return Analysis(
            script=reading.norm.script,
            category=category,
            secondary=secondary,
            emotion=emotion,
            risks=risks,
            demands=self._demands(reading, category, emotion),
            escalation=self._escalation(reading, risks, emotion, facts, category),
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


# "快递员骂我神经病": an insult the buyer reports is not the buyer's abuse.
REPORTED_SPEECH = ("骂我", "说我", "叫我", "喊我", "骂人", "骂了我")


def _drop_quoted_threats(folded: str, hits: list[Hit]) -> list[Hit]:
    """A risk word inside quotation marks, or an insult the buyer reports, is reported speech
    ("客服说“有本事去投诉啊”", "快递员骂我神经病")."""
    quoted = quoted_spans(folded)

    def reported(hit: Hit) -> bool:
        if hit.cue.family != "risk":
            return False
        if any(a < hit.start and hit.end < b for a, b in quoted):
            return True
        before = folded[max(0, hit.start - 5) : hit.start]
        return hit.cue.code == "abuse" and any(marker in before for marker in REPORTED_SPEECH)

    return [hit for hit in hits if not reported(hit)]


def _drop_yielding(hits: list[Hit]) -> list[Hit]:
    """A generic cue gives way to a specific one ("去市场监管局投诉" is a regulator threat)."""
    present = {(hit.cue.family, hit.cue.code) for hit in hits}
    return [
        hit
        for hit in hits
        if not any((hit.cue.family, code) in present for code in hit.cue.yields_to)
    ]


def _clause_end(folded: str, position: int) -> int:
    for index in range(position, len(folded)):
        if folded[index] in CLAUSE_BREAKS and folded[index] != "?":
            return index + 1
    return len(folded)


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Where one label is chosen (category, emotion) the longest cue wins ("发错快递" is not
    also "发错") and of two overlapping cues the earlier keeps the shared characters ("色差太大了"
    is not "太大了"); a span may still carry two codes. Where several labels stand together
    (risks, demands) every code keeps its cues; only repeats of one code merge."""
    by_family: dict[str, list[Hit]] = defaultdict(list)
    for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
        by_family[hit.cue.family].append(hit)
    kept: list[Hit] = []
    for family, family_hits in by_family.items():
        single_label = family in SINGLE_LABEL_FAMILIES
        chosen: list[Hit] = []
        for hit in family_hits:
            if any(
                other.end >= hit.end
                if other.cue.code == hit.cue.code or not single_label
                else (other.start, other.end) != (hit.start, hit.end)
                for other in chosen
                if other.end > hit.start and (single_label or other.cue.code == hit.cue.code)
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
