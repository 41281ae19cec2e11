"""Reading one YAML file of the method into its Pydantic model, with errors people can act on.

The playbook and the coach are both YAML validated by a schema; both fail the same way: a
`PlaybookError` that names the file and the path of every field that is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from calmline.errors import PlaybookError

M = TypeVar("M", bound=BaseModel)
MOST_PROBLEMS = 8  # a wholly wrong file would otherwise list hundreds


def parse_yaml(text: str, model: type[M], where: str, what: str) -> M:
    """`text` validated as `model`; `where` (a file name) and `what` ("playbook") name it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlaybookError(f"{where}: the {what} must be a YAML mapping")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:MOST_PROBLEMS])
        raise PlaybookError(f"{where}: invalid {what}: {problems}") from exc


def read_yaml_file(path: str | Path, what: str) -> tuple[str, str]:
    """(text, name) of a team's YAML file; an unreadable one is a PlaybookError."""
    file = Path(path)
    try:
        return file.read_text("utf-8"), str(file)
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"cannot read {what} {file}: {exc}") from exc
