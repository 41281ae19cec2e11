"""`calmline detectors`: what is registered (built-in and plug-ins) and what the playbook runs."""

from __future__ import annotations

from rich.table import Table

from calmline.cli.analyze_cmd import PlaybookOption
from calmline.cli.app import app, console, friendly_errors
from calmline.playbook import load_playbook
from calmline.signals.base import labels_of, registry


@app.command("detectors")
@friendly_errors
def detectors_command(playbook: PlaybookOption = None) -> None:
    """List the registered detectors and whether the playbook (--playbook, else built-in) runs them."""
    loaded = load_playbook(playbook)
    active = loaded.detectors
    table = Table("detector", "labels", "source", "runs")
    for name, factory in sorted(registry().items()):
        labels = ", ".join(labels_of(factory, loaded))
        module = getattr(factory, "__module__", "?")
        source = "built-in" if module.startswith("calmline.") else module
        table.add_row(name, labels, source, "yes" if name in active else "no")
    console.print(table)
