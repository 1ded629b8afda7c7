"""The learning hook of phrase selection: a penalised phrase loses to its equally fitting rival."""

from app.analysis.schemas import Analysis
from app.drafting.schemas import DraftRequest
from app.drafting.select import choose, fit, situation_of
from app.replies.learning import PhraseUse, load_learning_rules, phrase_penalties
from app.services import Services

COMPLAINT = "衣服有个破洞，质量太差了，我要退货"


def test_a_penalised_phrase_loses_to_its_rival(services: Services) -> None:
    analysis: Analysis = services.analyzer.analyze(COMPLAINT)
    situation = situation_of(analysis, "reply", COMPLAINT)
    available = set(services.policy.template_values()) | {"customer"}
    book, plans = services.base_phrasebook, services.plans
    rules = load_learning_rules()
    tried = 0
    for stage in plans.stages[situation.name]:
        scores = {
            p.id: fit(p, situation, plans.specificity)
            for p in book.by_stage.get(stage, [])
            if p.style == "standard" and book.variables[p.id] <= available
        }
        [favourite] = choose(book, plans, stage, "standard", situation, available, set())
        rivals = [i for i, s in scores.items() if s == scores[favourite.id] and i != favourite.id]
        if not rivals:
            continue
        tried += 1
        penalties = {favourite.id: rules.penalty}
        [chosen] = choose(book, plans, stage, "standard", situation, available, set(), 1, penalties)
        assert chosen.id != favourite.id
        assert chosen.id in rivals
        [unpenalised] = choose(book, plans, stage, "standard", situation, available, set(), 1, {})
        assert unpenalised.id == favourite.id
    assert tried, "no stage of this situation has two equally fitting phrases to compare"


def test_penalties_reach_the_template_drafts(services: Services) -> None:
    request = DraftRequest(text=COMPLAINT)
    before = services.template_drafts(request, []).drafts[0]
    penalised = {stage.phrase_id: 10 for stage in before.stages if stage.phrase_id}
    services.learning.replace([], penalised)
    try:
        after = services.template_drafts(request, []).drafts[0]
    finally:
        services.learning.replace([], {})
    assert after.text != before.text


def test_one_rewrite_is_no_verdict_but_repeated_ones_are() -> None:
    rules = load_learning_rules()
    once = [PhraseUse("a.b", rewritten=True), PhraseUse("a.b"), PhraseUse("a.b")]
    assert phrase_penalties(once, rules) == {}
    often = [PhraseUse("a.b", rewritten=True)] * 2 + [PhraseUse("a.b", unhelpful=True)]
    assert phrase_penalties(often, rules) == {"a.b": rules.penalty}
    many = [PhraseUse("a.b", unhelpful=True)] * rules.strong_signals
    assert phrase_penalties(many, rules) == {"a.b": rules.strong_penalty}
