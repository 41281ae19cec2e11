"""A time budget for one piece of engine work, checked between turns.

Python threads cannot be stopped from outside, so the engine stops itself: the work of a request
(analysing the turns of a conversation, reading the moment) checks its budget before each turn
and gives up with `OutOfTimeError` once the deadline has passed or the caller has cancelled (the
service cancels when the client disconnects). The cost of one turn is bounded by the playbook's
`limits.max_chars`, so no request runs much past its deadline.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from calmline.errors import CalmlineError


class OutOfTimeError(CalmlineError):
    """The work ran past its deadline or its caller went away; nothing was stored."""

    exit_code = 3


@dataclass
class Budget:
    """`seconds` of wall time from now (None: no deadline), and a flag the caller can raise."""

    seconds: float | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    deadline: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.seconds is not None:
            self.deadline = time.monotonic() + self.seconds

    def cancel(self) -> None:
        self.cancelled.set()

    def check(self) -> None:
        """Raise OutOfTimeError when the caller has cancelled or the deadline has passed."""
        if self.cancelled.is_set():
            raise OutOfTimeError("the request was cancelled (the client went away)")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTimeError(f"the work took longer than its {self.seconds:g} s budget; "
                            "try a shorter conversation or fewer turns")
