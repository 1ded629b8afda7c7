"""Every span Huashu reports points into the text as sent: `text[start:end] == span.text`."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.schemas import Analysis, EvidenceSpan
from app.analysis.service import Analyzer

COMPLAINT_WORDS = [
    "色差", "颜色跟图片不一样", "质量问题", "坏了", "尺码小了", "发错货了", "少发了一件", "还没发货",
    "快递三天没更新", "显示签收但没收到", "客服态度差", "没人回复", "我要退款", "退货", "换货",
    "补发", "赔偿", "道歉", "差评", "投诉", "12315", "起诉你们", "曝光", "傻逼", "起疹子",
    "冒烟", "呵呵", "效率真高", "谢谢", "不是", "就是", "不会", "在吗", "请问", "订单号",
    "123456789012345678", "花了299元", "两千块", "三天了", "上周买的", "半个月", "¥88",
    "衣服", "手机", "鞋子", "太", "！！！", "？？",
]  # fmt: skip
TRADITIONAL = ["顏色", "圖片", "不一樣", "質量", "問題", "發錯", "貨", "退款", "差評", "投訴", "嗎", "壞了"]  # fmt: skip
FULL_WIDTH = ["，", "。", "！", "？", "：", "；", "（", "）", "　", "ＡＢＣ", "１２３", "￥"]
EMOJI = ["😀", "😡", "😅", "🙂", "👏👏", "❤️", "👍🏻", "🇨🇳"]
ODD = ["㎏", "①", "ﬁ", "İ", "ß", "\u200b", "\n", "\t", "Ⅻ", "ﷺ"]
ASCII = ["order", "No.", "ABC", "refund", " ", "!", "?", "2024", "k", "w"]

fragments = st.one_of(
    st.sampled_from(COMPLAINT_WORDS),
    st.sampled_from(TRADITIONAL),
    st.sampled_from(FULL_WIDTH),
    st.sampled_from(EMOJI),
    st.sampled_from(ODD),
    st.sampled_from(ASCII),
    st.text(max_size=5),
)
messages = st.one_of(
    st.lists(fragments, min_size=1, max_size=12).map("".join),
    st.text(min_size=1, max_size=80),
)


def all_spans(analysis: Analysis) -> list[EvidenceSpan]:
    """Every span in an analysis: label evidence of every family and every fact."""
    labels = [analysis.category, analysis.emotion, *analysis.risks, *analysis.demands]
    if analysis.secondary is not None:
        labels.append(analysis.secondary)
    spans = [span for label in labels for span in label.evidence]
    facts = analysis.facts
    spans += facts.order_ids + facts.tracking_ids + facts.products
    spans += [amount.span for amount in facts.amounts]
    spans += [duration.span for duration in facts.durations]
    return spans


def assert_spans_point_into(text: str, analysis: Analysis) -> None:
    for span in all_spans(analysis):
        assert 0 <= span.start < span.end <= len(text), span
        assert text[span.start : span.end] == span.text, span


@settings(max_examples=300, deadline=None)
@given(text=messages)
def test_every_span_points_into_the_text_as_sent(analyzer: Analyzer, text: str) -> None:
    assert_spans_point_into(text, analyzer.analyze(text))


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("😡😡😡颜色跟图片不一样，色差太大了", "色差"),
        ("👍🏻🇨🇳❤️发错货了，我买的是黑色", "发错货"),
        ("ＡＢＣ，我要退款！！！", "退款"),
        ("衣服顏色跟圖片不一樣，色差太大了", "色差"),
        ("買了5㎏的衣服，①號色差太大了", "色差"),
    ],
)
def test_evidence_after_emoji_full_width_or_traditional_text_is_exact(
    analyzer: Analyzer, text: str, evidence: str
) -> None:
    analysis = analyzer.analyze(text)
    spans = all_spans(analysis)
    assert any(evidence in span.text for span in spans), spans
    assert_spans_point_into(text, analysis)


def test_facts_after_emoji_point_into_the_text_as_sent(analyzer: Analyzer) -> None:
    text = "😡😡订单号１２３４５６７８９０１２３４５６７８，花了２９９元"
    analysis = analyzer.analyze(text)
    assert [span.text for span in analysis.facts.order_ids] == [
        "１２３４５６７８９０１２３４５６７８"
    ]
    assert [amount.value for amount in analysis.facts.amounts] == [299]
    assert_spans_point_into(text, analysis)
