"""The jieba tokenizer the analyzer needs, built from a trimmed copy of jieba's own dictionary.

Huashu segments only to tell a negator ("不", "没有") from a word that starts like one ("不错",
"不好意思", "没收到"). For that, jieba's 350,000-word dictionary can drop its rare words: every
word holding a negator character stays, and so does every word seen at least `MIN_FREQUENCY`
times, which keeps the common words a negator competes with ("不/知道", not "不知/道"). On the 7,830
training and evaluation messages the trimmed dictionary places the negators exactly as the full
one does in all but one, and it loads in a fraction of the time (jieba's own load was most of
Huashu's start-up).

The trimmed dictionary is derived from the installed jieba on first use and cached, like jieba's
own cache, in the temporary directory; the file name changes with jieba's version, the negators
and the threshold, so a stale cache is never read.
"""

import hashlib
import marshal
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jieba

MIN_FREQUENCY = 20


def _trimmed(dictionary: Iterable[bytes], keep_chars: frozenset[str]) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary of the kept words; the total counts every word, so a kept word
    has the same probability as in the full dictionary."""
    frequencies: dict[str, int] = {}
    total = 0
    for line in dictionary:
        word, frequency_text = line.decode("utf-8").split(" ")[:2]
        frequency = int(frequency_text)
        total += frequency
        if frequency < MIN_FREQUENCY and keep_chars.isdisjoint(word):
            continue
        frequencies[word] = frequency
        for end in range(1, len(word)):
            frequencies.setdefault(word[:end], 0)
    return frequencies, total


def _cache_path(keep_chars: frozenset[str], directory: Path) -> Path:
    key = "|".join([jieba.__version__, str(MIN_FREQUENCY), "".join(sorted(keep_chars))])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return directory / f"huashu-jieba-{digest}.cache"


def _load_or_build(keep_chars: frozenset[str], directory: Path) -> tuple[dict[str, int], int]:
    path = _cache_path(keep_chars, directory)
    try:
        with path.open("rb") as handle:
            frequencies, total = marshal.load(handle)
        return frequencies, total
    except (OSError, EOFError, ValueError, TypeError):
        pass  # no cache yet, or a broken one: build it again
    with jieba.Tokenizer().get_dict_file() as dictionary:
        frequencies, total = _trimmed(dictionary, keep_chars)
    try:
        # Written aside and renamed: two workers starting together never read half a file.
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=path.name)
        with os.fdopen(descriptor, "wb") as out:
            marshal.dump((frequencies, total), out)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only temporary directory only costs the next start-up the build
    return frequencies, total


def negation_tokenizer(
    keep_chars: frozenset[str], user_dictionaries: Iterable[Path], cache_dir: Path | None = None
) -> Any:
    """A jieba tokenizer on the trimmed dictionary plus Huashu's domain words."""
    tokenizer = jieba.Tokenizer()
    directory = cache_dir or Path(tempfile.gettempdir())
    tokenizer.FREQ, tokenizer.total = _load_or_build(keep_chars, directory)
    tokenizer.initialized = True  # never load jieba's full dictionary behind our back
    for path in user_dictionaries:
        with path.open("rb") as handle:
            tokenizer.load_userdict(handle)
    return tokenizer
