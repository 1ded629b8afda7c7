"""The LLM's smaller jobs: an agent's reply rewritten in a tone, a conversation summarised."""

import secrets
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from app.analysis.schemas import Analysis, ContextMessage
from app.drafting.policy import ShopPolicy
from app.drafting.schemas import Tone
from app.llm.answer import MAX_DRAFT_CHARS, AnswerError, json_object
from app.llm.client import LLMClient
from app.llm.prompts import PromptLibrary
from app.llm.usage import LLMCall
from app.personal_data import Masking

Shape = TypeVar("Shape", bound=BaseModel)


class RewriteAnswer(BaseModel):
    """What the LLM returns for a rewrite."""

    text: str


class SummaryAnswer(BaseModel):
    """What the LLM returns for a summary."""

    problem: str
    promised: list[str]
    pending: list[str]


class LLMAssistant:
    """Rewrite and summary with the LLM; failures raise `LLMFailure` or `AnswerError`."""

    def __init__(self, client: LLMClient, prompts: PromptLibrary, policy: ShopPolicy) -> None:
        self.client = client
        self.prompts = prompts
        self.policy = policy

    async def rewrite(
        self, text: str, tone: Tone, customer_text: str | None
    ) -> tuple[str, LLMCall]:
        """The agent's text in `tone`, personal data masked on the way out and restored."""
        masking = Masking()
        fence = secrets.token_hex(4)
        messages = [
            {
                "role": "system",
                "content": self.prompts.render("rewrite_system.j2", policy=self.policy),
            },
            {
                "role": "user",
                "content": self.prompts.render(
                    "rewrite_user.j2",
                    tone=tone,
                    text=masking.mask(text),
                    customer_text=masking.mask(customer_text) if customer_text else None,
                    fence=fence,
                ),
            },
        ]
        completion = await self.client.complete(messages, purpose="rewrite")
        answer = _parse(completion.text, RewriteAnswer)
        rewritten = answer.text.strip()
        if not rewritten or len(rewritten) > MAX_DRAFT_CHARS:
            raise AnswerError("invalid_shape", "empty or overlong rewrite")
        return masking.restore(rewritten), completion.call

    async def summarize(
        self, context: list[ContextMessage], analysis: Analysis
    ) -> tuple[SummaryAnswer, LLMCall]:
        """Problem, promises and pending work, as the LLM reads the conversation."""
        masking = Masking()
        messages = [
            {
                "role": "system",
                "content": self.prompts.render("summary_system.j2", script=analysis.script),
            },
            {
                "role": "user",
                "content": self.prompts.render(
                    "summary_user.j2",
                    analysis=analysis,
                    context=[
                        ContextMessage(role=m.role, text=masking.mask(m.text)) for m in context
                    ],
                    fence=secrets.token_hex(4),
                ),
            },
        ]
        completion = await self.client.complete(messages, purpose="summarize")
        answer = _parse(completion.text, SummaryAnswer)
        if not answer.problem.strip():
            raise AnswerError("invalid_shape", "the summary names no problem")
        restored = SummaryAnswer(
            problem=masking.restore(answer.problem.strip()),
            promised=[masking.restore(item) for item in answer.promised if item.strip()],
            pending=[masking.restore(item) for item in answer.pending if item.strip()],
        )
        return restored, completion.call


def _parse(raw: str, shape: type[Shape]) -> Shape:
    try:
        return shape.model_validate(json_object(raw))
    except ValidationError as error:
        raise AnswerError("invalid_shape", f"expected {shape.__name__}") from error
