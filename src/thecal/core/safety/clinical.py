"""Clinical flags around a program: withdrawal (DD-11), monitoring and ziconotide
screening (DD-12), granuloma surveillance (DD-13), sedatives (DD-15)."""

from __future__ import annotations

from collections.abc import Iterator

from thecal.core.drugs import Drug
from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.dose_limits import current_max_mcg, is_start
from thecal.core.safety.findings import HARD, INFO, SOFT, Finding, finding
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.safety.titration import dose_at
from thecal.core.therapy.dosing import daily_doses, percent_change
from thecal.core.tolerance import above
from thecal.core.units import SECONDS_PER_DAY

YEAR_S = 365.0 * SECONDS_PER_DAY


def check_withdrawal(ctx: ProgramProposal) -> list[Finding]:
    out: list[Finding] = []
    new = daily_doses(ctx.proposed)
    cut_pct = ctx.policy.withdrawal.large_cut_pct
    names = set(ctx.current_concentrations()) | set(new)
    # the pump gave none of its fluid while it was stopped: when one drug of it restarts
    # as a new start, the others have been as long without (clonidine beside morphine
    # after 50 days empty was still "cut 69.7 %: taper")
    restart = any(ctx.interrupted(d) for d in map(ctx.drug, names) if d is not None)
    for name in sorted(names):
        drug = ctx.drug(name)
        if drug is None or not drug.withdrawal_risk:
            continue
        if ctx.patient.withdrawal_high_risk and name in new:
            out.append(
                finding(
                    "DD-11",
                    INFO,
                    "WITHDRAWAL_HIGH_RISK_PATIENT",
                    f"{name}: this patient is at high risk of withdrawal (T6-or-above spinal cord "
                    "injury or a communication deficit): escalate any missed refill or alarm",
                )
            )
        before = current_max_mcg(ctx, name)
        if not before or restart:
            # after an interruption long enough to restart as a new start the patient has
            # had nothing for days: the programmed dose is no longer what the body is
            # used to, and a lower restart is what DD-03 asks for, not a cut to taper
            # ("cuts 75.8 %" beside "above the starting ceiling" contradicted itself)
            continue
        after = new[name].programmed_mcg if name in new else 0.0
        change = percent_change(before, after)
        guidance = drug.decrease_guidance_pct
        limit = guidance if guidance is not None else cut_pct
        if change is not None and above(-change, limit):
            what = "stops" if after == 0 else f"cuts {-change:.3g} %"
            why = (
                f"the label's guidance is to decrease by at most {guidance:g} % at a time "
                f"({drug.sources.get('decrease_guidance_pct', '')})"
                if guidance is not None
                else f"an abrupt cut of more than {cut_pct:g} % risks withdrawal"
            )
            high = (
                " in a patient at high risk of withdrawal"
                if ctx.patient.withdrawal_high_risk
                else ""
            )
            out.append(
                finding(
                    "DD-11",
                    SOFT,
                    "WITHDRAWAL_RISK_CUT",
                    f"{name}: this {what} ({dose_text(drug, before)} to {dose_text(drug, after)})"
                    f"{high}; {why}: taper, or acknowledge with the reason",
                    "basal",
                )
            )
    return out


def check_monitoring(ctx: ProgramProposal) -> list[Finding]:
    out: list[Finding] = []
    new = daily_doses(ctx.proposed)
    for name, dose in new.items():
        drug = ctx.drug(name)
        if drug is None:
            continue
        before = current_max_mcg(ctx, name)
        up = is_start(ctx, name) or (before is not None and dose.max_mcg > before)
        if up:
            # every drug says what to watch (drugs.toml monitor_signs); only some sources
            # give a time, the others leave it to the clinic's protocol (clonidine:
            # hypotension and bradycardia, limits-audit.md §3)
            if drug.monitor_after_start_h is not None:
                lo, hi = drug.monitor_after_start_h
                span = f"for {lo:g} h" if lo == hi else f"for {lo:g}-{hi:g} h"
            else:
                span = "for as long as the clinic's protocol asks (no sourced time)"
            out.append(
                finding(
                    "DD-12",
                    INFO,
                    "MONITOR_AFTER_CHANGE",
                    f"{name} starts or increases: monitor {drug.monitor_signs} {span}",
                )
            )
        if drug.psychosis_contraindicated:
            if ctx.patient.history_of_psychosis:
                out.append(
                    finding(
                        "DD-12",
                        HARD,
                        "ZICONOTIDE_PSYCHOSIS_HISTORY",
                        f"{name} is contraindicated with a history of psychosis (boxed warning)",
                        "drugs",
                    )
                )
            if not ctx.patient.psychiatric_screening_done:
                out.append(
                    finding(
                        "DD-12",
                        SOFT,
                        "ZICONOTIDE_SCREENING_MISSING",
                        f"no psychiatric screening is recorded before {name}",
                        "patient",
                    )
                )
            out.append(
                finding(
                    "DD-12",
                    INFO,
                    "ZICONOTIDE_CK_MONITORING",
                    "ziconotide: monitor creatine kinase and cognition",
                )
            )
    return out


def check_granuloma(ctx: ProgramProposal) -> list[Finding]:
    out: list[Finding] = []
    new = daily_doses(ctx.proposed)
    for i, d in enumerate(ctx.proposed.drugs):
        drug = ctx.drug(d.name)
        warn = drug.granuloma_warn_concentration_mcg_per_ml if drug else None
        if warn is not None and not above(warn, d.concentration_mcg_per_ml):
            out.append(
                finding(
                    "DD-13",
                    SOFT,
                    "GRANULOMA_CONCENTRATION",
                    f"{d.name} at {conc_text(drug, d.concentration_mcg_per_ml)} is at or above "
                    f"{conc_text(drug, warn)}, where catheter-tip granuloma risk rises",
                    f"drugs[{i}].concentration",
                )
            )
        if drug is None or drug.drug_class != "opioid":
            continue
        year_ago = dose_at(ctx.history, d.name, ctx.now_s - YEAR_S)
        two_ago = dose_at(ctx.history, d.name, ctx.now_s - 2 * YEAR_S)
        now = new[d.name].max_mcg
        last = percent_change(year_ago or 0.0, now)
        if last is None:
            continue
        out.append(
            finding(
                "DD-13", INFO, "YEARLY_DOSE_INCREASE", f"{d.name}: {last:+.1f} % over the last year"
            )
        )
        earlier = percent_change(two_ago or 0.0, year_ago or 0.0)
        if earlier is not None and last > earlier and last > 0:
            out.append(
                finding(
                    "DD-13",
                    SOFT,
                    "ESCALATION_ACCELERATING",
                    f"{d.name}: {last:+.1f} % this year after {earlier:+.1f} % the year before; "
                    "accelerating escalation: check for a catheter-tip granuloma (neurological "
                    "examination, imaging)",
                )
            )
    return out


def check_sedatives(ctx: ProgramProposal) -> list[Finding]:
    meds = ctx.patient.sedative_comedication
    if not meds:
        return []
    starts = [
        d.name
        for d in ctx.proposed.drugs
        if (drug := ctx.drug(d.name)) is not None
        and drug.drug_class == "opioid"
        and is_start(ctx, d.name)
    ]
    if not starts:
        return []
    planned = ctx.patient.systemic_dose_reduction_planned
    return [
        finding(
            "DD-15",
            INFO if planned else SOFT,
            "SEDATIVE_COMEDICATION",
            f"IT {', '.join(starts)} starts with {', '.join(meds)}: "
            + (
                "the systemic dose reduction is planned"
                if planned
                else "reduce the systemic dose (respiratory depression risk)"
            ),
            "patient",
        )
    ]


def _stated(ctx: ProgramProposal, field: str) -> Iterator[tuple[str, Drug, float]]:
    """Each proposed drug whose library entry states the limit `field`, with it."""
    for d in ctx.proposed.drugs:
        drug = ctx.drug(d.name)
        value = getattr(drug, field) if drug is not None else None
        if drug is not None and value is not None:
            yield d.name, drug, float(value)


def check_age(ctx: ProgramProposal) -> list[Finding]:
    """A drug below the age its label has established it for (baclofen: 4 years,
    limits-audit.md §3) asks for review: not established is not contraindicated."""
    age = ctx.patient.age_years
    if age is None:
        return []
    return [
        finding("DD-12", drug.severity("min_age_years"), "BELOW_LABELLED_AGE",
                f"{name}: the patient may be {age:g} years old; below {least:g} years the "
                "label has not established its safety and effectiveness", "patient")
        for name, drug, least in _stated(ctx, "min_age_years")
        if age < least
    ]  # fmt: skip


def check_brain_injury(ctx: ProgramProposal) -> list[Finding]:
    """A start of a drug whose label asks long-term therapy to wait after a traumatic
    brain injury (baclofen: a year, Gablofen), sooner than that: the label recommends
    the wait, so its severity is the data's (soft, acknowledged with a reason). A
    continuing therapy is not a start and is not asked."""
    injured_s = ctx.patient.brain_injury_s
    if injured_s is None:
        return []
    since_days = (ctx.now_s - injured_s) / SECONDS_PER_DAY
    return [
        finding("DD-12", drug.severity("brain_injury_wait_days"), "BRAIN_INJURY_WAIT",
                f"{name}: the brain injury was {since_days:.0f} days ago; the label asks "
                f"that long-term therapy wait at least {wait:g} days after it", "patient")
        for name, drug, wait in _stated(ctx, "brain_injury_wait_days")
        if since_days < wait and is_start(ctx, name)
    ]  # fmt: skip

