"""calmline's one settings object: every knob declared once, with its default and help text.

Values come from the environment with the `CALMLINE_` prefix (`CALMLINE_DATABASE_URL`,
`CALMLINE_BREATHER_THRESHOLD`, ...) or from a `.env` file in the working directory. With nothing
set, the service runs on a SQLite file in the working directory.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

HELPDESK_ACTIONS = ("note", "tags", "priority", "summary")


# an origin a frame-ancestors source may name: scheme, host (a leading *. allowed), port
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


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
        "", description="shared secret of the inbound webhook (HMAC-SHA256 of `<timestamp>.<raw "
                        "body>`, sent as `X-Calmline-Signature: sha256=<hex>` with the timestamp in "
                        "`X-Calmline-Timestamp`); empty disables the webhook")
    webhook_tolerance_seconds: int = Field(
        300, ge=1, le=86_400,
        description="a webhook request whose signed timestamp is further than this from the "
                    "server's clock (either way) is refused: a captured request cannot be replayed "
                    "later")
    idempotency_ttl_hours: float = Field(
        24.0, gt=0, le=24 * 30,
        description="how long an `Idempotency-Key` (and a webhook event id) is remembered: a retry "
                    "within it gets the first answer and creates nothing")
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
    coach: str | None = Field(
        None, description="path of a team coach YAML (default: the bundled coach.yaml)")
    crisis_line: str | None = Field(
        None, min_length=3, max_length=120, pattern=r"^[^{}\[\]]+$",
        description="the help line a wellbeing reply signposts (e.g. \"Samaritans on 116 123\"); "
                    "overrides the coach playbook's sla.crisis_line. Without either, the reply shows "
                    "[local crisis line] for the agent to fill in")
    body_seconds: float = Field(
        30.0, gt=0, le=600,
        description="how long a request body may take to arrive whole; a slower one is answered 408")
    work_seconds: float = Field(
        10.0, gt=0, le=600,
        description="the most wall time one request's reading and coaching may take; past it the "
                    "request is answered 503 and nothing is stored")
    followup_default_hours: float = Field(
        24.0, gt=0, description="due time given to a promise that names no time")
    auto_followups: bool = Field(
        True, description="create follow-ups from the commitments in agent messages (a message "
                          "posted with `followups: propose`, as the console does, only proposes "
                          "them for the agent to confirm)")
    followup_reminder_url: str = Field(
        "", description="where to POST a `followup.due_soon` event before a follow-up falls due "
                        "(empty: no events; GET /v1/followups/reminders lists the same)")
    followup_reminder_minutes: int = Field(
        60, ge=1, le=7 * 24 * 60, description="how long before the due time the event is sent")
    followup_reminder_interval_seconds: float = Field(
        60.0, ge=1, le=3600, description="how often the server looks for follow-ups to remind of")
    followup_reminder_secret: str = Field(
        "", description="signs the reminder events as the inbound webhook is signed "
                        "(X-Calmline-Signature); empty: unsigned")
    # The optional LLM rewriter (docs/llm.md): off until llm_url is set.
    llm_url: str = Field(
        "", description="OpenAI-compatible chat-completions server that proposes one more "
                        "suggested reply, e.g. http://localhost:11434/v1 (Ollama); every proposal "
                        "is reviewed by the coach first (empty: off)")
    llm_model: str = Field("default", description="the model name the LLM server expects")
    llm_api_key: SecretStr = Field(
        SecretStr(""), description="bearer token for the LLM server, if it wants one")
    llm_timeout_seconds: float = Field(
        5.0, gt=0, le=60, description="how long one LLM call may take; past it the suggestions "
                                      "come without the LLM's")
    # Helpdesk integrations (docs/integrations/): a helpdesk is off until its URL and token are set.
    chatwoot_url: str = Field(
        "", description="base URL of the Chatwoot installation, e.g. https://chat.example.com "
                        "(empty: Chatwoot is off)")
    chatwoot_account_id: int | None = Field(
        None, ge=1, description="the Chatwoot account's number (the N in /app/accounts/N/ of its URLs)")
    chatwoot_api_token: SecretStr = Field(
        SecretStr(""), description="access token of the Chatwoot agent calmline writes as "
                                   "(Profile settings → Access token)")
    chatwoot_webhook_secret: SecretStr = Field(
        SecretStr(""), description="the secret Chatwoot shows for calmline's webhook: the event "
                                   "intake (/v1/integrations/chatwoot/events) checks every event's "
                                   "signature with it, and is off while it is empty")
    chatwoot_actions: str = Field(
        "note,tags,priority", description="what calmline does in Chatwoot, comma-separated: note "
        "(private note on escalation), tags (labels), priority, summary (note at close); "
        "empty: nothing")
    zendesk_url: str = Field(
        "", description="https://yourcompany.zendesk.com (empty: Zendesk is off)")
    zendesk_email: str = Field(
        "", description="email of the Zendesk agent calmline writes as (API token auth)")
    zendesk_api_token: SecretStr = Field(
        SecretStr(""), description="a Zendesk API token (Admin Center → Apps and integrations → "
                                   "Zendesk API)")
    zendesk_webhook_secret: SecretStr = Field(
        SecretStr(""), description="the signing secret of calmline's Zendesk webhook: the event "
                                   "intake (/v1/integrations/zendesk/events) checks every event's "
                                   "signature with it, and is off while it is empty")
    zendesk_actions: str = Field(
        "note,tags,priority", description="what calmline does in Zendesk, comma-separated: note "
        "(internal note on escalation), tags, priority, summary (internal note at close); "
        "empty: nothing")
    helpdesk_tag_prefix: str = Field(
        "calmline-", description="put before a playbook route's name to make the helpdesk tag "
                                 "(calmline-legal)")
    helpdesk_tries: int = Field(
        3, ge=1, le=10, description="tries per helpdesk call before the failure is recorded")
    helpdesk_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="how long one helpdesk call may take")
    helpdesk_queue_size: int = Field(
        1000, ge=1, le=1_000_000,
        description="helpdesk actions waiting to be sent; when full, new ones are recorded as "
                    "dropped rather than slowing the intake")

    frame_ancestors: str = Field(
        "", description="origins allowed to show the helpdesk panel (/console/panel/...) in a "
                        "frame: Chatwoot's and Zendesk's agent pages, space- or comma-separated, "
                        "e.g. `https://acme.zendesk.com https://chat.example.com`; `'self'` is "
                        "this server; empty: no one. Every other page refuses any frame")

    @field_validator("frame_ancestors")
    @classmethod
    def _origins(cls, value: str) -> str:
        """CSP sources, checked one by one: nothing else can reach the response header."""
        found = [part.strip() for part in value.replace(",", " ").split() if part.strip()]
        found = ["'self'" if part in ("self", "'self'") else part for part in found]
        bad = [part for part in found if part != "'self'" and not _ORIGIN.fullmatch(part)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an origin like https://acme.zendesk.com or 'self'")
        return " ".join(dict.fromkeys(found))

    @field_validator("chatwoot_actions", "zendesk_actions")
    @classmethod
    def _known_actions(cls, value: str) -> str:
        names = [n.strip().lower() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in HELPDESK_ACTIONS]
        if unknown:
            raise ValueError(f"unknown action {unknown[0]!r}; choose from {', '.join(HELPDESK_ACTIONS)}")
        return ",".join(dict.fromkeys(names))


def origin_of(url: str) -> str:
    """A URL's origin as a browser states it (`event.origin`, what frame-ancestors matches):
    scheme://host[:port], lower case, no default port; "" for a URL without one."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port and port != default else "")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
