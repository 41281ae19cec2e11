"""calmline: a de-escalation copilot for customer-support teams.

`analyze(text, history=None)` reads one customer message; `Analyzer(playbook)` does the same with
a team's own playbook. `review(draft, conversation)` coaches an agent's draft reply and
`suggest(conversation)` proposes better ones. Nothing heavy happens on import: models load when an
analyzer is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from calmline.conversation import Conversation
from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import Analyzer, HistoryItem
from calmline.engine.coach import Review, review
from calmline.engine.composer import Suggestion, suggest
from calmline.engine.core import Engine
from calmline.errors import CalmlineError
from calmline.playbook import Playbook, load_playbook

__all__ = ["Analysis", "Analyzer", "CalmlineError", "Conversation", "Engine", "Playbook", "Review",
           "Suggestion", "analyze", "default_analyzer", "default_engine", "load_playbook", "review",
           "suggest"]
__version__ = "0.1.0"


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The analyzer for the packaged playbook, built on first use and then shared."""
    return Analyzer(load_playbook())


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine of the packaged playbook and coach (its analyzer is `default_analyzer()`)."""
    return Engine(default_analyzer())


def analyze(
    text: str, history: Iterable[HistoryItem] | None = None, time: datetime | None = None
) -> Analysis:
    """Analyse one customer message, with the earlier turns of the conversation as context."""
    return default_analyzer().analyze(text, history, time)
