"""`thecal session run FILE` (issue 22 item 8): a whole session against the in-process
emulator from a file, each outcome shown without the clinic. The example titrates
baclofen 400 -> 440 mcg/day (+10 %, within the 30 % spinal step): nothing blocks it but
the confirmation."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thecal.entrypoints.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/programmer/session-titration.json"
DOC = json.loads(EXAMPLE.read_text())


def run(tmp_path, doc, *flags):
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["session", "run", str(path), "--json", *flags])
    out = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, out, result.stdout


def log_events(out):
    return [e["event"] for e in out["record"]["log"]]


def test_check_sends_nothing_and_names_what_blocks(tmp_path):
    code, out, _ = run(tmp_path, DOC, "--check")
    assert code == 1 and out["record"] is None
    assert [b["code"] for b in out["blockers"]] == ["NOT_CONFIRMED"]
    assert [(d["before_mcg_per_day"], d["after_mcg_per_day"]) for d in out["doses"]] == [
        (pytest.approx(400.0), pytest.approx(440.0))
    ]


def test_the_digest_from_check_confirms_and_commits(tmp_path):
    _, reviewed, _ = run(tmp_path, DOC, "--check")
    doc = {**DOC, "signoff": {"reviewed_digest": reviewed["review_digest"]}}
    code, out, _ = run(tmp_path, doc)
    assert code == 0 and out["record"]["status"] == "committed"
    assert log_events(out)[-1] == "read back"


@pytest.mark.sr("SR-08")
def test_a_digest_for_another_proposal_is_refused_and_nothing_is_sent(tmp_path):
    _, reviewed, _ = run(tmp_path, DOC, "--check")
    changed = copy.deepcopy(DOC)
    changed["program"]["basal"]["steps"][0]["dose"] = "480 mcg/day"
    changed["signoff"] = {"reviewed_digest": reviewed["review_digest"]}
    code, out, _ = run(tmp_path, changed)
    assert code == 1 and out["record"]["status"] == "incomplete"
    assert [f["code"] for f in out["record"]["refused"]] == ["REVIEW_CHANGED"]
    assert "read back" not in log_events(out)


@pytest.mark.parametrize(
    ("faults", "status", "last"),
    [
        # the link dropped before the pump got the program: the read-back shows the old
        ([{"operation": "apply_program", "when": "before"}], "incomplete", "read back"),
        # the pump applied it and the answer was lost: the read-back finds the new one
        ([{"operation": "apply_program", "when": "after"}], "committed", "read back"),
        # the answer lost and no interrogation answers: uncertain, nothing resent
        ([{"operation": "apply_program", "when": "after"},
          {"operation": "interrogate", "when": "before"}], "uncertain", "link lost"),
        # the pump acknowledged and kept the old program: only the read-back catches it
        ([{"operation": "apply_program", "when": "ignored"}], "incomplete", "read back"),
    ],
)  # fmt: skip
def test_link_faults_show_each_outcome(tmp_path, faults, status, last):
    code, out, _ = run(tmp_path, {**DOC, "faults": faults}, "--confirm")
    assert out["record"]["status"] == status
    assert log_events(out)[-1] == last
    assert code == (0 if status == "committed" else 1)
    codes = [f["code"] for f in out["record"]["findings"]]
    if status == "incomplete":
        assert "SESSION_INCOMPLETE" in codes
    if status == "uncertain":
        assert "DELIVERY_UNCERTAIN" in codes


def test_a_refill_session_above_the_maximum_concentration_is_refused(tmp_path):
    """Baclofen 4 mg/mL is above the library's 2000 mcg/mL maximum: refused hard (DD-01),
    by the same rule as on the programming route, at the same 400 mcg/day."""
    doc = copy.deepcopy(DOC)
    del doc["program"]
    doc["refill"] = {
        "add_ml": 10, "lot": "L1", "bridge_duration": "12 h",
        "drugs": [{"name": "baclofen", "concentration": "4 mg/mL"}],
        "program": {**DOC["program"], "drugs": [{"name": "baclofen", "concentration": "4 mg/mL"}],
                    "basal": {"steps": [{"start": "00:00", "dose": "400 mcg/day"}]}},
    }  # fmt: skip
    code, out, _ = run(tmp_path, doc, "--confirm")
    assert code == 1
    assert ("DD-01", "CONCENTRATION_ABOVE_MAX") in {
        (f["rule_id"], f["code"]) for f in out["record"]["refused"]
    }


def test_bad_input_names_the_field_and_exits_2(tmp_path):
    doc = {**DOC, "faults": [{"operation": "refill", "when": "ignored"}]}
    code, _, text = run(tmp_path, doc)
    assert code == 2 and "faults[0]" in text and "only apply_program or start_bolus" in text
    both = {**DOC, "refill": {"add_ml": 1, "lot": "L", "drugs": []}}
    code, _, text = run(tmp_path, both)
    assert code == 2 and "exactly one change" in text
