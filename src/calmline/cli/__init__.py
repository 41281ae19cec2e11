"""The `calmline` command line (Typer + Rich)."""
