"""When the database is unreachable, recording answers 503 in the contract's shape; drafting
still works (the offer is logged as not recorded)."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services import Services
from app.settings import Settings
from app.storage.db import open_database


@pytest.fixture
def client_without_database(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'huashu.db'}")
    with TestClient(create_app(settings)) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        working = services.database
        services.database = open_database("postgresql://postgres@127.0.0.1:1/huashu")
        try:
            yield client
        finally:
            services.database.dispose()
            services.database = working


def test_recording_a_reply_without_a_database_is_a_503(client_without_database: TestClient) -> None:
    response = client_without_database.post("/v1/replies", json={"text": "您好，马上为您处理。"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "storage_unavailable"
    assert "没有保存" in error["message"]


def test_drafts_still_come_without_a_database(
    client_without_database: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="huashu"):
        response = client_without_database.post("/v1/drafts", json={"text": "快递还没到"})
    assert response.status_code == 200
    assert response.json()["drafts"]
    assert "could not record the offered drafts" in caplog.text
