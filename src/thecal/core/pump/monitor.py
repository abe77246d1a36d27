"""The pump's own limit monitor (SR-41): an independent check, inside the firmware,
of every program and programmer bolus against the hard limits of the drug library
the pump was commissioned with, whatever the programmer did.

The programmer's rules (core/safety) are the first line: they explain, fold soft and
hard limits and ask for acknowledgements. This monitor is the last: it knows only the
limits a label or a device manual makes absolute - a drug outside the library, a
concentration above its maximum, an admixture the library does not list, a single
bolus above the largest, a 24 h dose above the hard maximum - and refuses. It never
passes a program the programmer refuses for one of these reasons, and a client that
skips the programmer (a rogue telemetry client, a bug) meets it all the same.

A program checked against another library version is refused too: the digest the
programmer checked with travels in the command and must be the pump's own.
"""

from __future__ import annotations

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.program import Amount, Program
from thecal.core.pump.volumes import daily_volumes
from thecal.core.sourced import Severity
from thecal.core.tolerance import above


def program_violations(program: Program, library: DrugLibrary) -> list[str]:
    """Why the pump refuses `program` under `library` (empty: within its hard limits)."""
    out: list[str] = []
    names = frozenset(d.name for d in program.drugs)
    if len(names) > 1 and names not in library.admixtures:
        out.append(f"admixture {sorted(names)} is not in the pump's drug library")
    max_day_ml = daily_volumes(program).max_ml
    for d in program.drugs:
        drug = library.get(d.name)
        if drug is None:
            out.append(f"{d.name} is not in the pump's drug library")
            continue
        conc = d.concentration_mcg_per_ml
        hard = drug.severity("max_concentration_mcg_per_ml") == Severity.HARD
        if hard and above(conc, drug.max_concentration_mcg_per_ml):
            out.append(
                f"{d.name} {conc:g} mcg/mL is above the library maximum "
                f"{drug.max_concentration_mcg_per_ml:g} mcg/mL"
            )
        hard_day = drug.max_daily_dose_hard_mcg_per_day
        if hard_day is not None and above(max_day_ml * conc, hard_day):
            out.append(
                f"{d.name} {max_day_ml * conc:g} mcg in 24 h (every bolus taken) is above the "
                f"hard maximum {hard_day:g} mcg/day"
            )
        amounts = [pb.amount for pb in program.periodic_boluses]
        if program.demand_bolus is not None:
            amounts.append(program.demand_bolus.amount)
        bolus_hard = drug.severity("max_bolus_mcg") == Severity.HARD
        for amount in amounts:
            mcg = amount.volume_ml(program.primary_mcg_per_ml) * conc
            if bolus_hard and above(mcg, drug.max_bolus_mcg):
                out.append(
                    f"a bolus of {mcg:g} mcg {d.name} is above the largest single bolus "
                    f"{drug.max_bolus_mcg:g} mcg"
                )
    return out


def bolus_violations(
    kind: str, amount: Amount, program: Program, library: DrugLibrary
) -> list[str]:
    """A clinician bolus above the library's largest single bolus is refused; bridge and
    priming boluses move drug already in the catheter and are bounded by its volume."""
    if kind != "clinician":
        return []
    out = []
    volume = amount.volume_ml(program.primary_mcg_per_ml)
    for d in program.drugs:
        drug = library.get(d.name)
        if drug is None or drug.severity("max_bolus_mcg") != Severity.HARD:
            continue
        if above(volume * d.concentration_mcg_per_ml, drug.max_bolus_mcg):
            out.append(
                f"a clinician bolus of {volume * d.concentration_mcg_per_ml:g} mcg {d.name} "
                f"is above the largest single bolus {drug.max_bolus_mcg:g} mcg"
            )
    return out


def library_mismatch(checked_with: str | None, library: DrugLibrary) -> list[str]:
    """A command checked against a different library version than the pump's own."""
    if checked_with is None or checked_with == library.digest:
        return []
    return [
        f"the program was checked against drug library {checked_with[:12]}, the pump holds "
        f"{library.digest[:12]}"
    ]
