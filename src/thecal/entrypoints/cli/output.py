"""How the commands report bad input: every problem with its field path, as text on
stderr or as one JSON object on stdout with --json."""

from __future__ import annotations

import json

from rich.console import Console

from thecal.core.errors import InputError


def error_json(exc: InputError) -> str:
    return json.dumps(
        {"error": {"message": exc.message, "problems": [p.as_dict() for p in exc.problems]}},
        indent=2,
    )


def print_error(exc: InputError, as_json: bool) -> None:
    if as_json:
        print(error_json(exc))
        return
    err = Console(stderr=True)
    err.print(f"[bold red]{exc.message}[/]")
    for p in exc.problems:
        err.print(f"  [yellow]{p.path}[/]: {p.message}")
