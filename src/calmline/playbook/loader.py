"""Load and validate a playbook: the packaged default or a team's own YAML file."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from calmline.errors import PlaybookError
from calmline.playbook.schema import Playbook


def _parse(text: str, where: str) -> Playbook:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlaybookError(f"{where}: the playbook must be a YAML mapping")
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise PlaybookError(f"{where}: invalid playbook: {problems}") from exc


@lru_cache(maxsize=1)
def default_playbook() -> Playbook:
    """The playbook shipped in the package (cached: it is immutable)."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    return _parse(text, "default playbook")


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Load `path`, or the default playbook when it is None. Raises PlaybookError."""
    if path is None:
        return default_playbook()
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"cannot read playbook {file}: {exc}") from exc
    return _parse(text, str(file))
