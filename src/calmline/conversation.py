"""calmline's conversation interchange format, shared by the CLI, the service and insights.

    {"id": "...", "channel": "chat", "messages": [
        {"role": "customer", "text": "...", "time": "2026-11-24T10:00:00Z"},
        {"role": "agent", "text": "..."}]}

`role` is customer or agent; `time`, `author` and `channel` are optional. A conversation's
optional `customer` is the customer's id in the team's own system (insights uses it to see who
comes back). A bare JSON list of messages is accepted too. docs/conversation.schema.json is
generated from these models.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from calmline.errors import InputError
from calmline.signals.base import Turn

Channel = Literal["chat", "email", "call", "social", "other"]


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["customer", "agent"]
    text: str = Field(max_length=1_000_000)
    time: datetime | None = None
    author: str | None = None
    channel: Channel | None = None

    def as_turn(self) -> Turn:
        return Turn(self.role, self.text, self.time)


class Conversation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    customer: str | None = Field(default=None, max_length=200, description=(
        "the customer's id in the team's own system; optional (insights: who comes back)"))
    channel: Channel = "chat"
    messages: list[Message] = Field(default_factory=list)

    def turns(self) -> list[Turn]:
        return [m.as_turn() for m in self.messages]


def parse_conversation(data: Any, where: str = "conversation") -> Conversation:
    """Validate decoded JSON (an object with `messages`, or a bare list of messages)."""
    if isinstance(data, list):
        data = {"messages": data}
    try:
        return Conversation.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise InputError(f"{where}: not a valid conversation: {problems}") from exc


def read_conversation(path: str | Path) -> Conversation:
    """Read a conversation JSON file; every failure is an InputError naming the file."""
    file = Path(path)
    try:
        data = json.loads(file.read_text("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{file}: not valid JSON: {exc}") from exc
    return parse_conversation(data, str(file))


def json_schema() -> dict[str, Any]:
    return Conversation.model_json_schema()
