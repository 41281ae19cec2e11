"""Load and validate the reply coach's YAML: the packaged coach.yaml or a team's own file."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from calmline.errors import PlaybookError
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.yaml_files import parse_yaml, read_yaml_file


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


@lru_cache(maxsize=1)
def default_coach() -> CoachConfig:
    """The coach YAML shipped in the package (cached: it is immutable)."""
    text = resources.files("calmline.playbook").joinpath("coach.yaml").read_text("utf-8")
    return parse_coach(text, "coach.yaml")


def load_coach(path: str | Path | None = None) -> CoachConfig:
    """Load `path`, or the packaged coach.yaml when it is None. Raises PlaybookError."""
    if path is None:
        return default_coach()
    return parse_coach(*read_yaml_file(path, "coach playbook"))
