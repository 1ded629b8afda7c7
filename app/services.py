"""The composition root: every long-lived object, built once (lifespan, scripts, tests)."""

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError

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
from app.llm.drafting import LLMDrafter, StreamEvent, drafts_event
from app.llm.prompts import PromptLibrary
from app.llm.usage import UsageLog
from app.replies import service as replies_service
from app.replies.commitments import load_commitment_rules
from app.replies.learning import ShopLearning, load_learning_rules
from app.replies.schemas import ReplyFilter
from app.replies.service import RecordKeeper
from app.settings import Settings, get_settings
from app.stats.advice import load_advice
from app.storage.db import Database, migrate, open_database

GUARD_MODEL_PATH = GUARD_RULES_PATH.parent / "model.npz"
logger = logging.getLogger("huashu")


@dataclass
class Services:
    """Analyzer, phrasebook, policy, plans and guard, shared by every request."""

    settings: Settings
    analyzer: Analyzer
    base_phrasebook: Phrasebook
    policy: ShopPolicy
    plans: Plans
    guard: Guard
    script: ReplyScript
    tones: dict[Tone, ToneRules]
    summary_rules: SummaryRules
    learning: ShopLearning
    records: RecordKeeper = field(init=False)
    database: Database | None = None
    usage: UsageLog = field(default_factory=UsageLog)
    llm_client: LLMClient | None = None
    llm_drafter: LLMDrafter | None = None
    llm_assistant: LLMAssistant | None = None

    def __post_init__(self) -> None:
        labels = self.analyzer.lexicon.labels
        self.records = RecordKeeper(
            shop=self.policy.shop_name,
            max_chars=self.settings.max_text_chars,
            zone=ZoneInfo(self.settings.timezone),
            converter=self.analyzer.converter,
            check=self.check,
            commitment_rules=load_commitment_rules(),
            learning_rules=self.learning.rules,
            learning=self.learning,
            advice=load_advice(),
            category_labels=dict(labels["category"]),
            emotion_labels=dict(labels["emotion"]),
        )

    @property
    def phrasebook(self) -> Phrasebook:
        """The phrasebook with this shop's saved phrases (they compete with the built-in ones)."""
        return self.learning.current.phrasebook

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
        learned = self.learning.current
        drafts, notes = build_template_drafts(
            analysis=analysis,
            text=request.text,
            customer_name=request.customer_name,
            purpose=request.purpose,
            variants=request.variants,
            phrasebook=learned.phrasebook,
            plans=self.plans,
            policy=self.policy,
            script=self.script,
            check=self._checker(request.text, analysis),
            penalties=learned.penalties,
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
        yield drafts_event(template, "template", offered=True)
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

    def record_offer(
        self, request: DraftRequest, response: DraftsResponse, offer_id: int | None = None
    ) -> int | None:
        """Keep the message and the drafts offered; returns the offer's id (blocking: call it
        from a worker thread). `offer_id` adds later drafts for the same message to it.

        Drafts stay useful when the database is down, so a failure is logged, not raised.
        """
        if self.database is None:
            return None
        try:
            with self.database.transaction() as session:
                recorded = replies_service.record_offer(
                    session=session,
                    keeper=self.records,
                    request=request,
                    response=response,
                    now=datetime.now(UTC),
                    offer_id=offer_id,
                )
                if self.learning.is_stale():
                    replies_service.refresh_learning(session=session, keeper=self.records)
        except Exception:
            logger.exception("could not record the offered drafts")
            return None
        return recorded

    def export_replies_csv(self, filters: ReplyFilter) -> Iterator[str]:
        """CSV lines of the recorded replies, read in their own transaction as they stream."""
        if self.database is None:
            return
        with self.database.transaction() as session:
            yield from replies_service.export_csv(
                session=session, keeper=self.records, filters=filters
            )

    def refresh_learning(self) -> None:
        """Reload shop phrases and learned penalties from the database (blocking)."""
        if self.database is None:
            return
        with self.database.transaction() as session:
            replies_service.refresh_learning(session=session, keeper=self.records)


def build_services(
    settings: Settings | None = None, *, database: Database | None = None
) -> Services:
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
        base_phrasebook=phrasebook,
        policy=policy,
        plans=load_plans(),
        guard=guard,
        script=ReplyScript.build(),
        tones=tones,
        summary_rules=load_summary_rules(),
        learning=ShopLearning(
            base=phrasebook,
            rules=load_learning_rules(),
            refresh_after_s=settings.learning_refresh_s,
        ),
        database=database,
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


class StorageUnavailable(RuntimeError):
    """The database cannot be reached or migrated at start-up."""


def open_storage(settings: Settings) -> Database:
    """The database of the settings, migrated to the newest schema when the settings say so."""
    database = open_database(settings.database_url)
    if settings.migrate_on_start:
        try:
            migrate(database)
        except OperationalError as exc:
            where = database.engine.url.render_as_string(hide_password=True)
            raise StorageUnavailable(
                f"cannot reach or migrate the database {where} (HUASHU_DATABASE_URL): {exc.orig}"
            ) from exc
    return database
