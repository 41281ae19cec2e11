"""Entry point of the `calmline` command: importing the command modules registers them."""

from calmline.cli import analyze_cmd, coach_cmd, demo_cmd, detectors_cmd, eval_cmd  # noqa: F401
from calmline.cli.app import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
