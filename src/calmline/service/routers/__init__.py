"""One router per resource; each is thin: parse, authorise, call calmline.cases, shape."""

from __future__ import annotations

from typing import Any

from calmline.service.schemas import ErrorBody

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in (
        (400, "malformed request"), (401, "missing or unknown API key"),
        (403, "role or ownership forbids it"), (404, "unknown id"),
        (409, "the case's state forbids it"), (413, "text or body too large"),
        (422, "invalid fields"))}
