"""The real service on SQLite and on PostgreSQL: replies survive a restart; concurrent retries
with one Idempotency-Key store one row."""

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import ServiceProcess


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'huashu.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


def test_every_recorded_reply_is_still_there_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    env = {"HUASHU_DATABASE_URL": database_url}
    log = tmp_path / "uvicorn.log"
    marker = uuid.uuid4().hex[:8]
    service = ServiceProcess(env, log)
    base = service.base_url
    service.start()
    try:
        drafts = httpx.post(
            f"{base}/v1/drafts", json={"text": "刚收到就坏了，要求换货"}, timeout=20
        )
        draft = drafts.json()["drafts"][0]
        sent = []
        for n in range(5):
            body = {"text": f"{draft['text']}[{marker}-{n}]", "draft_id": draft["id"]}
            response = httpx.post(f"{base}/v1/replies", json=body, timeout=20)
            assert response.status_code == 201, response.text
            sent.append(response.json())
        feedback = {"reply_id": sent[0]["id"], "helpful": True, "reason": "好用"}
        assert httpx.post(f"{base}/v1/feedback", json=feedback, timeout=20).status_code == 201
    finally:
        service.stop()

    service.start()  # the same service on the same port and database
    try:
        listed = httpx.get(f"{base}/v1/replies", params={"q": marker, "limit": 50}, timeout=20)
        items = {item["id"]: item for item in listed.json()["items"]}
        assert set(items) == {reply["id"] for reply in sent}
        for reply in sent:
            assert items[reply["id"]]["text"] == reply["text"]
            assert items[reply["id"]]["draft_text"] == draft["text"]
            assert len(items[reply["id"]]["commitments"]) == len(reply["commitments"])
        assert items[sent[0]["id"]]["feedback"][0]["reason"] == "好用"
    finally:
        service.stop()


def test_concurrent_posts_with_one_idempotency_key_store_one_row(live_server: str) -> None:
    draft = httpx.post(f"{live_server}/v1/drafts", json={"text": "少发了一个配件"}, timeout=20)
    chosen = draft.json()["drafts"][0]
    marker = uuid.uuid4().hex[:8]
    body = {"text": f"{chosen['text']}{marker}", "draft_id": chosen["id"]}
    headers = {"Idempotency-Key": f"key-{marker}"}
    start = threading.Barrier(10)
    answers: list[httpx.Response] = []

    def post() -> None:
        start.wait()
        answers.append(
            httpx.post(f"{live_server}/v1/replies", json=body, headers=headers, timeout=30)
        )

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    stored = httpx.get(f"{live_server}/v1/replies", params={"q": marker}, timeout=20).json()
    assert stored["total"] == 1
