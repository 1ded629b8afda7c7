"""Fold a message into one searchable form and map every folded character back to the original.

Folding: NFKC (full-width to half-width, compatibility forms), lower case, Traditional to
Simplified. Lexicons are written once, in Simplified lower case; evidence offsets always point
into the text as sent.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.analysis.schemas import EvidenceSpan, Script


class ScriptConverter:
    """Traditional↔Simplified conversion through OpenCC, built once."""

    def __init__(self) -> None:
        import opencc

        self._t2s = opencc.OpenCC("t2s")
        self._s2t = opencc.OpenCC("s2t")

    def to_simplified(self, text: str) -> str:
        """Simplified form of `text`, the same length character for character."""
        converted: str = self._t2s.convert(text)
        if len(converted) == len(text):
            return converted
        # A phrase rule changed the length: fall back to character rules to keep offsets aligned.
        out = []
        for char in text:
            single: str = self._t2s.convert(char)
            out.append(single if len(single) == 1 else char)
        return "".join(out)

    def to_traditional(self, text: str) -> str:
        """Traditional form of `text` (used to count Simplified-only characters)."""
        converted: str = self._s2t.convert(text)
        return converted


@dataclass(frozen=True)
class NormalizedText:
    """The folded text and, for each of its characters, the index of the original character."""

    source: str
    text: str
    origin: Sequence[int]
    script: Script

    def span(self, start: int, end: int) -> EvidenceSpan:
        """Evidence span in the original text for folded characters `[start, end)`."""
        if end <= start or start >= len(self.origin):
            raise ValueError(f"empty or out-of-range folded span {start}:{end}")
        first = self.origin[start]
        last = self.origin[min(end, len(self.origin)) - 1] + 1
        return EvidenceSpan(start=first, end=last, text=self.source[first:last])


# Code points whose compatibility form or lower case differs: the BMP plus the supplementary
# blocks buyers' keyboards produce (math letters, enclosed alphanumerics, CJK compatibility).
_FOLDED_RANGES = (
    range(0x10000),
    range(0x1D400, 0x1D800),
    range(0x1F100, 0x1F200),
    range(0x2F800, 0x2FA20),
)


@lru_cache(maxsize=1)
def _fold_table() -> tuple[dict[int, str], frozenset[str]]:
    """Per-character fold (NFKC, then lower case) and the characters that fold to ≠ 1 char.

    Folding character by character (not NFKC over the whole string) never composes two
    characters into one, so offsets stay exact; built once in about 30 ms.
    """
    table: dict[int, str] = {}
    expanding: set[str] = set()
    for block in _FOLDED_RANGES:
        for code_point in block:
            if 0xD800 <= code_point <= 0xDFFF:
                continue
            char = chr(code_point)
            folded = unicodedata.normalize("NFKC", char).lower()
            if folded != char:
                table[code_point] = folded
                if len(folded) != 1:
                    expanding.add(char)
    return table, frozenset(expanding)


def detect_script(folded: str, simplified: str, converter: ScriptConverter) -> Script:
    """`traditional` when the text has more Traditional-only than Simplified-only characters."""
    traditional_only = sum(1 for a, b in zip(folded, simplified, strict=True) if a != b)
    if traditional_only == 0:
        return "simplified"
    as_traditional = converter.to_traditional(folded)
    if len(as_traditional) == len(folded):
        simplified_only = sum(1 for a, b in zip(folded, as_traditional, strict=True) if a != b)
    else:
        simplified_only = 0
    return "traditional" if traditional_only > simplified_only else "simplified"


def normalize(text: str, converter: ScriptConverter) -> NormalizedText:
    """Fold `text` for matching, keeping the map back to original offsets."""
    table, expanding = _fold_table()
    folded_text = text.translate(table)
    origin: Sequence[int]
    if len(folded_text) == len(text) and expanding.isdisjoint(text):
        origin = range(len(text))
    else:
        positions: list[int] = []
        for index, char in enumerate(text):
            positions.extend([index] * len(table.get(ord(char), char)))
        origin = positions
    simplified = converter.to_simplified(folded_text)
    script = detect_script(folded_text, simplified, converter)
    return NormalizedText(source=text, text=simplified, origin=tuple(origin), script=script)


QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"'}
# An opening mark up to the first closing one: one regex pass instead of a loop over characters.
_QUOTATION = re.compile(
    "|".join(f"{re.escape(o)}[^{re.escape(c)}]*{re.escape(c)}" for o, c in QUOTE_PAIRS.items())
)


def quoted_spans(folded: str) -> list[tuple[int, int]]:
    """`[open, close + 1)` of every quotation in the text: reported speech, not the writer's own."""
    return [match.span() for match in _QUOTATION.finditer(folded)]
