"""The programmer commands as a user runs them: the example inputs, exit codes, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thecal.entrypoints.cli import app

runner = CliRunner()
INPUTS = Path(__file__).resolve().parents[2] / "examples" / "programmer"


def run(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, [*args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_program_check_refuses_per_hour_for_per_day_with_exit_1():
    code, out = run("program", "check", str(INPUTS / "program-check-per-hour.json"))
    assert code == 1
    assert out["refused"] is True
    assert {"DOSE_SUSPECT_HIGH", "TITRATION_ABOVE_MAX"} <= {f["code"] for f in out["findings"]}
    # refused by the tenfold rule (hard); the titration limit shown is PACC's +30 %, soft:
    # 3 mg/day + 30 % = 3.9 mg/day, and morphine has no hard bound left (issue 24)
    assert out["most_allowed"][0]["hard"] is None
    assert out["most_allowed"][0]["soft"]["max_mcg_per_day"] == pytest.approx(3900.0)
    assert out["doses"][0]["change_pct"] == pytest.approx(2300.0)  # 3 -> 72 mg/day


def test_program_check_accepts_a_safe_change():
    code, out = run("program", "check", str(INPUTS / "program-check-ok.json"))
    assert code == 0
    # 3.3 mg basal + 3 x 0.1 mg demand = 3.6 mg/day: +20 %
    assert out["doses"][0]["after_mcg_per_day"] == pytest.approx(3600.0)
    assert not [f for f in out["findings"] if f["severity"] != "info"]


def test_refill_plan_flags_the_discrepancy():
    code, out = run("refill", "plan", str(INPUTS / "refill-plan.json"))
    assert code == 0  # a soft finding: acknowledged at the refill, not a refusal
    rec = out["reconciliation"]
    assert rec["expected_withdrawal_ml"] == pytest.approx(2.6)  # 5.0 - 2.4 dead volume
    assert rec["classification"] == "possible overinfusion"
    # booked from the 2.4 mL residual, above the 2 mL alarm: 17.6 mL at 0.5 + 0.04 mL/day
    # = 32.593 d, less 3 d = 29.593 d after 2026-11-21 09:30: 2026-12-20 23:43 UTC
    assert out["days_to_low_with_demand"] == pytest.approx(17.6 / 0.54)
    assert out["next_refill"] == "2026-12-20T23:43Z"


def test_dose_convert_trial_candidate():
    code, out = run("dose", str(INPUTS / "dose-admixture.json"))
    assert code == 0
    assert out["doses"][1]["programmed_mcg_per_day"] == pytest.approx(45.0)  # 0.3 mL x 150
    code, out = run("convert", str(INPUTS / "convert-oral-morphine.json"))
    # 300 mg/day oral morphine = 1-3 mg/day IT morphine = 1/6 to 3/5 mg/day IT hydromorphone
    # 300 mg oral morphine = 1-3 mg IT morphine = 1/6-3/5 mg IT hydromorphone, less the
    # 25-50 % cross-tolerance reduction for the change of drug: 83.3 to 450 mcg
    assert (out["conservative"], out["aggressive"]) == pytest.approx((1000 / 12, 450.0))
    assert out["cross_tolerance_reduction_pct"] == [25.0, 50.0]
    assert out["unit"] == "mcg/day"
    code, out = run("trial", "evaluate", str(INPUTS / "trial-baclofen.json"))
    assert (out["outcome"], out["recommended_start_mcg_per_day"]) == ("success", 200.0)
    code, out = run("candidate", "evaluate", str(INPUTS / "candidate-pain.toml"))
    assert out["decision"] == "not yet"  # no trial yet, opioid reduction not attempted
    pending = {r["criterion"] for r in out["reasons"] if r["status"] == "pending"}
    assert pending == {"systemic_opioid_reduction_attempted", "trial_successful"}


def test_bad_input_exits_2_naming_every_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "pump": {"model": "peristaltic-99"},
                "now": "yesterday",
                "proposed": {
                    "drugs": [{"name": "morphine", "concentration": "10 mg"}],
                    "basal": {"steps": [{"start": "00:00", "dose": "3 mL/day"}]},
                },
                "colour": "blue",
            }
        )
    )
    result = runner.invoke(app, ["program", "check", str(bad), "--json"])
    assert result.exit_code == 2
    paths = {p["path"] for p in json.loads(result.stdout)["error"]["problems"]}
    assert paths == {
        "pump.model",
        "now",
        "proposed.drugs[0].concentration",
        "proposed.basal.steps[0].dose",
        "colour",
    }


def test_unreadable_file_exits_2(tmp_path):
    result = runner.invoke(app, ["dose", str(tmp_path / "missing.json")])
    assert result.exit_code == 2


def test_the_findings_table_keeps_every_code_whole_at_80_columns():
    """Issue 25: at 80 columns the five-column table cut codes ("MONITOR_AFTER_CH…") and
    squeezed messages to a word a line. The codes here are the ones the per-hour mistake
    raises (the test above), each read whole on its own line."""
    result = CliRunner().invoke(app, ["program", "check",
                                      str(INPUTS / "program-check-per-hour.json")],
                                env={"COLUMNS": "80"})  # fmt: skip
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for code in ("DOSE_SUSPECT_HIGH", "TITRATION_ABOVE_MAX", "MONITOR_AFTER_CHANGE"):
        assert any(f"│ {code} " in line for line in lines), code
    assert "…" not in result.stdout


def test_an_opioid_start_with_tolerance_unstated_is_checked_as_naive(tmp_path):
    """A first fill of morphine 2 mg/day for a cancer patient: within the label's tolerant
    range (1-10 mg/day), above its opioid-naive ceiling (1 mg/day, hard). With
    `opioid_naive` left out of the document it was checked as tolerant and accepted;
    now as naive, refused, with the finding that says why; stated false, accepted."""
    doc = {
        "pump": {"model": "peristaltic-20"},
        "catheter": {"length_cm": 90, "ul_per_cm": 2.6},
        "patient": {"indication": "cancer"},
        "now": "2026-11-21T09:30Z",
        "first_fill": True,
        "proposed": {
            "drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
            "basal": {"steps": [{"start": "00:00", "dose": "2 mg/day"}]},
        },
    }
    unstated = tmp_path / "unstated.json"
    unstated.write_text(json.dumps(doc))
    code, out = run("program", "check", str(unstated))
    codes = {(f["rule_id"], f["severity"], f["code"]) for f in out["findings"]}
    assert code == 1
    assert ("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") in codes
    assert ("DD-03", "info", "OPIOID_TOLERANCE_UNSTATED") in codes
    stated = tmp_path / "stated.json"
    stated.write_text(json.dumps(doc | {"patient": {"indication": "cancer",
                                                    "opioid_naive": False}}))  # fmt: skip
    code, out = run("program", "check", str(stated))
    assert code == 0
    assert "OPIOID_TOLERANCE_UNSTATED" not in {f["code"] for f in out["findings"]}
