"""What the commands read from the person at the shell: a message or draft, and conversation files.

The commands are stricter than the interchange parser the service and insights share: a file
typed by hand with no `messages`, a turn with no text, or an empty message on the command line
is a mistake worth one clear line and a non-zero exit, not an empty conversation analysed
silently. Every failure is an InputError (exit 2), naming the file and the turn.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from calmline.conversation import Conversation, Message
from calmline.errors import InputError

SHAPE = '{"messages": [{"role": "customer", "text": "..."}, ...]} or a bare list of such turns'


class FileTurn(Message):
    """A turn of a conversation file: a role and some text (blank text is a mistake here)."""

    @field_validator("text")
    @classmethod
    def _has_text(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("is empty (every turn needs its text)")
        return text


class ConversationFile(Conversation):
    """A conversation file as the commands take it: at least one turn, each with text."""

    # a list of the stricter turn; still a list of Messages to everything that reads it
    messages: list[FileTurn] = Field(min_length=1)  # type: ignore[assignment]


def read_text(value: str | None, *, what: str, how: str) -> str:
    """`value`, or standard input when it is `-` (or absent while input is piped); never blank.

    `what` names the text in the error ("customer message"), `how` says how to give it."""
    if value is None or value == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError(f"no {what} given: {how}")
        try:
            value = sys.stdin.read()
        except UnicodeDecodeError:
            raise InputError(f"the {what} on standard input is not UTF-8 text") from None
    if not value.strip():
        raise InputError(f"the {what} is empty: {how}")
    return value


def read_conversation_file(path: Path) -> ConversationFile:
    """Read and validate a conversation file; every failure names the file (and the turn)."""
    if path.is_dir():
        raise InputError(f"{path} is a folder: give a conversation JSON file ({SHAPE})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                         ) from None
    return parse_conversation_file(data, str(path))


def parse_conversation_file(data: Any, where: str) -> ConversationFile:
    """Validate decoded JSON as a conversation file; the first problem, by turn, in the error."""
    if isinstance(data, list):
        data = {"messages": data}
    if not isinstance(data, dict):
        raise InputError(f"{where}: not a conversation: expected {SHAPE}")
    try:
        return ConversationFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{where}: not a valid conversation: {describe(errors[0])}{more}") from None


def describe(error: ErrorDetails) -> str:
    """One pydantic error in the file's own terms: `turn 2: role: ...` rather than `messages.1.role`."""
    loc = error["loc"]
    if loc[:1] != ("messages",):
        return f"{'.'.join(str(p) for p in loc)}: {error['msg']}"
    if len(loc) == 1:
        if error["type"] == "missing":
            return f'no "messages" list; expected {SHAPE}'
        if error["type"] == "too_short":
            return "it has no turns; give at least one"
        return f'"messages" must be a list of turns; expected {SHAPE}'
    turn = f"turn {int(loc[1]) + 1}"
    if len(loc) == 2:
        return f'{turn}: expected an object like {{"role": "customer", "text": "..."}}'
    field = ".".join(str(p) for p in loc[2:])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{turn}: {field}: {message}"
