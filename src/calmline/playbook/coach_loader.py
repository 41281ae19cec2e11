"""Load and validate the reply coach's YAML: the packaged coach.yaml or a team's own file."""

from __future__ import annotations

from pathlib import Path

from calmline.errors import PlaybookError
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.yaml_files import load_yaml, parse_yaml


def parse_coach(text: str, where: str) -> CoachConfig:
    """Validate coach YAML text; every problem is a PlaybookError naming `where`."""
    config = parse_yaml(text, CoachConfig, where, "coach playbook")
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


def default_coach() -> CoachConfig:
    """The coach YAML shipped in the package (parsed once: it is immutable)."""
    return load_coach()


def load_coach(path: str | Path | None = None) -> CoachConfig:
    """Load `path`, or the packaged coach.yaml when it is None. Raises PlaybookError."""
    return load_yaml(path, parse_coach, what="coach playbook", packaged="coach.yaml",
                     packaged_name="coach.yaml")
