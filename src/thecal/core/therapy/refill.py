"""The refill plan: reconciliation, volumes, and the date of the next refill.

Next refill = the earliest of (SR-25, DD-09): the low-reservoir date assuming every
allowed patient bolus is taken (devices.md F46) less a margin, the drug's stability
limit (ziconotide: 14 days after a naive pump's first fill, 40 diluted, 84
undiluted), and the elective-replacement date. Times are seconds on the caller's
clock; nothing here reads one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.safety.concentration_change import program_matches_fluid
from thecal.core.safety.findings import HARD, INFO, SOFT, Finding, finding
from thecal.core.safety.library_gate import check_fluid
from thecal.core.safety.policy import Policy
from thecal.core.therapy.dosing import daily_volumes
from thecal.core.therapy.reconcile import Reconciliation, reconcile
from thecal.core.tolerance import above
from thecal.core.units import SECONDS_PER_DAY

Time = float | np.ndarray  # one pump, or a cohort

@dataclass(frozen=True)
class RefillRequest:
    model: PumpModel
    now_s: float
    estimate_ml: float | None  # None: no interrogation before the refill
    program_after: Program  # what will run on the new fluid
    add_ml: float
    drugs: tuple[DrugConcentration, ...]  # the new fluid
    withdrawn_ml: float | None = None
    entered_ml: float | None = None  # what will be told to the pump; default: kept + added
    previous_entered_ml: float | None = None
    naive_pump_first_fill: bool = False
    # no refill is booked after this: the elective replacement date, or once the pump
    # is at ERI its end of service (services.clinic.outlook.booking_limit); the reason
    # is elective_replacement_reason, below
    elective_replacement_s: float | None = None
    due_s: float | None = None  # when this refill was due
    # the pharmacy's word on the fluid: diluted from a stronger vial (True), undiluted
    # (False), or not said (None: inferred, a non-stock strength counts as diluted)
    diluted: bool | None = None
    elective_replacement_reason: str = "elective replacement date"


@dataclass(frozen=True)
class RefillPlan:
    reconciliation: Reconciliation
    kept_ml: float
    volume_after_ml: float  # kept + added: what should be entered
    daily_use_ml: float  # programmed, averaged over the cycle
    daily_use_with_demand_ml: float
    days_to_low_with_demand: float | None
    days_to_empty: float | None  # programmed use only, down to the dead volume
    stability_days: float | None
    stability_reason: str
    next_refill_s: float
    next_refill_reason: str
    findings: tuple[Finding, ...]

    @property
    def refused(self) -> bool:
        return any(f.severity == HARD for f in self.all_findings)

    @property
    def all_findings(self) -> tuple[Finding, ...]:
        return self.findings + self.reconciliation.findings


def stability_days(
    drugs: tuple[DrugConcentration, ...],
    library: DrugLibrary,
    naive_first_fill: bool,
    diluted: bool | None = None,
) -> tuple[float | None, str]:
    """The shortest stability limit of the fluid's drugs, and which drug sets it. A fill
    declared diluted is diluted even at a stock strength: 25 mcg/mL ziconotide made from
    the 100 mcg/mL vial keeps 40 days, not 84 (limits-audit.md row 48, [E4])."""
    best: tuple[float | None, str] = (None, "no stability limit in the library")
    for d in drugs:
        drug = library.get(d.name)
        if drug is None:
            continue
        options = [(drug.stability_days, f"{d.name} stability")]
        inferred = not drug.is_stock(d.concentration_mcg_per_ml)
        if diluted or (diluted is None and inferred):
            declared = " (declared)" if diluted else ""
            options.append((drug.stability_days_diluted, f"{d.name} diluted{declared}"))
        if naive_first_fill:
            options.append(
                (drug.stability_days_naive_first_fill, f"{d.name} first fill of a naive pump")
            )
        for days, why in options:
            if days is not None and (best[0] is None or days < best[0]):
                best = (days, why)
    return best


def naive_fill(
    before: tuple[DrugConcentration, ...],
    after: tuple[DrugConcentration, ...],
    library: DrugLibrary,
) -> bool:
    """Whether a fill is a naive pump's first for a drug that has a first-fill limit
    (ziconotide: 14 days, drugs-and-dosing.md F8, it adsorbs to a pump it has not met):
    the pump did not hold that drug before. A new pump holds nothing before (`before`
    empty). A pump that held the drug long ago counts as naive again: the earlier
    refill is the safe side."""
    held = {d.name for d in before}
    return any(
        d.name not in held
        and (drug := library.get(d.name)) is not None
        and drug.stability_days_naive_first_fill is not None
        for d in after
    )


def _stability_unknown(drugs: tuple[DrugConcentration, ...], library: DrugLibrary) -> list[Finding]:
    """A fluid with no sourced stability figure (fentanyl, sufentanil: limits-audit.md
    §3) is not capped by stability: the clinician books by the pharmacy's beyond-use
    date instead, and says so (soft: no source gives thecal a number to enforce)."""
    unknown = [
        d.name
        for d in drugs
        if (drug := library.get(d.name)) is not None and drug.stability_days is None
    ]
    message = (
        "{}: thecal holds no sourced stability figure for this fluid in a pump, so the "
        "refill date is not capped by it: book by the pharmacy's beyond-use date"
    )
    return [
        finding("DD-09", SOFT, "STABILITY_UNKNOWN", message.format(name), "refill.drugs")
        for name in unknown
    ]


def plan_refill(req: RefillRequest, library: DrugLibrary, policy: Policy) -> RefillPlan:
    m = req.model
    out: list[Finding] = []
    estimate = req.estimate_ml
    if estimate is None:
        out.append(
            finding(
                "SR-24",
                HARD,
                "NO_INTERROGATION",
                "interrogate the pump before refilling: the expected volume comes from it",
                "estimate_ml",
            )
        )
        estimate = 0.0
    measured = req.withdrawn_ml
    kept = m.dead_volume_ml if measured and measured > 0 else min(estimate, m.dead_volume_ml)
    after = kept + req.add_ml
    if above(after, m.capacity_ml):
        out.append(
            finding(
                "SR-24",
                HARD,
                "OVERFILL",
                f"{kept:.3g} mL left + {req.add_ml:.3g} mL added = {after:.3g} mL, above the "
                f"{m.capacity_ml:g} mL reservoir; never overfill (devices.md F4)",
                "add_ml",
            )
        )
    entered = req.entered_ml if req.entered_ml is not None else after
    tolerance = policy.refill.entered_volume_tolerance_ml
    if req.entered_ml is not None and abs(req.entered_ml - after) > tolerance:
        out.append(
            finding(
                "SR-24",
                HARD,
                "ENTERED_VOLUME_MISMATCH",
                f"{req.entered_ml:g} mL would be entered but {kept:.3g} + {req.add_ml:.3g} = "
                f"{after:.3g} mL will be in the reservoir: the pump would run dry "
                "unannounced (devices.md F69)",
                "entered_ml",
            )
        )
    out.extend(check_fluid(req.drugs, library, "refill."))
    out.extend(program_matches_fluid(req.program_after.drugs, req.drugs, library))
    out.append(
        finding(
            "DD-10",
            INFO,
            "SECOND_PERSON_CHECK",
            "a second person checks the drug, concentration and volume before the pump is updated",
        )
    )
    rec = reconcile(m, policy, estimate, measured, req.previous_entered_ml)
    days, why = stability_days(req.drugs, library, req.naive_pump_first_fill, req.diluted)
    stable_until = req.now_s + days * SECONDS_PER_DAY if days is not None else None
    out.extend(_stability_unknown(req.drugs, library))
    due = refill_due(
        req.program_after,
        entered,
        req.now_s,
        m,
        policy,
        stable_until,
        f"{why}: {days:g} d" if days is not None else why,
        req.elective_replacement_s,
        req.elective_replacement_reason,
    )
    out.extend(_overdue(req, library))
    return RefillPlan(
        rec,
        kept,
        after,
        due.use_ml_per_day,
        due.use_with_demand_ml_per_day,
        due.days_to_low_with_demand,
        due.days_to_empty,
        days,
        why,
        max(due.due_s, req.now_s),
        due.reason,
        tuple(out),
    )


@dataclass(frozen=True)
class RefillDue:
    """When the next refill is due, and why (SR-25): the pump's own dose model."""

    use_ml_per_day: float  # programmed, averaged over the cycle
    use_with_demand_ml_per_day: float  # every allowed patient bolus taken
    days_to_low_with_demand: float | None
    days_to_empty: float | None
    due_s: float  # may be in the past: the worklist shows how overdue
    reason: str


def time_to_low(volume_ml: Time, low_ml: Time, use_all_ml_per_time: Time) -> Time:
    """Until the low-reservoir alarm with every allowed bolus taken, in the unit of the
    use rate; inf where nothing is used."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(use_all_ml_per_time > 0, (volume_ml - low_ml) / use_all_ml_per_time,
                       np.inf)
    return out if isinstance(volume_ml, np.ndarray) else float(out)


def booked_after(to_low: Time, margin: Time) -> Time:
    """The clinic's booking rule: the low-alarm date less the margin. For one pump
    (floats) or a cohort (arrays): the refill plan, the worklist and the population
    engine book alike."""
    booked: Time = to_low - margin
    return booked


def refill_due(
    program: Program,
    volume_ml: float,
    now_s: float,
    model: PumpModel,
    policy: Policy,
    stable_until_s: float | None = None,
    stability_reason: str = "",
    elective_replacement_s: float | None = None,
    replacement_reason: str = "elective replacement date",
) -> RefillDue:
    """The earliest of: the low-reservoir alarm with every bolus taken, less the margin
    (for a constant-flow pump, which has no alarm: empty at its fastest flow, less the
    margin); the end of the fluid's stability; the elective replacement date. Used by
    the refill plan and by the clinic worklist alike, so the two can never disagree."""
    v = daily_volumes(program)
    periodic = (
        sum(pb.amount.volume_ml(program.primary_mcg_per_ml) for pb in program.periodic_boluses)
        / program.cycle_days
    )
    use = v.mean_basal_ml_per_day + periodic
    if not model.programmable:  # the restrictor's flow, whatever the program names
        use = model.nominal_rate_ml_day
    use_all = use + v.demand_max_ml
    # the refill is booked from the alarm or from the residual the pump cannot deliver,
    # whichever is higher: an alarm set below the residual (2 mL on a 2.4 mL SynchroMed)
    # would book it after the drug had already stopped (limits-audit.md §1 item 9)
    # ... and from the manufacturer's own refill volume where its controller dates the
    # refill by one (Prometra: 3.0 mL, devices F46), so thecal never books later
    low = max(program.low_reservoir_alarm_ml, model.dead_volume_ml, model.refill_at_ml)
    to_low = float(time_to_low(volume_ml, low, use_all)) if use_all > 0 else None
    to_empty = max(0.0, volume_ml - model.dead_volume_ml) / use if use > 0 else None
    margin = policy.refill.margin_days
    candidates = []
    if not model.programmable and use > 0:
        # No alarm will ever sound (pump-behaviour.md §9): book before the pump could be
        # empty at the fastest flow its accuracy allows (fever and altitude raise it).
        fastest = use * (1.0 + model.accuracy_pct / 100.0)
        to_low = max(0.0, volume_ml - model.dead_volume_ml) / fastest
        candidates.append(
            (
                now_s + float(booked_after(to_low, margin)) * SECONDS_PER_DAY,
                # no "in N d": the reason is stored and read days later (issue 25)
                "no alarm on a constant-flow pump: empty at "
                f"{fastest:.3g} mL/day (+{model.accuracy_pct:g} % accuracy), less a "
                f"{margin:g} d margin",
            )
        )
    elif to_low is not None:
        taken = "every patient bolus taken"
        if low == program.low_reservoir_alarm_ml:
            where = f"low-reservoir alarm ({low:g} mL, {taken})"
        elif low == model.refill_at_ml:
            where = (f"the {low:g} mL the manufacturer refills at (above the "
                     f"{program.low_reservoir_alarm_ml:g} mL alarm, {taken})")  # fmt: skip
        else:
            where = (f"the {low:g} mL the pump cannot deliver (above its "
                     f"{program.low_reservoir_alarm_ml:g} mL alarm, {taken})")  # fmt: skip
        when = f", less a {margin:g} d margin" if to_low > 0 else " reached already"
        candidates.append(
            (now_s + float(booked_after(to_low, margin)) * SECONDS_PER_DAY, where + when)
        )
    if stable_until_s is not None:
        candidates.append((stable_until_s, stability_reason))
    if elective_replacement_s is not None:
        candidates.append((elective_replacement_s, replacement_reason))
    if not candidates:
        candidates.append((now_s, "no delivery and no limit: review the program"))
    due_s, reason = min(candidates, key=lambda c: c[0])
    return RefillDue(use, use_all, to_low, to_empty, due_s, reason)


def _overdue(req: RefillRequest, library: DrugLibrary) -> list[Finding]:
    if req.due_s is None or req.now_s <= req.due_s:
        return []
    late_d = (req.now_s - req.due_s) / SECONDS_PER_DAY
    # each drug's own reason, from drugs.toml: the message named "the boxed warning for
    # baclofen" on a morphine + clonidine pump
    risky = {
        d.name: drug.sources.get("withdrawal_risk", "")
        for d in req.program_after.drugs
        if (drug := library.get(d.name)) is not None and drug.withdrawal_risk
    }
    if risky:
        why = "; ".join(f"{name}: {reason}" if reason else name for name, reason in risky.items())
        return [
            finding(
                "DD-09",
                SOFT,
                "REFILL_OVERDUE_WITHDRAWAL_RISK",
                f"refill {late_d:.3g} d overdue with {', '.join(risky)}: abrupt withdrawal risk "
                f"({why}); escalate",
            )
        ]
    return [finding("DD-09", INFO, "REFILL_OVERDUE", f"refill {late_d:.3g} d overdue")]
