"""Load and validate a playbook: the packaged default or a team's own YAML file."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from calmline.playbook.schema import Playbook
from calmline.playbook.yaml_files import parse_yaml, read_yaml_file


def _parse(text: str, where: str) -> Playbook:
    return parse_yaml(text, Playbook, where, "playbook")


@lru_cache(maxsize=1)
def default_playbook() -> Playbook:
    """The playbook shipped in the package (cached: it is immutable)."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    return _parse(text, "default playbook")


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Load `path`, or the default playbook when it is None. Raises PlaybookError."""
    if path is None:
        return default_playbook()
    return _parse(*read_yaml_file(path, "playbook"))
