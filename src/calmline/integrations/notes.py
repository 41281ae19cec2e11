"""What calmline writes into the helpdesk: the escalation note, the tags, the priority, and the
summary note at close, in words a team lead understands.

Route names, their descriptions and which routes are a danger come from the playbook's catalogue:
a team that renames or adds a route gets matching tags (`calmline-<route>`) with no code change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from calmline.cases.escalations import Reason
from calmline.cases.summary import summary_text
from calmline.catalogue import Catalogue

MAX_QUOTES = 3
MAX_QUOTE_CHARS = 160
# summary_text writes its parts on one line; the note puts each on its own
_SECTION = re.compile(r" (?=(?:Facts|Cause|Done|Promised|Status): )")


@dataclass(frozen=True, slots=True)
class HelpdeskCase:
    """A calmline case as its helpdesk knows it.

    `helpdesk` is "chatwoot" or "zendesk"; `external_id` the Chatwoot conversation's display id
    or the Zendesk ticket id; the rest is what the note says about the case."""

    helpdesk: str
    external_id: str
    case_id: int | None = None
    anger_level: str | None = None
    peak_anger: float | None = None


def tag_for(route: str, prefix: str) -> str:
    """`social_media` → `calmline-social-media` (helpdesk tags read best with hyphens)."""
    return f"{prefix}{route.replace('_', '-').lower()}"


def tags_for(reasons: Sequence[Reason], catalogue: Catalogue, prefix: str) -> list[str]:
    """One tag per playbook route the reasons name, in their order (`none` and unknown routes
    make no tag)."""
    known = {r.name for r in catalogue.routes}
    return list(dict.fromkeys(tag_for(r.route, prefix) for r in reasons if r.route in known))


def all_tags(catalogue: Catalogue, prefix: str) -> list[str]:
    """Every tag calmline may add: the labels a Chatwoot admin creates beforehand."""
    return [tag_for(r.name, prefix) for r in catalogue.routes]


def priority_for(reasons: Sequence[Reason], catalogue: Catalogue) -> str:
    """`urgent` when a reason routes to a danger route (violence, self-harm, account takeover),
    else `high`: both helpdesks spell these two the same."""
    danger = {f.route for f in catalogue.flags if f.danger}
    return "urgent" if any(r.route in danger for r in reasons) else "high"


def _quotes(reason: Reason) -> list[str]:
    spans = (reason.evidence or {}).get("spans") or ()
    texts = [str(s.get("text") or "").strip() for s in spans if isinstance(s, Mapping)]
    quoted = [f"“{t[:MAX_QUOTE_CHARS]}{'…' if len(t) > MAX_QUOTE_CHARS else ''}”" for t in texts if t]
    return list(dict.fromkeys(quoted))[:MAX_QUOTES]


def escalation_note(case: HelpdeskCase, reasons: Sequence[Reason], catalogue: Catalogue,
                    tags: Sequence[str] = ()) -> str:
    """Plain text (both helpdesks show it as written): who it goes to, why, the words behind it."""
    routes = {r.name: r.description for r in catalogue.routes}
    lines = ["calmline escalated this conversation."]
    for reason in reasons:
        lines.append("")
        lines.append(f"→ {routes.get(reason.route, reason.route)}")
        lines.append(f"  Why: {reason.reason or reason.trigger}")
        quotes = _quotes(reason)
        if quotes:
            lines.append(f"  The customer's words: {' · '.join(quotes)}")
    lines.append("")
    if case.anger_level:
        peak = f" (peak anger {case.peak_anger:.2f} of 1)" if case.peak_anger is not None else ""
        lines.append(f"The customer reads as {case.anger_level}{peak}.")
    footer = [f"calmline case {case.case_id}"] if case.case_id is not None else []
    if tags:
        footer.append("tags: " + ", ".join(tags))
    if footer:
        lines.append(" · ".join(footer))
    return "\n".join(lines).rstrip()


def summary_note(case: HelpdeskCase, summary: Mapping[str, Any]) -> str:
    """The case summary (cases/summary.py) as a note: issue, cause, what was done, what was
    promised and by when, the outcome."""
    text = str(summary.get("text") or summary_text(dict(summary)))
    head = "calmline summary at close" + (f" (case {case.case_id})" if case.case_id is not None else "")
    return head + ":\n" + _SECTION.sub("\n", text)
