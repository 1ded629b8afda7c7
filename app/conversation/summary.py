"""A hand-off summary of a conversation: the problem, what was promised, what is pending."""

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.analysis.schemas import Analysis, ContextMessage
from app.datafiles import read_yaml

DATA_PATH = Path(__file__).parent / "data" / "summary.yaml"
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
ESCALATION_LABELS = {
    "none": "无需升级",
    "supervisor": "需要主管介入",
    "crisis": "重大纠纷，按危机流程处理",
}


class SummaryRulesError(ValueError):
    """The summary rule file is malformed."""


class SummaryRules(BaseModel):
    """Words that mark an agent's promise."""

    model_config = ConfigDict(extra="forbid")

    promise_words: list[str]
    question_marks: list[str]


class SummarizeRequest(BaseModel):
    """Body of `POST /v1/summarize`."""

    context: list[ContextMessage] = Field(min_length=1)
    customer_name: str | None = Field(default=None, max_length=40)
    mode: Literal["auto", "template", "llm"] = "auto"


class Summary(BaseModel):
    """Body returned by `POST /v1/summarize`."""

    problem: str
    promised: list[str]
    pending: list[str]
    text: str = Field(description="The summary as one note for the next agent or a supervisor.")
    category: str | None = None
    emotion: str | None = None
    escalation: str = "none"
    source: Literal["rules", "llm"]
    fallback_reason: str | None = None


def load_summary_rules(path: Path = DATA_PATH) -> SummaryRules:
    """The rules, read once."""
    return SummaryRules.model_validate(read_yaml(path, SummaryRulesError))


def last_customer_turn(context: list[ContextMessage]) -> tuple[str, list[ContextMessage]]:
    """The customer's latest message and everything before it (what `analyze` takes)."""
    for index in range(len(context) - 1, -1, -1):
        if context[index].role == "customer":
            return context[index].text, context[:index]
    return "", context


def summarize_by_rules(
    context: list[ContextMessage], analysis: Analysis | None, rules: SummaryRules
) -> Summary:
    """The summary from the analysis of the customer's side and the agent's promises."""
    customer_lines = [m.text for m in context if m.role == "customer"]
    if analysis is None:
        problem = "客户尚未说明问题。"
    else:
        quote = _sentence_with(customer_lines, [e.text for e in analysis.category.evidence])
        problem = f"{analysis.category.label}" + (f"：{quote}" if quote else "")
        if analysis.secondary:
            problem += f"（另有：{analysis.secondary.label}）"
    promised = _promises(context, rules)
    pending = []
    if analysis is not None and analysis.demands:
        pending.append("客户诉求：" + "、".join(d.label for d in analysis.demands))
    if context[-1].role == "customer":
        pending.append(f"客户最新消息尚未回复：{_clip(context[-1].text)}")
    if analysis is not None and analysis.risks:
        pending.append("风险：" + "、".join(r.label for r in analysis.risks))
    summary = Summary(
        problem=problem,
        promised=promised,
        pending=pending,
        text="",
        category=analysis.category.code if analysis else None,
        emotion=analysis.emotion.code if analysis else None,
        escalation=analysis.escalation if analysis else "none",
        source="rules",
    )
    summary.text = render_summary(summary, analysis)
    return summary


def render_summary(summary: Summary, analysis: Analysis | None) -> str:
    """One note, in the order a supervisor reads it."""
    lines = [f"问题：{summary.problem}"]
    if analysis is not None:
        lines.append(
            f"情绪：{analysis.emotion.label}（强度 {analysis.emotion.intensity}）；"
            f"升级：{ESCALATION_LABELS[analysis.escalation]}"
        )
    lines.append("已承诺：" + ("；".join(summary.promised) if summary.promised else "无"))
    lines.append("待处理：" + ("；".join(summary.pending) if summary.pending else "无"))
    return "\n".join(lines)


def _promises(context: list[ContextMessage], rules: SummaryRules) -> list[str]:
    promises: list[str] = []
    for message in context:
        if message.role != "agent":
            continue
        for match in SENTENCE.finditer(message.text):
            sentence = match.group().strip()
            if any(mark in sentence for mark in rules.question_marks):
                continue
            if any(word in sentence for word in rules.promise_words) and sentence not in promises:
                promises.append(_clip(sentence))
    return promises


def _sentence_with(lines: list[str], words: list[str]) -> str:
    """The first customer sentence holding evidence of the category."""
    for line in lines:
        for match in SENTENCE.finditer(line):
            if any(word and word in match.group() for word in words):
                return _clip(match.group().strip())
    return _clip(lines[0]) if lines else ""


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
