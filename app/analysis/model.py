"""A small linear text model that learns how buyers phrase each label, beside the lexicons.

Features are character 1–3-grams of the folded text ("g:色差") plus the lexicon cues, markers
and word classes found in it ("c:category:size", "m:sarcasm", "k:courier"), so the model learns
both new phrasings and how much each cue is worth. Weights are trained by `scripts/train.py` on
`train/data/` (never on the evaluation set), stored sparse in `data/model.npz`, and held as one
dense matrix at run time: scoring every head is one gather and one sum.
"""

import json
import math
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import ahocorasick
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
        exp = math.exp
        if self.multilabel:
            return {
                label: 1.0 / (1.0 + exp(-max(min(score, 30.0), -30.0)))
                for label, score in zip(self.labels, scores, strict=True)
            }
        top = max(scores)
        exps = [exp(score - top) for score in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}


@dataclass(frozen=True)
class ModelArrays:
    """A trained model as flat arrays: the on-disk form and what `TextModel` is built from.

    `features` names each row; `rows`, `columns` and `values` are the non-zero weights;
    `heads` lists each head's name, labels and kind in column order.
    """

    heads: list[dict[str, Any]]
    trained_on: dict[str, Any]
    features: list[str]
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    bias: np.ndarray

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "ModelArrays":
        """Arrays of the training script's document: `{"heads": {name: {labels, bias,
        weights: {feature: [[label index, weight], ...]}, multilabel}}, "trained_on": {...}}`."""
        heads: list[dict[str, Any]] = []
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        biases: list[float] = []
        offset = 0
        for name, head in document["heads"].items():
            labels = [str(label) for label in head["labels"]]
            bias = [float(b) for b in head["bias"]]
            if len(bias) != len(labels):
                raise ValueError(f"head {name}: {len(bias)} biases for {len(labels)} labels")
            heads.append({"name": name, "labels": labels, "multilabel": bool(head["multilabel"])})
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
        return cls(
            heads=heads,
            trained_on=dict(document.get("trained_on", {})),
            features=list(vocabulary),
            rows=np.array(rows, dtype=np.int32),
            columns=np.array(columns, dtype=np.int32),
            values=np.array(values, dtype=np.float32),
            bias=np.array(biases, dtype=np.float64),
        )


class TextModel:
    """Every trained head as one dense matrix (a row per feature), with what it was trained on."""

    def __init__(self, arrays: ModelArrays) -> None:
        self.trained_on = arrays.trained_on
        self.heads: dict[str, LinearHead] = {}
        self.slices: dict[str, slice] = {}
        offset = 0
        for head in arrays.heads:
            labels = tuple(head["labels"])
            self.heads[head["name"]] = LinearHead(labels=labels, multilabel=head["multilabel"])
            self.slices[head["name"]] = slice(offset, offset + len(labels))
            offset += len(labels)
        if len(arrays.bias) != offset:
            raise ValueError(f"{len(arrays.bias)} biases for {offset} labels")
        self.names = arrays.features
        self.vocabulary = {feature: row for row, feature in enumerate(arrays.features)}
        if len(arrays.rows) and (
            int(arrays.rows.max()) >= len(self.names) or int(arrays.columns.max()) >= offset
        ):
            raise IndexError("a weight points past the features or the labels")
        # float32 halves the memory; sums of a few hundred weights lose nothing that matters.
        self.matrix = np.zeros((len(self.names), offset), dtype=np.float32)
        self.matrix[arrays.rows, arrays.columns] = arrays.values
        self.bias = arrays.bias
        # The n-grams that have a row, in one automaton: a single pass over the text finds them
        # all (digits and lone spaces never have a row, so the masked text cannot match them).
        self._grams = ahocorasick.Automaton()
        for feature, row in self.vocabulary.items():
            if feature.startswith(NGRAM_PREFIX):
                self._grams.add_word(feature[len(NGRAM_PREFIX) :], row)
        if len(self._grams):
            self._grams.make_automaton()

    def rows(self, features: list[str]) -> list[int]:
        """Matrix rows of the distinct known features (each counts once, as in training)."""
        return list({row for row in map(self.vocabulary.get, features) if row is not None})

    def text_rows(self, folded: str, features: list[str]) -> list[int]:
        """Rows of the folded text's n-grams and of further features, without building the
        n-gram feature strings (the hot path of every analysis)."""
        found: set[int | None] = (
            set(map(itemgetter(1), self._grams.iter(folded.translate(_DIGIT_MASK))))
            if len(self._grams)
            else set()
        )
        found.update(map(self.vocabulary.get, features))
        found.discard(None)  # features the model never saw
        return cast(list[int], list(found))

    def probabilities(self, rows: list[int]) -> dict[str, dict[str, float]]:
        """Probabilities of every head's labels for these feature rows."""
        summed = self.matrix.take(rows, axis=0).sum(axis=0) if rows else 0.0
        scores: list[float] = (self.bias + summed).tolist()
        return {
            name: head.normalise(scores[self.slices[name]]) for name, head in self.heads.items()
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


def save_model(path: Path, arrays: ModelArrays) -> None:
    """Write the model as one compressed .npz file (no pickles: it loads in milliseconds)."""
    meta = {"heads": arrays.heads, "trained_on": arrays.trained_on}
    lengths = np.array([len(feature) for feature in arrays.features], dtype=np.int32)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            features=np.frombuffer("".join(arrays.features).encode(), dtype=np.uint8),
            feature_lengths=lengths,
            rows=arrays.rows,
            columns=arrays.columns,
            values=arrays.values,
            bias=arrays.bias,
        )


def read_arrays(path: Path) -> ModelArrays:
    """The arrays of a model file written by `save_model`."""
    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(stored["meta"].tobytes().decode())
        joined = stored["features"].tobytes().decode()
        ends = np.cumsum(stored["feature_lengths"]).tolist()
        starts = [0, *ends[:-1]]
        return ModelArrays(
            heads=meta["heads"],
            trained_on=meta.get("trained_on", {}),
            features=[joined[a:b] for a, b in zip(starts, ends, strict=True)],
            rows=stored["rows"],
            columns=stored["columns"],
            values=stored["values"],
            bias=stored["bias"].astype(np.float64),
        )


def load_model(path: Path) -> TextModel | None:
    """The trained model, or `None` when the file does not exist (lexicons alone then)."""
    if not path.exists():
        return None
    try:
        return TextModel(read_arrays(path))
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError) as exc:
        raise ModelError(f"{path}: cannot load the text model: {exc}") from exc
