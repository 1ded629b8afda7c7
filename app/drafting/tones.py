"""Rule-based rewriting of an agent's reply in a tone: the fallback of `POST /v1/rewrite`."""

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from app.datafiles import read_yaml
from app.drafting.phrasebook import Phrasebook
from app.drafting.render import drop_leading_address, fill
from app.drafting.schemas import Tone

DATA_PATH = Path(__file__).parent / "data" / "tones.yaml"
CLAUSE = re.compile(r"[^，,。！？!?；;\n]+[，,。！？!?；;\n]*")
SENTENCE_ENDS = "。！？!?；;\n"


class TonesError(ValueError):
    """The tone file is malformed."""


class Replacement(BaseModel):
    """A pattern, what replaces it, and why."""

    pattern: re.Pattern[str]
    replacement: str
    reason: str


class ToneRules(BaseModel):
    """The rules of one tone; every part is optional."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    replace: list[Replacement] = Field(default_factory=list)
    filler: list[Replacement] = Field(default_factory=list)
    opening: str | None = None
    greetings: list[str] = Field(default_factory=list)
    warm_words: list[str] = Field(default_factory=list)
    concrete_words: list[str] = Field(default_factory=list)
    pleasantries: list[str] = Field(default_factory=list)
    empathy_phrases: list[str] = Field(default_factory=list)
    extra_apology: str | None = None


def load_tones(path: Path = DATA_PATH) -> dict[Tone, ToneRules]:
    """Every tone's rules; a malformed file stops start-up."""
    document = read_yaml(path, TonesError)
    tones: dict[Tone, ToneRules] = {}
    for tone in ("softer", "shorter", "more_formal", "more_apologetic"):
        raw = dict(document.get(tone) or {})
        for key in ("replace", "filler"):
            raw[key] = [
                Replacement(pattern=re.compile(p), replacement=r, reason=why)
                for p, r, why in raw.get(key, [])
            ]
        tones[tone] = ToneRules.model_validate(raw)
    return tones


def rewrite_by_rules(
    text: str,
    tone: Tone,
    rules: ToneRules,
    phrasebook: Phrasebook,
    values: Mapping[str, str],
) -> str:
    """`text` in the tone, by the rules; the meaning and every concrete promise are kept."""
    result = text.strip()
    for rule in rules.replace:
        result = rule.pattern.sub(rule.replacement, result)
    if tone == "shorter":
        result = _shorter(result, rules)
    if rules.empathy_phrases and not any(word in result for word in rules.warm_words):
        empathy = _empathy(phrasebook, rules, values, seed=text)
        if _has_greeting(result, rules.greetings):
            empathy = drop_leading_address(empathy, values.get("customer", ""))
        result = _after_greeting(result, empathy, rules.greetings)
    elif rules.extra_apology and rules.extra_apology not in result:
        result = _after_greeting(result, rules.extra_apology, rules.greetings)
    if rules.opening and not result.startswith(tuple(rules.greetings)):
        result = rules.opening + result
    return result


def _shorter(text: str, rules: ToneRules) -> str:
    """Without the greeting, fillers, repeats, pleasantries and all but the first apology.

    A sentence is only dropped when it holds no concrete word: whatever the agent asks for or
    promises stays.
    """
    text = text[_greeting_end(text, rules.greetings) :]
    for rule in rules.filler:
        text = rule.pattern.sub(rule.replacement, text)
    kept: list[str] = []
    warm_kept = False
    for match in CLAUSE.finditer(text):
        clause = match.group().strip()
        if not clause or clause in kept:
            continue
        concrete = any(word in clause for word in rules.concrete_words)
        warm = any(word in clause for word in rules.warm_words)
        pleasantry = any(word in clause for word in rules.pleasantries)
        if concrete or not (warm or pleasantry) or (warm and not warm_kept):
            warm_kept = warm_kept or warm
            kept.append(clause)
        elif clause[-1] in SENTENCE_ENDS and kept and kept[-1][-1] in "，,":
            kept[-1] = kept[-1][:-1] + clause[-1]  # the dropped clause ended the sentence
    return "".join(kept) if kept else text


def _empathy(phrasebook: Phrasebook, rules: ToneRules, values: Mapping[str, str], seed: str) -> str:
    """A fitting empathy phrase, the same one for the same text (agents can ask again)."""
    candidates = [
        phrasebook.by_id[phrase_id]
        for phrase_id in rules.empathy_phrases
        if phrasebook.variables.get(phrase_id, frozenset()) <= values.keys()
    ]
    if not candidates:
        return ""
    index = int(hashlib.sha1(seed.encode()).hexdigest(), 16) % len(candidates)
    return fill(candidates[index].text, values)


def _greeting_end(text: str, greetings: list[str]) -> int:
    """Where an opening greeting ("亲，", "您好！") ends, or 0."""
    if not greetings:
        return 0
    match = re.match(
        rf"^(?:{'|'.join(map(re.escape, greetings))})[^，,。！!]{{0,6}}[，,。！!]", text
    )
    return match.end() if match else 0


def _has_greeting(text: str, greetings: list[str]) -> bool:
    return _greeting_end(text, greetings) > 0


def _after_greeting(text: str, addition: str, greetings: list[str]) -> str:
    """`addition` placed after an opening greeting, else at the very start."""
    end = _greeting_end(text, greetings)
    return text[:end] + addition + text[end:] if addition else text
