"""The protocol a trial should keep (drugs-and-dosing facts 12 and 19, PACC 2024): the
baclofen screening ladder and its interval, each opioid's trial bolus range, the
observation after a single shot, an inpatient catheter trial, and the prerequisites
of a non-cancer trial. Split from trial.py, which judges what the doses did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thecal.core.drugs import DrugLibrary
from thecal.core.safety.findings import INFO, SOFT, Finding, finding
from thecal.core.safety.policy import Policy
from thecal.core.units import SECONDS_PER_HOUR

if TYPE_CHECKING:
    from thecal.core.therapy.trial import Trial

HOUR = SECONDS_PER_HOUR


def protocol_findings(t: Trial, library: DrugLibrary, policy: Policy) -> list[Finding]:
    """Each way the trial strayed from its protocol, as a soft finding where the
    clinician may have had a reason (an off-ladder dose, a short interval, a bolus
    outside the drug's trial range, a short observation, an outpatient catheter trial,
    a missing prerequisite of a non-cancer trial); what the label only asks, as info."""
    out: list[Finding] = []
    drug = library.get(t.drug)
    if t.kind == "baclofen_screening":
        steps = policy.trial.baclofen_screen_doses_mcg
        gap = policy.trial.baclofen_min_interval_h
        allowed = set(steps) | ({steps[0] / 2} if t.paediatric else set())
        for i, d in enumerate(t.doses):
            if d.amount_mcg not in allowed:
                out.append(
                    finding(
                        "DD-14",
                        SOFT,
                        "TRIAL_DOSE_OFF_PROTOCOL",
                        f"screening dose {i + 1} is {d.amount_mcg:g} mcg; the protocol gives "
                        + " -> ".join(f"{s:g}" for s in steps)
                        + " mcg",
                        f"doses[{i}]",
                    )
                )
            if i and (d.at_s - t.doses[i - 1].at_s) / HOUR < gap:
                out.append(
                    finding(
                        "DD-14",
                        SOFT,
                        "TRIAL_INTERVAL_SHORT",
                        f"screening dose {i + 1} came "
                        f"{(d.at_s - t.doses[i - 1].at_s) / HOUR:.3g} h after the last; "
                        f"at least {gap:g} h",
                        f"doses[{i}]",
                    )
                )
        return out
    if drug is not None and t.kind != "opioid_continuous":
        lo, hi = drug.trial_bolus_mcg
        for i, d in enumerate(t.doses):
            if not lo <= d.amount_mcg <= hi:
                out.append(
                    finding(
                        "DD-14",
                        SOFT,
                        "TRIAL_BOLUS_OUTSIDE_RANGE",
                        f"{d.amount_mcg:g} mcg is outside the {t.drug} trial range "
                        f"{lo:g}-{hi:g} mcg",
                        f"doses[{i}]",
                    )
                )
    if t.kind == "opioid_single_shot":
        need = policy.trial.opioid_observation_min_h
        label = policy.trial.opioid_observation_label_h
        obs = t.observation_h
        if obs is None or obs < need:
            out.append(
                finding(
                    "DD-14",
                    SOFT,
                    "TRIAL_OBSERVATION_SHORT",
                    f"observation {'not recorded' if obs is None else f'{obs:g} h'}; a single-shot "
                    f"trial needs at least {need:g} h",
                    "observation_h",
                )
            )
        elif obs < label:
            out.append(
                finding(
                    "DD-14",
                    INFO,
                    "TRIAL_OBSERVATION_BELOW_LABEL",
                    f"observed {obs:g} h; the label asks {label:g} h after each test dose",
                )
            )
    if t.kind == "opioid_continuous" and not t.inpatient:
        out.append(
            finding(
                "DD-14",
                SOFT,
                "TRIAL_CATHETER_OUTPATIENT",
                "catheter trials should be inpatient (PACC 2024 CP7)",
                "inpatient",
            )
        )
    if t.indication == "non_cancer":
        for flag, what in (
            (t.systemic_opioid_taper_recorded, "systemic opioid taper"),
            (t.psychological_evaluation_done, "psychological evaluation"),
        ):
            if not flag:
                out.append(
                    finding(
                        "DD-14",
                        SOFT,
                        "TRIAL_PREREQUISITE_MISSING",
                        f"non-cancer pain: no {what} is recorded (PACC 2024)",
                    )
                )
    return out
