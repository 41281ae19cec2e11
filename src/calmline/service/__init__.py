"""calmline's HTTP service: a FastAPI app over the engine and the case store (`create_app`).

`create_app` is imported on first use, not with the package: `calmline serve`'s worker processes
import `service.logs` and `service.http_protocol` before they answer the supervisor's health
check, and building the app's imports there (seconds on a busy machine) got them killed as hung.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calmline.service.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from calmline.service.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
