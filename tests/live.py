"""The real service under uvicorn in a subprocess, with its own settings, for end-to-end tests."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 60.0  # a busy CI machine imports slowly; a healthy start takes ~10 s


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_env(settings: dict[str, str]) -> dict[str, str]:
    """The test process's environment without HUASHU_ variables, plus `settings`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUASHU_")}
    search_path = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(part for part in search_path if part)
    return {**env, **settings}


class ServiceProcess:
    """A uvicorn subprocess serving app.main:app on 127.0.0.1."""

    def __init__(self, settings: dict[str, str], log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        # A throw-away database beside the log, never the working directory's huashu.db.
        self.settings = {"HUASHU_DATABASE_URL": f"sqlite:///{log.parent / 'huashu.db'}", **settings}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        with self.log.open("ab") as log_file:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                cwd=PROJECT_ROOT,
                env=service_env(self.settings),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"uvicorn was not healthy in {STARTUP_TIMEOUT_S:.0f} s:\n{self.output()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def running_service(settings: dict[str, str], log: Path) -> Iterator[ServiceProcess]:
    """Start the service with `settings` (HUASHU_ variables) and stop it afterwards."""
    service = ServiceProcess(settings, log)
    service.start()
    try:
        yield service
    finally:
        service.stop()
