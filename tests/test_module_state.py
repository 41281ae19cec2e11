"""No hidden module state: reading and coaching leave every module-level container and cache of
the package as they found them, except the few process-wide memos listed here with the reason
each may stay. Engine state lives in `Engine` objects (calmline.engine.core)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter, OrderedDict, defaultdict, deque
from types import ModuleType
from typing import Any

import calmline
from calmline.engine.analyzer import Analyzer
from calmline.engine.core import Engine

# name -> why it may grow while the engine works
ALLOWED = {
    # shared read-only artefacts and documented defaults, built once per process
    "calmline.models.linear.load_model()": "a packaged model artefact, read once",
    "calmline.playbook.yaml_files._packaged()": "the packaged playbook and coach, parsed once",
    "calmline.default_analyzer()": "the documented default analyzer",
    "calmline.default_engine()": "the documented default engine",
}
CONTAINERS = (dict, list, set, OrderedDict, Counter, defaultdict, deque)


def _modules() -> list[ModuleType]:
    found = [calmline]
    for info in pkgutil.walk_packages(calmline.__path__, "calmline."):
        if info.name.endswith(("__main__", ".asgi")):  # asgi builds a server app on import
            continue
        found.append(importlib.import_module(info.name))
    return found


def _is_calmline_object(value: object) -> bool:
    kind = type(value)
    return (kind.__module__.startswith("calmline.") and not isinstance(value, type)
            and not callable(value))


def _attributes(value: object) -> list[tuple[str, object]]:
    found = list(getattr(value, "__dict__", {}).items())
    for cls in type(value).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(value, name):
                found.append((name, getattr(value, name)))
    return found


def _sizes(modules: list[ModuleType]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for module in modules:
        for name, value in vars(module).items():
            key = f"{module.__name__}.{name}"
            if isinstance(value, CONTAINERS):
                sizes[key] = len(value)
            elif _is_calmline_object(value):  # e.g. a module-level Tokenizer: its memos count too
                for attr, inner in _attributes(value):
                    if isinstance(inner, CONTAINERS):
                        sizes[f"{key}.{attr}"] = len(inner)
            elif callable(value) and hasattr(value, "cache_info") and value.__module__ == module.__name__:
                sizes[f"{key}()"] = value.cache_info().currsize
    return sizes


def _work(engine: Engine) -> None:
    chat: list[dict[str, Any]] = [
        {"role": "customer", "text": "Order 48213 is late AGAIN and nobody calls back. Refund me NOW!"},
        {"role": "agent", "text": "I'm sorry. I will call you tomorrow at 10am with the tracking."},
        {"role": "customer", "text": "You people are useless, I'll post this all over Twitter."}]
    engine.review("Please calm down, it's our policy.", chat)
    engine.suggest(chat)
    engine.analyze("I'm going to hurt myself if this isn't fixed", chat[:1])
    engine.promises("I will email you the label by Friday.")


def test_reading_and_coaching_leave_no_module_state_behind() -> None:
    modules = _modules()
    default = calmline.default_engine()
    _work(default)  # the documented defaults and shared artefacts are built now
    before = _sizes(modules)
    _work(Engine(Analyzer(default.analyzer.playbook, encoder=None)))
    _work(default)
    after = _sizes(modules)
    grown = {k: (before.get(k), v) for k, v in after.items()
             if v != before.get(k) and k not in ALLOWED}
    assert not grown, f"module-level state changed while the engine worked: {grown}"
