"""The fault campaign: 1000 sessions over a lossy link with kill -9 of the emulator,
and the shadow checks shown to catch what they look for."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.telemetry.helpers import DAY, SERIAL, commission_args
from thecal.adapters.telemetry.campaign import CampaignConfig, Shadow, run_campaign
from thecal.adapters.telemetry.pump import TelemetryPump
from thecal.data import drug_library, pump_catalogue

pytestmark = pytest.mark.slow  # a campaign, a study or a process: the slow tier

MODEL = pump_catalogue().get("peristaltic-20")


@pytest.mark.sr("SR-34")
def test_a_thousand_sessions_with_faults_and_kills_break_nothing(tmp_path) -> None:
    report = run_campaign(CampaignConfig(sessions=1000, seed=1), tmp_path, MODEL, drug_library())
    counts = report.counts
    assert report.violations == []
    assert counts["violations"] == 0
    assert counts["sessions"] == 1000
    for kind in ("drop", "duplicate", "reorder", "corrupt", "delay", "cut"):
        assert counts[f"fault_{kind}"] > 0, kind
    assert counts["kills"] > 0 and counts["restarts"] == counts["kills"]
    assert counts["uncertain"] > 0
    assert counts["uncertain_resolved"] == counts["uncertain"]
    assert counts["duplicates_suppressed"] > 0
    assert counts["bad_frames_refused"] > 0
    assert counts["shadow_checks"] >= 1000
    # sealed: a corrupted sealed frame fails its tag at the receiver, and is acted on by
    # neither end (the pump answers it with an open refusal the programmer ignores)
    assert counts["unauthentic_frames_refused"] + counts["open_answers_ignored"] > 0
    # the rogue phase: 8 ops twice (open, sealed with its own key) + 1 pairing = 17 frames
    assert counts["rogue_frames_sent"] == 17
    assert counts["rogue_replays_sent"] == 512  # the last 512 frames the campaign sent
    assert counts["rogue_writes_accepted"] == 0
    assert counts["rogue_reads_answered"] == 0
    assert counts["rogue_pairings_accepted"] == 0
    assert counts["rogue_records_added"] == 0


def _pump(sent: dict) -> TelemetryPump:
    p = TelemetryPump(link=None, serial=SERIAL)  # type: ignore[arg-type]
    p.sent.update(sent)
    return p


SENT = {
    "o1": ("open", {"serial": SERIAL}),
    "c1": ("commission", commission_args(1.0)),
    "s1": ("suspend", {}),
}


def _history(*rows):
    return [{"seq": i + 1, "t": t, "command_id": cid} for i, (cid, t) in enumerate(rows)]


def test_the_shadow_flags_a_command_applied_twice_and_a_phantom() -> None:
    shadow = Shadow(MODEL, drug_library())
    shadow.take(
        _pump(SENT), _history(("o1", 0.0), ("c1", 0.0), ("s1", DAY), ("s1", DAY), ("x9", DAY))
    )
    assert shadow.violations == ["applied twice: s1", "phantom: x9 was never sent"]


def test_the_shadow_flags_a_lost_record_and_a_moved_answer() -> None:
    shadow = Shadow(MODEL, drug_library())
    pump = _pump(SENT)
    pump.answered["s1"] = {"seq": 3, "t": DAY}
    rows = [
        {"seq": 1, "t": 0.0, "command_id": "o1"},
        {"seq": 2, "t": 0.0, "command_id": "c1"},
        {"seq": 4, "t": 2 * DAY, "command_id": "s1"},
    ]
    shadow.take(pump, rows)
    assert shadow.violations == [
        "history: record 4 follows 2",
        "answered s1 as record 3; history moved it",
    ]


def test_the_shadow_flags_a_report_that_differs_from_the_history() -> None:
    shadow = Shadow(MODEL, drug_library())
    shadow.take(_pump(SENT), _history(("o1", 0.0), ("c1", 0.0)))
    # 1 mL/day for a day: 2000 strokes of 0.5 uL; the pump claims 1990 and 19 mL
    answer = {
        "t": DAY,
        "strokes": 1990,
        "charge_uah": shadow.state.charge_uah - 144.0 - 123.4,
        "report": {"reservoir_estimate_ml": 19.0, "program_digest": None},
    }
    shadow.check(answer)
    assert len(shadow.violations) == 1 and "1990 strokes" in shadow.violations[0]
    assert "the shadow 2000" in shadow.violations[0]
    assert Counter(v.split(":")[0] for v in shadow.violations) == Counter({"at t=86400.0": 1})
