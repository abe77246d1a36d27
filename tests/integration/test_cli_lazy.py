"""`thecal --help` loads no database, web, plotting or PDF stack (issue 27): they load
when a command that needs them runs. Checked in a fresh interpreter, by module name,
so the test holds whatever the machine's speed (bench/cli_start.py times it)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "fastapi", "uvicorn", "matplotlib", "reportlab", "dask",
         "pint", "fhir")  # fmt: skip


def test_the_command_line_answers_help_without_the_heavy_stacks():
    code = (
        "import sys\n"
        "from thecal.entrypoints.cli import app\n"
        "from typer.main import get_command\n"
        "get_command(app)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
