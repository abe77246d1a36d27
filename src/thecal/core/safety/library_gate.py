"""Only what the verified drug library allows may be programmed (DD-01, SR-01, SR-09)."""

from __future__ import annotations

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.program import Amount, DrugConcentration, Program
from thecal.core.safety.context import ProgramProposal
from thecal.core.safety.findings import HARD, SOFT, Finding, finding
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.tolerance import above


def check_fluid(
    drugs: tuple[DrugConcentration, ...], lib: DrugLibrary, prefix: str = ""
) -> list[Finding]:
    """Each drug in the library, at most its maximum concentration, and a stock strength
    or flagged as compounded. Programs and refill fluids pass the same gate."""
    out: list[Finding] = []
    for i, d in enumerate(drugs):
        drug = lib.get(d.name)
        path = f"{prefix}drugs[{i}]"
        if drug is None:
            out.append(
                finding(
                    "DD-01",
                    HARD,
                    "DRUG_NOT_IN_LIBRARY",
                    f"'{d.name}' is not in the drug library; accepted: {', '.join(lib.names())}",
                    f"{path}.name",
                )
            )
            continue
        conc = d.concentration_mcg_per_ml
        if above(conc, drug.max_concentration_mcg_per_ml):
            out.append(
                finding(
                    "DD-01",
                    drug.severity("max_concentration_mcg_per_ml"),
                    "CONCENTRATION_ABOVE_MAX",
                    f"{d.name} {conc_text(drug, conc)} is above the library maximum of "
                    f"{conc_text(drug, drug.max_concentration_mcg_per_ml)} "
                    f"({drug.sources.get('max_concentration_mcg_per_ml', '')})",
                    f"{path}.concentration",
                )
            )
        elif not drug.is_stock(conc):
            stocks = ", ".join(conc_text(drug, s) for s in drug.stock_concentrations_mcg_per_ml)
            out.append(
                finding(
                    "DD-01",
                    SOFT,
                    "CONCENTRATION_NOT_STOCK",
                    f"{d.name} {conc_text(drug, conc)} is not a stock strength ({stocks}): "
                    "a compounded or diluted solution; confirm the pharmacy label",
                    f"{path}.concentration",
                )
            )
    return out


def check_library(ctx: ProgramProposal) -> list[Finding]:
    lib = ctx.library
    out: list[Finding] = []
    if not lib.digest or lib.digest != lib.approved_digest:
        out.append(
            finding(
                "SR-01",
                HARD,
                "LIBRARY_UNVERIFIED",
                f"the drug library's digest {lib.digest[:12] or '(none)'} does not match the "
                f"approved {lib.approved_digest[:12] or '(none)'}: nothing may be programmed "
                "from an unverified library",
                "library",
            )
        )
    p = ctx.proposed
    out.extend(check_fluid(p.drugs, lib))
    names = tuple(d.name for d in p.drugs)
    if all(lib.get(n) is not None for n in names) and not lib.admixture_allowed(names):
        out.append(
            finding(
                "DD-01",
                HARD,
                "ADMIXTURE_NOT_IN_LIBRARY",
                f"the admixture {' + '.join(names)} is not in the library's list of admixtures",
                "drugs",
            )
        )
    out.extend(_single_boluses(ctx, p))
    out.extend(_demand_eligibility(ctx, p))
    return out


def _bolus_mcg(amount: Amount, p: Program, conc: float) -> float:
    return amount.volume_ml(p.primary_mcg_per_ml) * conc


def _single_boluses(ctx: ProgramProposal, p: Program) -> list[Finding]:
    amounts = [
        (f"periodic_boluses[{i}].amount", pb.amount) for i, pb in enumerate(p.periodic_boluses)
    ]
    if p.demand_bolus is not None:
        amounts.append(("demand_bolus.amount", p.demand_bolus.amount))
    out = []
    for path, amount in amounts:
        for d in p.drugs:
            drug = ctx.library.get(d.name)
            if drug is None:
                continue
            mcg = _bolus_mcg(amount, p, d.concentration_mcg_per_ml)
            if above(mcg, drug.max_bolus_mcg):
                out.append(
                    finding(
                        "DD-01",
                        drug.severity("max_bolus_mcg"),
                        "BOLUS_ABOVE_MAX",
                        f"one bolus gives {dose_text(drug, mcg, '')} of {d.name}, above the "
                        f"largest single bolus of {dose_text(drug, drug.max_bolus_mcg, '')} "
                        f"({drug.sources.get('max_bolus_mcg', '')})",
                        path,
                    )
                )
    return out


def _demand_eligibility(ctx: ProgramProposal, p: Program) -> list[Finding]:
    if p.demand_bolus is None:
        return []
    out = []
    for i, d in enumerate(p.drugs):
        drug = ctx.library.get(d.name)
        if drug is not None and not drug.demand_eligible:
            out.append(
                finding(
                    "SR-09",
                    HARD,
                    "DEMAND_NOT_ELIGIBLE",
                    f"{d.name} (drugs[{i}]) may not be given as a patient demand bolus "
                    f"({drug.sources.get('demand_eligible', '')})",
                    "demand_bolus",
                )
            )
    return out
