"""SR-31 at the programming review: how long the battery lasts on the proposed program.

The elective replacement indicator promises `eri_days` (90) before end of service at the
rate the pump ran when it tripped. A faster program drains faster: raised after ERI, it
can bring end of service within weeks with no warning (issue 26). So every program
change on a battery pump shows the projected days left, and one that brings them under
the ERI promise asks for acknowledgement and a sooner replacement.

The projection is the charge left (from the interrogation) over the daily drain of the
proposed program with every allowed patient bolus taken: the baseline current plus the
charge per stroke (pump-behaviour.md, Battery). A telemetry session's charge is left
out: the clinic's sessions are rare.
"""

from __future__ import annotations

from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program
from thecal.core.pump.volumes import daily_volumes
from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.findings import INFO, SOFT, Finding, finding
from thecal.core.units import DAYS_PER_YEAR, HOURS_PER_DAY


def daily_drain_uah(model: PumpModel, program: Program) -> float:
    """The most a day of `program` takes from the battery (every patient bolus taken)."""
    strokes = daily_volumes(program).max_ml / model.stroke_ml
    return model.baseline_ua * HOURS_PER_DAY + model.uah_per_stroke * strokes


def _span(days: float) -> str:
    """Years as a clinician plans a replacement, with the days beside them."""
    if days < DAYS_PER_YEAR:
        return f"{days:.0f} days"
    return f"{days / DAYS_PER_YEAR:.1f} years ({days:,.0f} days)"


def check_end_of_service(ctx: ProgramProposal) -> list[Finding]:
    m, left = ctx.model, ctx.battery_uah_left
    if left is None or not m.programmable or m.battery_uah <= 0:
        return []
    days = left / daily_drain_uah(m, ctx.proposed)
    now_days = left / daily_drain_uah(m, ctx.current) if ctx.current is not None else None
    out = [
        finding(
            "SR-31",
            INFO,
            "END_OF_SERVICE_PROJECTED",
            f"on this program the battery lasts about {_span(days)} "
            f"({left:,.0f} µAh left, every patient bolus taken)",
        )
    ]
    # only a change that drains faster is this check's business: a pump already past
    # its ERI on the same program is the worklist's replacement item
    faster = now_days is None or days < now_days * (1 - 1e-9)
    if days < m.eri_days and faster:
        out.append(
            finding(
                "SR-31",
                SOFT,
                "END_OF_SERVICE_WITHIN_ERI_PROMISE",
                f"on this program the battery reaches end of service in about {days:.0f} "
                f"days, less than the {m.eri_days:g} days the elective replacement "
                "indicator promises: the pump stops then; schedule the replacement sooner "
                "or keep the rate",
            )
        )
    return out
