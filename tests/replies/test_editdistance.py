"""The bit-parallel edit distance agrees with the textbook table on any pair of texts."""

from hypothesis import given
from hypothesis import strategies as st

from app.replies.editdistance import edit_ratio, levenshtein


def table_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


texts = st.text(alphabet="亲您好抱歉退换货ab。😀", max_size=40)


@given(texts, texts)
def test_distance_matches_the_dynamic_programming_table(a: str, b: str) -> None:
    assert levenshtein(a, b) == table_distance(a, b)


@given(st.text(max_size=80), st.text(max_size=80))
def test_distance_is_symmetric_and_bounded(a: str, b: str) -> None:
    assert levenshtein(a, b) == levenshtein(b, a)
    assert abs(len(a) - len(b)) <= levenshtein(a, b) <= max(len(a), len(b))


def test_emoji_count_as_one_character() -> None:
    assert levenshtein("好😀", "好😡") == 1


def test_ratio_is_zero_unedited_and_one_for_a_full_rewrite() -> None:
    assert edit_ratio("您好", "您好") == 0.0
    assert edit_ratio("您好", "谢谢") == 1.0
    assert edit_ratio("", "") == 0.0


def test_a_long_reply_is_measured_quickly() -> None:
    draft = "亲，非常抱歉给您带来不便。" * 300
    sent = draft.replace("不便", "麻烦")
    assert levenshtein(draft, sent) == 600
