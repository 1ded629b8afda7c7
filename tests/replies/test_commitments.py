"""Promises with a time in sent replies, read from the data file's own examples."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.normalize import ScriptConverter
from app.replies.commitments import find_promises, load_commitment_rules

RULES = load_commitment_rules()
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CONVERTER = ScriptConverter()
EXAMPLES = [(rule.name, example) for rule in RULES.file.promises for example in rule.examples]


@pytest.fixture(scope="module")
def converter() -> ScriptConverter:
    return ScriptConverter()


def promises(
    text: str, converter: ScriptConverter, now: datetime = NOW
) -> list[tuple[str, datetime]]:
    found = find_promises(text, rules=RULES, converter=converter, now=now, zone=SHANGHAI)
    return [(p.span.text, p.due_at) for p in found]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_example_of_the_data_file_is_a_promise(
    rule: str, example: str, converter: ScriptConverter
) -> None:
    found = promises(example, converter)
    assert len(found) == 1, (rule, found)
    span, due = found[0]
    assert span in example
    assert due > NOW


@pytest.mark.parametrize("text", RULES.file.not_promises)
def test_a_time_that_is_no_promise_is_not_followed_up(
    text: str, converter: ScriptConverter
) -> None:
    assert promises(text, converter) == []


@pytest.mark.parametrize(
    ("text", "hours"),
    [("24小时内给您回复", 24), ("两个小时内给您答复", 2), ("十二小时内给您回电", 12),
     ("三天内给您处理好", 72), ("二十四小时内给您回复", 24), ("半小时内给您回复", 0.5)],
)  # fmt: skip
def test_numbers_in_digits_and_in_chinese_set_the_due_time(
    text: str, hours: float, converter: ScriptConverter
) -> None:
    assert promises(text, converter) == [
        (promises(text, converter)[0][0], NOW + timedelta(hours=hours))
    ]


def test_tomorrow_falls_due_at_the_end_of_tomorrows_working_day(converter: ScriptConverter) -> None:
    [(_, due)] = promises("明天给您回复处理结果", converter)
    assert due.astimezone(SHANGHAI) == datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI)


def test_spans_point_into_the_traditional_text_as_sent(converter: ScriptConverter) -> None:
    text = "親，我們會在48小時內給您回覆。"
    [(span, _)] = promises(text, converter)
    assert span == "48小時內"


def test_two_promises_for_the_same_moment_are_one_follow_up(converter: ScriptConverter) -> None:
    text = "我会在24小时内给您答复。24小时内给您回复处理结果。明天给您发出。"
    assert [span for span, _ in promises(text, converter)] == ["24小时内", "明天"]


@given(
    st.lists(
        st.sampled_from(
            [
                "24小时内",
                "給您回覆",
                "明天",
                "三天內",
                "为您处理",
                "①",
                "ｱ",
                "😀",
                "，",
                "\n",
                "半",
                "个",
            ]
        )
        | st.text(max_size=4),
        max_size=12,
    )
)
@settings(deadline=None, max_examples=200)
def test_promise_spans_always_point_into_the_text_as_sent(parts: list[str]) -> None:
    text = "".join(parts)
    found = find_promises(text, rules=RULES, converter=CONVERTER, now=NOW, zone=SHANGHAI)
    for promise in found:
        assert text[promise.span.start : promise.span.end] == promise.span.text
        assert promise.due_at > NOW
