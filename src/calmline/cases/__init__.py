"""The case store: conversations as cases, with escalations, follow-ups, agent load and audit.

Nothing here knows about HTTP. Repository functions take a SQLAlchemy `Session` and keyword
arguments only; they flush but never commit, so the caller's transaction decides what sticks.
"""
