"""Evaluation of calmline on public datasets: loaders, tasks, metrics and reports.

`evaluate(task, path, analyzer)` runs one task on one file; `calmline eval` and
`bench/accuracy.py` are thin layers over it. Task definitions (and the cause mapping) are in
:mod:`calmline.evaluation.tasks`; see also docs/eval.md. Names are imported lazily, so that
``calmline.evaluation.datasets`` can be used without loading scikit-learn and scipy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calmline.evaluation.metrics import ClassScores, Confusion, TaskResult
    from calmline.evaluation.tasks import TASKS, Task, evaluate, get_task, load_rows

__all__ = ["TASKS", "ClassScores", "Confusion", "Task", "TaskResult", "evaluate", "get_task",
           "load_rows"]

_HOME = {"ClassScores": "metrics", "Confusion": "metrics", "TaskResult": "metrics",
         "TASKS": "tasks", "Task": "tasks", "evaluate": "tasks", "get_task": "tasks",
         "load_rows": "tasks"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"calmline.evaluation.{_HOME[name]}"), name)
