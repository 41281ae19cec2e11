"""Rich rendering of an Analysis for people (JSON output is `Analysis.to_dict()`)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from calmline.engine.analysis import Analysis
from calmline.signals.base import Evidence, Finding

LEVEL_STYLE = {"calm": "green", "annoyed": "yellow", "frustrated": "dark_orange",
               "angry": "red", "hostile": "bold white on red"}
TREND_ARROW = {"rising": "↑ rising", "steady": "→ steady", "cooling": "↓ cooling"}


def highlight(text: str, evidence: tuple[Evidence, ...], style: str = "bold underline") -> Text:
    """The message with every evidence span styled, so people see which words drove the score."""
    out = Text(text)
    for ev in evidence:
        if 0 <= ev.start < ev.end <= len(text):
            out.stylize(style, ev.start, ev.end)
    return out


def _spans(finding: Finding, limit: int = 3) -> str:
    quoted = [f"“{e.text}”" for e in finding.evidence if e.start >= 0][:limit]
    return ", ".join(quoted)


def _findings_table(title: str, findings: tuple[Finding, ...], show_route: bool = False) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, expand=False)
    table.add_column("label")
    table.add_column("score", justify="right")
    if show_route:
        table.add_column("route")
    table.add_column("evidence")
    for f in findings:
        row = [f.label, f"{f.score:.2f}"]
        if show_route:
            row.append(f.route or "—")
        table.add_row(*row, _spans(f) or f.reason)
    return table


def render_analysis(analysis: Analysis, title: str = "customer message") -> RenderableType:
    anger = analysis.anger
    style = LEVEL_STYLE.get(anger.level, "")
    head = Text.assemble(
        ("anger ", "bold"), (f"{anger.score:.2f} {anger.level}", style),
        ("   trend " + TREND_ARROW[anger.trend] if anger.trend else "", "italic"),
    )
    parts: list[RenderableType] = [head, highlight(analysis.text, anger.evidence)]
    if anger.level != "calm" and anger.reason:
        parts.append(Text.assemble(("why ", "bold"), (anger.reason, "dim")))
    if analysis.causes:
        parts.append(_findings_table("causes", analysis.causes))
    if analysis.areas:
        parts.append(_findings_table("areas", analysis.areas))
    if analysis.wants:
        parts.append(_findings_table("wants", analysis.wants))
    if analysis.facts:
        line = Text("facts to repeat back ", style="bold")
        for i, fact in enumerate(analysis.facts):
            line.append(" · " if i else "")
            line.append(f"{fact.kind.replace('_', ' ')} ")
            line.append(fact.value, style="bold cyan")
        parts.append(line)
    if analysis.flags:
        parts.append(_findings_table("flags", analysis.flags, show_route=True))
    watch = tuple(f for f in analysis.extra if f.section == "watch")
    if watch:
        parts.append(_findings_table("check with the customer (not routed)", watch))
    venting = analysis.venting
    parts.append(Text.assemble(("venting ", "bold"),
                               ("yes — " if venting.venting else "no — ", "magenta"),
                               venting.reason))
    esc = analysis.escalate
    if esc.escalate:
        lines = [f"→ {r.route}: {r.reason}" for r in esc.reasons]
        parts.append(Text("escalate now\n" + "\n".join(lines), style="bold red"))
    else:
        parts.append(Text("no escalation needed", style="green"))
    for note in analysis.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Panel(Group(*parts), title=title, border_style=style or "white")
