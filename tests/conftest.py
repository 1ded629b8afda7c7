"""Shared fixtures: the warmed analyzer, an in-process client and the real service on loopback."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.analysis.service import Analyzer, default_analyzer
from app.main import create_app
from app.services import Services, build_services

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 20.0


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The process-wide analyzer, built once for the whole run."""
    return default_analyzer()


@pytest.fixture(scope="session")
def services() -> Services:
    """Analyzer, phrasebook, policy and guard, built once for the whole run."""
    return build_services()


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """An in-process client; entering it runs the app's lifespan (the analyzer is built there)."""
    with TestClient(create_app()) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
    """The real service started with uvicorn in a subprocess, as deployed; yields its base URL."""
    port = _free_port()
    # The log goes to a file: a pipe nobody reads would fill up and block the server.
    log = log_dir / "uvicorn.log"
    search_path = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(part for part in search_path if part),
        **(env or {}),
    }
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, server, log)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service on embedded defaults (no LLM); yields its base URL."""
    with running_service(tmp_path_factory.mktemp("live_server")) as base_url:
        yield base_url
