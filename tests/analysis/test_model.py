"""The text model: loading, scoring in one pass, evidence from n-grams."""

from pathlib import Path
from typing import Any

import pytest

from app.analysis.model import (
    ModelArrays,
    ModelError,
    TextModel,
    load_model,
    read_arrays,
    save_model,
    text_features,
)

DOCUMENT: dict[str, Any] = {
    "trained_on": {"items": 2},
    "heads": {
        "category": {
            "labels": ["size", "other"],
            "bias": [0.0, 0.5],
            "weights": {"g:小了": [[0, 2.0]], "g:在吗": [[1, 1.0]], "g:了\n": [[0, 0.5]]},
            "multilabel": False,
        },
        "demands": {
            "labels": ["refund", "exchange"],
            "bias": [-2.0, -2.0],
            "weights": {"g:换": [[1, 4.0]]},
            "multilabel": True,
        },
    },
}


def write_model(path: Path) -> Path:
    save_model(path, ModelArrays.from_document(DOCUMENT))
    return path


@pytest.fixture
def model(tmp_path: Path) -> TextModel:
    loaded = load_model(write_model(tmp_path / "model.npz"))
    assert loaded is not None
    return loaded


def test_missing_model_file_means_lexicons_alone(tmp_path: Path) -> None:
    assert load_model(tmp_path / "model.npz") is None


def test_malformed_model_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="model.npz"):
        load_model(path)


def test_exclusive_head_gives_a_distribution_that_follows_the_ngrams(model: TextModel) -> None:
    probabilities = model.probabilities(model.rows(text_features("鞋子小了")))
    assert sum(probabilities["category"].values()) == pytest.approx(1.0)
    assert probabilities["category"]["size"] > probabilities["category"]["other"]


def test_repeated_ngrams_count_once_as_in_training(model: TextModel) -> None:
    once = model.probabilities(model.rows(text_features("小了")))["category"]["size"]
    twice = model.probabilities(model.rows(text_features("小了小了")))["category"]["size"]
    assert once == pytest.approx(twice)


def test_multilabel_head_scores_each_label_on_its_own(model: TextModel) -> None:
    demands = model.probabilities(model.rows(text_features("能换一双吗")))["demands"]
    assert demands["exchange"] > 0.5 > demands["refund"]


def test_evidence_points_at_the_ngram_that_decided(model: TextModel) -> None:
    text = "鞋子小了"
    spans = model.evidence(text, model.rows(text_features(text)), "category", "size", minimum=0.5)
    assert [text[a:b] for a, b in spans] == ["小了"]


def test_text_features_are_every_ngram_but_lone_spaces() -> None:
    features = set(text_features("退 款"))
    assert {"g:退", "g:款", "g:退 ", "g: 款", "g:退 款"} == features


def test_digits_never_become_ngram_features() -> None:
    assert all(not any(c.isdigit() for c in name) for name in text_features("单号12315号"))


def test_text_rows_equal_the_rows_of_the_feature_strings(model: TextModel) -> None:
    folded = "鞋子小了 能换吗 12315"
    extra = ["c:category:size"]
    assert sorted(model.text_rows(folded, extra)) == sorted(
        model.rows(text_features(folded) + extra)
    )


def test_saved_model_reads_back_feature_for_feature(tmp_path: Path) -> None:
    path = write_model(tmp_path / "model.npz")
    arrays = read_arrays(path)
    assert arrays.features == ["g:小了", "g:在吗", "g:了\n", "g:换"]
    assert arrays.trained_on == {"items": 2}
    assert [head["name"] for head in arrays.heads] == ["category", "demands"]
    rebuilt = TextModel(arrays)
    original = TextModel(ModelArrays.from_document(DOCUMENT))
    rows = original.rows(text_features("鞋子小了\n能换吗"))
    assert rebuilt.probabilities(rows) == original.probabilities(rows)


def test_a_weight_past_the_labels_is_refused(tmp_path: Path) -> None:
    broken = {
        "heads": {
            "category": {
                "labels": ["size"],
                "bias": [0.0],
                "weights": {"g:小": [[3, 1.0]]},
                "multilabel": False,
            }
        }
    }
    with pytest.raises(IndexError):
        ModelArrays.from_document(broken)
