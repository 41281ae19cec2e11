"""Load and validate the reply coach's YAML: the packaged coach.yaml or a team's own file."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from calmline.errors import PlaybookError
from calmline.playbook.coach_schema import CoachConfig


def parse_coach(text: str, where: str) -> CoachConfig:
    """Validate coach YAML text; every problem is a PlaybookError naming `where`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlaybookError(f"{where}: the coach playbook must be a YAML mapping")
    try:
        config = CoachConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:8]
        )
        raise PlaybookError(f"{where}: invalid coach playbook: {problems}") from exc
    _check_gaps(config, where)
    return config


def _check_gaps(config: CoachConfig, where: str) -> None:
    """Every gap in the YAML needs its test in the engine, or it would silently never fire."""
    # imported here: the engine imports this loader
    from calmline.engine.coach import _GAP_TESTS

    untested = sorted(set(config.gaps) - set(_GAP_TESTS))
    if untested:
        raise PlaybookError(
            f"{where}: gaps {untested} have no test in the engine, so they would never fire; "
            f"known gaps: {sorted(_GAP_TESTS)}")


@lru_cache(maxsize=1)
def default_coach() -> CoachConfig:
    """The coach YAML shipped in the package (cached: it is immutable)."""
    text = resources.files("calmline.playbook").joinpath("coach.yaml").read_text("utf-8")
    return parse_coach(text, "coach.yaml")


def load_coach(path: str | Path | None = None) -> CoachConfig:
    """Load `path`, or the packaged coach.yaml when it is None. Raises PlaybookError."""
    if path is None:
        return default_coach()
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"cannot read coach playbook {file}: {exc}") from exc
    return parse_coach(text, str(file))
