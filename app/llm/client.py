"""One OpenAI-compatible chat client for the whole process: time limit, retries, concurrency limit.

Every failure becomes an `LLMFailure` with a short reason code, so callers fall back to
template drafts and say why, whatever endpoint (OpenAI, DeepSeek, Qwen, Ollama, …) answered.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from openai import AsyncOpenAI

from app.llm.usage import LLMCall, UsageLog
from app.settings import Settings

logger = logging.getLogger("huashu.llm")

Message = dict[str, str]
T = TypeVar("T")


class LLMFailure(Exception):
    """The LLM gave no usable answer; `reason` is what the agent and the statistics see."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Completion:
    """The text of one answer and what it cost."""

    text: str
    call: LLMCall


class LLMClient:
    """Wraps `AsyncOpenAI`; created once at start-up and injected."""

    def __init__(self, settings: Settings, usage: UsageLog) -> None:
        if not settings.llm_base_url or not settings.llm_model:
            raise ValueError("LLMClient needs HUASHU_LLM_BASE_URL and HUASHU_LLM_MODEL")
        self.model = settings.llm_model
        self.timeout_s = settings.llm_timeout_s
        self.temperature = settings.llm_temperature
        self.max_tokens = settings.llm_max_tokens
        self.json_mode = settings.llm_json_mode
        self.usage = usage
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        # The SDK retries 408/409/429/5xx and dropped connections with exponential backoff
        # (honouring Retry-After); our own deadline bounds the whole, retries included.
        self._client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=key,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
        self._slots = asyncio.Semaphore(settings.llm_max_concurrency)

    async def close(self) -> None:
        """Release the connection pool (at shutdown)."""
        await self._client.close()

    async def complete(self, messages: list[Message], purpose: str) -> Completion:
        """One whole answer, within the time limit."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout_s), self._slots:
                response = await self._client.chat.completions.create(
                    **self._request(messages), stream=False
                )
        except asyncio.CancelledError:
            self._record(purpose, started, 0, 0, "cancelled")
            raise
        except Exception as error:
            failure = _failure(error)
            self._record(purpose, started, 0, 0, failure.reason)
            raise failure from error
        choice = response.choices[0] if response.choices else None
        refusal = getattr(choice.message, "refusal", None) if choice else None
        text = (choice.message.content or "") if choice else ""
        usage = response.usage
        call = self._record(
            purpose,
            started,
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
            "refused" if refusal else "ok",
        )
        if refusal:
            raise LLMFailure("refused", str(refusal)[:200])
        return Completion(text=text, call=call)

    async def stream(
        self, messages: list[Message], purpose: str, calls: list[LLMCall] | None = None
    ) -> AsyncIterator[str]:
        """The answer's text piece by piece; the upstream call is closed when the caller stops.

        The record of the call (tokens, latency, outcome) is appended to `calls` when it ends.

        The deadline is checked around each await, not with a scope spanning `yield`: a timeout
        scope left open across a yield would fire inside the consumer's code instead of here.
        """
        started = time.perf_counter()
        deadline = started + self.timeout_s
        prompt_tokens = completion_tokens = 0
        outcome = "cancelled"
        try:
            await _within(self._slots.acquire(), deadline)
            try:
                upstream = await _within(
                    self._client.chat.completions.create(
                        **self._request(messages),
                        stream=True,
                        stream_options={"include_usage": True},
                    ),
                    deadline,
                )
                async with upstream:
                    chunks = aiter(upstream)
                    while True:
                        try:
                            chunk = await _within(anext(chunks), deadline)
                        except StopAsyncIteration:
                            break
                        if chunk.usage:
                            prompt_tokens = chunk.usage.prompt_tokens
                            completion_tokens = chunk.usage.completion_tokens
                        for choice in chunk.choices:
                            if getattr(choice.delta, "refusal", None):
                                raise LLMFailure("refused", str(choice.delta.refusal)[:200])
                            if choice.delta.content:
                                yield choice.delta.content
            finally:
                self._slots.release()
            outcome = "ok"
        except LLMFailure as known:
            outcome = known.reason
            raise
        except Exception as error:
            converted = _failure(error)
            outcome = converted.reason
            raise converted from error
        finally:
            call = self._record(purpose, started, prompt_tokens, completion_tokens, outcome)
            if calls is not None:
                calls.append(call)

    def _request(self, messages: list[Message]) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if self.json_mode:
            request["response_format"] = {"type": "json_object"}
        return request

    def _record(
        self, purpose: str, started: float, prompt_tokens: int, completion_tokens: int, outcome: str
    ) -> LLMCall:
        call = LLMCall(
            purpose=purpose,
            model=self.model,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            outcome=outcome,
        )
        self.usage.add(call)
        logger.info(
            "llm %s %s in %.0f ms, %d+%d tokens",
            purpose,
            outcome,
            call.latency_ms,
            prompt_tokens,
            completion_tokens,
        )
        return call


async def _within(awaitable: Awaitable[T], deadline: float) -> T:
    """`awaitable`, or `LLMFailure("timeout")` once the call's deadline has passed."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise LLMFailure("timeout", "the LLM did not answer in time")
    try:
        return await asyncio.wait_for(awaitable, remaining)
    except TimeoutError as error:
        raise LLMFailure("timeout", "the LLM did not answer in time") from error


def _failure(error: BaseException) -> LLMFailure:
    """The reason code of an exception raised by the SDK or by our deadline."""
    if isinstance(error, LLMFailure):
        return error
    if isinstance(error, TimeoutError | openai.APITimeoutError):
        return LLMFailure("timeout", "the LLM did not answer in time")
    if isinstance(error, openai.RateLimitError):
        return LLMFailure("rate_limited", "the endpoint kept answering 429")
    if isinstance(error, openai.APIStatusError):
        return LLMFailure("upstream_error", f"HTTP {error.status_code}")
    if isinstance(error, openai.APIConnectionError):
        return LLMFailure("connection_error", str(error)[:200])
    if isinstance(error, openai.OpenAIError):
        return LLMFailure("upstream_error", str(error)[:200])
    return LLMFailure("upstream_error", repr(error)[:200])
