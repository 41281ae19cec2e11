"""Reading one YAML file of the method into its Pydantic model, with errors people can act on.

The playbook and the coach are both YAML validated by a schema; both fail the same way: a
`PlaybookError` that names the file and the path of every field that is wrong. Both are loaded
the same way too (`load_yaml`): a team's own file, or the one packaged here, parsed once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar, cast

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


def load_yaml(path: str | Path | None, parse: Callable[[str, str], M], *, what: str,
              packaged: str, packaged_name: str) -> M:
    """`path` read and parsed by `parse(text, where)`, or, when it is None, the file `packaged`
    of this package parsed as `packaged_name` (once per process: it is immutable). `what`
    ("playbook") names an unreadable file. Raises PlaybookError."""
    if path is None:
        return cast(M, _packaged(packaged, packaged_name, parse))
    return parse(*read_yaml_file(path, what))


@lru_cache(maxsize=8)
def _packaged(name: str, where: str, parse: Callable[[str, str], BaseModel]) -> BaseModel:
    """The packaged YAML file `name`, parsed (one object shared by every caller)."""
    return parse(resources.files("calmline.playbook").joinpath(name).read_text("utf-8"), where)
