"""The phrasebook: one YAML file per stage under phrasebook/, validated at start-up."""

import re
import string
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from app.analysis.schemas import CATEGORY_CODES, DEMAND_CODES, EMOTION_CODES, RISK_CODES
from app.datafiles import read_yaml
from app.drafting.schemas import VARIABLES, Phrase, Stage

PHRASEBOOK_DIR = Path(__file__).resolve().parents[2] / "phrasebook"
NOT_PHRASE_FILES = frozenset({"shop_policy.yaml"})
_KNOWN = {
    "categories": frozenset(CATEGORY_CODES),
    "emotions": frozenset(EMOTION_CODES),
    "demands": frozenset(DEMAND_CODES),
    "risks": frozenset(RISK_CODES),
    "escalation": frozenset({"none", "supervisor", "crisis"}),
}


class PhrasebookError(ValueError):
    """A phrase file is malformed; the message names the file and the entry."""


def variables_of(text: str) -> set[str]:
    """The `{name}` variables a phrase uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@dataclass
class Phrasebook:
    """Every phrase, by stage and by id."""

    phrases: list[Phrase]
    by_stage: dict[Stage, list[Phrase]] = field(default_factory=dict)
    by_id: dict[str, Phrase] = field(default_factory=dict)
    variables: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[Stage, list[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            grouped[phrase.stage].append(phrase)
            self.by_id[phrase.id] = phrase
            self.variables[phrase.id] = frozenset(variables_of(phrase.text))
        self.by_stage = dict(grouped)

    def with_shop_phrases(self, extra: list[Phrase]) -> "Phrasebook":
        """This phrasebook plus a shop's own saved phrases (they compete with the built-in ones)."""
        return Phrasebook([*self.phrases, *extra])


def check_phrase(phrase: Phrase) -> list[str]:
    """Problems of one phrase beyond its schema: unknown variables and codes."""
    problems = []
    unknown = variables_of(phrase.text) - VARIABLES
    if unknown:
        problems.append(f"unknown variables {sorted(unknown)} (known: {sorted(VARIABLES)})")
    if re.search(r"\{[^{}]*$|^[^{}]*\}", phrase.text):
        problems.append("unbalanced braces")
    for key, known in _KNOWN.items():
        values = getattr(phrase.when, key)
        bad = sorted(set(values or ()) - known)
        if bad:
            problems.append(f"unknown {key} {bad}")
    if phrase.when.intensity is not None:
        low, high = phrase.when.intensity
        if not 0 <= low <= high <= 3:
            problems.append(f"intensity range {list(phrase.when.intensity)} is not within 0..3")
    return problems


def load_phrasebook(directory: Path = PHRASEBOOK_DIR) -> Phrasebook:
    """Read every phrase file; refuse to start on the first malformed entry, naming it."""
    phrases: list[Phrase] = []
    seen: dict[str, Path] = {}
    files = sorted(p for p in directory.glob("*.yaml") if p.name not in NOT_PHRASE_FILES)
    if not files:
        raise PhrasebookError(f"{directory}: no phrase files (*.yaml)")
    for path in files:
        entries = read_yaml(path, PhrasebookError)
        if not isinstance(entries, list):
            raise PhrasebookError(f"{path}: expected a list of phrases")
        for number, entry in enumerate(entries, start=1):
            where = f"{path.name} entry {number}"
            if isinstance(entry, dict) and "id" in entry:
                where += f" ({entry['id']})"
            try:
                phrase = Phrase.model_validate(entry)
            except ValidationError as exc:
                first = exc.errors()[0]
                location = ".".join(str(part) for part in first["loc"])
                raise PhrasebookError(f"{where}: {location}: {first['msg']}") from exc
            if phrase.stage != path.stem:
                raise PhrasebookError(f"{where}: stage {phrase.stage!r} in file {path.name}")
            problems = check_phrase(phrase)
            if problems:
                raise PhrasebookError(f"{where}: {'; '.join(problems)}")
            if phrase.id in seen:
                raise PhrasebookError(f"{where}: id {phrase.id} also in {seen[phrase.id].name}")
            seen[phrase.id] = path
            phrases.append(phrase)
    return Phrasebook(phrases)
