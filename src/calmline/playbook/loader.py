"""Load and validate a playbook: the packaged default or a team's own YAML file."""

from __future__ import annotations

from pathlib import Path

from calmline.playbook.schema import Playbook
from calmline.playbook.yaml_files import load_yaml, parse_yaml


def _parse(text: str, where: str) -> Playbook:
    return parse_yaml(text, Playbook, where, "playbook")


def default_playbook() -> Playbook:
    """The playbook shipped in the package (parsed once: it is immutable)."""
    return load_playbook()


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Load `path`, or the default playbook when it is None. Raises PlaybookError."""
    return load_yaml(path, _parse, what="playbook", packaged="default.yaml",
                     packaged_name="default playbook")
