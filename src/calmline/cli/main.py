"""Entry point of the `calmline` command: importing the command modules registers them."""

from calmline.cli import (  # noqa: F401
    analyze_cmd,
    coach_cmd,
    demo_cmd,
    detectors_cmd,
    eval_cmd,
    insights_cmd,
    integrations_cmd,
    serve_cmd,
    train_cmd,
    users_cmd,
)
from calmline.cli.app import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
