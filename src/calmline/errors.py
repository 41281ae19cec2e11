"""One exception hierarchy, mapped once to CLI exit codes and (later) HTTP statuses."""

from __future__ import annotations


class CalmlineError(Exception):
    """Base of every error calmline raises on purpose; its message is safe to show a user."""

    exit_code = 1


class PlaybookError(CalmlineError):
    """The playbook YAML is missing, malformed or inconsistent (e.g. a flag names no route)."""

    exit_code = 2


class InputError(CalmlineError):
    """The caller gave input calmline cannot use (bad file, wrong format, unknown task)."""

    exit_code = 2


class DetectorError(CalmlineError):
    """A detector named in the playbook is not registered, or a plugin failed to load."""

    exit_code = 2


class ModelError(CalmlineError):
    """A model artefact could not be found or read."""

    exit_code = 2
