"""The LLM's answer: parsed whole, and read piece by piece while it streams."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.llm.answer import AnswerError, StreamedDrafts, parse_answer

STYLES = ("standard", "soothing", "concise")


def test_a_fenced_answer_with_words_around_it_is_parsed_in_the_requested_order() -> None:
    raw = '好的：\n```json\n{"drafts": [{"style": "concise", "text": "短"}, {"style": "standard", "text": " 长 "}]}\n```'
    drafts = parse_answer(raw, STYLES)
    assert [(d.style, d.text) for d in drafts] == [("standard", "长"), ("concise", "短")]


def test_a_second_draft_of_the_same_style_and_unknown_styles_are_ignored() -> None:
    raw = json.dumps(
        {
            "drafts": [
                {"style": "standard", "text": "一"},
                {"style": "standard", "text": "二"},
                {"style": "pirate", "text": "三"},
            ]
        }
    )
    assert [d.text for d in parse_answer(raw, STYLES)] == ["一"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "unparsable"),
        ("抱歉，我不能回答。", "unparsable"),
        ('{"drafts": [', "unparsable"),
        ('{"drafts": "亲"}', "invalid_shape"),
        ('{"drafts": [{"style": "standard"}]}', "invalid_shape"),
        ('{"drafts": []}', "invalid_shape"),
        (json.dumps({"drafts": [{"style": "standard", "text": "长" * 1001}]}), "invalid_shape"),
    ],
)
def test_what_is_not_the_asked_shape_is_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(AnswerError) as error:
        parse_answer(raw, STYLES)
    assert error.value.reason == reason


texts = st.text(
    alphabet=st.sampled_from(list('亲您好，。！"\\/\n[]手机号1abc😀~')), min_size=1, max_size=60
)


@given(
    st.lists(texts, min_size=1, max_size=3),
    st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=50),
)
def test_streamed_pieces_add_up_to_each_draft_whatever_the_chunking(
    written: list[str], cuts: list[int]
) -> None:
    raw = json.dumps(
        {"drafts": [{"style": STYLES[i], "text": t} for i, t in enumerate(written)]},
        ensure_ascii=bool(len(written) % 2),  # \uXXXX escapes and raw characters both occur
    )
    reader = StreamedDrafts()
    shown: dict[int, str] = {}
    position = 0
    for cut in [*cuts, len(raw)]:
        for index, style, piece in reader.feed(raw[position : position + cut]):
            assert style == STYLES[index]
            shown[index] = shown.get(index, "") + piece
        position += cut
        if position >= len(raw):
            break
    if position < len(raw):
        for index, _, piece in reader.feed(raw[position:]):
            shown[index] = shown.get(index, "") + piece
    for index, text in enumerate(written):
        shown_text = shown.get(index, "")
        # A trailing "[" with no "]" is held back in case it starts a placeholder.
        assert text.startswith(shown_text)
        assert text[len(shown_text) :] in ("", text[text.rfind("[") :])
