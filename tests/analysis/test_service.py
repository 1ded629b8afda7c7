"""What the analyzer must read in clear, unambiguous messages, one behaviour per test."""

import gc
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.schemas import (
    CATEGORY_CODES,
    CRISIS_RISKS,
    DEMAND_CODES,
    EMOTION_CODES,
    RISK_CODES,
    Analysis,
    ContextMessage,
)
from app.analysis.service import Analyzer


def risk_codes(analysis: Analysis) -> set[str]:
    return {risk.code for risk in analysis.risks}


def test_building_the_analyzer_leaves_no_data_file_open() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        Analyzer.from_data()
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# --- category -----------------------------------------------------------------------------


def test_colour_complaint_is_color_mismatch_with_the_colour_words_as_evidence(
    analyzer: Analyzer,
) -> None:
    category = analyzer.analyze("收到的衣服色差太大了，跟图片完全是两个颜色").category
    assert category.code == "color_mismatch"
    assert any("色差" in span.text for span in category.evidence)


def test_denied_problem_is_not_primary_and_the_contrasted_one_is(analyzer: Analyzer) -> None:
    category = analyzer.analyze("不是质量问题，就是尺码小了").category
    assert category.code == "size"


def test_greeting_alone_is_other_and_neutral(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("在吗？")
    assert analysis.category.code == "other"
    assert analysis.emotion.code == "neutral"
    assert analysis.escalation == "none"


# --- emotion ------------------------------------------------------------------------------


def test_sarcasm_is_not_praise(analyzer: Analyzer) -> None:
    emotion = analyzer.analyze("呵呵，效率真高").emotion
    assert emotion.code == "angry"
    assert emotion.intensity >= 1


def test_calm_question_is_neutral_with_intensity_zero(analyzer: Analyzer) -> None:
    emotion = analyzer.analyze("请问怎么申请退货？").emotion
    assert emotion.code == "neutral"
    assert emotion.intensity == 0


@pytest.mark.parametrize("insult", ["你们这群傻逼", "什么破店，你妈的"])
def test_abuse_is_the_abuse_risk_at_intensity_three_and_goes_up(
    analyzer: Analyzer, insult: str
) -> None:
    analysis = analyzer.analyze(insult)
    assert "abuse" in risk_codes(analysis)
    assert analysis.emotion.code == "angry"
    assert analysis.emotion.intensity == 3
    assert analysis.escalation in ("supervisor", "crisis")


# --- risks and escalation -----------------------------------------------------------------


def test_threat_to_call_12315_is_a_regulator_crisis(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("我要去12315投诉你们")
    assert "regulator" in risk_codes(analysis)
    assert analysis.escalation == "crisis"


def test_threat_to_sue_is_a_legal_crisis(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("再这样我就起诉你们")
    assert "legal" in risk_codes(analysis)
    assert analysis.escalation == "crisis"


def test_harm_to_a_child_is_a_safety_crisis(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("孩子用了起疹子了")
    assert "safety" in risk_codes(analysis)
    assert analysis.escalation == "crisis"


def test_promise_not_to_leave_a_bad_review_is_no_threat(analyzer: Analyzer) -> None:
    assert "bad_review" not in risk_codes(analyzer.analyze("放心不会给差评的"))


def test_conditional_bad_review_is_a_threat(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("不给我退款我就给差评")
    bad_review = [risk for risk in analysis.risks if risk.code == "bad_review"]
    assert bad_review
    assert any("差评" in span.text for span in bad_review[0].evidence)


def test_two_earlier_customer_messages_make_a_repeat_contact(analyzer: Analyzer) -> None:
    context = [
        ContextMessage(role="customer", text="我的快递怎么还没到"),
        ContextMessage(role="agent", text="亲，我帮您查一下"),
        ContextMessage(role="customer", text="查到了吗"),
    ]
    assert "repeat_contact" in risk_codes(analyzer.analyze("什么时候能到？", context))


def test_follow_up_questions_in_one_chat_are_no_repeat_contact(analyzer: Analyzer) -> None:
    context = [
        ContextMessage(role="customer", text="这件有M码吗"),
        ContextMessage(role="agent", text="有的亲"),
        ContextMessage(role="customer", text="那黑色的呢"),
        ContextMessage(role="agent", text="黑色也有的"),
    ]
    assert "repeat_contact" not in risk_codes(analyzer.analyze("好的，多久能发货？", context))


def test_still_unsolved_after_earlier_messages_is_a_repeat_contact(analyzer: Analyzer) -> None:
    context = [
        ContextMessage(role="customer", text="退款申请了几天了"),
        ContextMessage(role="agent", text="亲，已经帮您催财务了"),
        ContextMessage(role="customer", text="好的"),
    ]
    analysis = analyzer.analyze("到现在钱也没到账", context)
    assert "repeat_contact" in risk_codes(analysis)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("三天前就跟你们说了尺寸写错了 说核实 结果呢", id="dated-earlier-report"),
        pytest.param("我上周就在这问过了 你们说给我改快递 结果还是发了百世", id="asked-last-week"),
        pytest.param("退款被驳回三次了 理由一次比一次离谱", id="refused-three-times"),
    ],
)
def test_an_earlier_contact_the_buyer_counts_or_dates_is_a_repeat_contact(
    analyzer: Analyzer, text: str
) -> None:
    assert "repeat_contact" in risk_codes(analyzer.analyze(text))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("买过好几次了 这次也很满意 就是问下会员价怎么算", id="loyal-buyer"),
        pytest.param("换了两次码了还是不合适 算了退了吧", id="exchanged-twice"),
        pytest.param("才用了三次就不出水了", id="used-three-times"),
    ],
)
def test_a_count_of_purchases_or_uses_is_no_repeat_contact(analyzer: Analyzer, text: str) -> None:
    assert "repeat_contact" not in risk_codes(analyzer.analyze(text))


def test_a_loyal_buyers_count_of_orders_is_no_repeat_contact(analyzer: Analyzer) -> None:
    # "第三次" is a repeat-contact cue; the model, which has read it in labeled messages, vetoes it.
    assert "repeat_contact" not in risk_codes(analyzer.analyze("我第三次买你们家了 每次都很满意"))


def test_the_model_never_vetoes_a_crisis_risk() -> None:
    strict = Analyzer.from_data()
    strict.weights = {**strict.weights, "risk_model_veto_below": 1.01}  # veto every other risk
    analysis = strict.analyze("孩子用了起疹子了 再不给说法我就给差评 还要去12315投诉")
    assert {"safety", "regulator"} <= risk_codes(analysis)
    assert "bad_review" not in risk_codes(analysis)
    assert analysis.escalation == "crisis"


def test_earlier_agent_messages_alone_are_no_repeat_contact(analyzer: Analyzer) -> None:
    context = [
        ContextMessage(role="agent", text="亲，在的"),
        ContextMessage(role="agent", text="请问有什么可以帮您"),
    ]
    assert "repeat_contact" not in risk_codes(analyzer.analyze("什么时候能到？", context))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("花了1100元买的，什么时候发货？", id="amount-holding-110"),
        pytest.param("订单号202303151234567890，什么时候发货？", id="order-number-holding-315"),
    ],
)
def test_numbers_inside_an_amount_or_order_number_are_no_threat(
    analyzer: Analyzer, text: str
) -> None:
    analysis = analyzer.analyze(text)
    assert risk_codes(analysis) & {"legal", "regulator", "platform_complaint"} == set()
    assert analysis.escalation == "none"


# --- script -------------------------------------------------------------------------------


def test_traditional_message_is_read_as_traditional(analyzer: Analyzer) -> None:
    assert analyzer.analyze("衣服顏色跟圖片不一樣，我要退貨").script == "traditional"


def test_simplified_message_is_read_as_simplified(analyzer: Analyzer) -> None:
    assert analyzer.analyze("衣服颜色跟图片不一样，我要退货").script == "simplified"


# --- facts --------------------------------------------------------------------------------


def test_eighteen_digit_order_number_is_a_fact(analyzer: Analyzer) -> None:
    facts = analyzer.analyze("订单号 260412345678901234，还没发货").facts
    assert [span.text for span in facts.order_ids] == ["260412345678901234"]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("三天了还没发货", 3.0),
        ("等了3天了还没发货", 3.0),
        ("十五天了还没到", 15.0),
        ("两周了还没到", 14.0),
    ],
)
def test_elapsed_time_is_a_duration_in_days(analyzer: Analyzer, text: str, days: float) -> None:
    facts = analyzer.analyze(text).facts
    assert [duration.days for duration in facts.durations] == [days]


def test_amount_paid_is_a_fact(analyzer: Analyzer) -> None:
    facts = analyzer.analyze("花了299元买的").facts
    assert [amount.value for amount in facts.amounts] == [299.0]


# --- invariants over any message ----------------------------------------------------------

messages = st.lists(
    st.sampled_from(
        ["色差", "坏了", "发错货", "退款", "差评", "投诉", "12315", "起诉", "曝光", "傻逼",
         "起疹子", "呵呵", "谢谢", "很满意", "请问", "不是", "就是", "太", "！", "？", "，", "在吗"]
    )
    | st.text(max_size=4),
    min_size=1,
    max_size=8,
).map("".join)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(text=messages)
def test_every_code_is_in_the_contract_vocabulary(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.category.code in CATEGORY_CODES
    assert analysis.secondary is None or analysis.secondary.code in CATEGORY_CODES
    assert analysis.emotion.code in EMOTION_CODES
    assert {risk.code for risk in analysis.risks} <= set(RISK_CODES)
    assert {demand.code for demand in analysis.demands} <= set(DEMAND_CODES)


@settings(max_examples=200, deadline=None)
@given(text=messages)
def test_escalation_is_crisis_exactly_when_a_crisis_risk_is_present(
    analyzer: Analyzer, text: str
) -> None:
    analysis = analyzer.analyze(text)
    assert (analysis.escalation == "crisis") == bool(risk_codes(analysis) & CRISIS_RISKS)


@settings(max_examples=200, deadline=None)
@given(text=messages)
def test_calm_and_satisfied_messages_have_intensity_zero(analyzer: Analyzer, text: str) -> None:
    emotion = analyzer.analyze(text).emotion
    if emotion.code in ("neutral", "satisfied"):
        assert emotion.intensity == 0


@settings(max_examples=200, deadline=None)
@given(text=messages)
def test_abuse_always_has_intensity_three(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    if "abuse" in risk_codes(analysis):
        assert analysis.emotion.intensity == 3


def test_a_negative_emotion_always_points_at_words(analyzer: Analyzer) -> None:
    # Flat complaints carry no feeling word; the agent must still see what the reading rests on.
    for text in (
        "衣服色差太大了，跟图片完全两个颜色！要退货！",
        "快递三天没动了",
        "衣服顏色跟圖片差太多了",
    ):
        emotion = analyzer.analyze(text).emotion
        assert emotion.code in {"angry", "anxious", "disappointed"}
        assert emotion.evidence
        for span in emotion.evidence:
            assert text[span.start : span.end] == span.text
            assert len(span.text) >= 2


# --- demands ------------------------------------------------------------------------------


def demand_codes(analysis: Analysis) -> set[str]:
    return {demand.code for demand in analysis.demands}


def test_urgency_hurries_the_remedy_asked_for_and_is_no_expedite(analyzer: Analyzer) -> None:
    demands = demand_codes(analyzer.analyze("发错码了 订的42给我发40 赶紧给我换"))
    assert "exchange" in demands
    assert "expedite" not in demands


def test_asking_to_ship_faster_is_expedite(analyzer: Analyzer) -> None:
    assert "expedite" in demand_codes(analyzer.analyze("拍了三天了 麻烦快点发货"))


def test_a_stated_delay_with_a_refund_request_is_no_expedite(analyzer: Analyzer) -> None:
    demands = demand_codes(analyzer.analyze("反正还没发货 不想要了 直接退款吧"))
    assert "refund" in demands
    assert "expedite" not in demands


def test_a_refused_parcel_on_its_way_back_wants_the_money_not_a_return(analyzer: Analyzer) -> None:
    demands = demand_codes(analyzer.analyze("我已经拒收了 物流显示退回中 退款要几天"))
    assert "refund" in demands
    assert "return" not in demands
