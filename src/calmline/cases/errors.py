"""Errors of the case store; calmline.service maps each to one HTTP status."""

from __future__ import annotations

from calmline.errors import CalmlineError, InputError


class NotFoundError(CalmlineError):
    """An id names no row (or none the caller may see)."""


class ConflictError(CalmlineError):
    """The request is valid but the case's state forbids it (closing with an open follow-up)."""


class PermissionDeniedError(CalmlineError):
    """The caller is known but their role may not do this."""


class AuthenticationError(CalmlineError):
    """No API key, or one that matches no active user."""


class TooLargeError(InputError):
    """A text is longer than the configured limit."""


class DatabaseUnavailableError(CalmlineError):
    """The database cannot be opened or reached (wrong URL, server down, unwritable file)."""
