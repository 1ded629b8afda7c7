"""The fake LLM server and the real Huashu service pointed at it."""

from collections.abc import Iterator

import pytest

from tests.conftest import running_service
from tests.llm.fake_llm import FakeLLM, serve_fake_llm

# Short enough to test a timeout quickly, long enough for one retry with its backoff.
LLM_TIMEOUT_S = 3.0


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    with serve_fake_llm() as fake:
        yield fake


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLM) -> FakeLLM:
    """The fake server with an empty script, for one test."""
    fake_llm_server.script()
    return fake_llm_server


@pytest.fixture(scope="session")
def llm_service(
    fake_llm_server: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Huashu started with uvicorn, its LLM settings pointing at the fake server."""
    env = {
        "HUASHU_LLM_BASE_URL": fake_llm_server.base_url,
        "HUASHU_LLM_MODEL": "fake-model",
        "HUASHU_LLM_API_KEY": "sk-test",
        "HUASHU_LLM_TIMEOUT_S": str(LLM_TIMEOUT_S),
        "HUASHU_LLM_MAX_RETRIES": "1",
    }
    with running_service(tmp_path_factory.mktemp("llm_service"), env) as base_url:
        yield base_url
