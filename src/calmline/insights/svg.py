"""Small hand-built SVG charts, inlined in the report (no scripts, no network, no library).

Each function returns one `<svg>` element as text; every label is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


CHAR_PX = 6.8  # a generous average glyph width of 12px sans-serif


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def label_width(labels: Sequence[str], width: int, share: float = 0.45) -> int:
    """Room for the longest label, but at most `share` of the chart (longer ones are cut)."""
    longest = max((len(label) for label in labels), default=0)
    return int(min(width * share, longest * CHAR_PX + 14))


def _label(x: float, y: float, text: str, room: float) -> str:
    """A right-aligned label cut with an ellipsis to fit `room` pixels; the full text on hover."""
    fit = max(4, int(room / CHAR_PX))
    shown = text if len(text) <= fit else text[:fit - 1].rstrip() + "…"
    title = f"<title>{escape(text)}</title>" if shown != text else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end">{title}{escape(shown)}</text>')


def hbars(rows: Sequence[tuple[str, float, str]], width: int = 640, color: str = PALETTE[0]) -> str:
    """Horizontal bars: (label, value, note shown after the bar), scaled to the largest value."""
    if not rows:
        return '<p class="empty">No data.</p>'
    bar_h, gap = 18, 6
    height = len(rows) * (bar_h + gap) + gap
    top = max(v for _, v, _ in rows) or 1.0
    left = label_width([r[0] for r in rows], width, 0.4)
    note_px = max(len(r[2]) for r in rows) * CHAR_PX + 12
    span = max(40.0, width - left - note_px)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" {FONT} role="img">']
    for i, (label, value, note) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, span * value / top) if value else 0.0
        parts.append(_label(left - 8, y + 13, label, left - 10))
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" '
                     f'fill="{color}"/>')
        parts.append(_text(left + w + 6, y + 13, note, extra='fill="#374151"'))
    parts.append("</svg>")
    return "".join(parts)


def stacked(parts: Sequence[tuple[str, float]], width: int = 640) -> str:
    """One 100 % bar split into shares, with a legend under it."""
    total = sum(v for _, v in parts) or 1.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="64" viewBox="0 0 {width} 64" '
           f'{FONT} role="img">']
    x, colors = 0.0, ("#16a34a", "#9ca3af", "#dc2626", *PALETTE)
    for i, (label, value) in enumerate(parts):
        w = width * value / total
        out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="28" fill="{colors[i]}"/>')
        if w > 48:
            out.append(_text(x + w / 2, 18, f"{100 * value / total:.0f}%", "middle", 'fill="white"'))
        lx = i * (width / max(1, len(parts)))
        out.append(f'<rect x="{lx:.1f}" y="40" width="12" height="12" fill="{colors[i]}"/>')
        out.append(_text(lx + 18, 50, f"{label} ({value:g})"))
        x += w
    out.append("</svg>")
    return "".join(out)


def lines(periods: Sequence[str], series: dict[str, Sequence[int]], marks: Sequence[tuple[str, str]] = (),
          width: int = 720, height: int = 240) -> str:
    """A line per series over `periods`; `marks` (series, period) are circled (the spikes)."""
    if not periods or not series:
        return '<p class="empty">No dated conversations.</p>'
    left, right, top, bottom = 44, 170, 12, 28
    peak = max((max(v) for v in series.values() if v), default=1) or 1
    step = (width - left - right) / max(1, len(periods) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + (height - top - bottom) * (1 - v / peak)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT} role="img">',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
           'stroke="#9ca3af"/>',
           _text(left - 6, top + 8, str(peak), "end"), _text(left - 6, height - bottom, "0", "end")]
    every = max(1, len(periods) // 8)
    out += [_text(xy(i, 0)[0], height - 10, p[5:], "middle") for i, p in enumerate(periods) if i % every == 0]
    index = {p: i for i, p in enumerate(periods)}
    for n, (name, values) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        out.append(f'<rect x="{width - right + 12}" y="{top + n * 18}" width="12" height="3" '
                   f'fill="{color}"/>')
        out.append(_text(width - right + 30, top + n * 18 + 5, name))
        for series_name, period in marks:
            if series_name == name and period in index:
                x, y = xy(index[period], values[index[period]])
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="none" stroke="{color}" '
                           'stroke-width="2"/>')
    out.append("</svg>")
    return "".join(out)


Interval = tuple[float, float, float]  # point, low, high


def intervals(rows: Sequence[tuple[str, Interval, Interval, bool]], width: int = 720) -> str:
    """Share calmer with (blue) and without (grey) each label: point and 95 % interval on 0–100 %.

    A row whose fourth item is False (too few replies to read) is drawn faded.
    """
    if not rows:
        return '<p class="empty">No data.</p>'
    row_h, top = 26, 22
    height = top + len(rows) * row_h + 6
    left = label_width([r[0] for r in rows], width, 0.4)
    span = width - left - 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT} role="img">']
    for pct in (0, 25, 50, 75, 100):
        x = left + span * pct / 100
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height}" stroke="#e5e7eb"/>')
        out.append(_text(x, top - 10, f"{pct}%", "middle", 'fill="#6b7280"'))
    for i, (label, with_, without, enough) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        out.append(f'<g opacity="{1 if enough else 0.35}">')
        out.append(_label(left - 8, y + 4, label, left - 10))
        for (point, low, high), color, dy in ((with_, PALETTE[0], -4), (without, "#6b7280", 4)):
            x0, x1, xp = (left + span * v for v in (low, high, point))
            out.append(f'<line x1="{x0:.1f}" y1="{y + dy:.1f}" x2="{x1:.1f}" y2="{y + dy:.1f}" '
                       f'stroke="{color}" stroke-width="2"/>')
            out.append(f'<circle cx="{xp:.1f}" cy="{y + dy:.1f}" r="4" fill="{color}"/>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


Effect = tuple[str, float, float, float, bool]  # label, point, low, high, read with enough data


def effects(rows: Sequence[Effect], width: int = 720, unit: str = "", notes: Sequence[str] = (),
            label_share: float = 0.38) -> str:
    """Effects around zero: a dot and its 95 % interval per row, calmer (below 0) green, angrier
    red; rows read on too little data are faded. `notes` are shown at each row's right end."""
    if not rows:
        return '<p class="empty">No data.</p>'
    row_h, top = 26, 22
    height = top + len(rows) * row_h + 6
    left = label_width([r[0] for r in rows], width, label_share)
    note_px = max((len(n) for n in notes), default=0) * CHAR_PX + 12
    span = width - left - note_px - 10
    reach = max(0.1, *(max(abs(r[2]), abs(r[3])) for r in rows))
    reach = math.ceil(reach * 10 - 1e-9) / 10  # a round axis: multiples of 0.1, ticks at halves

    def x(v: float) -> float:
        return left + span * (v + reach) / (2 * reach)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT} role="img">']
    for tick in (-reach, -reach / 2, 0.0, reach / 2, reach):
        stroke = "#6b7280" if tick == 0 else "#e5e7eb"
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height}" '
                   f'stroke="{stroke}"/>')
        out.append(_text(x(tick), top - 10, f"{tick:+.2g}{unit}" if tick else "0", "middle",
                         'fill="#6b7280"'))
    for i, (label, point, low, high, enough) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        color = "#16a34a" if high < 0 else "#dc2626" if low > 0 else "#6b7280"
        out.append(f'<g opacity="{1 if enough else 0.35}">')
        out.append(_label(left - 8, y + 4, label, left - 10))
        out.append(f'<line x1="{x(low):.1f}" y1="{y:.1f}" x2="{x(high):.1f}" y2="{y:.1f}" '
                   f'stroke="{color}" stroke-width="2"/>')
        out.append(f'<circle cx="{x(point):.1f}" cy="{y:.1f}" r="5" fill="{color}"/>')
        if i < len(notes):
            out.append(_text(left + span + 10, y + 4, notes[i], extra='fill="#374151"'))
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def paired_bars(rows: Sequence[tuple[str, int, int]], names: tuple[str, str], width: int = 520) -> str:
    """Two bars per row, (label, now, before): `names` name them in a legend above."""
    if not rows:
        return '<p class="empty">No data.</p>'
    bar_h, gap, top = 11, 10, 24
    height = top + len(rows) * (2 * bar_h + gap) + 4
    peak = max(max(now, before) for _, now, before in rows) or 1
    left = label_width([r[0] for r in rows], width, 0.4)
    span = width - left - 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT} role="img">']
    for n, (name, color) in enumerate(zip(names, (PALETTE[0], "#9ca3af"), strict=True)):
        lx = left + n * 130
        out.append(f'<rect x="{lx}" y="4" width="12" height="12" fill="{color}"/>')
        out.append(_text(lx + 18, 14, name))
    for i, (label, now, before) in enumerate(rows):
        y = top + i * (2 * bar_h + gap)
        out.append(_label(left - 8, y + bar_h + 4, label, left - 10))
        for j, (value, color) in enumerate(((now, PALETTE[0]), (before, "#9ca3af"))):
            w = span * value / peak if value else 0.0
            out.append(f'<rect x="{left}" y="{y + j * bar_h}" width="{max(w, 1.0):.1f}" '
                       f'height="{bar_h - 1}" rx="2" fill="{color}"/>')
            out.append(_text(left + w + 5, y + j * bar_h + bar_h - 2, str(value), extra='fill="#374151"'))
    out.append("</svg>")
    return "".join(out)
