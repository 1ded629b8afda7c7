"""`build_template_drafts`: 1–3 editable replies assembled from the phrasebook for one message."""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.analysis.schemas import Analysis
from app.drafting.phrasebook import Phrasebook
from app.drafting.policy import ShopPolicy
from app.drafting.render import CANTONESE_MARKS, drop_leading_address, fill, honorific
from app.drafting.schemas import AgentNote, Draft, DraftStage, Purpose, Style
from app.drafting.select import Plans, Situation, choose, situation_of
from app.guard.schemas import CheckResult


@dataclass(frozen=True)
class ReplyScript:
    """OpenCC converters for replies to customers who write Traditional."""

    taiwan: object
    hong_kong: object

    @classmethod
    def build(cls) -> "ReplyScript":
        import opencc

        return cls(taiwan=opencc.OpenCC("s2twp"), hong_kong=opencc.OpenCC("s2hk"))

    def convert(self, text: str, customer_text: str) -> str:
        """Traditional in the customer's variant: Hong Kong when they write Cantonese."""
        converter = self.hong_kong if CANTONESE_MARKS.search(customer_text) else self.taiwan
        converted: str = converter.convert(text)  # type: ignore[attr-defined]
        return converted


def _values(analysis: Analysis, policy: ShopPolicy, customer_name: str | None) -> dict[str, str]:
    values = {**policy.template_values(), "customer": honorific(customer_name)}
    if analysis.facts.order_ids:
        values["order_id"] = analysis.facts.order_ids[0].text
    if analysis.facts.products:
        values["product"] = analysis.facts.products[0].text
    return values


def _compose(
    *,
    phrasebook: Phrasebook,
    plans: Plans,
    situation: Situation,
    style: Style,
    values: dict[str, str],
    avoid: set[str],
    penalties: Mapping[str, int] | None = None,
) -> list[DraftStage]:
    stages = plans.stages[situation.name]
    if style == "concise":
        stages = tuple(s for s in stages if s not in plans.concise_drops)
    if situation.category not in plans.facts_needed_for:
        stages = tuple(s for s in stages if s != "ask_facts")
    available = set(values)
    parts: list[DraftStage] = []
    address = values["customer"]
    addressed = False
    for stage in stages:
        limit = plans.solution_phrases.get(style, 1) if stage == "solution" else 1
        chosen = choose(
            phrasebook, plans, stage, style, situation, available, avoid, limit, penalties
        )
        for phrase in chosen:
            text = fill(phrase.text, values)
            if addressed:
                text = drop_leading_address(text, address)
            addressed = addressed or text.startswith(address) or address in text[:12]
            parts.append(DraftStage(stage=stage, text=text, phrase_id=phrase.id))
    trim_order = tuple(s for s in plans.trim_order if s not in plans.keep[situation.name])
    return _within_budget(parts, plans.length_budget.get(style), trim_order)


def _within_budget(
    parts: list[DraftStage], budget: int | None, trim_order: tuple[str, ...]
) -> list[DraftStage]:
    """Drop stages in `trim_order` until the draft fits its length budget (or nothing can go)."""
    if budget is None:
        return parts
    for stage in trim_order:
        if sum(len(part.text) for part in parts) <= budget:
            break
        same = [index for index, part in enumerate(parts) if part.stage == stage]
        # A solution keeps its first phrase: the answer to the customer's problem never goes.
        droppable = set(same[1:] if stage == "solution" else same)
        parts = [part for index, part in enumerate(parts) if index not in droppable]
    return parts


def build_template_drafts(
    *,
    analysis: Analysis,
    text: str,
    customer_name: str | None,
    purpose: Purpose,
    variants: int,
    phrasebook: Phrasebook,
    plans: Plans,
    policy: ShopPolicy,
    script: ReplyScript,
    check: Callable[[str], CheckResult],
    penalties: Mapping[str, int] | None = None,
) -> tuple[list[Draft], list[AgentNote]]:
    """Drafts in up to three styles that really differ, each checked by the guard."""
    situation = situation_of(analysis, purpose, text)
    values = _values(analysis, policy, customer_name)
    drafts: list[Draft] = []
    used: set[str] = set()
    for style in plans.styles_by_situation[situation.name][:variants]:
        stages = _compose(
            phrasebook=phrasebook, plans=plans, situation=situation, style=style,
            values=values, avoid=set(), penalties=penalties,
        )  # fmt: skip
        body = "".join(part.text for part in stages)
        if body in {d.text for d in drafts} or not stages:
            # Same words as an earlier variant: choose again without the phrases already used.
            stages = _compose(
                phrasebook=phrasebook, plans=plans, situation=situation, style=style,
                values=values, avoid=used, penalties=penalties,
            )  # fmt: skip
            body = "".join(part.text for part in stages)
        if not stages or body in {d.text for d in drafts}:
            continue
        used |= {part.phrase_id for part in stages if part.phrase_id}
        if analysis.script == "traditional":
            stages = [
                part.model_copy(update={"text": script.convert(part.text, text)}) for part in stages
            ]
            body = "".join(part.text for part in stages)
        result = check(body)
        draft_id = "d_" + hashlib.sha1(f"{situation.seed}:{style}:{body}".encode()).hexdigest()[:12]
        drafts.append(
            Draft(
                id=draft_id,
                style=style,
                text=body,
                script=analysis.script,
                source="template",
                stages=stages,
                findings=result.findings,
            )  # fmt: skip
        )
    notes = _agent_notes(phrasebook, plans, situation, values)
    return drafts, notes


def _agent_notes(
    phrasebook: Phrasebook, plans: Plans, situation: Situation, values: dict[str, str]
) -> list[AgentNote]:
    """Hand-off notes for the agent (never the customer) when a supervisor or crisis is due."""
    if situation.escalation == "none" and not situation.risks - {"repeat_contact"}:
        return []
    notes = []
    seen: set[str] = set()
    for _ in range(2):
        picked = choose(phrasebook, plans, "handoff", "standard", situation, set(values), seen)
        if not picked:
            break
        seen.add(picked[0].id)
        notes.append(AgentNote(text=fill(picked[0].text, values), phrase_id=picked[0].id))
    return notes
