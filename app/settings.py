"""All settings in one typed place: environment variables prefixed HUASHU_ (or a .env file)."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.access import api_key_digests, key_digest_list, origin_list

# Comma-separated in the environment (NoDecode: not JSON); keys are hashed as they are read.
ApiKeyDigests = Annotated[frozenset[str], NoDecode, BeforeValidator(api_key_digests)]
KeyDigestList = Annotated[frozenset[str], NoDecode, BeforeValidator(key_digest_list)]
OriginList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(origin_list)]


class Settings(BaseSettings):
    """Huashu's configuration; every field is documented in README.md."""

    model_config = SettingsConfigDict(env_prefix="HUASHU_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./huashu.db",
        description="SQLAlchemy URL; a SQLite file by default, postgresql://… to share one.",
    )
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key of the endpoint.")
    llm_model: str | None = Field(default=None, description="Model name at the endpoint.")
    llm_timeout_s: float = Field(
        default=20.0, gt=0, description="Longest wait for one LLM answer, retries included."
    )
    llm_max_retries: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Retries of an LLM call after a 429, a 5xx or a dropped connection.",
    )
    llm_max_concurrency: int = Field(
        default=4, gt=0, description="LLM calls in flight at once; more wait for a free slot."
    )
    llm_temperature: float = Field(default=0.7, ge=0, le=2, description="Sampling temperature.")
    llm_max_tokens: int = Field(default=1200, gt=0, description="Most tokens of one LLM answer.")
    llm_json_mode: bool = Field(
        default=True,
        description="Ask for `response_format` json_object; turn off for servers that reject it.",
    )
    shop_policy: Path | None = Field(default=None, description="Path of the shop policy YAML.")
    max_text_chars: int = Field(
        default=4000, gt=0, description="Longest customer message accepted, in characters."
    )
    max_context_messages: int = Field(
        default=50, gt=0, description="Most earlier messages accepted as conversation context."
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="The shop's time zone: promises like 明天 and the days of /stats.",
    )
    learning_refresh_s: float = Field(
        default=30.0,
        gt=0,
        description="How often learned phrase rankings are reloaded from a shared database.",
    )
    migrate_on_start: bool = Field(
        default=True, description="Run the database migrations when the service starts."
    )
    host: str = Field(default="127.0.0.1", description="Address `scripts/serve.sh` binds.")
    port: int = Field(default=8000, description="Port `scripts/serve.sh` binds.")
    api_keys: ApiKeyDigests = Field(
        default=frozenset(),
        description="Comma-separated API keys for /v1/; kept only as sha256 digests.",
    )
    api_key_hashes: KeyDigestList = Field(
        default=frozenset(),
        description="Comma-separated sha256 hex digests of API keys (scripts/api_key.py).",
    )
    cors_origins: OriginList = Field(
        default=(),
        description="Comma-separated origins allowed to call /v1/ from a browser.",
    )
    allow_open_without_keys: bool = Field(
        default=False,
        description="Start on a non-loopback address although no API key is configured.",
    )

    @property
    def api_key_digests(self) -> frozenset[str]:
        """Every accepted key's sha256 digest, from both settings."""
        return self.api_keys | self.api_key_hashes

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
