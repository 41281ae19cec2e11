"""The stored lengths of the case store's short text columns, defined once.

The tables (`calmline.cases.models`) size their `String` columns from these constants and the API
schemas (`calmline.service.schemas`) cap their input at the same ones, so a value the API accepts
always fits its column: PostgreSQL refuses an over-long value (a 500 if it got that far), while
SQLite stores it silently, so a mismatch would only show on one backend.

Changing a number here changes a column's declared length: it needs a migration as well.
"""

from __future__ import annotations

from typing import Final

NAME: Final = 200
"""A person's name: a user, a customer, a message's author."""

EXTERNAL_ID: Final = 200
"""A helpdesk's id of a conversation or a customer."""

SUBJECT: Final = 300
"""A conversation's subject line."""

KEYWORD: Final = 20
"""A short enumerated word: a role, channel, status, level, kind or source."""

STAGE: Final = 30
"""A conversation stage or an outcome (names from the playbook and the API)."""

ROUTE: Final = 50
"""An escalation route or trigger (names from the playbook)."""

LABEL: Final = 100
"""A correction's label: a level, flag, want or cause of the playbook."""

DUE_TEXT: Final = 200
"""The words of a promise that say when (\"by 4pm tomorrow\")."""

ENTITY: Final = 30
"""The kind of record an audit entry is about."""

ACTION: Final = 40
"""What an audit entry records happening."""

KEY_HASH: Final = 64
"""A SHA-256 hex digest of an API key."""
