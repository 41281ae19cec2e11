"""Write the report: one self-contained HTML file (inline CSS and SVG) and a JSON of every figure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from calmline.errors import InputError
from calmline.insights import svg


def _title(label: str) -> str:
    return label.replace("_", " ")


def _pts(share_difference: float) -> str:
    """A difference of shares as signed percentage points, never "-0"."""
    points = round(100 * share_difference)
    return f"{points:+d}" if points else "0"


def charts(data: dict[str, Any]) -> dict[str, Markup]:
    """The report's SVG charts, built from the figures alone."""
    trig = data["triggers"]
    def volume(kind: str) -> list[tuple[str, float, str]]:
        return [(_title(t["label"]), t["conversations"],
                 f'{t["conversations"]:,} · anger {t["avg_anger"]:.2f}')
                for t in trig if t["kind"] == kind]
    causes, areas = volume("cause"), volume("area")
    by_anger = sorted(trig, key=lambda t: -t["avg_anger"])
    anger = [(f'{_title(t["label"])} ({t["kind"]})', t["avg_anger"], f'{t["avg_anger"]:.2f}')
             for t in by_anger]
    trend = data["trend"]
    series = {_title(k.split(":", 1)[1]): trend["series"][k] for k in trend["top"]}
    marks = [(_title(s["trigger"].split(":", 1)[1]), s["period"]) for s in trend["spikes"]]
    shares = data["trajectories"]["shares"]
    levels = [(lv["level"], lv["messages"], f'{lv["messages"]:,} ({100 * lv["share"]:.1f}%)')
              for lv in data["overview"]["levels"]]
    out = {"causes": svg.hbars(causes, width=470), "areas": svg.hbars(areas, width=470, color=svg.PALETTE[4]),
           "anger": svg.hbars(anger, color=svg.PALETTE[1]),
           "levels": svg.hbars(levels, color=svg.PALETTE[3]),
           "trend": svg.lines(trend["periods"], series, marks, width=900),
           "trajectory": svg.stacked([(k, v["conversations"]) for k, v in shares.items()], width=900)}
    out["returns"] = _returns_chart(data["returns"])
    handling = data["handling"]
    if handling.get("available"):
        usage = [(r["title"], r["share"], f'{100 * r["share"]:.1f}% ({r["replies"]:,})')
                 for r in handling["overall"] if r["kind"] == "behaviour"]
        bad = [(r["title"], r["share"], f'{100 * r["share"]:.1f}% ({r["replies"]:,})')
               for r in handling["overall"] if r["kind"] == "anti-pattern" and r["replies"]]
        out.update(usage=svg.hbars(usage, color=svg.PALETTE[2], width=900),
                   misuse=svg.hbars(bad, color=svg.PALETTE[1], width=900),
                   works=_effects_chart(handling["what_works"], "next_anger"),
                   works_outcome=_effects_chart(handling["what_works"], "resolved"))
    out.update(_summary_charts(data["summary"]))
    return {k: Markup(v) for k, v in out.items()}


def _effects_chart(rows: list[dict[str, Any]], which: str) -> str:
    """Each label with a computable effect: point and 95 % interval, faded when too few."""
    shown = [r for r in rows if r[which]["effect"] is not None]
    return svg.effects([(r["title"], r[which]["effect"], *r[which]["ci95"], r[which]["enough_data"])
                        for r in shown], width=900,
                       notes=[f'{r[which]["exchanges_with"]:,} vs {r[which]["exchanges_without"]:,}'
                              for r in shown])


def _late(days: int) -> str:
    return "under a day late" if days < 1 else f"{days} day{'s' if days != 1 else ''} late"


def _summary_charts(summary: dict[str, Any]) -> dict[str, str]:
    """The one-page summary's plots (see summary.py)."""
    weekly = [(f'{_title(r["label"])} ({r["kind"]})', r["this_week"], r["last_week"])
              for r in summary["triggers"]["rows"]]
    moved = summary["behaviours"]["rows"]
    effects = svg.effects([(r["title"], r["effect"], *r["ci95"], r["enough_data"]) for r in moved],
                          width=520, notes=[f'{r["effect"]:+.2f}' for r in moved], label_share=0.55)
    overdue = [(r["owner"], r["promises"], f'{r["promises"]} · oldest {_late(r["oldest_days"])}')
               for r in summary["overdue"]["by_owner"][:5]]
    hostile = [(r["agent"], r["hostile"], f'{r["hostile"]} of {r["received"]} messages')
               for r in summary["hostile_agents"]]
    return {"sum_triggers": svg.paired_bars(weekly, ("this week", "the week before")),
            "sum_effects": effects,
            "sum_overdue": svg.hbars(overdue, width=520, color=svg.PALETTE[3]),
            "sum_hostile": svg.hbars(hostile, width=520, color=svg.PALETTE[1])}


def _returns_chart(fig: dict[str, Any]) -> str:
    """Came back angry after each kind of conversation (blue) against all returns (grey)."""
    overall = fig["came_back_angry"]
    everyone = (overall["share"], *overall["ci95"])
    rows = [(name, (g["share"], *g["ci95"]), everyone, g["enough_data"])
            for name, g in fig["by_previous"].items() if g["returns"]]
    return svg.intervals(rows, width=900)


def render_html(data: dict[str, Any]) -> str:
    env = Environment(loader=PackageLoader("calmline.insights", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["title"] = _title
    env.filters["pts"] = _pts
    env.filters["late"] = _late
    env.filters["sentence"] = lambda text: text[:1].upper() + text[1:]
    return env.get_template("report.html").render(data=data, charts=charts(data))


def write_report(data: dict[str, Any], html_path: Path, json_path: Path | None = None) -> None:
    """Write the HTML report and (if asked) the JSON of every figure."""
    try:
        html_path.write_text(render_html(data), encoding="utf-8")
        if json_path is not None:
            text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
            json_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc} ({exc.filename})") from exc
