"""Token usage and latency of every LLM call, kept for the statistics (`GET /v1/llm/usage`)."""

import statistics
import threading
from collections import Counter, deque

from pydantic import BaseModel

RECENT_CALLS = 1000


class LLMCall(BaseModel):
    """One call to the endpoint."""

    purpose: str
    model: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    outcome: str


class UsageSummary(BaseModel):
    """Totals since start-up and latency over the most recent calls."""

    calls: int
    prompt_tokens: int
    completion_tokens: int
    outcomes: dict[str, int]
    latency_ms_median: float | None
    latency_ms_p95: float | None
    recent: list[LLMCall]


class UsageLog:
    """Totals since start-up and the most recent calls; thread-safe, bounded in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recent: deque[LLMCall] = deque(maxlen=RECENT_CALLS)
        self._outcomes: Counter[str] = Counter()
        self._prompt_tokens = 0
        self._completion_tokens = 0

    def add(self, call: LLMCall) -> None:
        """Count one call."""
        with self._lock:
            self._recent.append(call)
            self._outcomes[call.outcome] += 1
            self._prompt_tokens += call.prompt_tokens
            self._completion_tokens += call.completion_tokens

    def summary(self, recent: int = 20) -> UsageSummary:
        """What has been spent, and how fast the endpoint answers."""
        with self._lock:
            calls = list(self._recent)
            outcomes = dict(self._outcomes)
            prompt_tokens, completion_tokens = self._prompt_tokens, self._completion_tokens
        latencies = sorted(call.latency_ms for call in calls if call.outcome == "ok")
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else None
        return UsageSummary(
            calls=sum(outcomes.values()),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            outcomes=outcomes,
            latency_ms_median=statistics.median(latencies) if latencies else None,
            latency_ms_p95=p95,
            recent=calls[-recent:] if recent else [],
        )
