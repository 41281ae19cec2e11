"""The actions calmline takes in a helpdesk, sent in the background so they never slow intake.

`ActionSink.escalated(case, reasons)` and `.closed(case, summary)` return at once: the work goes
on a bounded queue that one worker thread drains. Each action (note, tags, priority, summary) is
one helpdesk call tried up to `tries` times with jittered backoff; what came of it is an
`ActionOutcome`, kept in `recent` and passed to `on_outcome`. A failure is logged as one line
that names the helpdesk, the action, the ticket and the HTTP status, never the note's text. A
full queue drops the new event and records that, rather than making the caller wait.

Where it plugs in: the service's app factory builds one sink with `build_sink(settings,
catalogue)` at start-up and closes it at shutdown; after the transaction that opened escalations
for a helpdesk conversation commits, the helpdesk intake calls `sink.escalated(HelpdeskCase(...),
reasons)`, and both close paths (the API's and the helpdesk's) call `sink.closed(case,
build_summary(...))` (service/routers/helpdesk_events.py).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from calmline.cases.escalations import Reason
from calmline.catalogue import Catalogue
from calmline.integrations.connect import connected_clients
from calmline.integrations.notes import (
    HelpdeskCase,
    escalation_note,
    priority_for,
    summary_note,
    tags_for,
)
from calmline.integrations.retry import RetryPolicy, Tried, with_retries
from calmline.settings import Settings

log = logging.getLogger("calmline.integrations")


class Helpdesk(Protocol):
    """What a helpdesk client offers the sink (ChatwootClient, ZendeskClient)."""

    name: str

    def add_note(self, ref: str, text: str) -> None: ...
    def add_labels(self, ref: str, labels: Iterable[str]) -> None: ...
    def raise_priority(self, ref: str, priority: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class HelpdeskSetup:
    """A connected helpdesk and the actions this team lets calmline take there."""

    client: Helpdesk
    actions: frozenset[str]


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What came of one action: `ok`, or why not (`error`, the last HTTP `status`)."""

    helpdesk: str
    action: str
    external_id: str
    ok: bool
    attempts: int
    status: int | None = None
    error: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class ActionSink:
    """Sends helpdesk actions from one background thread; safe to call from any thread."""

    def __init__(self, helpdesks: Mapping[str, HelpdeskSetup], catalogue: Catalogue, *,
                 tag_prefix: str = "calmline-", policy: RetryPolicy | None = None,
                 queue_size: int = 1000, keep: int = 200,
                 on_outcome: Callable[[ActionOutcome], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.helpdesks = dict(helpdesks)
        self.catalogue = catalogue
        self.tag_prefix = tag_prefix
        self.policy = policy or RetryPolicy()
        self.recent: deque[ActionOutcome] = deque(maxlen=keep)
        self._on_outcome = on_outcome
        self._sleep = sleep
        self._queue: queue.Queue[tuple[str, HelpdeskCase, Any] | None] = queue.Queue(queue_size)
        self._pending = 0
        self._idle = threading.Condition()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- the caller's side: never blocks -----------------------------------------------------
    def escalated(self, case: HelpdeskCase, reasons: Sequence[Reason]) -> bool:
        """Queue the escalation's note, tags and priority; False when it had to be dropped."""
        return self._submit("escalated", case, tuple(reasons))

    def closed(self, case: HelpdeskCase, summary: Mapping[str, Any]) -> bool:
        """Queue the summary note (when the team switched `summary` on); False when dropped."""
        return self._submit("closed", case, dict(summary))

    def _submit(self, kind: str, case: HelpdeskCase, payload: Any) -> bool:
        if case.helpdesk not in self.helpdesks:
            self._record(ActionOutcome(case.helpdesk, kind, case.external_id, False, 0,
                                       error=f"{case.helpdesk} is not connected"))
            return False
        if not self._wanted(kind, case, payload):
            return True  # this team switched every such action off: nothing to send
        self._ensure_worker()
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait((kind, case, payload))
        except queue.Full:
            self._done()
            self._record(ActionOutcome(case.helpdesk, kind, case.external_id, False, 0,
                                       error="queue full: dropped"))
            return False
        return True

    # -- the worker's side -------------------------------------------------------------------
    def _tags(self, payload: Sequence[Reason]) -> list[str]:
        return tags_for(payload, self.catalogue, self.tag_prefix)

    def _wanted(self, kind: str, case: HelpdeskCase, payload: Any) -> list[str]:
        """The actions this event calls for that the team has switched on, in sending order."""
        on = self.helpdesks[case.helpdesk].actions
        if kind == "closed":
            return ["summary"] if "summary" in on else []
        return [a for a in ("note", "tags", "priority")
                if a in on and (a != "tags" or self._tags(payload))]

    def _call(self, action: str, case: HelpdeskCase, payload: Any) -> Callable[[], None]:
        client, ref = self.helpdesks[case.helpdesk].client, case.external_id
        if action == "summary":
            return lambda: client.add_note(ref, summary_note(case, payload))
        if action == "tags":
            return lambda: client.add_labels(ref, self._tags(payload))
        if action == "priority":
            return lambda: client.raise_priority(ref, priority_for(payload, self.catalogue))
        tags = self._tags(payload) if "tags" in self.helpdesks[case.helpdesk].actions else []
        return lambda: client.add_note(ref, escalation_note(case, payload, self.catalogue, tags))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            kind, case, payload = item
            try:
                for action in self._wanted(kind, case, payload):
                    tried = with_retries(self._call(action, case, payload), self.policy, self._sleep)
                    self._record(self._outcome(case, action, tried))
            except Exception as exc:  # a bug must not stop the worker: record it and go on
                log.exception("helpdesk %s: %s for %s broke", case.helpdesk, kind, case.external_id)
                self._record(ActionOutcome(case.helpdesk, kind, case.external_id, False, 1,
                                           error=type(exc).__name__))
            finally:
                self._done()

    @staticmethod
    def _outcome(case: HelpdeskCase, action: str, tried: Tried) -> ActionOutcome:
        failure = tried.failure
        return ActionOutcome(case.helpdesk, action, case.external_id, tried.ok, tried.attempts,
                             status=failure.status if failure else None,
                             error=str(failure) if failure else None)

    def _record(self, outcome: ActionOutcome) -> None:
        self.recent.append(outcome)
        if not outcome.ok:
            log.warning("helpdesk action failed: helpdesk=%s action=%s ticket=%s tries=%d "
                        "status=%s error=%s", outcome.helpdesk, outcome.action, outcome.external_id,
                        outcome.attempts, outcome.status, outcome.error)
        if self._on_outcome is not None:
            try:
                self._on_outcome(outcome)
            except Exception:
                log.exception("helpdesk action: the outcome callback failed")

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="calmline-helpdesk",
                                                daemon=True)
                self._worker.start()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def failures(self) -> list[ActionOutcome]:
        return [o for o in self.recent if not o.ok]

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until everything queued so far has been sent (or failed); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (up to `timeout`), stop the worker, close the clients."""
        if self._worker is not None and self._worker.is_alive():
            self.wait_idle(timeout)
            try:
                self._queue.put(None, timeout=1)
            except queue.Full:
                pass
            self._worker.join(timeout)
        for setup in self.helpdesks.values():
            setup.client.close()


def actions_of(text: str) -> frozenset[str]:
    """`note,tags` → {note, tags} (the setting is validated when settings load)."""
    return frozenset(a.strip() for a in text.split(",") if a.strip())


def build_sink(settings: Settings, catalogue: Catalogue, *,
               transport: httpx.BaseTransport | None = None,
               on_outcome: Callable[[ActionOutcome], None] | None = None) -> ActionSink | None:
    """The sink for the helpdesks these settings connect; None when none is connected."""
    clients = connected_clients(settings, transport=transport)
    setups = {name: HelpdeskSetup(client, actions_of(getattr(settings, f"{name}_actions")))
              for name, client in clients.items()}
    if not setups:
        return None
    return ActionSink(setups, catalogue, tag_prefix=settings.helpdesk_tag_prefix,
                      policy=RetryPolicy(tries=settings.helpdesk_tries),
                      queue_size=settings.helpdesk_queue_size, on_outcome=on_outcome)
