"""Daily-dose limits (DD-03, DD-04, DD-05, DD-06) as bounds, folded into one limit.

Every limit on a drug's 24 h dose is a `Bound` on the same quantity: the most the
patient can receive in 24 h, with every allowed patient bolus taken (DD-06). The
smallest hard bound is what the screen shows as "most allowed" and what the check
refuses above; the smallest soft bound is where an acknowledgement is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import Drug
from thecal.core.safety.context import TITRATION_ROW_WORDS, ProgramProposal
from thecal.core.safety.findings import HARD, SOFT, Bound, Finding, finding, most_limiting
from thecal.core.safety.fmt import dose_text
from thecal.core.safety.titration import doses_in_window, increases
from thecal.core.sourced import Severity
from thecal.core.therapy.dosing import daily_doses
from thecal.core.tolerance import above


def quantity(drug: str) -> str:
    return f"max_daily_dose_mcg:{drug}"


def current_max_mcg(ctx: ProgramProposal, name: str) -> float | None:
    if ctx.current is None:
        return None
    dose = daily_doses(ctx.current).get(name)
    return dose.max_mcg if dose is not None else None


def is_start(ctx: ProgramProposal, name: str) -> bool:
    """First fill, a drug the patient is not receiving now, or a drug whose delivery was
    interrupted long enough that it restarts as a new start (issue 24)."""
    current = current_max_mcg(ctx, name)
    drug = ctx.drug(name)
    restart = drug is not None and ctx.interrupted(drug)
    return ctx.first_fill or current is None or current <= 0 or restart


def tolerant(ctx: ProgramProposal, drug: Drug) -> bool:
    """An opioid start in a patient who still has opioid tolerance: stated as not
    opioid-naive (unstated counts as naive, the safe side), and no interruption long
    enough to have lost it (or systemic opioids kept it)."""
    if drug.drug_class != "opioid" or ctx.patient.opioid_naive is not False:
        return False
    return not ctx.interrupted(drug) or "systemic_opioid" in ctx.patient.sedative_comedication


def _restart_softened(ctx: ProgramProposal, drug: Drug, severity: Severity) -> Severity:
    """A baclofen (non-opioid) restart after an interruption is checked against the start
    ceilings softly: the clinician decides the re-titration, with the finding in front."""
    running = current_max_mcg(ctx, drug.name)
    restart = ctx.interrupted(drug) and not ctx.first_fill and bool(running)
    return SOFT if restart and drug.drug_class != "opioid" else severity


def _starting(ctx: ProgramProposal, drug: Drug) -> list[Bound]:
    """The start ceilings that fit the patient: an opioid-tolerant patient is held to the
    label's tolerant range (soft), a naive one to the consensus start (soft) and the
    label's naive ceiling (hard); other drugs to their start as the library rates it."""
    if not is_start(ctx, drug.name):
        return []
    q = quantity(drug.name)
    out = []
    again = " (a restart after an interruption: tolerance is lost)" if ctx.interrupted(drug) else ""
    if tolerant(ctx, drug) and drug.starting_dose_tolerant_mcg_per_day is not None:
        high = drug.starting_dose_tolerant_mcg_per_day[1]
        out.append(
            Bound(q, high, drug.severity("starting_dose_tolerant_mcg_per_day"), "DD-03",
                  "START_ABOVE_TOLERANT_RANGE",
                  f"opioid-tolerant start up to {dose_text(drug, high)} "
                  f"({drug.sources.get('starting_dose_tolerant_mcg_per_day', '')})")
        )  # fmt: skip
    else:
        high = drug.starting_dose_mcg_per_day[1]
        who = (
            "opioid-tolerant patient, no tolerant range published: " if tolerant(ctx, drug) else ""
        )
        out.append(
            Bound(q, high, _restart_softened(ctx, drug, drug.severity("starting_dose_mcg_per_day")),
                  "DD-03", "START_ABOVE_CEILING",
                  f"{who}starting ceiling {dose_text(drug, high)}{again} "
                  f"({drug.sources.get('starting_dose_mcg_per_day', '')})")
        )  # fmt: skip
        label = drug.starting_dose_label_naive_mcg_per_day
        if label is not None and not tolerant(ctx, drug):
            out.append(
                Bound(q, label, drug.severity("starting_dose_label_naive_mcg_per_day"), "DD-03",
                      "START_ABOVE_LABEL_NAIVE",
                      f"opioid-naive start of at most {dose_text(drug, label)}{again} "
                      f"({drug.sources.get('starting_dose_label_naive_mcg_per_day', '')})")
            )  # fmt: skip
    screening = ctx.patient.effective_screening_dose_mcg
    if drug.start_from_screening_dose and screening is not None:
        factor = ctx.policy.trial.baclofen_start_factor
        out.append(
            Bound(
                q,
                factor * screening,
                _restart_softened(ctx, drug, drug.severity("starting_dose_mcg_per_day")),
                "DD-03",
                "START_ABOVE_SCREENING",
                f"{factor:g}x the effective screening dose of {screening:g} mcg",
            )
        )
    return out


def _soft_maximum(ctx: ProgramProposal, drug: Drug) -> tuple[float, str, str] | None:
    """The top of the usual maintenance range that applies to this patient: the label's
    cerebral-origin figure (a child's when surely under the label's age) for cerebral
    spasticity, else the drug's one soft maximum; with the words and source to cite."""
    cerebral = drug.max_daily_dose_soft_cerebral_mcg_per_day
    if cerebral is not None and ctx.patient.indication == "spasticity_cerebral":
        below = drug.child_below_years
        child = below is not None and ctx.patient.surely_younger_than(below)
        who = f"cerebral origin, a child under {below:g} years" if child else "cerebral origin"
        source = drug.sources.get("max_daily_dose_soft_cerebral_mcg_per_day", "")
        return cerebral["child" if child else "adult"], who, source
    if drug.max_daily_dose_soft_mcg_per_day is None:
        return None
    source = drug.sources.get("max_daily_dose_soft_mcg_per_day", "")
    return drug.max_daily_dose_soft_mcg_per_day, "", source


def _maximum(ctx: ProgramProposal, drug: Drug) -> list[Bound]:
    q = quantity(drug.name)
    out = []
    soft = _soft_maximum(ctx, drug)
    if soft is not None:
        value, who, source = soft
        out.append(
            Bound(
                q,
                value,
                SOFT,
                "DD-04",
                "DAILY_DOSE_ABOVE_SOFT_MAX",
                f"soft maximum {dose_text(drug, value)}{f' ({who})' if who else ''} ({source})",
            )
        )
    if drug.max_daily_dose_hard_mcg_per_day is not None:
        value = drug.max_daily_dose_hard_mcg_per_day
        out.append(
            Bound(
                q,
                value,
                HARD,
                "DD-04",
                "DAILY_DOSE_ABOVE_HARD_MAX",
                f"hard maximum {dose_text(drug, value)} "
                f"({drug.sources.get('max_daily_dose_hard_mcg_per_day', '')})",
            )
        )
    return out


def titration_base(ctx: ProgramProposal, name: str) -> float | None:
    """The lowest daily dose in effect during the last titration window, or None."""
    window_s = ctx.policy.titration.window_h * 3600.0
    doses = doses_in_window(
        ctx.history, name, current_max_mcg(ctx, name), ctx.now_s - window_s, ctx.now_s
    )
    positive = [d for d in doses if d > 0]
    return min(positive) if positive and len(positive) == len(doses) else None


def _titration(ctx: ProgramProposal, drug: Drug) -> list[Bound]:
    base = titration_base(ctx, drug.name)
    if base is None or is_start(ctx, drug.name):
        return []
    q = quantity(drug.name)
    out = []
    table = drug.titration_max_increase_pct_per_24h
    if table:
        key = ctx.patient.titration_key(drug)
        pct = table[key]
        out.append(
            Bound(
                q,
                base * (1 + pct / 100.0),
                drug.severity("titration_max_increase_pct_per_24h"),
                "DD-05",
                "TITRATION_ABOVE_MAX",
                f"+{pct:g} % in 24 h ({TITRATION_ROW_WORDS[key]}) from {dose_text(drug, base)} "
                f"({drug.sources.get('titration_max_increase_pct_per_24h', '')})",
            )
        )
        high_dose = drug.titration_high_dose_mcg_per_day
        warn = ctx.policy.titration.high_dose_warn_pct
        if high_dose is not None and base >= high_dose and warn < pct:
            out.append(
                Bound(
                    q,
                    base * (1 + warn / 100.0),
                    SOFT,
                    "DD-05",
                    "TITRATION_HIGH_DOSE",
                    f"+{warn:g} % at doses of {dose_text(drug, high_dose)} or more",
                )
            )
    slow = drug.titration_slow_step_mcg_per_day
    if slow is not None:
        out.append(
            Bound(q, base + slow, drug.severity("titration_slow_step_mcg_per_day"), "DD-05",
                  "TITRATION_FASTER_THAN_RECOMMENDED",
                  f"steps of at most {dose_text(drug, slow)} from {dose_text(drug, base)} "
                  f"({drug.sources.get('titration_slow_step_mcg_per_day', '')})")
        )  # fmt: skip
    if drug.titration_max_step_mcg_per_day is not None:
        step = drug.titration_max_step_mcg_per_day
        out.append(
            Bound(
                q,
                base + step,
                drug.severity("titration_max_step_mcg_per_day"),
                "DD-05",
                "TITRATION_STEP_ABOVE_MAX",
                f"a step of at most {dose_text(drug, step)} from {dose_text(drug, base)}",
            )
        )
    return out


def bounds(ctx: ProgramProposal, drug: Drug) -> list[Bound]:
    return _starting(ctx, drug) + _maximum(ctx, drug) + _titration(ctx, drug)


@dataclass(frozen=True)
class Allowance:
    """The most a drug may receive in 24 h (all patient boluses taken), and why."""

    drug: str
    hard: Bound | None
    soft: Bound | None

    def as_dict(self) -> dict[str, object]:
        def one(b: Bound | None) -> object:
            if b is None:
                return None
            return {
                "max_mcg_per_day": b.value,
                "rule_id": b.rule_id,
                "code": b.code,
                "reason": b.reason,
                "source": b.source,
            }

        return {"drug": self.drug, "hard": one(self.hard), "soft": one(self.soft)}


def most_allowed(ctx: ProgramProposal) -> dict[str, Allowance]:
    out = {}
    for d in ctx.proposed.drugs:
        drug = ctx.drug(d.name)
        if drug is None:
            continue
        bs = bounds(ctx, drug)
        q = quantity(d.name)
        out[d.name] = Allowance(d.name, most_limiting(bs, q, HARD), most_limiting(bs, q, SOFT))
    return out


def _over(b: Bound | None, value: float) -> bool:
    return b is not None and above(value, b.value)


def check_daily_doses(ctx: ProgramProposal) -> list[Finding]:
    out: list[Finding] = []
    allowed = most_allowed(ctx)
    doses = daily_doses(ctx.proposed)
    for i, (name, dose) in enumerate(doses.items()):
        if name not in allowed:
            continue
        drug = ctx.drug(name)
        path = f"drugs[{i}]"
        limit = allowed[name]
        for sev, b in ((HARD, limit.hard), (SOFT, limit.soft)):
            if b is None or not _over(b, dose.max_mcg):
                continue
            if sev == HARD and _continues(ctx, name, dose.max_mcg, b):
                out.append(
                    finding(
                        b.rule_id,
                        SOFT,
                        "CONTINUES_ABOVE_LIMIT",
                        f"{name}: {dose_text(drug, dose.max_mcg)} in 24 h is above "
                        f"{dose_text(drug, b.value)} ({b.reason}), as the dose running now "
                        "already is: not refused, because forcing an abrupt cut is a harm "
                        "too; review it and acknowledge",
                        path,
                    )
                )
                break
            if not _over(b, dose.programmed_mcg):
                out.append(
                    finding(
                        "DD-06",
                        sev,
                        "DAILY_TOTAL_WITH_BOLUSES_ABOVE_LIMIT",
                        f"{name}: {dose_text(drug, dose.programmed_mcg)} programmed + "
                        f"{dose_text(drug, dose.demand_max_mcg)} if every patient bolus is taken "
                        f"= {dose_text(drug, dose.max_mcg)}, above {dose_text(drug, b.value)}: "
                        f"{b.reason}",
                        "demand_bolus",
                    )
                )
            else:
                out.append(
                    finding(
                        b.rule_id,
                        sev,
                        b.code,
                        f"{name}: {dose_text(drug, dose.max_mcg)} in 24 h is above "
                        f"{dose_text(drug, b.value)}: {b.reason}",
                        path,
                    )
                )
            break  # above the hard limit, the soft one is moot
        out.extend(_frequency(ctx, name, dose.max_mcg, path))
    return out


def _continues(ctx: ProgramProposal, name: str, new_mcg: float, b: Bound) -> bool:
    """The patient already receives more than hard bound `b` and this proposal gives no
    more (a program kept, lowered, or continued on a new pump): it is never refused for
    that bound, only flagged (issue 24). An increase is refused as before."""
    current = current_max_mcg(ctx, name)
    if current is None or ctx.first_fill or not above(current, b.value):
        return False
    drug = ctx.drug(name)
    if drug is not None and ctx.interrupted(drug):
        return False  # the pump delivered nothing for days: there is no dose to continue
    return not above(new_mcg, current)


def _frequency(ctx: ProgramProposal, name: str, new_mcg: float, path: str) -> list[Finding]:
    """Minimum time between increases and increases per week (ziconotide, fact 5-7)."""
    drug = ctx.drug(name)
    current = current_max_mcg(ctx, name)
    if drug is None or current is None or not above(new_mcg, current):
        return []
    out = []
    ups = [t for t in increases(ctx.history, name) if t <= ctx.now_s]
    if drug.titration_min_interval_h is not None and ups:
        since_h = (ctx.now_s - ups[-1]) / 3600.0
        if since_h < drug.titration_min_interval_h:
            out.append(
                finding(
                    "DD-05",
                    drug.severity("titration_min_interval_h"),
                    "TITRATION_TOO_SOON",
                    f"{name}: the last increase was {since_h:.3g} h ago; increases must be "
                    f"at least {drug.titration_min_interval_h:g} h apart",
                    path,
                )
            )
    if drug.titration_max_increases_per_week is not None:
        week_s = ctx.policy.titration.week_h * 3600.0
        recent = [t for t in ups if t > ctx.now_s - week_s]
        if len(recent) + 1 > drug.titration_max_increases_per_week:
            out.append(
                finding(
                    "DD-05",
                    drug.severity("titration_max_increases_per_week"),
                    "TITRATION_TOO_FREQUENT",
                    f"{name}: this would be increase {len(recent) + 1} in 7 days; at most "
                    f"{drug.titration_max_increases_per_week:g} are allowed",
                    path,
                )
            )
    slow_h = drug.titration_slow_interval_h
    if slow_h is not None and ups and (ctx.now_s - ups[-1]) / 3600.0 < slow_h:
        out.append(
            finding(
                "DD-05",
                drug.severity("titration_slow_interval_h"),
                "TITRATION_FASTER_THAN_RECOMMENDED",
                f"{name}: the last increase was {(ctx.now_s - ups[-1]) / 3600.0:.3g} h ago; "
                f"the recommendation is at most one increase every {slow_h:g} h "
                f"({drug.sources.get('titration_slow_interval_h', '')})",
                path,
            )
        )
    return out
