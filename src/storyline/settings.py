"""The one configuration surface for the environment: every `STORYLINE_*` variable, declared, typed
and documented here (pydantic-settings), read once where a command or the server starts.

Stage settings that are not environment (weights, thresholds, languages) live in the stages'
config dataclasses, gathered by `storyline.pipeline.Config`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storyline.errors import ConfigError

DEFAULT_DB = "storyline.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STORYLINE_", extra="ignore", frozen=True)

    db: str | None = Field(
        default=None, description=f"database path or URL (sqlite:///path, postgresql://...); else {DEFAULT_DB}"
    )
    token: str | None = Field(default=None, description="bearer token required for writes through the API")
    workers: int | None = Field(default=None, ge=0, description="consolidation processes beside the server")
    write_rate: float | None = Field(default=None, ge=0, description="API writes a second per client; 0: no limit")
    write_burst: int | None = Field(default=None, ge=1, description="API write burst per client")
    pg_pool: int = Field(default=4, ge=1, description="PostgreSQL connections per process")

    @field_validator("db", "token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("write_rate", mode="before")
    @classmethod
    def _off_is_zero(cls, value: object) -> object:
        return 0.0 if isinstance(value, str) and value.strip().lower() in ("off", "none", "no") else value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from `env` (the process environment by default); a bad value is a ConfigError
    naming the variable."""
    try:
        if env is None:
            return Settings()
        values = {k[len("STORYLINE_") :].lower(): v for k, v in env.items() if k.startswith("STORYLINE_")}
        return Settings.model_validate({k: v for k, v in values.items() if k in Settings.model_fields})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "STORYLINE_" + str(first["loc"][0]).upper() if first["loc"] else "STORYLINE_*"
        raise ConfigError(f"{name}={first.get('input')!r}: {first['msg']}") from None
