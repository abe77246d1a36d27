"""Hypothesis strategies: random programs and pump commands in canonical units."""

from __future__ import annotations

from hypothesis import strategies as st

from thecal.core.pump import commands as c
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)

DAY = 86_400.0
H = 3600.0

MORPHINE = DrugConcentration("morphine", 10_000.0)
BACLOFEN = DrugConcentration("baclofen", 500.0)

rates_ml_day = st.one_of(st.just(0.0), st.floats(0.048, 4.0))


@st.composite
def demand_boluses(draw, max_mcg: float = 200.0) -> DemandBolus:
    """Of morphine 10 mg/mL; the lockout at least the bolus's duration."""
    duration = draw(st.sampled_from([300.0, 600.0, 1800.0]))
    return DemandBolus(
        Amount(mcg=draw(st.floats(10.0, max_mcg))),
        duration,
        duration + draw(st.sampled_from([0.0, 1800.0, 3 * H])),
        draw(st.integers(1, 6)),
    )


@st.composite
def programs(draw, allow_invalid: bool = False, morphine_only: bool = False) -> Program:
    cycle_days = draw(st.integers(1, 2))
    n = draw(st.integers(1, 4))
    starts = sorted(
        draw(st.sets(st.integers(1, cycle_days * 96 - 1), min_size=n - 1, max_size=n - 1))
    )
    steps = [Step(0.0, rate_ml_per_s=draw(rates_ml_day) / DAY)]
    steps += [Step(q * 900.0, rate_ml_per_s=draw(rates_ml_day) / DAY) for q in starts]
    drug = MORPHINE if morphine_only else draw(st.sampled_from([MORPHINE, BACLOFEN]))
    periodic = ()
    if draw(st.booleans()):
        periodic = (
            PeriodicBolus(
                draw(st.integers(0, cycle_days * 24 - 1)) * H,
                Amount(ml=draw(st.floats(0.001, 0.05))),
                draw(st.sampled_from([600.0, 1800.0, 7200.0])),
            ),
        )
    demand = None
    if drug is MORPHINE and draw(st.booleans()):
        demand = draw(demand_boluses())
    if allow_invalid and draw(st.booleans()):
        steps[0] = Step(
            0.0, rate_ml_per_s=draw(st.sampled_from([0.01, 30.0])) / DAY
        )  # out of range
    return Program(
        (drug,), tuple(steps), cycle_days, periodic, demand, draw(st.sampled_from([0.0, 2.0, 4.0]))
    )


def commands() -> st.SearchStrategy[c.Command]:
    return st.one_of(
        st.builds(c.Tick),
        st.builds(
            c.DemandRequest, st.sampled_from(["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"])
        ),
        st.builds(c.ApplyProgram, programs(allow_invalid=True)),
        # the alarm system's timers (issue 26): temporary programs, silences, self-tests
        st.builds(
            lambda p, hours: c.ApplyProgram(p, temporary_s=hours * H),
            programs(),
            st.sampled_from([0.5, 6.0, 30.0, 80.0]),
        ),
        st.builds(
            c.SilenceAlarm,
            st.sampled_from(["MOTOR_STALL", "LOW_RESERVOIR", "SUSPENSION_PROLONGED"]),
            st.sampled_from([60.0, 600.0, 7200.0]),
        ),
        st.builds(c.AcknowledgeAlarm, st.sampled_from(["LOW_RESERVOIR", "EMPTY_RESERVOIR"])),
        st.builds(c.Fault, st.sampled_from(["program_crc", "watchdog"])),
        st.builds(c.SelfTest),
        st.builds(
            lambda add, pocket_frac, drug, entered: c.Refill(
                add, (drug,) if drug else (), entered, add * pocket_frac
            ),
            st.floats(0.0, 45.0),
            st.sampled_from([0.0, 0.0, 0.1]),
            st.sampled_from([MORPHINE, BACLOFEN, DrugConcentration("morphine", 20_000.0), None]),
            st.one_of(st.none(), st.floats(0.0, 20.0)),
        ),
        st.builds(
            c.StartBolus,
            st.sampled_from(["clinician", "bridge", "priming"]),
            st.builds(Amount, ml=st.floats(0.001, 0.4)),
            st.sampled_from([600.0, 3600.0]),
        ),
        st.builds(c.Suspend),
        st.builds(c.Resume),
        st.builds(c.Fault, st.sampled_from(["bias"]), st.floats(-0.5, 0.5)),
        st.builds(
            c.Fault, st.sampled_from(["occlusion", "occlusion_cleared", "stall", "stall_cleared"])
        ),
        st.builds(c.MriExposure, st.floats(0.0, 2 * H), st.floats(0.0, 6 * H)),
        st.builds(c.ValveReset),
    )
