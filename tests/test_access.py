"""Keys as digests, constant-time comparison, origin parsing and the safe bind rule."""

import pytest
from pydantic import ValidationError

from app.access import (
    OpenBindRefused,
    check_bind,
    is_loopback,
    key_digest,
    key_is_accepted,
)
from app.settings import Settings

KEY = "hs_test-key-0123456789abcdef"


def test_keys_are_kept_only_as_digests() -> None:
    settings = Settings(api_keys=f"{KEY}, other-key-0123456789")
    assert settings.api_key_digests == {key_digest(KEY), key_digest("other-key-0123456789")}
    assert KEY not in repr(settings)
    assert KEY not in str(settings.model_dump())


def test_digests_and_clear_keys_are_both_accepted() -> None:
    settings = Settings(api_keys=KEY, api_key_hashes=key_digest("hashed-only-key-000000").upper())
    assert key_is_accepted(KEY, settings.api_key_digests)
    assert key_is_accepted("hashed-only-key-000000", settings.api_key_digests)
    assert not key_is_accepted("hs_test-key-0123456789abcdeX", settings.api_key_digests)
    assert not key_is_accepted("", settings.api_key_digests)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("api_keys", "short", "16 characters"),
        ("api_key_hashes", "abc123", "sha256"),
        ("cors_origins", "*", "list the origins"),
        ("cors_origins", "https://console.example.com/chat", "drop the path"),
        ("cors_origins", "console.example.com", "not an origin"),
    ],
)
def test_unusable_access_settings_are_refused_with_the_reason(
    field: str, value: str, words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        Settings(**{field: value})


def test_origins_are_normalised() -> None:
    settings = Settings(cors_origins="https://Console.example.com/, chrome-extension://abcdef")
    assert settings.cors_origins == ("https://Console.example.com", "chrome-extension://abcdef")


def test_the_default_allows_no_origin_and_needs_no_key() -> None:
    settings = Settings(_env_file=None)
    assert settings.cors_origins == ()
    assert settings.api_key_digests == frozenset()


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.0.1", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.20", "::ffff:192.168.1.20", "huashu.example.com", ""]
)
def test_open_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_an_open_bind_without_keys_is_refused_naming_the_settings() -> None:
    with pytest.raises(OpenBindRefused, match="HUASHU_API_KEYS") as refused:
        check_bind(host="0.0.0.0", has_keys=False, allow_open=False)
    assert "HUASHU_ALLOW_OPEN_WITHOUT_KEYS" in str(refused.value)
    assert "拒绝启动" in str(refused.value)


def test_an_open_bind_is_allowed_with_keys_or_explicitly() -> None:
    assert check_bind(host="0.0.0.0", has_keys=True, allow_open=False) is None
    warning = check_bind(host="0.0.0.0", has_keys=False, allow_open=True)
    assert warning is not None
    assert "anyone on the network" in warning


def test_loopback_without_keys_starts_with_a_warning() -> None:
    warning = check_bind(host="127.0.0.1", has_keys=False, allow_open=False)
    assert warning is not None
    assert "未配置 API 密钥" in warning
