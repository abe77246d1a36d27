"""`thecal simulate` as a user runs it: JSON on stdout, every problem on a bad file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from thecal.entrypoints.cli import app

runner = CliRunner()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_example_prints_valid_json(path):
    result = runner.invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"summary", "days", "events"}
    summary = out["summary"]
    for key in (
        "duration_s",
        "strokes",
        "firmware_volume_ml",
        "outlet_volume_ml",
        "tip_drug_mcg",
        "reservoir_estimated_ml",
        "reservoir_true_ml",
        "battery_fraction",
        "state",
    ):
        assert key in summary
    assert summary["battery_fraction"] is None or 0 <= summary["battery_fraction"] <= 1
    times = [e["t"] for e in out["events"]]
    assert times == sorted(times)
    for row in out["days"]:
        assert list(row["tip_drug_mcg"]) == list(summary["tip_drug_mcg"])


def test_table_and_plot(tmp_path):
    png = tmp_path / "timeline.png"
    result = runner.invoke(
        app, ["simulate", str(EXAMPLES / "morphine-flex-demand.json"), "--plot", str(png)]
    )
    assert result.exit_code == 0
    assert "morphine reaching the tip (mcg)" in result.stdout and "23,050" in result.stdout
    # requests a (granted), b (lockout), c (granted), c again (the same id), d (granted):
    # three doses, one refusal, one repeat answered with the first answer (issue 25)
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in result.stdout.splitlines() if line.count("│") == 3}  # fmt: skip
    assert rows["events: demand granted"] == "3"
    assert rows["events: demand denied"] == "1"
    assert rows["events: demand repeated id (no new dose)"] == "1"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def write(tmp_path, doc) -> str:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    return str(path)


GOOD = {
    "pump": {"model": "peristaltic-20"},
    "catheter": {"length_cm": 90},
    "duration": "2d",
    "program": {
        "drugs": [{"name": "morphine", "concentration": "10 mg/mL"}],
        "basal": {"steps": [{"start": "00:00", "rate": "0.5 mL/day"}]},
    },
}


def test_an_invalid_scenario_exits_2_listing_every_problem_with_its_path(tmp_path):
    doc = json.loads(json.dumps(GOOD))
    doc["colour"] = "red"
    doc["reservoir"] = {"fill_ml": 40}
    doc["program"]["basal"]["steps"].append({"start": "07:00", "rate": "0.5 mg"})
    doc["events"] = [
        {"t": "3d 00:00", "type": "suspend"},
        {
            "t": "1d 00:00",
            "type": "refill",
            "add_ml": 5,
            "pocket_fill_ml": 6,
            "drugs": [{"name": "morphine", "concentration": "10"}],
        },
        {"t": "1d 01:00", "type": "bolus", "kind": "patient", "amount": "1 mL", "duration": "1 h"},
    ]
    result = runner.invoke(app, ["simulate", write(tmp_path, doc), "--json"])
    assert result.exit_code == 2
    problems = {p["path"]: p["message"] for p in json.loads(result.stdout)["error"]["problems"]}
    assert set(problems) == {
        "colour",
        "reservoir.fill_ml",
        "program.basal.steps[1].rate",
        "events[0].t",
        "events[1].pocket_fill_ml",
        "events[1].drugs[0].concentration",
        "events[2].kind",
    }
    assert "'0.5 mg' is a dose" in problems["program.basal.steps[1].rate"]
    assert "has no unit" in problems["events[1].drugs[0].concentration"]


def test_program_rules_are_checked_before_anything_is_simulated(tmp_path):
    doc = json.loads(json.dumps(GOOD))
    doc["events"] = [
        {
            "t": "1d 00:00",
            "type": "program",
            "program": {
                "drugs": [{"name": "baclofen", "concentration": "500 mcg/mL"}],
                "basal": {"steps": [{"start": "00:00", "rate": "30 mL/day"}]},
                "demand_bolus": {
                    "amount": "50 mcg",
                    "duration": "10 min",
                    "lockout": "5 min",
                    "max_per_24h": 4,
                },
            },
        }
    ]
    result = runner.invoke(app, ["simulate", write(tmp_path, doc), "--json"])
    assert result.exit_code == 2
    paths = [p["path"] for p in json.loads(result.stdout)["error"]["problems"]]
    assert paths == [
        "events[0].program.basal.steps[0].rate",
        "events[0].program.demand_bolus.lockout",
        "events[0].program.demand_bolus",
    ]


def test_constant_flow_pumps_refuse_firmware_commands(tmp_path):
    doc = {
        "pump": {"model": "constant-flow-20"},
        "catheter": {"length_cm": 90},
        "duration": "1d",
        "program": {"drugs": [{"name": "morphine", "concentration": "10 mg/mL"}]},
        "events": [{"t": 60, "type": "demand_request", "id": "x"}],
    }
    result = runner.invoke(app, ["simulate", write(tmp_path, doc), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["problems"][0]["path"] == "events[0].type"


def test_unreadable_and_malformed_files(tmp_path):
    result = runner.invoke(app, ["simulate", str(tmp_path / "missing.json"), "--json"])
    assert result.exit_code == 2 and "cannot read" in json.loads(result.stdout)["error"]["message"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["simulate", str(bad), "--json"])
    assert result.exit_code == 2 and "not valid JSON" in result.stdout
