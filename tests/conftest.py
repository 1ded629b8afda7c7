"""Shared fixtures: the warmed analyzer, an in-process client and the real service on loopback."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.analysis.service import Analyzer, default_analyzer
from app.main import create_app
from app.services import Services, build_services
from app.settings import Settings
from tests import live
from tests.llm.fake_llm import FakeLLM, serve_fake_llm

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The process-wide analyzer, built once for the whole run."""
    return default_analyzer()


@pytest.fixture(scope="session")
def services() -> Services:
    """Analyzer, phrasebook, policy and guard, built once for the whole run."""
    return build_services()


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An in-process client on a throw-away SQLite file; entering it runs the lifespan."""
    database = tmp_path_factory.mktemp("client_db") / "huashu.db"
    settings = Settings(database_url=f"sqlite:///{database}")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@contextmanager
def running_service(log_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The real service on a throw-away SQLite file, with `env` on top; yields its base URL."""
    with live.running_service(env or {}, log_dir / "uvicorn.log") as service:
        yield service.base_url


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service started with uvicorn on a throw-away SQLite file; yields its base URL."""
    with running_service(tmp_path_factory.mktemp("live_server")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A new PostgreSQL database for this test session, dropped afterwards.

    The server is shared with other test runs, so the name is random and nothing else is touched.
    """
    name = f"huashu_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Short enough to test a timeout quickly, long enough for one retry with its backoff.
LLM_TIMEOUT_S = 5.0


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
