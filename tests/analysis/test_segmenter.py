"""The trimmed jieba dictionary: negators segmented as jieba's full one does, cached on disk."""

from pathlib import Path

import pytest

from app.analysis.lexicon import DATA_DIR
from app.analysis.segmenter import negation_tokenizer

NEGATOR_CHARS = frozenset("不没无非别未")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("segmenter-cache")


def words(tokenizer: object, text: str) -> list[str]:
    return [word for word, _, _ in tokenizer.tokenize(text, HMM=False)]  # type: ignore[attr-defined]


def test_negators_stand_apart_from_words_that_start_like_them(cache_dir: Path) -> None:
    tokenizer = negation_tokenizer(NEGATOR_CHARS, [], cache_dir)
    assert words(tokenizer, "不知道") == ["不", "知道"]
    assert "不好意思" in words(tokenizer, "不好意思问一下")
    assert "不错" in words(tokenizer, "质量不错")
    assert words(tokenizer, "不是质量问题")[0] == "不是"


def test_domain_words_come_from_the_user_dictionaries(cache_dir: Path) -> None:
    tokenizer = negation_tokenizer(NEGATOR_CHARS, [DATA_DIR / "products.dict"], cache_dir)
    assert "空气炸锅" in words(tokenizer, "空气炸锅不加热")


def test_the_cache_is_written_once_and_read_back(cache_dir: Path) -> None:
    built = negation_tokenizer(NEGATOR_CHARS, [], cache_dir)
    caches = list(cache_dir.glob("huashu-jieba-*.cache"))
    assert len(caches) == 1
    first = caches[0].stat().st_mtime_ns
    again = negation_tokenizer(NEGATOR_CHARS, [], cache_dir)
    assert caches[0].stat().st_mtime_ns == first
    assert again.FREQ == built.FREQ
    assert again.total == built.total


def test_a_broken_cache_is_rebuilt(tmp_path: Path) -> None:
    negation_tokenizer(NEGATOR_CHARS, [], tmp_path)
    (cache,) = tmp_path.glob("huashu-jieba-*.cache")
    cache.write_bytes(b"\x00broken")
    tokenizer = negation_tokenizer(NEGATOR_CHARS, [], tmp_path)
    assert words(tokenizer, "不知道") == ["不", "知道"]
    assert cache.stat().st_size > 1000


def test_other_negators_get_their_own_cache(tmp_path: Path) -> None:
    negation_tokenizer(NEGATOR_CHARS, [], tmp_path)
    negation_tokenizer(frozenset("不"), [], tmp_path)
    assert len(list(tmp_path.glob("huashu-jieba-*.cache"))) == 2
