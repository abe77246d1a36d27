"""Studies: their tables make sense, the CLI prints and plots, Dask gives the same sums."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thecal.adapters import population_worker
from thecal.adapters.dask import DaskBackend
from thecal.entrypoints.cli import app
from thecal.entrypoints.cli.study import run_study
from thecal.services.study.runner import InProcess, chunk_tasks, totals
from thecal.services.study.studies import STUDIES

pytestmark = pytest.mark.slow  # a campaign, a study or a process: the slow tier

PNG = b"\x89PNG\r\n\x1a\n"


def test_dry_run_risk_prints_its_table_and_writes_its_plot(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["study", "dry-run-risk", "--patients", "300", "--chunk",
                                   "150", "--plot-dir", str(tmp_path), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    rows = {r[0]: r for r in doc["rows"]}
    assert (tmp_path / "study-dry-run-risk.png").read_bytes()[:8] == PNG
    # A higher alarm threshold books refills earlier and warns earlier: never more dry.
    for r in doc["rows"]:
        assert r[4] <= r[1] and r[5] <= r[2], r
        assert r[6] >= r[3]  # and costs visits
    # Overinfusion empties the true reservoir before the estimate: risk rises with bias.
    risks = [rows[f"{b:+.1%}"][1] for b in (0.0, 0.05, 0.145, 0.25)]
    assert risks == sorted(risks) and risks[-1] > risks[0]
    # At or below zero bias the estimate stops the pump first, whatever the bias.
    assert rows["-5.0%"][1:] == rows["+0.0%"][1:]
    assert "stops at its own count of empty" in doc["note"]  # and the table says why


def test_refill_interval_trades_visits_for_dry_days() -> None:
    table = run_study("refill-interval", 300, 5, 150, InProcess(), quiet=True)
    rows = {r[0]: r for r in table.rows}
    assert rows["book at most 30 d apart"][1] > rows["book at most 120 d apart"][1]
    assert rows["book at most 30 d apart"][2] <= rows["book at most 120 d apart"][2]
    no_margin = rows["book at the alarm date (no margin, no interval cap)"]
    assert no_margin[1] < rows["book at most 30 d apart"][1]


def test_trial_outcomes_counts_add_up() -> None:
    table = run_study("trial-outcomes", 400, 5, 200, InProcess(), quiet=True)
    assert sum(r[2] for r in table.rows) == 400
    for r in table.rows:
        assert 0.0 <= r[5] <= r[3] <= 100.0  # one-year success is among trial successes
    assert {r[1] for r in table.rows if r[0] == "spasticity"} == {"baclofen"}


def test_unknown_study_names_the_accepted_ones() -> None:
    out = CliRunner().invoke(app, ["study", "dry-run"])
    assert out.exit_code == 2
    assert "dry-run-risk" in out.output and "trial-outcomes" in out.output


def test_dask_local_cluster_gives_the_same_sums_as_one_process() -> None:
    tasks = chunk_tasks({"a": {"alarm_ml": 2.0}, "b": {"bias": 0.2}}, 300, 100,
                        seed=8, horizon_days=120)
    fn = population_worker.refill_stats
    ticks: list[int] = []
    here = totals(tasks, InProcess().map(fn, tasks, lambda: ticks.append(1)))
    with DaskBackend(None, workers=2) as backend:
        there = totals(tasks, backend.map(fn, tasks, lambda: ticks.append(2)))
        workers = backend.client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert ticks == [1] * 6 + [2] * 6  # the progress bar hears of every chunk
    assert here == there
    assert set(STUDIES) == {"dry-run-risk", "refill-interval", "trial-outcomes"}
