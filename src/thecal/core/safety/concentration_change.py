"""A change of drug or concentration needs a bridge bolus from the recorded catheter
(DD-07), and the program must describe the fluid that is really in the reservoir."""

from __future__ import annotations

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.program import DrugConcentration, same_fluid
from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.findings import HARD, INFO, SOFT, Finding, finding
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.therapy.catheter import bridge_plan
from thecal.core.tolerance import above
from thecal.core.units import HOURS_PER_DAY


def fluid_changes(ctx: ProgramProposal) -> bool:
    if ctx.current is None or ctx.first_fill:
        return False
    return not same_fluid(ctx.current.drugs, ctx.proposed.drugs)


def check_concentration_change(ctx: ProgramProposal) -> list[Finding]:
    out: list[Finding] = []
    out.extend(_matches_reservoir(ctx))
    if not fluid_changes(ctx):
        return out
    if not ctx.model.programmable:
        return out + _old_fluid_first(ctx)
    assert ctx.current is not None
    if not ctx.catheter.recorded:
        return out + [
            finding(
                "DD-07",
                HARD,
                "CATHETER_LENGTH_MISSING",
                "the drug or concentration changes, and the bridge bolus needs the catheter's "
                "recorded length and volume per cm: record the catheter first",
                "catheter",
            )
        ]
    assert ctx.catheter.length_cm is not None and ctx.catheter.ul_per_cm is not None
    plan = bridge_plan(
        ctx.model, ctx.catheter.length_cm, ctx.catheter.ul_per_cm, ctx.current, ctx.proposed
    )
    clear = plan.clear_without_bridge_days
    clear_text = "never at a zero basal rate" if clear is None else f"{clear * HOURS_PER_DAY:.3g} h"
    amounts = _old_drug_words(ctx, plan.old_drug_mcg)
    steady = plan.at_old_rate_days
    summary = (
        f"bridge bolus {plan.volume_ml:.4g} mL of the old fluid ({amounts}); "
        f"without it the old fluid takes {clear_text} to clear"
        + ("" if steady is None else
           f"; over {steady * HOURS_PER_DAY:.3g} h it keeps the old dose rate")
    )  # fmt: skip
    if ctx.bridge_planned:
        out.append(finding("DD-07", INFO, "BRIDGE_PLANNED", summary, "bridge"))
    else:
        risky = any(
            (d := ctx.drug(n)) is not None and d.withdrawal_risk
            for n in ctx.current_concentrations()
        )
        out.append(
            finding(
                "DD-07",
                HARD if risky else SOFT,
                "BRIDGE_NOT_PLANNED",
                summary + (": required for a withdrawal-risk drug" if risky else ""),
                "bridge",
            )
        )
    for name, mcg in plan.old_drug_mcg.items():
        drug = ctx.drug(name)
        if drug is not None and above(mcg, drug.max_bolus_mcg):
            out.append(
                finding(
                    "DD-07",
                    SOFT,
                    "BRIDGE_ABOVE_MAX_BOLUS",
                    f"the bridge delivers {dose_text(drug, mcg, '')} of {name}, above the largest "
                    f"single bolus of {dose_text(drug, drug.max_bolus_mcg, '')}",
                    "bridge",
                )
            )
    return out


def _old_fluid_first(ctx: ProgramProposal) -> list[Finding]:
    """A constant-flow pump gives no bolus, so no bridge: the old fluid in its path
    reaches the patient first, at the fixed flow, and the new dose starts after it.
    Said, so the change is not judged before it has begun."""
    if ctx.current is None or not ctx.catheter.recorded:
        return []
    assert ctx.catheter.length_cm is not None and ctx.catheter.ul_per_cm is not None
    plan = bridge_plan(
        ctx.model, ctx.catheter.length_cm, ctx.catheter.ul_per_cm, ctx.current, ctx.proposed
    )
    if plan.clear_without_bridge_days is None:
        return []
    amounts = _old_drug_words(ctx, plan.old_drug_mcg)
    return [finding(
        "DD-07", INFO, "OLD_FLUID_FIRST",
        f"a constant-flow pump gives no bridge bolus: the {plan.volume_ml:.4g} mL of old "
        f"fluid in its path ({amounts}) is given first, over "
        f"{plan.clear_without_bridge_days * HOURS_PER_DAY:.3g} h, then the new dose",
        "bridge",
    )]  # fmt: skip


def _old_drug_words(ctx: ProgramProposal, old_drug_mcg: dict[str, float]) -> str:
    """The old fluid's drug in the path, each in its own unit: "2.08 mg morphine"."""
    return ", ".join(f"{dose_text(ctx.drug(n), m, '')} {n}" for n, m in old_drug_mcg.items())


def _matches_reservoir(ctx: ProgramProposal) -> list[Finding]:
    if ctx.reservoir_drugs is None:
        return []
    return program_matches_fluid(ctx.proposed.drugs, ctx.reservoir_drugs, ctx.library)


def program_matches_fluid(
    stated: tuple[DrugConcentration, ...],
    fluid: tuple[DrugConcentration, ...],
    library: DrugLibrary,
) -> list[Finding]:
    """The pump turns doses into rates with the program's concentrations: they must be
    the reservoir's, or every dose is wrong by their ratio (devices.md F69)."""
    if same_fluid(stated, fluid):
        return []

    def show(drugs: tuple[DrugConcentration, ...]) -> str:
        return ", ".join(
            f"{d.name} {conc_text(library.get(d.name), d.concentration_mcg_per_ml)}" for d in drugs
        )

    return [
        finding(
            "DD-07",
            HARD,
            "PROGRAM_DOES_NOT_MATCH_RESERVOIR",
            f"the program states {show(stated)} but the reservoir holds {show(fluid)}: "
            "reprogram with the fluid's concentrations",
            "drugs",
        )
    ]
