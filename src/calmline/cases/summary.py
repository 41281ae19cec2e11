"""The case summary (PLAYBOOK §5): issue, cause, what was done, what was promised and by when.

Built only from stored facts (the messages' analyses, escalations, follow-ups, the outcome), so
the same case always summarises the same way, and nothing is invented.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from calmline.cases.conversations import get_conversation, messages_of
from calmline.cases.escalations import list_escalations
from calmline.cases.followups import is_overdue, list_followups


def _labels(analyses: list[dict[str, Any]], key: str) -> list[str]:
    counts: Counter[str] = Counter()
    for analysis in analyses:
        for finding in analysis.get(key) or ():
            if isinstance(finding, dict) and finding.get("label"):
                counts[str(finding["label"]).replace("_", " ")] += 1
    return [label for label, _ in counts.most_common(4)]


def _facts(analyses: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for analysis in analyses:
        for fact in analysis.get("facts") or ():
            if isinstance(fact, dict):
                seen[f"{fact.get('kind')}: {fact.get('value')}"] = None
    return list(seen)[:8]


def _anger(reading: dict[str, Any] | None, score: float, peak: float, level: str
           ) -> dict[str, Any]:
    """The case's anger: `level`/`case` the case reading's, `latest` the last customer message's."""
    latest = (reading or {}).get("latest_score")
    return {"latest": latest if latest is not None else score, "peak": peak, "case": score,
            "level": level, "trend": (reading or {}).get("trend")}


def build_summary(session: Session, *, conversation_id: int) -> dict[str, Any]:
    """The summary as JSON-ready data; `text` holds the same as a short paragraph."""
    case = get_conversation(session, conversation_id=conversation_id)
    messages = messages_of(session, conversation_id=conversation_id)
    analyses = [m.analysis for m in messages if m.role == "customer" and isinstance(m.analysis, dict)]
    first = next((m.text for m in messages if m.role == "customer"), "")
    areas, wants = _labels(analyses, "areas"), _labels(analyses, "wants")
    issue = {"areas": areas, "wants": wants, "facts": _facts(analyses),
             "first_message": first[:280], "subject": case.subject}
    escalations = list_escalations(session, conversation_id=conversation_id)
    followups = list_followups(session, status=None, conversation_id=conversation_id)
    done = [f"{m.stage}" for m in messages if m.role == "agent" and m.stage]
    promised = [{"id": f.id, "what": f.what, "due": f.due.isoformat() if f.due else None,
                 "due_text": f.due_text, "status": f.status, "result": f.result,
                 "overdue": is_overdue(f)} for f in followups]
    data: dict[str, Any] = {
        "conversation_id": case.id, "status": case.status, "outcome": case.outcome,
        "stage": case.stage, "anger": _anger(case.reading, case.anger_score, case.peak_anger,
                                             case.anger_level),
        "issue": issue, "cause": _labels(analyses, "causes"),
        "done": {"agent_messages": sum(1 for m in messages if m.role == "agent"),
                 "stages_reached": list(dict.fromkeys(done)),
                 "escalations": [{"route": e.route, "trigger": e.trigger, "status": e.status}
                                 for e in escalations]},
        "promised": promised,
        "by_when": min((p["due"] for p in promised if p["due"] and p["status"] == "open"),
                       default=None),
    }
    data["text"] = summary_text(data)
    return data


def _readable(iso: str | None) -> str:
    """A due time a person reads ("Fri 28 Nov 2026, 10:00 UTC"): the prose goes to helpdesk
    notes, read in any time zone, so it says UTC; the JSON keeps the ISO time for programs."""
    if not iso:
        return "no date"
    when = datetime.fromisoformat(iso).astimezone(UTC)
    return f"{when:%a} {when.day} {when:%b %Y, %H:%M} UTC"


def summary_text(data: dict[str, Any]) -> str:
    issue = data["issue"]
    about = ", ".join(issue["areas"]) or "unclassified"
    wants = ", ".join(issue["wants"]) or "nothing specific yet"
    lines = [f"Issue: {about}; the customer wants {wants}."]
    if issue["facts"]:
        lines.append("Facts: " + "; ".join(issue["facts"]) + ".")
    lines.append("Cause: " + (", ".join(data["cause"]) or "not identified") + ".")
    done = data["done"]
    did = f"{done['agent_messages']} agent replies"
    if done["stages_reached"]:
        did += ", reaching " + " → ".join(done["stages_reached"])
    if done["escalations"]:
        did += "; escalated to " + ", ".join(sorted({e["route"] for e in done["escalations"]}))
    lines.append(f"Done: {did}.")
    if data["promised"]:
        items = [f"{p['what']} (by {_readable(p['due'])}, "
                 f"{'overdue' if p['overdue'] else p['status']})" for p in data["promised"]]
        lines.append("Promised: " + "; ".join(items) + ".")
    else:
        lines.append("Promised: nothing.")
    state = data["outcome"] or data["status"]
    lines.append(f"Status: {state}; peak anger {data['anger']['peak']:.2f}.")
    return " ".join(lines)
