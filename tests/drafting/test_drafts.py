"""Template drafts: the documents' sequence, fitted to the message, in the customer's script."""

import json
import re
from pathlib import Path

import pytest

from app.analysis.schemas import ContextMessage
from app.drafting.schemas import DraftRequest, DraftsResponse
from app.services import Services

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval" / "data"


def drafts_for(services: Services, text: str, **fields: object) -> DraftsResponse:
    return services.template_drafts(DraftRequest.model_validate({"text": text, **fields}), [])


def stages(draft: object) -> list[str]:
    return [part.stage for part in draft.stages]  # type: ignore[attr-defined]


def test_calm_question_gets_a_short_answer_not_an_apology(services: Services) -> None:
    result = drafts_for(services, "请问可以开发票吗？")
    for draft in result.drafts:
        assert "empathize" not in stages(draft)
        assert "solution" in stages(draft)
        assert len(draft.text) < 160


def test_furious_customer_gets_feelings_before_facts(services: Services) -> None:
    result = drafts_for(services, "什么垃圾东西！！用一次就坏了，你们这是骗子店，气死我了！！！")
    assert result.analysis.emotion.intensity == 3
    full = result.drafts[0]
    order = stages(full)
    for stage in ("greet", "empathize", "acknowledge", "offer_help", "solution"):
        assert stage in order
    assert order.index("empathize") < order.index("solution")


def test_crisis_gets_crisis_handling_and_a_note_for_the_agent_only(services: Services) -> None:
    result = drafts_for(services, "孩子用了你们的面霜脸上起了一片红疹，我要去12315投诉你们！")
    assert result.analysis.escalation == "crisis"
    assert result.agent_notes
    assert all("内部" in note.text for note in result.agent_notes)
    for draft in result.drafts:
        assert "【内部提示】" not in draft.text
        assert any(p.phrase_id and "crisis" in p.phrase_id for p in draft.stages) or any(
            "就医" in p.text or "主管" in p.text for p in draft.stages
        )


def test_variants_really_differ_and_carry_their_phrase_ids(services: Services) -> None:
    result = drafts_for(services, "衣服色差太大了，跟图片完全两个颜色！要退货！", variants=3)
    texts = [draft.text for draft in result.drafts]
    assert len(texts) == 3
    assert len(set(texts)) == 3
    assert {draft.style for draft in result.drafts} == {"standard", "soothing", "concise"}
    for draft in result.drafts:
        assert draft.text == "".join(part.text for part in draft.stages)
        assert all(part.phrase_id for part in draft.stages)


def test_variants_limit_is_respected(services: Services) -> None:
    assert len(drafts_for(services, "快递三天没动了", variants=1).drafts) == 1


def test_customer_name_is_used_once_and_no_placeholder_is_left(services: Services) -> None:
    result = drafts_for(services, "鞋子小了一码，能换大一码吗？", customer_name="王女士")
    for draft in result.drafts:
        assert draft.text.startswith("王女士")
        assert not re.search(r"[{}]", draft.text)


def test_without_a_name_the_customer_is_addressed_as_qin(services: Services) -> None:
    assert drafts_for(services, "在吗？").drafts[0].text.startswith("亲")


def test_traditional_customer_gets_a_traditional_reply(services: Services) -> None:
    result = drafts_for(services, "衣服顏色跟圖片完全不一樣，我要退貨！")
    assert result.analysis.script == "traditional"
    for draft in result.drafts:
        assert draft.script == "traditional"
        assert "您" in draft.text
        assert "貨" in draft.text or "顏色" in draft.text or "處理" in draft.text
        assert "货" not in draft.text
        assert "处理" not in draft.text


def test_cantonese_customer_gets_hong_kong_wording(services: Services) -> None:
    taiwan = drafts_for(services, "我訂單的衣服顏色不對，可以換貨嗎？").drafts[0].text
    hong_kong = drafts_for(services, "件衫個色唔啱，可唔可以換貨㗎？").drafts[0].text
    assert taiwan != hong_kong


@pytest.mark.parametrize("purpose", ["follow_up", "progress_update"])
def test_revisit_and_progress_drafts_use_their_own_stages(services: Services, purpose: str) -> None:
    result = drafts_for(services, "之前衣服色差的问题", purpose=purpose)
    for draft in result.drafts:
        assert purpose in stages(draft)
        assert "empathize" not in stages(draft)


def test_same_message_same_drafts_other_message_other_wording(services: Services) -> None:
    first = drafts_for(services, "快递到哪了？三天没更新了").drafts[0].text
    again = drafts_for(services, "快递到哪了？三天没更新了").drafts[0].text
    other = drafts_for(services, "快递怎么四天都不动了").drafts[0].text
    assert first == again
    assert first != other


def eval_messages() -> list[dict[str, object]]:
    items = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        items += [
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line
        ]
    return items


def test_every_template_draft_for_every_eval_message_passes_the_guard(services: Services) -> None:
    failures = []
    for item in eval_messages():
        context = [ContextMessage.model_validate(turn) for turn in item.get("context") or []]  # type: ignore[attr-defined]
        request = DraftRequest(text=str(item["text"]))
        for draft in services.template_drafts(request, context).drafts:
            if draft.findings:
                failures.append((item["id"], draft.style, [f.code for f in draft.findings]))
    assert failures == []


def test_a_long_draft_is_trimmed_in_order_but_keeps_its_first_solution() -> None:
    from app.drafting.schemas import DraftStage
    from app.drafting.service import _within_budget

    parts = [
        DraftStage(stage="greet", text="亲" * 10, phrase_id="g"),
        DraftStage(stage="solution", text="甲" * 40, phrase_id="s1"),
        DraftStage(stage="solution", text="乙" * 40, phrase_id="s2"),
        DraftStage(stage="ask_consent", text="丙" * 20, phrase_id="c"),
        DraftStage(stage="thanks", text="丁" * 20, phrase_id="t"),
    ]
    order = ("solution", "thanks", "ask_consent", "commit")
    assert _within_budget(parts, 200, order) == parts
    assert [p.phrase_id for p in _within_budget(parts, 100, order)] == ["g", "s1", "c", "t"]
    assert [p.phrase_id for p in _within_budget(parts, 75, order)] == ["g", "s1", "c"]
    assert [p.phrase_id for p in _within_budget(parts, 10, order)] == ["g", "s1"]


def test_drafts_for_upset_customers_stay_chat_sized(services: Services) -> None:
    budget = services.plans.length_budget
    for text in (
        "衣服有个破洞，质量太差了，我要退货！",
        "快递一个礼拜了还没到，物流也不更新，你们到底管不管？",
        "收到的杯子碎了，包装一点保护都没有，太失望了",
    ):
        for draft in drafts_for(services, text).drafts:
            assert len(draft.text) <= budget[draft.style] + 40, draft.text
            assert "solution" in stages(draft)
