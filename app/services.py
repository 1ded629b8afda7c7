"""The composition root: every long-lived object, built once (lifespan, scripts, tests)."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from app.analysis.model import load_model
from app.analysis.schemas import Analysis, ContextMessage
from app.analysis.service import Analyzer, default_analyzer
from app.conversation.summary import (
    SummarizeRequest,
    Summary,
    SummaryRules,
    last_customer_turn,
    load_summary_rules,
    render_summary,
    summarize_by_rules,
)
from app.drafting.phrasebook import Phrasebook, load_phrasebook
from app.drafting.policy import ShopPolicy, load_policy
from app.drafting.render import honorific
from app.drafting.schemas import (
    DraftRequest,
    DraftsResponse,
    RewriteRequest,
    RewriteResponse,
    Tone,
)
from app.drafting.select import Plans, load_plans
from app.drafting.service import ReplyScript, build_template_drafts
from app.drafting.tones import ToneRules, TonesError, load_tones, rewrite_by_rules
from app.errors import InvalidInput
from app.guard.rules import DATA_PATH as GUARD_RULES_PATH
from app.guard.rules import load_guard_rules
from app.guard.schemas import CheckResult
from app.guard.service import Guard, check_reply
from app.llm.answer import AnswerError
from app.llm.assist import LLMAssistant
from app.llm.client import LLMClient, LLMFailure
from app.llm.drafting import LLMDrafter, StreamEvent
from app.llm.prompts import PromptLibrary
from app.llm.usage import UsageLog
from app.settings import Settings, get_settings

GUARD_MODEL_PATH = GUARD_RULES_PATH.parent / "model.json"


@dataclass
class Services:
    """Analyzer, phrasebook, policy, plans and guard, shared by every request."""

    settings: Settings
    analyzer: Analyzer
    phrasebook: Phrasebook
    policy: ShopPolicy
    plans: Plans
    guard: Guard
    script: ReplyScript
    tones: dict[Tone, ToneRules]
    summary_rules: SummaryRules
    usage: UsageLog = field(default_factory=UsageLog)
    llm_client: LLMClient | None = None
    llm_drafter: LLMDrafter | None = None
    llm_assistant: LLMAssistant | None = None

    def check(
        self, text: str, customer_text: str | None = None, customer: Analysis | None = None
    ) -> CheckResult:
        """Guard a reply; `customer` is the analysis of `customer_text` when already known."""
        if customer is None and customer_text and customer_text.strip():
            customer = self.analyzer.analyze(customer_text)
        return check_reply(
            guard=self.guard, text=text, customer_text=customer_text, customer_analysis=customer
        )

    def template_drafts(
        self, request: DraftRequest, context: list[ContextMessage]
    ) -> DraftsResponse:
        """Analysis and template drafts for one customer message."""
        analysis = self.analyzer.analyze(request.text, context)
        drafts, notes = build_template_drafts(
            analysis=analysis,
            text=request.text,
            customer_name=request.customer_name,
            purpose=request.purpose,
            variants=request.variants,
            phrasebook=self.phrasebook,
            plans=self.plans,
            policy=self.policy,
            script=self.script,
            check=lambda body: self.check(body, request.text, analysis),
        )
        return DraftsResponse(analysis=analysis, drafts=drafts, agent_notes=notes)

    def wants_llm(self, mode: str) -> bool:
        """Whether a request in `mode` is drafted by the LLM; `llm` without one is refused."""
        if mode == "llm" and self.llm_client is None:
            raise InvalidInput(
                "llm_not_configured",
                "未配置大模型（HUASHU_LLM_BASE_URL / HUASHU_LLM_MODEL），请改用 mode=template 或 auto。",
                "No LLM is configured (HUASHU_LLM_BASE_URL / HUASHU_LLM_MODEL); "
                "use mode=template or auto.",
            )
        return mode != "template" and self.llm_client is not None

    async def drafts(self, request: DraftRequest, context: list[ContextMessage]) -> DraftsResponse:
        """Drafts in the requested mode; LLM failures fall back to the template drafts."""
        use_llm = self.wants_llm(request.mode)
        template = self.template_drafts(request, context)
        if not use_llm or self.llm_drafter is None:
            return template
        return await self.llm_drafter.drafts(
            request, context, template, self._checker(request.text, template.analysis)
        )

    async def stream_drafts(
        self, request: DraftRequest, context: list[ContextMessage]
    ) -> AsyncIterator[StreamEvent]:
        """`analysis`, the template drafts at once, then the LLM's text as it arrives, `done`."""
        use_llm = self.wants_llm(request.mode)
        template = self.template_drafts(request, context)
        yield StreamEvent("analysis", template.analysis.model_dump(mode="json"))
        yield StreamEvent(
            "drafts",
            {
                "source": "template",
                "drafts": [d.model_dump(mode="json") for d in template.drafts],
                "agent_notes": [n.model_dump(mode="json") for n in template.agent_notes],
            },
        )
        if not use_llm or self.llm_drafter is None:
            yield StreamEvent("done", {"fallback_reason": None})
            return
        checker = self._checker(request.text, template.analysis)
        async for event in self.llm_drafter.stream(request, context, template, checker):
            yield event

    async def rewrite(self, request: RewriteRequest) -> RewriteResponse:
        """The agent's text in another tone: by the LLM when there is one, else by rules."""
        use_llm = self.wants_llm(request.mode)
        customer = self.analyzer.analyze(request.customer_text) if request.customer_text else None
        fallback_reason = None
        if use_llm and self.llm_assistant is not None:
            try:
                text, _ = await self.llm_assistant.rewrite(
                    request.text, request.tone, request.customer_text
                )
                result = self.check(text, request.customer_text, customer)
                if result.ok:
                    return RewriteResponse(
                        text=text, tone=request.tone, source="llm", ok=True, findings=[]
                    )
                fallback_reason = "guard_rejected"
            except (LLMFailure, AnswerError) as failure:
                fallback_reason = failure.reason
        values = {**self.policy.template_values(), "customer": honorific(None)}
        text = rewrite_by_rules(
            request.text, request.tone, self.tones[request.tone], self.phrasebook, values
        )
        if customer is not None and customer.script == "traditional":
            text = self.script.convert(text, request.customer_text or "")
        result = self.check(text, request.customer_text, customer)
        return RewriteResponse(
            text=text,
            tone=request.tone,
            source="rules",
            ok=result.ok,
            findings=result.findings,
            fallback_reason=fallback_reason,
        )

    async def summarize(self, request: SummarizeRequest) -> Summary:
        """A hand-off summary; the rules' one when there is no LLM or it fails."""
        use_llm = self.wants_llm(request.mode)
        latest, earlier = last_customer_turn(request.context)
        analysis = self.analyzer.analyze(latest, earlier) if latest.strip() else None
        by_rules = summarize_by_rules(request.context, analysis, self.summary_rules)
        if not use_llm or self.llm_assistant is None or analysis is None:
            return by_rules
        try:
            answer, _ = await self.llm_assistant.summarize(request.context, analysis)
        except (LLMFailure, AnswerError) as failure:
            return by_rules.model_copy(update={"fallback_reason": failure.reason})
        summary = by_rules.model_copy(
            update={
                "problem": answer.problem,
                "promised": answer.promised,
                "pending": answer.pending,
                "source": "llm",
            }
        )
        summary.text = render_summary(summary, analysis)
        return summary

    async def close(self) -> None:
        """Release what holds connections (at shutdown)."""
        if self.llm_client is not None:
            await self.llm_client.close()

    def _checker(self, customer_text: str, analysis: Analysis) -> Callable[[str], CheckResult]:
        return lambda body: self.check(body, customer_text, analysis)


def build_services(settings: Settings | None = None) -> Services:
    """Load every data file once; a malformed one stops start-up with its name and line."""
    settings = settings or get_settings()
    analyzer = default_analyzer()
    phrasebook = load_phrasebook()
    policy = load_policy(settings.shop_policy)
    guard = Guard(
        load_guard_rules(),
        analyzer.converter,
        phrasebook,
        policy,
        model=load_model(GUARD_MODEL_PATH),
    )
    tones = load_tones()
    unknown = [
        i for rules in tones.values() for i in rules.empathy_phrases if i not in phrasebook.by_id
    ]
    if unknown:
        raise TonesError(f"tones.yaml names phrases that are not in the phrasebook: {unknown}")
    services = Services(
        settings=settings,
        analyzer=analyzer,
        phrasebook=phrasebook,
        policy=policy,
        plans=load_plans(),
        guard=guard,
        script=ReplyScript.build(),
        tones=tones,
        summary_rules=load_summary_rules(),
    )
    if settings.llm_base_url and settings.llm_model:
        prompts = PromptLibrary()
        client = LLMClient(settings, services.usage)
        services.llm_client = client
        services.llm_drafter = LLMDrafter(
            client=client,
            prompts=prompts,
            policy=policy,
            pitfalls=list(guard.rules.pitfalls.values()),
            category_labels=analyzer.lexicon.labels["category"],
            script=services.script,
        )
        services.llm_assistant = LLMAssistant(client, prompts, policy)
    return services
