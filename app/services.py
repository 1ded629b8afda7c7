"""The composition root: every long-lived object, built once (lifespan, scripts, tests)."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError

from app.analysis.model import load_model
from app.analysis.schemas import Analysis, ContextMessage
from app.analysis.service import Analyzer, default_analyzer
from app.drafting.phrasebook import Phrasebook, load_phrasebook
from app.drafting.policy import ShopPolicy, load_policy
from app.drafting.schemas import DraftRequest, DraftsResponse
from app.drafting.select import Plans, load_plans
from app.drafting.service import ReplyScript, build_template_drafts
from app.guard.rules import DATA_PATH as GUARD_RULES_PATH
from app.guard.rules import load_guard_rules
from app.guard.schemas import CheckResult
from app.guard.service import Guard, check_reply
from app.replies import service as replies_service
from app.replies.commitments import load_commitment_rules
from app.replies.learning import ShopLearning, load_learning_rules
from app.replies.schemas import ReplyFilter
from app.replies.service import RecordKeeper
from app.settings import Settings, get_settings
from app.stats.advice import load_advice
from app.storage.db import Database, migrate, open_database

GUARD_MODEL_PATH = GUARD_RULES_PATH.parent / "model.json"
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
    learning: ShopLearning
    records: RecordKeeper = field(init=False)
    database: Database | None = None

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
            check=lambda body: self.check(body, request.text, analysis),
            penalties=learned.penalties,
        )
        return DraftsResponse(analysis=analysis, drafts=drafts, agent_notes=notes)

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
    return Services(
        settings=settings,
        analyzer=analyzer,
        base_phrasebook=phrasebook,
        policy=policy,
        plans=load_plans(),
        guard=guard,
        script=ReplyScript.build(),
        learning=ShopLearning(
            base=phrasebook,
            rules=load_learning_rules(),
            refresh_after_s=settings.learning_refresh_s,
        ),
        database=database,
    )


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
