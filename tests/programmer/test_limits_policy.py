"""Issue 24: limits that fit the patient. The severity policy walked over the whole
library, then the audit's items by hand: input, expected finding, severity and the most
allowed value (limits-audit.md §1; figures from the label texts it quotes)."""

from __future__ import annotations

import pytest

from tests.programmer.helpers import CATHETER_90CM, DAY, HOUR, MG, codes, program, proposal
from thecal.core.drugs import LIMIT_FIELDS, DrugLibrary
from thecal.core.errors import CatalogueError
from thecal.core.safety import DoseChange, Patient, check_program, most_allowed
from thecal.core.sourced import HARD_KINDS, SOURCE_KINDS
from thecal.data import drug_library, raw_document

LIB = drug_library()


def found(p):
    return codes(check_program(p).findings)


def test_every_hard_limit_rests_on_a_label_or_a_manual() -> None:
    walked = 0
    for drug in LIB.drugs.values():
        for limit in LIMIT_FIELDS:
            kind, strength = drug.limits[limit]
            assert kind in SOURCE_KINDS and strength in ("hard", "soft"), (drug.name, limit)
            if strength == "hard" and getattr(drug, limit) is not None:
                assert kind in HARD_KINDS, (drug.name, limit, kind)
            walked += 1
    assert walked == 8 * len(LIMIT_FIELDS)
    # the ones the audit found over-read are soft now; the label maxima are hard
    assert LIB.get("morphine").limits["max_concentration_mcg_per_ml"] == ("consensus", "soft")
    assert LIB.get("morphine").limits["max_bolus_mcg"] == ("consensus", "soft")
    assert LIB.get("ziconotide").limits["max_daily_dose_hard_mcg_per_day"] == ("label", "hard")


def test_the_library_refuses_a_hard_limit_resting_on_consensus() -> None:
    doc = raw_document("drugs.toml")
    doc["drug"]["morphine"]["max_concentration_mcg_per_ml"]["strength"] = "hard"
    with pytest.raises(CatalogueError, match="needs a label or a device manual"):
        DrugLibrary.from_mapping(doc)
    doc = raw_document("drugs.toml")
    del doc["drug"]["baclofen"]["max_bolus_mcg"]["kind"]
    with pytest.raises(CatalogueError, match="kind"):
        DrugLibrary.from_mapping(doc)


def test_ziconotide_low_and_slow_is_asked_for_not_forced() -> None:
    """US label: steps <= 2.4 mcg/day, >= 24 h apart, <= 3 a week (hard). PACC/expert:
    <= 0.5 mcg/day no more than weekly [E8] (soft)."""
    z = lambda d: program([("ziconotide", 25.0)], d)  # noqa: E731
    now = 100 * DAY
    old = (DoseChange(now - 30 * DAY, "ziconotide", 1.2),)
    assert not [c for c in found(proposal(z(1.7), z(1.2), history=old)) if c[0] == "DD-05"]
    r = found(proposal(z(2.0), z(1.2), history=old))  # +0.8 > 0.5
    assert ("DD-05", "soft", "TITRATION_FASTER_THAN_RECOMMENDED") in r
    assert not [c for c in r if c[1] == "hard"]
    allowed = most_allowed(proposal(z(2.0), z(1.2), history=old))["ziconotide"]
    assert allowed.soft.value == pytest.approx(1.7)  # 1.2 + 0.5
    assert allowed.hard.value == pytest.approx(3.6)  # 1.2 + 2.4, the label's step
    recent = (DoseChange(now - 30 * DAY, "ziconotide", 1.0),
              DoseChange(now - 3 * DAY, "ziconotide", 1.2))  # fmt: skip
    r = found(proposal(z(1.5), z(1.2), history=recent))  # +0.3, 3 days after the last rise
    assert ("DD-05", "soft", "TITRATION_FASTER_THAN_RECOMMENDED") in r


M15 = program([("morphine", 10 * MG)], 15 * MG)


def test_an_opioid_restarted_after_days_without_drug_is_a_new_start() -> None:
    """The audit's pump empty for 67 days, refilled to resume 15 mg/day of morphine: the
    patient has lost tolerance, so the restart is checked as an opioid-naive start:
    above the Infumorph label's naive 1 mg/day, hard; PACC's 0.5 mg/day soft."""
    p = proposal(M15, M15, interruption_h=67 * 24.0)
    r = found(p)
    assert ("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") in r
    allowed = most_allowed(p)["morphine"]
    assert (allowed.hard.value, allowed.soft.value) == (1000.0, 500.0)
    [f] = [f for f in check_program(p).findings if f.code == "START_ABOVE_LABEL_NAIVE"]
    assert "restart after an interruption" in f.message
    # under the 72 h threshold nothing changes: no start finding at all
    assert not [c for c in found(proposal(M15, M15, interruption_h=48.0)) if c[0] == "DD-03"]
    # systemic opioids kept the tolerance: the label's tolerant 1-10 mg/day, soft
    kept = Patient(sedative_comedication=("systemic_opioid",))
    r = found(proposal(M15, M15, interruption_h=67 * 24.0, patient=kept))
    assert ("DD-03", "soft", "START_ABOVE_TOLERANT_RANGE") in r
    assert not [c for c in r if c[1] == "hard" and c[0] == "DD-03"]


def test_baclofen_restarted_after_weeks_asks_for_re_titration() -> None:
    """Baclofen 600 mcg/day, the pump empty for 35 days: the start ceiling (200 mcg/day,
    2x the largest screening dose) is shown softly: the clinician decides, and says why."""
    b = program([("baclofen", 2000.0)], 600.0)
    p = proposal(b, b, interruption_h=35 * 24.0, patient=Patient(indication="spasticity_spinal"))
    assert ("DD-03", "soft", "START_ABOVE_CEILING") in found(p)
    assert most_allowed(p)["baclofen"].soft.value == 200.0


def test_a_lower_restart_after_an_interruption_is_not_a_cut_to_taper() -> None:
    """Morphine 15 mg/day, the pump empty for 67 days, restarted at 0.8 mg/day: the
    patient has had nothing for 67 days, so the lower dose is the restart DD-03 asks
    for, not a 94.7 % cut to taper (the refill screen showed both, the one asking to go
    lower and the other to go slower). Empty for 48 h (under the 72 h policy), the same
    0.8 mg/day is a cut from the dose the patient is still used to."""
    low = program([("morphine", 10_000.0)], 800.0)
    long_gap = found(proposal(low, M15, interruption_h=67 * 24.0))
    assert not [c for c in long_gap if c[2] == "WITHDRAWAL_RISK_CUT"]
    assert ("DD-03", "soft", "START_ABOVE_CEILING") in long_gap  # above PACC's 0.5 mg/day
    short_gap = found(proposal(low, M15, interruption_h=48.0))
    assert ("DD-11", "soft", "WITHDRAWAL_RISK_CUT") in short_gap
    # an admixture: clonidine has no restart threshold of its own, but it was in the same
    # empty pump. Morphine 10 mg/mL + clonidine 500 mcg/mL at 1.65 mg/day (82.5 mcg/day
    # of clonidine), restarted at 0.5 mg/day (25 mcg/day): no cut for either after 50
    # days; after 48 h both cuts (-69.7 %) stand
    mix = [("morphine", 10_000.0), ("clonidine", 500.0)]
    was, now = program(mix, 1650.0), program(mix, 500.0)
    assert not [c for c in found(proposal(now, was, interruption_h=50 * 24.0))
                if c[2] == "WITHDRAWAL_RISK_CUT"]  # fmt: skip
    cuts = [f for f in check_program(proposal(now, was, interruption_h=48.0)).findings
            if f.code == "WITHDRAWAL_RISK_CUT"]  # fmt: skip
    assert sorted(f.message.split(":")[0] for f in cuts) == ["clonidine", "morphine"]


def test_a_refill_that_restarts_a_long_stopped_pump_is_checked_as_a_start() -> None:
    from tests.programmer.test_sessions import pump as make_pump
    from thecal.core.errors import Refused
    from thecal.core.pump.program import DrugConcentration
    from thecal.data import policy, pump_catalogue
    from thecal.services.refill import RefillSession

    port = make_pump(M15)
    t0 = 100 * DAY
    s = RefillSession.start(port, pump_catalogue().get("peristaltic-20"), LIB, policy(),
                            "rn.a", t0, stopped_since_s=t0 - 67 * DAY)  # fmt: skip
    s.propose(10.0, (DrugConcentration("morphine", 10 * MG),), t0)
    got = {(f.rule_id, f.severity, f.code) for f in s.proposal.findings}
    assert ("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") in got
    s.verify("ph.b", t0)
    s.confirm(t0, s.proposal.digest)
    with pytest.raises(Refused, match="START_ABOVE_LABEL_NAIVE"):
        s.commit(t0 + HOUR)


def test_a_suspension_the_pump_reports_makes_a_long_stop_a_new_start() -> None:
    """Issue 24: the interruption comes from the pump's own log, a suspension included.
    Morphine 15 mg/day suspended at day 10 and not resumed: at day 14 (96 h > the
    72 h threshold) the session, told nothing by the clinic, reads the suspension from
    the pump and checks the same program as an opioid-naive start (label 1 mg/day,
    hard). At day 12 (48 h) it is a continuation."""
    from tests.programmer.test_sessions import pump as make_pump
    from thecal.core.pump.commands import Suspend
    from thecal.core.pump.firmware import step
    from thecal.data import policy, pump_catalogue
    from thecal.services.programmer import ProgrammingSession

    for days, restart in ((4, True), (2, False)):
        port = make_pump(M15)
        port.state, _ = step(port.state, Suspend(), 10 * DAY)
        now = (10 + days) * DAY
        s = ProgrammingSession.start(port, pump_catalogue().get("peristaltic-20"), LIB,
                                     policy(), Patient(), CATHETER_90CM, "dr.a", now)  # fmt: skip
        assert s.before.delivery_stopped_since_s == 10 * DAY
        got = {(f.rule_id, f.severity, f.code) for f in s.propose(M15, now).findings}
        assert (("DD-03", "hard", "START_ABOVE_LABEL_NAIVE") in got) is restart
