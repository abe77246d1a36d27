"""Probable unit errors (DD-02) and rates carried over a concentration change (SR-05).

These catch the recall classes where every number was individually plausible:
mcg/h typed for mcg/day, minutes for hours, a rate in mL/day kept while the
concentration went up.
"""

from __future__ import annotations

from thecal.core.pump.program import Program, step_rate_ml_per_s
from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.dose_limits import current_max_mcg
from thecal.core.safety.findings import HARD, SOFT, Finding, finding
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.therapy.dosing import daily_doses
from thecal.core.tolerance import same
from thecal.core.units import SECONDS_PER_DAY


def check_unit_sanity(ctx: ProgramProposal) -> list[Finding]:
    high = ctx.policy.unit_sanity.suspect_ratio_high
    low = ctx.policy.unit_sanity.suspect_ratio_low
    out: list[Finding] = []
    for i, (name, dose) in enumerate(daily_doses(ctx.proposed).items()):
        drug = ctx.drug(name)
        if drug is None:
            continue
        before = current_max_mcg(ctx, name)
        if before is not None and before > 0:
            reference, what = before, f"the current {dose_text(drug, before)}"
        else:
            lo, hi = drug.starting_dose_mcg_per_day
            reference, what = (
                hi,
                f"the usual starting dose ({dose_text(drug, lo)} to {dose_text(drug, hi)})",
            )
            if dose.max_mcg > 0 and dose.max_mcg < lo * low:
                out.append(
                    finding(
                        "DD-02",
                        SOFT,
                        "DOSE_SUSPECT_LOW",
                        f"{name}: {dose_text(drug, dose.max_mcg)} is under {low:g}x the lowest "
                        f"usual starting dose: check mcg against mg",
                        f"drugs[{i}]",
                    )
                )
                continue
        ratio = dose.max_mcg / reference
        if ratio > high:
            out.append(
                finding(
                    "DD-02",
                    HARD,
                    "DOSE_SUSPECT_HIGH",
                    f"{name}: {dose_text(drug, dose.max_mcg)} is {ratio:.3g}x {what}: a probable "
                    "unit error (mcg for mg, per hour for per day, minutes for hours)",
                    f"drugs[{i}]",
                )
            )
        elif before and 0 < ratio < low:
            out.append(
                finding(
                    "DD-02",
                    SOFT,
                    "DOSE_SUSPECT_LOW",
                    f"{name}: {dose_text(drug, dose.max_mcg)} is {ratio:.3g}x {what}: "
                    "check the unit",
                    f"drugs[{i}]",
                )
            )
    out.extend(_overlapping_periodic(ctx.proposed))
    out.extend(_carried_over_rates(ctx))
    return out


def _overlapping_periodic(p: Program) -> list[Finding]:
    """Periodic boluses that start before the previous one ends: an interval typed in
    minutes where hours were meant (devices.md F16)."""
    cycle_s = p.cycle_days * SECONDS_PER_DAY
    spans = sorted((pb.at_s, pb.duration_s) for pb in p.periodic_boluses)
    for k, (at, duration) in enumerate(spans if len(spans) > 1 else []):
        gap = (spans[(k + 1) % len(spans)][0] - at) % cycle_s
        if gap < duration:
            return [
                finding(
                    "DD-02",
                    HARD,
                    "PERIODIC_BOLUSES_OVERLAP",
                    f"{len(spans)} periodic boluses a cycle, {gap / 60:.3g} min apart, "
                    f"each lasting {duration / 60:.3g} min: "
                    "an interval in minutes where hours were meant?",
                    "periodic_boluses",
                )
            ]
    return []


def _carried_over_rates(ctx: ProgramProposal) -> list[Finding]:
    cur, new = ctx.current, ctx.proposed
    if not ctx.model.programmable:  # the restrictor's rate: a new concentration is the
        return []  # new dose, which the titration and ceiling rules check
    if cur is None or not cur.drugs or not new.drugs or cur.drugs[0].name != new.drugs[0].name:
        return []
    old_c, new_c = cur.primary_mcg_per_ml, new.primary_mcg_per_ml
    if same(new_c, old_c):
        return []
    old_rates = [(s.start_s, step_rate_ml_per_s(s, old_c)) for s in cur.steps]
    kept = [
        s
        for s in new.steps
        if s.rate_ml_per_s is not None
        and any(abs(s.start_s - a) < 1e-6 and same(s.rate_ml_per_s, r) for a, r in old_rates)
    ]
    if not kept or len(kept) != len(new.steps):
        return []
    drug = ctx.drug(new.drugs[0].name)
    before = current_max_mcg(ctx, new.drugs[0].name) or 0.0
    after = daily_doses(new)[new.drugs[0].name].max_mcg
    return [
        finding(
            "SR-05",
            HARD,
            "RATES_CARRIED_OVER",
            f"the concentration changes from {conc_text(drug, old_c)} to {conc_text(drug, new_c)} "
            f"but the basal rates are the old program's: the dose would go from "
            f"{dose_text(drug, before)} to {dose_text(drug, after)}. Restate the program as doses",
            "basal.steps",
        )
    ]
