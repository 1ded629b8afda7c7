"""API keys on /v1/, CORS for configured origins, and the start-up rule, in-process and live."""

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.access import OpenBindRefused, key_digest
from app.main import create_app
from app.settings import Settings
from tests.live import PROJECT_ROOT, free_port, running_service, service_env

KEY = "hs_auth-test-key-0123456789"
OTHER_KEY = "hs_hashed-only-key-0123456789"
EXTENSION_ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
WEB_ORIGIN = "https://console.example.com"
MESSAGE = {"text": "快递三天没动了，什么时候能到？"}


@pytest.fixture(scope="module")
def keyed() -> Iterator[TestClient]:
    settings = Settings(
        _env_file=None,
        api_keys=KEY,
        api_key_hashes=key_digest(OTHER_KEY),
        cors_origins=f"{EXTENSION_ORIGIN},{WEB_ORIGIN}",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def assert_unauthorized(response: httpx.Response, code: str) -> None:
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == code
    assert "密钥" in error["message"]
    assert "key" in error["message_en"]


def v1_routes() -> list[tuple[str, str]]:
    """Every /v1/ operation the app documents, whichever branch added it."""
    paths = create_app(Settings(_env_file=None)).openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/v1/")
        for method in operations
    ]


def test_every_v1_route_needs_a_key(keyed: TestClient) -> None:
    routes = v1_routes()
    assert ("POST", "/v1/analyze") in routes
    for method, path in routes:
        response = keyed.request(method, path.replace("{", "").replace("}", ""), json=MESSAGE)
        assert_unauthorized(response, "api_key_missing")


def test_a_wrong_key_is_refused_in_the_error_shape(keyed: TestClient) -> None:
    response = keyed.post("/v1/analyze", json=MESSAGE, headers={"X-API-Key": KEY + "x"})
    assert_unauthorized(response, "api_key_invalid")
    response = keyed.post(
        "/v1/analyze", json=MESSAGE, headers={"Authorization": f"Bearer {KEY[:-1]}"}
    )
    assert_unauthorized(response, "api_key_invalid")


def test_a_key_in_another_scheme_counts_as_missing(keyed: TestClient) -> None:
    response = keyed.post("/v1/analyze", json=MESSAGE, headers={"Authorization": f"Basic {KEY}"})
    assert_unauthorized(response, "api_key_missing")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {KEY}"},
        {"authorization": f"bearer {KEY}"},
        {"X-API-Key": KEY},
        {"X-API-Key": OTHER_KEY},
    ],
)
def test_a_configured_key_is_accepted_in_either_header(
    keyed: TestClient, headers: dict[str, str]
) -> None:
    response = keyed.post("/v1/analyze", json=MESSAGE, headers=headers)
    assert response.status_code == 200
    assert response.json()["category"]["code"]


@pytest.mark.parametrize("path", ["/healthz", "/", "/static/app.css", "/docs"])
def test_pages_health_and_static_files_need_no_key(keyed: TestClient, path: str) -> None:
    assert keyed.get(path).status_code != 401


def test_the_stats_page_asks_for_the_key_instead_of_showing_records(keyed: TestClient) -> None:
    refused = keyed.get("/stats")
    assert refused.status_code == 401
    assert "stats-key-form" in refused.text
    assert keyed.get("/stats", headers={"Cookie": f"huashu_key={KEY}"}).status_code == 200


def test_without_configured_keys_v1_is_open(client: TestClient) -> None:
    assert client.post("/v1/analyze", json=MESSAGE).status_code == 200


def test_a_preflight_from_the_extension_passes_with_the_auth_headers(keyed: TestClient) -> None:
    response = keyed.options(
        "/v1/drafts",
        headers={
            "Origin": EXTENSION_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-api-key, idempotency-key",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == EXTENSION_ORIGIN
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "x-api-key", "idempotency-key"):
        assert header in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


def test_a_preflight_from_another_origin_is_refused(keyed: TestClient) -> None:
    response = keyed.options(
        "/v1/drafts",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_a_refusal_carries_cors_headers_so_the_page_can_read_it(keyed: TestClient) -> None:
    response = keyed.post("/v1/analyze", json=MESSAGE, headers={"Origin": WEB_ORIGIN})
    assert_unauthorized(response, "api_key_missing")
    assert response.headers["access-control-allow-origin"] == WEB_ORIGIN


def test_by_default_no_origin_is_allowed(client: TestClient) -> None:
    response = client.post("/v1/analyze", json=MESSAGE, headers={"Origin": WEB_ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/v1/analyze", headers={"Origin": EXTENSION_ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_start_up_refuses_an_open_bind_without_keys() -> None:
    settings = Settings(_env_file=None, host="0.0.0.0")
    with pytest.raises(OpenBindRefused), TestClient(create_app(settings)):
        pass


def test_start_up_warns_when_no_key_is_configured(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="huashu"),
        TestClient(create_app(Settings(_env_file=None))),
    ):
        pass
    assert any("未配置 API 密钥" in record.getMessage() for record in caplog.records)


def test_start_up_allows_an_open_bind_when_told_to(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, host="0.0.0.0", allow_open_without_keys=True)
    with caplog.at_level(logging.WARNING, logger="huashu"), TestClient(create_app(settings)) as c:
        assert c.get("/healthz").status_code == 200
    assert any("anyone on the network" in record.getMessage() for record in caplog.records)


def test_serve_script_refuses_to_listen_openly_without_keys(tmp_path: Path) -> None:
    port = free_port()
    env = service_env({"HUASHU_HOST": "0.0.0.0", "HUASHU_PORT": str(port)})
    finished = subprocess.run(
        ["bash", "scripts/serve.sh"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode != 0
    assert "拒绝启动" in finished.stdout + finished.stderr
    assert "HUASHU_API_KEYS" in finished.stdout + finished.stderr
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0)


def test_live_service_with_keys_answers_401_and_cors_over_http(tmp_path: Path) -> None:
    settings = {"HUASHU_API_KEYS": KEY, "HUASHU_CORS_ORIGINS": EXTENSION_ORIGIN}
    with running_service(settings, tmp_path / "uvicorn.log") as service:
        url = f"{service.base_url}/v1/drafts"
        refused = httpx.post(url, json=MESSAGE, headers={"Origin": EXTENSION_ORIGIN}, timeout=10)
        assert_unauthorized(refused, "api_key_missing")
        assert refused.headers["access-control-allow-origin"] == EXTENSION_ORIGIN
        preflight = httpx.options(
            url,
            headers={
                "Origin": EXTENSION_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
            timeout=10,
        )
        assert preflight.status_code == 200
        answered = httpx.post(
            url, json=MESSAGE, headers={"Authorization": f"Bearer {KEY}"}, timeout=10
        )
        assert answered.status_code == 200
        assert answered.json()["drafts"]


def test_without_keys_v1_answers_only_on_a_loopback_address() -> None:
    # The service was started by hand on 0.0.0.0 and reached on its LAN address.
    app = create_app(Settings(_env_file=None))
    with TestClient(app, base_url="http://192.168.1.20:8000") as lan:
        refused = lan.post("/v1/analyze", json=MESSAGE)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "open_access_refused"
        assert "HUASHU_API_KEYS" in refused.json()["error"]["message"]
        assert lan.get("/healthz").status_code == 200
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        assert local.post("/v1/analyze", json=MESSAGE).status_code == 200


def test_open_access_is_allowed_when_told_to_or_with_keys() -> None:
    settings = Settings(_env_file=None, host="0.0.0.0", allow_open_without_keys=True)
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8000") as lan:
        assert lan.post("/v1/analyze", json=MESSAGE).status_code == 200
    with TestClient(
        create_app(Settings(_env_file=None, api_keys=KEY)), base_url="http://192.168.1.20:8000"
    ) as lan:
        assert lan.post("/v1/analyze", json=MESSAGE, headers={"X-API-Key": KEY}).status_code == 200
