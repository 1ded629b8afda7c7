"""LLM drafts that follow the template script, checked by the guard, repaired once or dropped.

The template drafts are always built first: they are the script the LLM is given, and the
answer whenever the LLM fails.
"""

import hashlib
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.analysis.schemas import Analysis, ContextMessage
from app.drafting.policy import ShopPolicy
from app.drafting.render import CANTONESE_MARKS, honorific
from app.drafting.schemas import (
    Draft,
    DraftRequest,
    DraftsResponse,
    DroppedDraft,
    LLMReport,
    Style,
)
from app.drafting.service import ReplyScript
from app.guard.rules import Pitfall
from app.guard.schemas import CheckResult
from app.llm.answer import AnswerDraft, AnswerError, StreamedDrafts, parse_answer
from app.llm.client import LLMClient, LLMFailure, Message
from app.llm.prompts import PromptLibrary
from app.llm.usage import LLMCall
from app.personal_data import Masking

Check = Callable[[str], CheckResult]
EventName = Literal["analysis", "drafts", "delta", "error", "done"]


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event of `POST /v1/drafts/stream`."""

    event: EventName
    data: dict[str, Any]
    offered: DraftsResponse | None = None  # drafts shown to the agent for the first time


@dataclass
class _Job:
    """Everything one LLM draft request needs, prepared once."""

    request: DraftRequest
    analysis: Analysis
    template: DraftsResponse
    styles: tuple[Style, ...]
    masking: Masking
    messages: list[Message]
    script_phrase_ids: list[str]
    check: Check


class LLMDrafter:
    """Writes drafts with the LLM; built once at start-up when an endpoint is configured."""

    def __init__(
        self,
        *,
        client: LLMClient,
        prompts: PromptLibrary,
        policy: ShopPolicy,
        pitfalls: Sequence[Pitfall],
        category_labels: dict[str, str],
        script: ReplyScript,
    ) -> None:
        self.client = client
        self.prompts = prompts
        self.policy = policy
        self.pitfalls = list(pitfalls)
        self.category_labels = category_labels
        self.script = script

    async def drafts(
        self,
        request: DraftRequest,
        context: list[ContextMessage],
        template: DraftsResponse,
        check: Check,
    ) -> DraftsResponse:
        """LLM drafts, or the template drafts with `fallback_reason` when the LLM fails."""
        job = self._job(request, context, template, check)
        try:
            completion = await self.client.complete(job.messages, purpose="drafts")
            report = _report(self.client.model, completion.call)
            drafts = await self._finish(job, completion.text, report)
        except (LLMFailure, AnswerError) as failure:
            return _fallback(template, failure)
        return template.model_copy(update={"drafts": drafts, "llm": report})

    async def stream(
        self,
        request: DraftRequest,
        context: list[ContextMessage],
        template: DraftsResponse,
        check: Check,
    ) -> AsyncIterator[StreamEvent]:
        """`delta` events as the LLM writes, then its checked drafts, or `error` and the fallback."""
        job = self._job(request, context, template, check)
        reader = StreamedDrafts()
        calls: list[LLMCall] = []
        try:
            async for piece in self.client.stream(job.messages, "drafts_stream", calls):
                for index, style, text in reader.feed(piece):
                    yield StreamEvent(
                        "delta",
                        {"index": index, "style": style, "text": job.masking.restore(text)},
                    )
            report = _report(self.client.model, calls[-1])
            drafts = await self._finish(job, reader.buffer, report)
        except (LLMFailure, AnswerError) as failure:
            fallback = _fallback(template, failure)
            yield StreamEvent("error", _error_body(failure))
            yield drafts_event(fallback, "template")
            yield StreamEvent("done", {"fallback_reason": fallback.fallback_reason})
            return
        answered = template.model_copy(update={"drafts": drafts, "llm": report})
        yield drafts_event(answered, "llm", offered=True)
        yield StreamEvent("done", {"fallback_reason": None, "llm": report.model_dump(mode="json")})

    def _job(
        self,
        request: DraftRequest,
        context: list[ContextMessage],
        template: DraftsResponse,
        check: Check,
    ) -> _Job:
        styles = tuple(draft.style for draft in template.drafts) or ("standard",)
        masking = Masking()
        analysis = template.analysis
        hong_kong = bool(CANTONESE_MARKS.search(request.text))
        system = self.prompts.render(
            "drafts_system.j2",
            policy=self.policy,
            pitfalls=self.pitfalls,
            category_labels=self.category_labels,
            styles=styles,
            script=analysis.script,
            hong_kong=hong_kong,
        )
        user = self.prompts.render(
            "drafts_user.j2",
            analysis=analysis,
            facts=_facts(analysis),
            customer=honorific(request.customer_name),
            scripts=template.drafts,
            agent_notes=[note.text for note in template.agent_notes],
            context=[ContextMessage(role=m.role, text=masking.mask(m.text)) for m in context],
            text=masking.mask(request.text),
            fence=secrets.token_hex(4),  # unguessable, so a message cannot close its own fence
            styles=styles,
        )
        phrase_ids = sorted(
            {stage.phrase_id for d in template.drafts for stage in d.stages if stage.phrase_id}
        )
        return _Job(
            request=request,
            analysis=analysis,
            template=template,
            styles=styles,
            masking=masking,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            script_phrase_ids=phrase_ids,
            check=check,
        )

    async def _finish(self, job: _Job, raw: str, report: LLMReport) -> list[Draft]:
        """Parse, restore, check; repair the flagged drafts once; drop what is still flagged."""
        answered = parse_answer(raw, job.styles)
        drafts: dict[str, Draft] = {}
        flagged: list[tuple[AnswerDraft, Draft]] = []
        for item in answered:
            draft = self._draft(job, item)
            if draft.findings:
                flagged.append((item, draft))
            else:
                drafts[item.style] = draft
        if flagged:
            for style, draft in (await self._repair(job, raw, flagged, report)).items():
                drafts[style] = draft
        kept = [drafts[style] for style in job.styles if style in drafts]
        if not kept:
            reasons = "; ".join(f"{d.style}: {d.reason}" for d in report.dropped)
            raise LLMFailure("guard_rejected", reasons)
        return kept

    async def _repair(
        self,
        job: _Job,
        raw: str,
        flagged: list[tuple[AnswerDraft, Draft]],
        report: LLMReport,
    ) -> dict[str, Draft]:
        problems = [
            {"style": item.style, "text": item.text, "findings": draft.findings}
            for item, draft in flagged
        ]
        messages = [
            *job.messages,
            {"role": "assistant", "content": raw},
            {"role": "user", "content": self.prompts.render("repair_user.j2", problems=problems)},
        ]
        styles = tuple(item.style for item, _ in flagged)
        try:
            completion = await self.client.complete(messages, purpose="drafts_repair")
            _add_cost(report, completion.call)
            repaired = parse_answer(completion.text, styles)
        except (LLMFailure, AnswerError) as failure:
            report.dropped += [
                DroppedDraft(style=draft.style, reason=_codes(draft)) for _, draft in flagged
            ]
            report.detail = f"repair failed: {failure}"
            return {}
        fixed: dict[str, Draft] = {}
        for item in repaired:
            draft = self._draft(job, item)
            if draft.findings:
                report.dropped.append(DroppedDraft(style=item.style, reason=_codes(draft)))
            else:
                fixed[item.style] = draft
                report.repaired.append(item.style)
        for _, draft in flagged:
            if draft.style not in fixed and all(d.style != draft.style for d in report.dropped):
                report.dropped.append(DroppedDraft(style=draft.style, reason="not repaired"))
        return fixed

    def _draft(self, job: _Job, item: AnswerDraft) -> Draft:
        text = job.masking.restore(item.text)
        if job.analysis.script == "traditional":
            text = self.script.convert(text, job.request.text)
        digest = hashlib.sha1(f"llm:{item.style}:{text}".encode()).hexdigest()[:12]
        return Draft(
            id="l_" + digest,
            style=item.style,  # type: ignore[arg-type]
            text=text,
            script=job.analysis.script,
            source="llm",
            stages=[],
            findings=job.check(text).findings,
            script_phrase_ids=job.script_phrase_ids,
        )


def _facts(analysis: Analysis) -> list[str]:
    facts = analysis.facts
    found = [f"订单号 {span.text}" for span in facts.order_ids]
    found += [f"运单号 {span.text}" for span in facts.tracking_ids]
    found += [f"金额 {amount.span.text}" for amount in facts.amounts]
    found += [f"时间 {duration.span.text}" for duration in facts.durations]
    found += [f"商品 {span.text}" for span in facts.products]
    return found


def _report(model: str, call: LLMCall) -> LLMReport:
    return LLMReport(
        model=model,
        latency_ms=call.latency_ms,
        prompt_tokens=call.prompt_tokens,
        completion_tokens=call.completion_tokens,
    )


def _add_cost(report: LLMReport, call: LLMCall) -> None:
    report.latency_ms = round(report.latency_ms + call.latency_ms, 1)
    report.prompt_tokens += call.prompt_tokens
    report.completion_tokens += call.completion_tokens


def _codes(draft: Draft) -> str:
    return "guard: " + ", ".join(sorted({finding.code for finding in draft.findings}))


def _fallback(template: DraftsResponse, failure: LLMFailure | AnswerError) -> DraftsResponse:
    return template.model_copy(update={"fallback_reason": failure.reason})


# What the agent reads when LLM drafts are replaced by template drafts.
FALLBACK_REASONS: dict[str, tuple[str, str]] = {
    "timeout": ("大模型响应超时", "the LLM did not answer in time"),
    "rate_limited": ("大模型接口繁忙（429）", "the LLM endpoint is rate-limiting (429)"),
    "upstream_error": ("大模型接口出错", "the LLM endpoint returned an error"),
    "connection_error": ("连不上大模型接口", "the LLM endpoint cannot be reached"),
    "refused": ("大模型拒绝了这条请求", "the LLM refused the request"),
    "unparsable": ("大模型的回答无法解析", "the LLM's answer was not JSON"),
    "invalid_shape": ("大模型的回答格式不对", "the LLM's answer had the wrong shape"),
    "guard_rejected": ("大模型的草稿未通过话术检查", "the LLM's drafts failed the reply guard"),
}


def _error_body(failure: LLMFailure | AnswerError) -> dict[str, Any]:
    chinese, english = FALLBACK_REASONS.get(failure.reason, ("大模型出错", "the LLM failed"))
    return {
        "code": f"llm_{failure.reason}",
        "message": f"{chinese}，已改用模板草稿。",
        "message_en": f"{english.capitalize()}; template drafts are shown instead.",
    }


def drafts_event(response: DraftsResponse, source: str, *, offered: bool = False) -> StreamEvent:
    """A `drafts` event; `offered` when these drafts reach the agent for the first time."""
    data = {
        "source": source,
        "drafts": [draft.model_dump(mode="json") for draft in response.drafts],
        "agent_notes": [note.model_dump(mode="json") for note in response.agent_notes],
    }
    return StreamEvent("drafts", data, offered=response if offered else None)
