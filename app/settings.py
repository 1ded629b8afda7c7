"""All settings in one typed place: environment variables prefixed HUASHU_ (or a .env file)."""

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    llm_timeout_s: float = Field(default=20.0, gt=0, description="Timeout of one LLM call.")
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
