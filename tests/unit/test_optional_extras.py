"""PostgreSQL and Dask are optional extras (issue 27): the core install, and the
demo on SQLite, work without them, and asking for one that is missing says which
extra to install instead of a bare ModuleNotFoundError."""

from __future__ import annotations

import subprocess
import sys

import pytest

from thecal.core.errors import MissingExtra


def test_a_postgresql_url_without_psycopg_names_the_postgres_extra(monkeypatch) -> None:
    from thecal.adapters.db.engine import make_engine

    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    with pytest.raises(MissingExtra) as raised:
        make_engine("postgresql+psycopg://nobody@127.0.0.1:5432/test")
    assert raised.value.extra == "postgres"
    assert "pip install 'thecal[postgres]'" in str(raised.value)


def test_sqlite_needs_no_extra(monkeypatch) -> None:
    from thecal.adapters.db.engine import make_engine

    monkeypatch.setitem(sys.modules, "psycopg", None)
    make_engine("sqlite://").dispose()


def test_a_dask_study_without_dask_names_the_dask_extra(monkeypatch) -> None:
    from thecal.adapters.dask import DaskBackend

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtra) as raised:
        DaskBackend()
    assert raised.value.extra == "dask"


def test_the_cli_answers_a_missing_extra_in_one_line_and_exit_2(tmp_path) -> None:
    code = (
        "import sys; sys.modules['distributed'] = None; "
        "sys.argv = ['thecal', 'study', 'refill-interval', '--patients', '10', '--dask', "
        f"'local', '--plot-dir', {str(tmp_path)!r}]; "
        "from thecal.entrypoints.cli import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert "pip install 'thecal[dask]'" in done.stderr
    assert "Traceback" not in done.stderr
