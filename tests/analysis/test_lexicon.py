"""The data files load, a broken one is refused with its name, and gap patterns stay in a clause."""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.analysis.lexicon import DATA_DIR, Lexicon, LexiconError, load_lexicon, read_word_list
from app.analysis.schemas import CATEGORY_CODES, DEMAND_CODES, EMOTION_CODES, RISK_CODES

CUE_FILES = ["categories.yaml", "emotions.yaml", "risks.yaml", "demands.yaml"]
FAMILY_CODES = {
    "category": CATEGORY_CODES,
    "emotion": EMOTION_CODES,
    "risk": RISK_CODES,
    "demand": DEMAND_CODES,
}

Document = dict[str, Any]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the data files that a test may break."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def rewrite(path: Path, change: Callable[[Document], None]) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first_code(document: Document) -> str:
    return next(iter(document))


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda path: path.name)
def test_every_yaml_data_file_is_a_mapping(path: Path) -> None:
    assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize(
    "path",
    sorted(DATA_DIR.glob("*.dict")) + sorted(DATA_DIR.glob("*.txt")),
    ids=lambda path: path.name,
)
def test_every_word_list_has_words(path: Path) -> None:
    assert read_word_list(path)


def test_the_shipped_data_files_load(lexicon: Lexicon) -> None:
    assert lexicon.cue_count > 0
    assert {path.name for path in lexicon.files} >= set(CUE_FILES)


@pytest.mark.parametrize("family", sorted(FAMILY_CODES))
def test_every_code_has_a_chinese_label(lexicon: Lexicon, family: str) -> None:
    for code in FAMILY_CODES[family]:
        label = lexicon.labels[family][code]
        assert any("\u4e00" <= char <= "\u9fff" for char in label), (family, code, label)


@pytest.mark.parametrize("filename", CUE_FILES)
def test_group_without_reason_is_refused_naming_the_file(data_copy: Path, filename: str) -> None:
    def drop_reason(document: Document) -> None:
        del document[first_code(document)][0]["reason"]

    rewrite(data_copy / filename, drop_reason)
    with pytest.raises(LexiconError, match=filename):
        load_lexicon(data_copy)


@pytest.mark.parametrize("filename", CUE_FILES)
def test_unknown_code_is_refused_naming_the_file(data_copy: Path, filename: str) -> None:
    def add_unknown(document: Document) -> None:
        document["teleported_parcel"] = [{"reason": "not a code", "patterns": ["瞬移"]}]

    rewrite(data_copy / filename, add_unknown)
    with pytest.raises(LexiconError, match=filename) as raised:
        load_lexicon(data_copy)
    assert "teleported_parcel" in str(raised.value)


@pytest.mark.parametrize("pattern", ["颜色**", "*颜色", "颜色*"])
def test_pattern_with_an_empty_fragment_is_refused_naming_the_file(
    data_copy: Path, pattern: str
) -> None:
    def add_pattern(document: Document) -> None:
        document[first_code(document)][0]["patterns"].append(pattern)

    rewrite(data_copy / "categories.yaml", add_pattern)
    with pytest.raises(LexiconError, match="categories.yaml"):
        load_lexicon(data_copy)


def test_unreadable_yaml_is_refused_naming_the_file(data_copy: Path) -> None:
    (data_copy / "risks.yaml").write_text("abuse: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="risks.yaml"):
        load_lexicon(data_copy)


@pytest.fixture
def gap_lexicon(data_copy: Path) -> Lexicon:
    """The shipped data with one category pattern: 颜色*不一样."""
    document = {"color_mismatch": [{"reason": "gap test", "patterns": ["颜色*不一样"]}]}
    (data_copy / "categories.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    return load_lexicon(data_copy)


def category_matches(lexicon: Lexicon, text: str) -> list[str]:
    return [text[hit.start : hit.end] for hit in lexicon.find(text) if hit.cue.family == "category"]


def test_gap_pattern_matches_words_between_its_fragments(gap_lexicon: Lexicon) -> None:
    assert category_matches(gap_lexicon, "衣服颜色跟图片不一样") == ["颜色跟图片不一样"]


def test_gap_pattern_matches_with_no_gap(gap_lexicon: Lexicon) -> None:
    assert category_matches(gap_lexicon, "颜色不一样") == ["颜色不一样"]


@pytest.mark.parametrize("text", ["颜色，跟图片不一样", "颜色。跟图片不一样", "颜色\n跟图片不一样"])
def test_gap_pattern_does_not_match_across_a_clause_break(gap_lexicon: Lexicon, text: str) -> None:
    assert category_matches(gap_lexicon, text) == []


def test_gap_pattern_does_not_match_a_gap_longer_than_gap_chars(gap_lexicon: Lexicon) -> None:
    gap_chars = int(gap_lexicon.weights["gap_chars"])
    assert category_matches(gap_lexicon, "颜色" + "跟" * gap_chars + "不一样")
    assert category_matches(gap_lexicon, "颜色" + "跟" * (gap_chars + 1) + "不一样") == []
