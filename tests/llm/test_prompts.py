"""Every prompt template compiles and renders with what the drafter gives it."""

import pytest

from app.drafting.schemas import DraftRequest
from app.llm.prompts import TEMPLATES, PromptLibrary
from app.services import Services


def test_every_template_compiles() -> None:
    library = PromptLibrary()
    assert set(library._templates) == set(TEMPLATES)


def test_the_draft_prompt_states_policy_pitfalls_styles_and_script(services: Services) -> None:
    library = PromptLibrary()
    request = DraftRequest(text="衣服顏色跟圖片差太多了，我要退貨", variants=2)
    template = services.template_drafts(request, [])
    system = library.render(
        "drafts_system.j2",
        policy=services.policy,
        pitfalls=list(services.guard.rules.pitfalls.values()),
        category_labels=services.analyzer.lexicon.labels["category"],
        styles=[d.style for d in template.drafts],
        script=template.analysis.script,
        hong_kong=False,
    )
    assert "繁体" in system
    assert f"{services.policy.return_window_days} 天" in system
    for pitfall in services.guard.rules.pitfalls.values():
        assert pitfall.label in system
    for draft in template.drafts:
        assert draft.style in system


def test_a_missing_value_is_an_error_not_blank_text() -> None:
    with pytest.raises(Exception, match="undefined"):
        PromptLibrary().render("repair_user.j2")
