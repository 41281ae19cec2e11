"""calmline's one settings object: every knob declared once, with its default and help text.

Values come from the environment with the `CALMLINE_` prefix (`CALMLINE_DATABASE_URL`,
`CALMLINE_BREATHER_THRESHOLD`, ...) or from a `.env` file in the working directory. With nothing
set, the service runs on a SQLite file in the working directory.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Validated once at start-up; a bad value fails loudly before the server listens."""

    model_config = SettingsConfigDict(env_prefix="CALMLINE_", env_file=".env", extra="ignore",
                                      frozen=True)

    database_url: str = Field(
        "sqlite:///./calmline.db",
        description="SQLAlchemy URL of the case store; PostgreSQL (postgresql+psycopg://...) in "
                    "production, a SQLite file in the working directory by default")
    database_echo: bool = Field(False, description="log every SQL statement (debugging only)")
    database_pool_size: int = Field(10, ge=1, le=200,
                                    description="connections kept open to PostgreSQL")
    threads: int = Field(
        2, ge=1, le=200,
        description="requests worked on at once per server process: one analyses (the engine runs "
                    "one message at a time) while another waits on the database; more threads only "
                    "take turns on the GIL (raise it for a slow, remote database)")
    max_text_chars: int = Field(
        20_000, ge=100, le=1_000_000,
        description="longest message or draft text accepted; longer ones get HTTP 413")
    max_body_bytes: int = Field(
        2_000_000, ge=1_000, description="largest request body accepted; larger ones get HTTP 413")
    webhook_secret: str = Field(
        "", description="shared secret of the inbound webhook (HMAC-SHA256 of the raw body, sent as "
                        "`X-Calmline-Signature: sha256=<hex>`); empty disables the webhook")
    webhook_agent: str = Field(
        "webhook", description="name of the service user that owns conversations the webhook opens")
    # The wellbeing thresholds are playbook data (`wellbeing:` in the YAML); these override them
    # for one deployment without editing the playbook.
    stress_half_life_minutes: float | None = Field(
        None, gt=0, le=24 * 60,
        description="override the playbook: an agent's stress load halves every this many minutes")
    breather_threshold: float | None = Field(
        None, gt=0, description="override the playbook: stress load above which the agent is "
                                "prompted to take a breather and routing skips them")
    overload_threshold: float | None = Field(
        None, gt=0, description="override the playbook: stress load above which the supervisor "
                                "queue lists the agent as overloaded")
    stress_min_anger: float | None = Field(
        None, ge=0, le=1, description="override the playbook: calmer customer messages add no stress")
    abuse_stress: float | None = Field(
        None, ge=0, le=10, description="override the playbook: extra stress of an abusive message")
    playbook: str | None = Field(
        None, description="path of a team playbook YAML (default: the bundled one)")
    followup_default_hours: float = Field(
        24.0, gt=0, description="due time given to a promise that names no time")
    auto_followups: bool = Field(
        True, description="create follow-ups from the commitments in agent messages")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
