"""Rendering of evaluation results: Rich tables for people, one JSON line for machines."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from calmline.evaluation.metrics import Confusion, Number, TaskResult

__all__ = ["confusion_table", "metrics_table", "per_class_table", "render", "to_json_line"]

_ORDER = ("n", "precision", "recall", "f1", "support", "roc_auc", "macro_f1", "accuracy",
          "coverage", "pearson", "pearson_p", "spearman", "mae")


def fmt(value: Number) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:.4g}" if abs(value) < 1e-3 and value else f"{value:.3f}"


def metrics_table(result: TaskResult) -> Table:
    table = Table()
    table.add_column("metric")
    table.add_column("value", justify="right")
    values: dict[str, Number] = {"n": result.n, **result.metrics}
    for key in sorted(values, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k)):
        table.add_row(key, fmt(values[key]))
    return table


def per_class_table(result: TaskResult) -> Table:
    table = Table()
    for name in ("class", "precision", "recall", "f1", "support"):
        table.add_column(name, justify="left" if name == "class" else "right")
    for label, s in result.per_class.items():
        table.add_row(label, fmt(s.precision), fmt(s.recall), fmt(s.f1), fmt(s.support))
    return table


def confusion_table(confusion: Confusion) -> Table:
    table = Table()
    table.add_column("gold \\ predicted", no_wrap=True)
    for label in confusion.predicted:
        table.add_column(label, justify="right", overflow="fold")
    for label, row in zip(confusion.labels, confusion.matrix, strict=True):
        table.add_row(label, *(f"{count:,}" for count in row))
    return table


def render(result: TaskResult, console: Console) -> None:
    """Print the headline metrics, per-class scores, confusion matrix and notes."""
    where = f" on {escape(result.file)}" if result.file else ""
    console.print(f"[bold]calmline eval {result.task}[/]{where}", highlight=False)
    console.print(metrics_table(result))
    if result.per_class:
        console.print("[bold]per class[/]")
        console.print(per_class_table(result))
    if result.confusion is not None:
        console.print("[bold]confusion[/] (rows: gold, columns: predicted)", highlight=False)
        console.print(confusion_table(result.confusion))
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)


def to_json_line(result: TaskResult) -> str:
    """The whole result as one line of JSON (no NaN: missing values are null)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
