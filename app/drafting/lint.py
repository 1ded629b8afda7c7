"""Checks every phrase: schema, variables, its cited source passage, and the guard."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.analysis.normalize import ScriptConverter
from app.drafting.phrasebook import Phrasebook
from app.drafting.render import fill
from app.guard.schemas import CheckResult

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PINYIN_GLOSS = re.compile(r"\([a-zA-Züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ\s]*\)")


@dataclass(frozen=True)
class LintProblem:
    """One problem of one phrase."""

    phrase_id: str
    problem: str


def comparable(text: str, converter: ScriptConverter) -> str:
    """Text reduced for quote matching: Simplified, no pinyin glosses, letters and digits only."""
    simplified = converter.to_simplified(PINYIN_GLOSS.sub("", text))
    return "".join(ch for ch in unicodedata.normalize("NFKC", simplified) if ch.isalnum()).lower()


def load_seeds(seeds_dir: Path, converter: ScriptConverter) -> dict[str, str]:
    """Each seed document by its number ("000"), reduced for matching."""
    seeds = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        seeds[path.name[:3]] = comparable(path.read_text(encoding="utf-8"), converter)
    return seeds


def sample_values(policy_values: dict[str, str]) -> dict[str, str]:
    """Variable values for reading a phrase as a whole reply: the shop policy's, plus a
    customer, an order and a product."""
    return {**policy_values, "customer": "亲", "order_id": "1234567890", "product": "衣服"}


def sendable_phrases(phrasebook: Phrasebook, values: dict[str, str]) -> dict[str, str]:
    """Every phrase an agent may send, filled in, by id (hand-off notes are for the agent only
    and the guard does not read them)."""
    return {p.id: fill(p.text, values) for p in phrasebook.phrases if p.stage != "handoff"}


def lint_phrasebook(
    phrasebook: Phrasebook,
    *,
    seeds: dict[str, str],
    converter: ScriptConverter,
    values: dict[str, str],
    check: Callable[[str], CheckResult],
    suggested_ids: set[str],
) -> list[LintProblem]:
    """Every problem found; an empty list means the phrasebook is fit to ship."""
    problems = []
    for phrase in phrasebook.phrases:
        seed = seeds.get(phrase.source.doc)
        quote = comparable(phrase.source.quote, converter)
        if seed is None:
            problems.append(LintProblem(phrase.id, f"seed {phrase.source.doc} not found"))
        elif len(quote) < 4 or quote not in seed:
            problems.append(
                LintProblem(
                    phrase.id, f"quote not in seed {phrase.source.doc}: {phrase.source.quote!r}"
                )
            )
    for phrase_id, text in sendable_phrases(phrasebook, values).items():
        for finding in check(text).findings:
            problems.append(
                LintProblem(phrase_id, f"guard: {finding.code} at {finding.span.text!r}")
            )
    for phrase_id in sorted(suggested_ids - set(phrasebook.by_id)):
        problems.append(
            LintProblem(phrase_id, "named as a guard suggestion but not in the phrasebook")
        )
    return problems
