"""The LLM client itself, in process, against the scripted server: limits and failure reasons."""

import asyncio

import pytest

from app.llm.client import LLMClient, LLMFailure
from app.llm.usage import UsageLog
from app.settings import Settings
from tests.llm.fake_llm import FakeLLM, Step

MESSAGES = [{"role": "user", "content": "你好"}]


def client_for(fake: FakeLLM, **settings: object) -> LLMClient:
    values = {"llm_base_url": fake.base_url, "llm_model": "fake-model", **settings}
    return LLMClient(Settings(**values), UsageLog())  # type: ignore[arg-type]


def test_no_more_calls_are_in_flight_than_the_concurrency_limit(fake_llm: FakeLLM) -> None:
    fake_llm.script(*[Step("json", "{}", delay_s=0.5) for _ in range(4)])
    client = client_for(fake_llm, llm_max_concurrency=2, llm_timeout_s=10)

    async def four_at_once() -> None:
        await asyncio.gather(*(client.complete(MESSAGES, "test") for _ in range(4)))
        await client.close()

    asyncio.run(four_at_once())
    assert len(fake_llm.requests) == 4
    assert fake_llm.most_in_flight == 2


def test_a_call_that_times_out_frees_its_slot(fake_llm: FakeLLM) -> None:
    fake_llm.script(Step("json", "{}", delay_s=2.0), Step("json", '{"ok": 1}'))
    client = client_for(fake_llm, llm_max_concurrency=1, llm_timeout_s=0.5, llm_max_retries=0)

    async def one_after_the_other() -> str:
        with pytest.raises(LLMFailure) as failure:
            await client.complete(MESSAGES, "slow")
        assert failure.value.reason == "timeout"
        completion = await client.complete(MESSAGES, "next")
        await client.close()
        return completion.text

    assert asyncio.run(one_after_the_other()) == '{"ok": 1}'
    assert client.usage.summary().outcomes == {"timeout": 1, "ok": 1}


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        (Step("status", status=401), "upstream_error"),
        (Step("status", status=429), "rate_limited"),
        (Step("status", status=503), "upstream_error"),
    ],
)
def test_failures_have_reason_codes(fake_llm: FakeLLM, step: Step, reason: str) -> None:
    fake_llm.script(step)
    client = client_for(fake_llm, llm_max_retries=0)

    async def once() -> None:
        try:
            await client.complete(MESSAGES, "test")
        finally:
            await client.close()

    with pytest.raises(LLMFailure) as failure:
        asyncio.run(once())
    assert failure.value.reason == reason


def test_a_server_that_is_not_there_is_a_connection_error() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_max_retries=0)
    client = LLMClient(settings, UsageLog())

    async def once() -> None:
        try:
            await client.complete(MESSAGES, "test")
        finally:
            await client.close()

    with pytest.raises(LLMFailure) as failure:
        asyncio.run(once())
    assert failure.value.reason == "connection_error"


def test_json_mode_can_be_turned_off_for_servers_that_reject_it(fake_llm: FakeLLM) -> None:
    fake_llm.script(Step("json", "{}"))
    client = client_for(fake_llm, llm_json_mode=False)

    async def once() -> None:
        await client.complete(MESSAGES, "test")
        await client.close()

    asyncio.run(once())
    assert "response_format" not in fake_llm.requests[0]
