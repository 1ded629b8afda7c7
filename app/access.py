"""Who may call the service: API keys kept as sha256 digests, CORS origins, the safe bind rule."""

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from pydantic import SecretStr

MIN_KEY_CHARS = 16
ORIGIN_SCHEMES = {"http", "https", "chrome-extension", "moz-extension"}
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def key_digest(key: str) -> str:
    """The sha256 hex digest a key is stored and compared as."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _items(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, Iterable):
        return [item for entry in value for item in _items(entry)]
    raise ValueError("expected a comma-separated string")


def api_key_digests(value: object) -> frozenset[str]:
    """Clear keys, comma-separated, turned into digests at once so no clear key is kept."""
    keys = _items(value)
    for key in keys:
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(
                f"an API key is shorter than {MIN_KEY_CHARS} characters; "
                "create one with `python scripts/api_key.py new`"
            )
    return frozenset(key_digest(key) for key in keys)


def key_digest_list(value: object) -> frozenset[str]:
    """Digests as given by `scripts/api_key.py`: 64 hex characters each."""
    digests = [item.lower() for item in _items(value)]
    for digest in digests:
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError(f"{digest[:12]}… is not a sha256 hex digest (64 hex characters)")
    return frozenset(digests)


def origin_list(value: object) -> tuple[str, ...]:
    """Exact origins such as https://console.example.com or chrome-extension://<id>."""
    origins = []
    for item in _items(value):
        if item == "*":
            raise ValueError("'*' would let every web page call the API; list the origins")
        parts = urlsplit(item)
        if parts.scheme not in ORIGIN_SCHEMES or not parts.netloc:
            raise ValueError(
                f"{item!r} is not an origin (http(s)://host[:port] or chrome-extension://<id>)"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"{item!r} is not an origin: drop the path")
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(origins)


def key_is_accepted(presented: str, digests: frozenset[str]) -> bool:
    """Whether a presented key is one of the configured ones, compared in constant time."""
    candidate = key_digest(presented).encode()
    accepted = False
    # Every digest is compared, so the time does not tell which one (or none) matched.
    for digest in digests:
        accepted |= hmac.compare_digest(candidate, digest.encode())
    return accepted


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the service on this machine."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    # A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


class OpenBindRefused(RuntimeError):
    """The service would listen beyond loopback with no API key to guard it."""


def check_bind(*, host: str, has_keys: bool, allow_open: bool) -> str | None:
    """A warning to log at start-up, or OpenBindRefused when the bind would be unsafe."""
    if has_keys:
        return None
    if not is_loopback(host):
        if not allow_open:
            raise OpenBindRefused(
                f"拒绝启动：HUASHU_HOST={host} 不是本机地址，但没有配置 API 密钥，任何人都能调用接口。"
                "请设置 HUASHU_API_KEYS（或 HUASHU_API_KEY_HASHES），或确认网络已隔离后设置 "
                "HUASHU_ALLOW_OPEN_WITHOUT_KEYS=true。 / Refusing to start: HUASHU_HOST="
                f"{host} is not a loopback address and no API key is configured. Set "
                "HUASHU_API_KEYS (or HUASHU_API_KEY_HASHES), or set "
                "HUASHU_ALLOW_OPEN_WITHOUT_KEYS=true if the network is closed."
            )
        return (
            f"未配置 API 密钥，且监听 {host}（HUASHU_ALLOW_OPEN_WITHOUT_KEYS=true）：网络上任何人都能调用 /v1/。"
            f" / No API key and listening on {host}: anyone on the network can call /v1/."
        )
    return (
        f"未配置 API 密钥：/v1/ 接口不需要密钥，仅监听本机 {host}。"
        f" / No API key configured: /v1/ is open, listening on loopback {host} only."
    )
