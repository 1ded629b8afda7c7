"""The guard's rules from data/pitfalls.yaml, compiled into one Aho-Corasick automaton."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from app.analysis.lexicon import LexiconError, compile_pattern
from app.datafiles import read_yaml
from app.guard.schemas import PITFALL_CODES, Severity

DATA_PATH = Path(__file__).parent / "data" / "pitfalls.yaml"
# Word lists of a pitfall that are not triggers: where harmless wording or context lives.
# `disclaimer`: words that turn a pitfall's leading questions into diagnostic ones.
COMPENSATION_TIERS = ("same_city", "other_province", "high_value")
CONTEXT_KINDS = ("harmless", "canned", "warm", "concrete", "disclaimer")


Hit = tuple[str, str, int, int]  # (kind, pitfall code, start, end) in the folded reply


class GuardRulesError(ValueError):
    """The pitfall file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Pitfall:
    """One pitfall: how it shows, what excuses it, and what to say instead."""

    code: str
    label: str
    severity: Severity
    reason: str
    suggest: tuple[str, ...]
    advice: str = ""
    unless_reply_has: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class GuardRules:
    """Every pitfall and the automaton that finds triggers and context words in one pass."""

    pitfalls: dict[str, Pitfall]
    automaton: Any
    compensation_words: tuple[str, ...]
    agreed_markers: tuple[str, ...]
    explained_markers: tuple[str, ...]
    declined_markers: tuple[str, ...] = ()
    refusal_words: tuple[str, ...] = ()
    # Words just before an amount: a coupon's threshold or a price compared ("满199元", "贵200元")
    # is not money given, while "补60"/"赔您100" is, with or without a compensation word near it.
    price_marks: tuple[str, ...] = ()
    paid_marks: tuple[str, ...] = ()
    price_difference_marks: tuple[str, ...] = ()
    # Words that make a named amount an offer when the customer's message is not known.
    offer_words: tuple[str, ...] = ()
    # Words that name a compensation tier of the shop policy ("同城", "外省"): its cap applies.
    tier_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model_thresholds: dict[str, float] = field(default_factory=dict)

    regexes: list[tuple[str, str, re.Pattern[str]]] = field(default_factory=list)

    def scan(self, folded: str) -> list[Hit]:
        """(kind, code, start, end) of every trigger and context word in the folded reply."""
        found = []
        for end_index, entries in self.automaton.iter(folded):
            for kind, code, length, tail in entries:
                start, end = end_index - length + 1, end_index + 1
                if tail is not None:
                    match = tail.match(folded, end)
                    if match is None:
                        continue
                    end = match.end()
                found.append((kind, code, start, end))
        for kind, code, pattern in self.regexes:
            found.extend((kind, code, *m.span()) for m in pattern.finditer(folded))
        return found


def _words(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise GuardRulesError(f"{where}: `{key}` must be a list of words")
    return tuple(str(v).lower() for v in value)


def _tier_words(entry: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(entry, dict):
        raise GuardRulesError(f"{where}: must map a compensation tier to words")
    unknown = set(entry) - {"reason", *COMPENSATION_TIERS}
    if unknown:
        raise GuardRulesError(
            f"{where}: unknown tier {sorted(unknown)}; known: {COMPENSATION_TIERS}"
        )
    return {tier: _words(entry, tier, where) for tier in COMPENSATION_TIERS if tier in entry}


def load_guard_rules(path: Path = DATA_PATH) -> GuardRules:
    """Read and validate the pitfalls and build the automaton."""
    document = read_yaml(path, GuardRulesError)
    if not isinstance(document, dict):
        raise GuardRulesError(f"{path}: expected a mapping of pitfall codes")
    missing = [code for code in PITFALL_CODES if code not in document]
    if missing:
        raise GuardRulesError(f"{path}: no entry for {missing}")
    automaton = ahocorasick.Automaton()

    def add(word: str, kind: str, code: str) -> None:
        try:
            key, tail = compile_pattern(word, gap_chars=8)
        except LexiconError as exc:
            raise GuardRulesError(f"{path}: {code}: {exc}") from exc
        entries = automaton.get(key, [])
        automaton.add_word(key, [*entries, (kind, code, len(key), tail)])

    regexes: list[tuple[str, str, re.Pattern[str]]] = []

    pitfalls = {}
    for code in PITFALL_CODES:
        entry = document[code]
        where = f"{path}: {code}"
        if not isinstance(entry, dict) or not entry.get("label") or not entry.get("reason"):
            raise GuardRulesError(f"{where}: needs `label` and `reason`")
        severity = entry.get("severity")
        if severity not in ("high", "medium", "low"):
            raise GuardRulesError(f"{where}: severity must be high, medium or low")
        for word in _words(entry, "triggers", where):
            add(word, "trigger", code)
        for word in _words(entry, "questions", where):
            add(word, "question", code)
        for raw in _words(entry, "trigger_patterns", where):
            try:
                regexes.append(("trigger", code, re.compile(raw)))
            except re.error as exc:
                raise GuardRulesError(f"{where}: bad trigger pattern {raw!r}: {exc}") from exc
        for kind in CONTEXT_KINDS:
            for word in _words(entry, kind, where):
                add(word, kind, code)
        unless = entry.get("unless_reply_has") or {}
        if not isinstance(unless, dict):
            raise GuardRulesError(f"{where}: `unless_reply_has` must map a name to words")
        for name in unless:
            for word in _words(unless, name, f"{where}.unless_reply_has"):
                add(word, f"unless:{name}", code)
        pitfalls[code] = Pitfall(
            code=code,
            label=str(entry["label"]),
            severity=severity,
            reason=str(entry["reason"]),
            suggest=_words(entry, "suggest", where),
            advice=str(entry.get("advice", "")),
            unless_reply_has={name: _words(unless, name, where) for name in unless},
        )
    compensation = document.get("compensation_words", {})
    agreed = document.get("agreed_markers", {})
    automaton.make_automaton()
    return GuardRules(
        pitfalls=pitfalls,
        automaton=automaton,
        compensation_words=_words(compensation, "words", f"{path}: compensation_words"),
        agreed_markers=_words(agreed, "words", f"{path}: agreed_markers"),
        explained_markers=_words(
            document.get("explained_markers", {}), "words", f"{path}: explained_markers"
        ),
        refusal_words=_words(document.get("refusal_words", {}), "words", f"{path}: refusal_words"),
        declined_markers=_words(
            document.get("declined_markers", {}), "words", f"{path}: declined_markers"
        ),
        price_marks=_words(document.get("price_marks", {}), "words", f"{path}: price_marks"),
        paid_marks=_words(document.get("paid_marks", {}), "words", f"{path}: paid_marks"),
        price_difference_marks=_words(
            document.get("price_difference_marks", {}), "words", f"{path}: price_difference_marks"
        ),
        offer_words=_words(document.get("offer_words", {}), "words", f"{path}: offer_words"),
        tier_words=_tier_words(document.get("tier_words", {}), f"{path}: tier_words"),
        regexes=regexes,
        model_thresholds={
            str(k): float(v) for k, v in (document.get("model_thresholds") or {}).items()
        }
        or {"veto_below": 0.1, "add_from": 0.6},
    )
