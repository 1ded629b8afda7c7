"""The composition root: every long-lived object, built once (lifespan, scripts, tests)."""

from dataclasses import dataclass

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
    return Services(
        settings=settings,
        analyzer=analyzer,
        phrasebook=phrasebook,
        policy=policy,
        plans=load_plans(),
        guard=guard,
        script=ReplyScript.build(),
    )
