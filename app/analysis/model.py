"""A small linear text model that learns how buyers phrase each label, beside the lexicons.

Features are character 1–3-grams of the folded text ("g:色差") plus the lexicon cues, markers
and word classes found in it ("c:category:size", "m:sarcasm", "k:courier"), so the model learns
both new phrasings and how much each cue is worth. Weights are trained by `scripts/train.py` on
`train/data/` (never on the evaluation set), stored sparse in `data/model.json`, and held as one
dense matrix at run time: scoring every head is one gather and one sum.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

NGRAM_SIZES = (1, 2, 3)
NGRAM_PREFIX = "g:"
SKIP_CHARS = frozenset(" \t\r\n")
_DIGIT_MASK = str.maketrans(dict.fromkeys("0123456789", "\0"))


def text_features(folded: str) -> list[str]:
    """Character n-gram features of the folded text.

    N-grams with digits are left out: numbers are the lexicons' and the fact extractor's
    business, and an order number must never look like "12315" to the model.
    """
    masked = folded.translate(_DIGIT_MASK)
    length = len(masked)
    return [
        NGRAM_PREFIX + gram
        for size in NGRAM_SIZES
        for start in range(length - size + 1)
        if "\0" not in (gram := masked[start : start + size])
        and not (size == 1 and gram in SKIP_CHARS)
    ]


@dataclass(frozen=True)
class LinearHead:
    """One label family: softmax over exclusive labels, or one sigmoid per label."""

    labels: tuple[str, ...]
    multilabel: bool

    def normalise(self, scores: list[float]) -> dict[str, float]:
        """Softmax (exclusive labels) or one sigmoid per label over raw scores."""
        if self.multilabel:
            return {
                label: 1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0)))
                for label, score in zip(self.labels, scores, strict=True)
            }
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}


class TextModel:
    """Every trained head as one dense matrix (a row per feature), with what it was trained on."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.trained_on = dict(document.get("trained_on", {}))
        self.heads: dict[str, LinearHead] = {}
        self.slices: dict[str, slice] = {}
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        biases: list[float] = []
        offset = 0
        vocabulary = self.vocabulary
        for name, head in document["heads"].items():
            labels = tuple(head["labels"])
            self.heads[name] = LinearHead(labels=labels, multilabel=bool(head["multilabel"]))
            self.slices[name] = slice(offset, offset + len(labels))
            bias = [float(b) for b in head["bias"]]
            if len(bias) != len(labels):
                raise ValueError(f"head {name}: {len(bias)} biases for {len(labels)} labels")
            biases += bias
            for feature, entries in head["weights"].items():
                row = vocabulary.setdefault(feature, len(vocabulary))
                for label, weight in entries:
                    if not 0 <= label < len(labels):
                        raise IndexError(f"head {name}: label index {label} out of range")
                    rows.append(row)
                    columns.append(offset + label)
                    values.append(weight)
            offset += len(labels)
        self.names = [""] * len(vocabulary)
        for feature, row in vocabulary.items():
            self.names[row] = feature
        self.matrix = np.zeros((len(vocabulary), offset), dtype=np.float64)
        self.matrix[rows, columns] = values
        self.bias = np.array(biases, dtype=np.float64)
        # N-gram rows keyed by the bare n-gram; digits and lone spaces never have a row.
        self._gram_rows = {
            feature[len(NGRAM_PREFIX) :]: row
            for feature, row in vocabulary.items()
            if feature.startswith(NGRAM_PREFIX)
        }

    def rows(self, features: list[str]) -> list[int]:
        """Matrix rows of the distinct known features (each counts once, as in training)."""
        return list({row for row in map(self.vocabulary.get, features) if row is not None})

    def text_rows(self, folded: str, features: list[str]) -> list[int]:
        """Rows of the folded text's n-grams and of further features, without building the
        n-gram feature strings (the hot path of every analysis)."""
        grams = self._gram_rows
        masked = folded.translate(_DIGIT_MASK)
        length = len(masked)
        found = {
            row
            for size in NGRAM_SIZES
            for start in range(length - size + 1)
            if (row := grams.get(masked[start : start + size])) is not None
        }
        found.update(row for row in map(self.vocabulary.get, features) if row is not None)
        return list(found)

    def probabilities(self, rows: list[int]) -> dict[str, dict[str, float]]:
        """Probabilities of every head's labels for these feature rows."""
        scores = self.bias + self.matrix[rows].sum(axis=0) if rows else self.bias
        return {
            name: head.normalise(scores[self.slices[name]].tolist())
            for name, head in self.heads.items()
        }

    def evidence(
        self, folded: str, rows: list[int], head: str, label: str, minimum: float
    ) -> list[tuple[int, int]]:
        """Folded spans of the n-grams that pushed hardest toward `label` (at most three)."""
        if not rows:
            return []
        column = self.slices[head].start + self.heads[head].labels.index(label)
        pushes = self.matrix[rows, column]
        spans: list[tuple[int, int]] = []
        for position in np.argsort(-pushes)[:6]:
            if pushes[position] < minimum or len(spans) == 3:
                break
            name = self.names[rows[position]]
            if name.startswith(NGRAM_PREFIX):
                gram = name[len(NGRAM_PREFIX) :]
                start = folded.find(gram)
                if start >= 0:
                    spans.append((start, start + len(gram)))
        return spans


class ModelError(ValueError):
    """The model file is missing or malformed; the message names the file."""


def load_model(path: Path) -> TextModel | None:
    """The trained model, or `None` when the file does not exist (lexicons alone then)."""
    if not path.exists():
        return None
    try:
        return TextModel(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ModelError(f"{path}: cannot load the text model: {exc}") from exc
