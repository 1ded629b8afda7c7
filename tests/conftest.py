"""Shared fixtures: the warmed analyzer, an in-process client and the real service on loopback."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from app.analysis.service import Analyzer, default_analyzer
from app.main import create_app
from app.services import Services, build_services
from app.settings import Settings
from tests.llm.fake_llm import FakeLLM, serve_fake_llm

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 60.0  # a busy CI machine imports slowly; a healthy start takes ~10 s


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    log: Path, env_overrides: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """The service started with uvicorn in a subprocess, healthy; returns it and its base URL."""
    port = _free_port()
    search_path = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(part for part in search_path if part)}
    env.update(env_overrides or {})
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    # The log goes to a file: a pipe nobody reads would fill up and block the server.
    with log.open("ab") as log_file:
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base_url, server, log)
    except BaseException:
        stop_server(server)
        raise
    return server, base_url


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop a server started by `start_server` (SIGTERM, then SIGKILL after 10 s)."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")
            pytest.fail(f"uvicorn exited with {server.returncode} before it was healthy:\n{output}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    output = log.read_text(errors="replace")
    pytest.fail(f"uvicorn did not answer GET /healthz within {STARTUP_TIMEOUT_S:.0f} s:\n{output}")


@contextmanager
def running_service(log_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The real service on a throw-away SQLite file, with `env` on top; yields its base URL."""
    database_url = f"sqlite:///{log_dir / 'huashu.db'}"
    server, base_url = start_server(
        log_dir / "uvicorn.log", {"HUASHU_DATABASE_URL": database_url, **(env or {})}
    )
    try:
        yield base_url
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service started with uvicorn on a throw-away SQLite file; yields its base URL."""
    folder = tmp_path_factory.mktemp("live_server")
    database_url = f"sqlite:///{folder / 'huashu.db'}"
    server, base_url = start_server(folder / "uvicorn.log", {"HUASHU_DATABASE_URL": database_url})
    try:
        yield base_url
    finally:
        stop_server(server)


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
