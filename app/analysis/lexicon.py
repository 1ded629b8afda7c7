"""Lexicons from the data files, compiled once into one Aho-Corasick automaton.

A pattern is Simplified lower-case text. `*` inside a pattern allows a short gap (up to
`gap_chars` characters, never across a clause break): "颜色*不一样" matches "颜色跟图片不一样".
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

from app.analysis.schemas import CATEGORY_CODES, DEMAND_CODES, EMOTION_CODES, RISK_CODES
from app.datafiles import read_yaml

DATA_DIR = Path(__file__).parent / "data"
FAMILY_CODES: dict[str, tuple[str, ...]] = {
    "category": CATEGORY_CODES,
    "emotion": EMOTION_CODES,
    "risk": RISK_CODES,
    "demand": DEMAND_CODES,
}
CLAUSE_BREAKS = "，。！？!?,.;；~～\n、…　 "


class LexiconError(ValueError):
    """A data file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Cue:
    """One pattern of one lexicon group."""

    family: str
    code: str
    weight: float
    pattern: str
    negatable: bool
    tail: re.Pattern[str] | None  # the rest of a gap pattern, checked after the first fragment
    yields_to: tuple[str, ...] = ()  # codes of the same family that make this cue not count
    # Starts or ends with a Latin letter or digit: such a cue matches whole words only.
    latin_edge: bool = field(init=False)
    # "label" for the label families, else "marker", "class" or "product".
    family_kind: str = field(init=False)

    def __post_init__(self) -> None:
        edge = _is_word_char(self.pattern[0]) or _is_word_char(self.pattern[-1])
        object.__setattr__(self, "latin_edge", edge)
        kind = "label" if self.family in FAMILY_CODES else self.family.split(":")[0]
        object.__setattr__(self, "family_kind", kind)


class Hit(NamedTuple):
    """A cue found in the folded text, `[start, end)` in folded offsets (a tuple: a message
    makes a dozen, and a frozen dataclass costs four times as much to build)."""

    cue: Cue
    start: int
    end: int


@dataclass
class Modifiers:
    """Words that change how cues count: negation, contrast, intensity, sarcasm."""

    negators: frozenset[str]
    negation_exceptions: tuple[str, ...]
    scope_breakers: frozenset[str]
    negation_window: int
    contrast_markers: tuple[str, ...]
    intensifiers: dict[str, float]
    sarcasm_markers: tuple[str, ...]
    question_markers: tuple[str, ...]
    manager_requests: tuple[str, ...]
    resolved_markers: tuple[str, ...]
    rhetorical_markers: tuple[str, ...]
    politeness_markers: tuple[str, ...]
    thanks_markers: tuple[str, ...]
    unresolved_markers: tuple[str, ...]

    def marker_lists(self) -> dict[str, dict[str, float]]:
        """Marker lists found by the automaton, each word with its weight."""
        lists = {
            "contrast": self.contrast_markers,
            "sarcasm": self.sarcasm_markers,
            "question": self.question_markers,
            "manager": self.manager_requests,
            "resolved": self.resolved_markers,
            "politeness": self.politeness_markers,
            "thanks": self.thanks_markers,
            "unresolved": self.unresolved_markers,
        }
        marker_words = {name: dict.fromkeys(words, 1.0) for name, words in lists.items()}
        marker_words["intensifier"] = dict(self.intensifiers)
        return marker_words

    @cached_property
    def negator_initials(self) -> frozenset[str]:
        """First characters of the negators: a clause without one needs no segmenting."""
        return frozenset(word[0] for word in self.negators)


@dataclass(frozen=True)
class Combination:
    """A category shown by words of several classes together ("顺丰" + "怎么发了")."""

    category: str
    weight: float
    requires: tuple[str, ...]
    reason: str


@dataclass
class Lexicon:
    """Every cue and modifier, with the automaton that finds them in one pass."""

    automaton: Any
    modifiers: Modifiers
    labels: dict[str, dict[str, str]]
    weights: dict[str, Any]
    combinations: list[Combination] = field(default_factory=list)
    regex_cues: list[tuple[re.Pattern[str], Cue]] = field(default_factory=list)
    cue_count: int = 0
    files: list[Path] = field(default_factory=list)

    def find(self, text: str) -> Iterator[Hit]:
        """Every cue occurrence in folded `text` (overlaps included)."""
        for end_index, cues in self.automaton.iter(text):
            for cue, fragment_len in cues:
                start = end_index - fragment_len + 1
                end = end_index + 1
                if cue.latin_edge and not _on_word_edges(text, start, end):
                    continue
                if cue.tail is not None:
                    tail_match = cue.tail.match(text, end)
                    if tail_match is None:
                        continue
                    end = tail_match.end()
                yield Hit(cue=cue, start=start, end=end)
        for pattern, cue in self.regex_cues:
            for match in pattern.finditer(text):
                yield Hit(cue=cue, start=match.start(), end=match.end())


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _on_word_edges(text: str, start: int, end: int) -> bool:
    """Latin letters and digits match whole words only: "sb" not in "usb", "110" not in "1100"."""
    if _is_word_char(text[start]) and start > 0 and _is_word_char(text[start - 1]):
        return False
    return not (_is_word_char(text[end - 1]) and end < len(text) and _is_word_char(text[end]))


def _read_yaml(path: Path) -> Any:
    return read_yaml(path, LexiconError)


def compile_pattern(pattern: str, gap_chars: int) -> tuple[str, re.Pattern[str] | None]:
    """The first literal fragment of a pattern (for the automaton) and a regex for the rest."""
    fragments = pattern.split("*")
    if any(not fragment for fragment in fragments):
        raise LexiconError(f"pattern {pattern!r} has an empty fragment")
    if len(fragments) == 1:
        return pattern, None
    gap = f"[^{re.escape(CLAUSE_BREAKS)}]{{0,{gap_chars}}}?"
    tail = "".join(gap + re.escape(fragment) for fragment in fragments[1:])
    return fragments[0], re.compile(tail)


def _load_cue_file(
    path: Path, family: str, gap_chars: int
) -> tuple[list[tuple[str, Cue]], list[tuple[re.Pattern[str], Cue]]]:
    document = _read_yaml(path)
    if not isinstance(document, dict):
        raise LexiconError(f"{path}: expected a mapping of code to groups")
    known = FAMILY_CODES[family]
    compiled: list[tuple[str, Cue]] = []
    regexes: list[tuple[re.Pattern[str], Cue]] = []
    for code, groups in document.items():
        if code not in known:
            raise LexiconError(f"{path}: unknown {family} code {code!r}")
        if not isinstance(groups, list):
            raise LexiconError(f"{path}: {code}: expected a list of groups")
        for number, group in enumerate(groups, start=1):
            where = f"{path}: {code} group {number}"
            if not isinstance(group, dict) or not group.get("reason"):
                raise LexiconError(f"{where}: every group needs a `reason`")
            patterns = group.get("patterns")
            if not isinstance(patterns, list) or not patterns:
                raise LexiconError(f"{where}: `patterns` must be a non-empty list")
            weight = float(group.get("weight", 1.0))
            negatable = bool(group.get("negatable", True))
            yields_to = tuple(str(code) for code in group.get("yields_to") or ())
            if any(code not in known for code in yields_to):
                raise LexiconError(f"{where}: unknown code in `yields_to` {yields_to}")
            if group.get("regex"):
                # Few and small: counts and units ("少了四颗") that a word list cannot spell out.
                for raw in patterns:
                    try:
                        regex = re.compile(str(raw))
                    except re.error as exc:
                        raise LexiconError(f"{where}: bad regex {raw!r}: {exc}") from exc
                    cue = Cue(family, code, weight, str(raw), negatable, None, yields_to)
                    regexes.append((regex, cue))
                continue
            for raw in patterns:
                pattern = str(raw).lower()
                try:
                    key, tail = compile_pattern(pattern, gap_chars)
                except LexiconError as exc:
                    raise LexiconError(f"{where}: {exc}") from exc
                cue = Cue(family, code, weight, pattern, negatable, tail, yields_to)
                compiled.append((key, cue))
    return compiled, regexes


def _string_tuple(document: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    entry = document.get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("words"), list):
        raise LexiconError(f"{path}: `{key}` needs `reason` and a `words` list")
    if not entry.get("reason"):
        raise LexiconError(f"{path}: `{key}` needs a `reason`")
    return tuple(str(word).lower() for word in entry["words"])


def _load_modifiers(path: Path) -> Modifiers:
    document = _read_yaml(path)
    if not isinstance(document, dict):
        raise LexiconError(f"{path}: expected a mapping")
    intensifier_entry = document.get("intensifiers")
    if not isinstance(intensifier_entry, dict) or not isinstance(
        intensifier_entry.get("words"), dict
    ):
        raise LexiconError(f"{path}: `intensifiers` needs `reason` and a `words` mapping")
    return Modifiers(
        negators=frozenset(_string_tuple(document, "negators", path)),
        negation_exceptions=_string_tuple(document, "negation_exceptions", path),
        scope_breakers=frozenset(_string_tuple(document, "scope_breakers", path)),
        negation_window=int(document.get("negation_window", 4)),
        contrast_markers=_string_tuple(document, "contrast_markers", path),
        intensifiers={str(k): float(v) for k, v in intensifier_entry["words"].items()},
        sarcasm_markers=_string_tuple(document, "sarcasm_markers", path),
        question_markers=_string_tuple(document, "question_markers", path),
        manager_requests=_string_tuple(document, "manager_requests", path),
        resolved_markers=_string_tuple(document, "resolved_markers", path),
        rhetorical_markers=_string_tuple(document, "rhetorical_markers", path),
        politeness_markers=_string_tuple(document, "politeness_markers", path),
        thanks_markers=_string_tuple(document, "thanks_markers", path),
        unresolved_markers=_string_tuple(document, "unresolved_markers", path),
    )


def _load_labels(path: Path) -> dict[str, dict[str, str]]:
    document = _read_yaml(path)
    labels: dict[str, dict[str, str]] = {}
    for family, codes in FAMILY_CODES.items():
        table = document.get(family) if isinstance(document, dict) else None
        if not isinstance(table, dict):
            raise LexiconError(f"{path}: missing the `{family}` table")
        missing = [code for code in codes if code not in table]
        if missing:
            raise LexiconError(f"{path}: `{family}` has no label for {missing}")
        labels[family] = {str(k): str(v) for k, v in table.items()}
    return labels


def read_word_list(path: Path) -> list[str]:
    """Words of a jieba-style dictionary file (first column), comments and blanks skipped."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0].lower())
    return words


def _load_combinations(path: Path) -> tuple[dict[str, list[str]], list[Combination]]:
    document = _read_yaml(path)
    if not isinstance(document, dict):
        raise LexiconError(f"{path}: expected `word_classes` and `combinations`")
    classes: dict[str, list[str]] = {}
    for name, entry in (document.get("word_classes") or {}).items():
        if not isinstance(entry, dict) or not entry.get("reason"):
            raise LexiconError(f"{path}: word class {name!r} needs a `reason`")
        words = entry.get("words")
        if not isinstance(words, list) or not words:
            raise LexiconError(f"{path}: word class {name!r} needs a non-empty `words` list")
        classes[str(name)] = [str(word).lower() for word in words]
    combinations = []
    for number, entry in enumerate(document.get("combinations") or [], start=1):
        where = f"{path}: combination {number}"
        if not isinstance(entry, dict) or not entry.get("reason"):
            raise LexiconError(f"{where}: needs a `reason`")
        category = str(entry.get("category"))
        if category not in FAMILY_CODES["category"]:
            raise LexiconError(f"{where}: unknown category {category!r}")
        requires = tuple(str(name) for name in entry.get("requires") or [])
        unknown = [name for name in requires if name not in classes]
        if len(requires) < 2 or unknown:
            raise LexiconError(f"{where}: `requires` needs two or more known classes {unknown}")
        combinations.append(
            Combination(category, float(entry.get("weight", 2.0)), requires, str(entry["reason"]))
        )
    return classes, combinations


def _add(automaton: Any, key: str, cue: Cue) -> None:
    automaton.add_word(key, [*automaton.get(key, []), (cue, len(key))])


def load_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    """Read and validate every data file and build the automaton."""
    weights = _read_yaml(data_dir / "weights.yaml")
    if not isinstance(weights, dict):
        raise LexiconError(f"{data_dir / 'weights.yaml'}: expected a mapping")
    gap_chars = int(weights.get("gap_chars", 6))
    automaton = ahocorasick.Automaton()
    files = []
    count = 0
    regex_cues: list[tuple[re.Pattern[str], Cue]] = []
    for family, filename in (
        ("category", "categories.yaml"),
        ("emotion", "emotions.yaml"),
        ("risk", "risks.yaml"),
        ("demand", "demands.yaml"),
    ):
        path = data_dir / filename
        files.append(path)
        literal_cues, family_regexes = _load_cue_file(path, family, gap_chars)
        for key, cue in literal_cues:
            _add(automaton, key, cue)
        regex_cues += family_regexes
        count += len(literal_cues) + len(family_regexes)
    # Product words, markers and word classes ride on the same automaton: one pass finds all.
    products = frozenset(read_word_list(data_dir / "products.dict"))
    for word in products:
        _add(automaton, word, Cue("product", "product", 0.0, word, False, None))
    modifiers = _load_modifiers(data_dir / "modifiers.yaml")
    for name, words in modifiers.marker_lists().items():
        for word, weight in words.items():
            _add(automaton, word, Cue(f"marker:{name}", name, weight, word, False, None))
    classes, combinations = _load_combinations(data_dir / "combinations.yaml")
    for name, class_words in classes.items():
        for word in class_words:
            _add(automaton, word, Cue(f"class:{name}", name, 1.0, word, False, None))
    automaton.make_automaton()
    files += [data_dir / "modifiers.yaml", data_dir / "combinations.yaml"]
    return Lexicon(
        automaton=automaton,
        modifiers=modifiers,
        labels=_load_labels(data_dir / "labels.yaml"),
        weights=weights,
        combinations=combinations,
        regex_cues=regex_cues,
        cue_count=count,
        files=files,
    )
