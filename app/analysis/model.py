"""A small linear text model that learns how buyers phrase each label, beside the lexicons.

Features are character 1–3-grams of the folded text plus the lexicon cues, markers and word
classes found in it, so the model learns both new phrasings and how much each cue is worth.
Weights are trained by `scripts/train.py` on `train/data/` (never on the evaluation set) and
stored sparse in `data/model.json`; scoring is a few hundred dictionary look-ups.
"""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

NGRAM_SIZES = (1, 2, 3)
SKIP_CHARS = frozenset(" \t\r\n")


class Feature(NamedTuple):
    """A feature and the folded span it covers (`None` for cue features)."""

    name: str
    span: tuple[int, int] | None


def text_features(folded: str) -> list[Feature]:
    """Character n-grams of the folded text, each with its span."""
    length = len(folded)
    return [
        Feature("g:" + folded[start : start + size], (start, start + size))
        for size in NGRAM_SIZES
        for start in range(length - size + 1)
        if not (size == 1 and folded[start] in SKIP_CHARS)
    ]


@dataclass(frozen=True)
class LinearHead:
    """One label family: softmax over exclusive labels, or one sigmoid per label."""

    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]
    multilabel: bool

    def raw_scores(self, features: Iterable[Feature]) -> list[float]:
        scores = list(self.bias)
        for feature in features:
            for index, weight in self.weights.get(feature.name, ()):
                scores[index] += weight
        return scores

    def probabilities(self, features: list[Feature]) -> dict[str, float]:
        """Probability of each label for these features."""
        return self.normalise(self.raw_scores(features))

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

    def evidence(
        self, features: list[Feature], label: str, minimum: float
    ) -> list[tuple[int, int]]:
        """Spans of the n-grams that pushed hardest toward `label`."""
        index = self.labels.index(label)
        pushes = []
        for feature in features:
            if feature.span is None:
                continue
            for label_index, weight in self.weights.get(feature.name, ()):
                if label_index == index and weight >= minimum:
                    pushes.append((weight, feature.span))
        pushes.sort(key=lambda item: -item[0])
        return [span for _, span in pushes[:3]]


@dataclass(frozen=True)
class TextModel:
    """Every trained head, with what it was trained on."""

    heads: dict[str, LinearHead]
    trained_on: dict[str, Any]

    @cached_property
    def _merged(self) -> dict[str, tuple[tuple[int, int, float], ...]]:
        """Feature → (head, label, weight) for all heads, so one pass scores every head."""
        merged: dict[str, list[tuple[int, int, float]]] = {}
        for head_index, head in enumerate(self.heads.values()):
            for feature, entries in head.weights.items():
                bucket = merged.setdefault(feature, [])
                bucket.extend((head_index, label, weight) for label, weight in entries)
        return {feature: tuple(entries) for feature, entries in merged.items()}

    def probabilities(self, features: list[Feature]) -> dict[str, dict[str, float]]:
        """Probabilities of every head's labels, in one pass over the features."""
        heads = list(self.heads.values())
        scores = [list(head.bias) for head in heads]
        merged = self._merged
        for feature in features:
            for head_index, label, weight in merged.get(feature.name, ()):
                scores[head_index][label] += weight
        return {
            name: head.normalise(head_scores)
            for (name, head), head_scores in zip(self.heads.items(), scores, strict=True)
        }


class ModelError(ValueError):
    """The model file is missing or malformed; the message names the file."""


def load_model(path: Path) -> TextModel | None:
    """The trained model, or `None` when the file does not exist (lexicons alone then)."""
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        heads = {}
        for name, head in document["heads"].items():
            heads[name] = LinearHead(
                labels=tuple(head["labels"]),
                bias=tuple(float(b) for b in head["bias"]),
                weights={
                    feature: tuple((int(i), float(w)) for i, w in entries)
                    for feature, entries in head["weights"].items()
                },
                multilabel=bool(head["multilabel"]),
            )
        return TextModel(heads=heads, trained_on=dict(document.get("trained_on", {})))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: cannot load the text model: {exc}") from exc
