"""Programmer boluses: priming only at implant or revision, supervised, with the path
volume of this pump and catheter; never through the catheter access port (DD-08);
no single bolus above the library's largest (DD-01)."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program
from thecal.core.safety.context import Catheter
from thecal.core.safety.findings import HARD, INFO, SOFT, Finding, finding
from thecal.core.safety.fmt import dose_text
from thecal.core.safety.policy import Policy
from thecal.core.therapy.catheter import path_volume_ml, priming_volume_ml
from thecal.core.tolerance import above

ROUTES = ("pump", "catheter_access_port")
KINDS = ("clinician", "bridge", "priming")


@dataclass(frozen=True)
class BolusProposal:
    kind: str
    volume_ml: float
    duration_s: float
    route: str = "pump"
    at_implant_or_revision: bool = False
    supervised: bool = False
    extra_ml: float = 0.0  # priming: volume the clinician adds on purpose


def check_bolus(
    b: BolusProposal,
    program: Program,
    model: PumpModel,
    library: DrugLibrary,
    policy: Policy,
    catheter: Catheter,
) -> list[Finding]:
    out: list[Finding] = []
    if b.route == "catheter_access_port":
        out.append(
            finding(
                "DD-08",
                HARD,
                "CATHETER_ACCESS_PORT_FORBIDDEN",
                "never inject through the catheter access port to give or advance drug: it goes "
                "straight to the spinal fluid (devices.md F22)",
                "route",
            )
        )
    if b.kind == "priming":
        if not b.at_implant_or_revision:
            out.append(
                finding(
                    "DD-08",
                    HARD,
                    "PRIMING_NOT_AT_IMPLANT",
                    "a priming bolus is allowed only at implant or after a catheter revision",
                    "kind",
                )
            )
        if not b.supervised:
            out.append(
                finding(
                    "DD-08",
                    HARD,
                    "PRIMING_UNSUPERVISED",
                    "a priming bolus must be supervised (drug mixes and may arrive early, F17)",
                    "supervised",
                )
            )
    if b.kind in ("priming", "bridge"):
        if not catheter.recorded:
            out.append(
                finding(
                    "DD-08",
                    HARD,
                    "CATHETER_LENGTH_MISSING",
                    f"a {b.kind} bolus is computed from the recorded catheter; record it first",
                    "catheter",
                )
            )
        else:
            assert catheter.length_cm is not None and catheter.ul_per_cm is not None
            expected = (
                priming_volume_ml(model, catheter.length_cm, catheter.ul_per_cm, b.extra_ml)
                if b.kind == "priming"
                else path_volume_ml(model, catheter.length_cm, catheter.ul_per_cm)
            )
            tolerance = policy.bolus.volume_tolerance_ml
            if abs(b.volume_ml - expected) > tolerance:
                out.append(
                    finding(
                        "DD-08",
                        HARD,
                        f"{b.kind.upper()}_VOLUME_MISMATCH",
                        f"{b.volume_ml:.4g} mL entered; this pump's tubing "
                        f"({model.pump_tubing_ml:.3g} mL) and the catheter "
                        f"({catheter.length_cm:g} cm x {catheter.ul_per_cm:g} uL/cm) give "
                        f"{expected:.4g} mL",
                        "volume_ml",
                    )
                )
    for d in program.drugs:
        drug = library.get(d.name)
        if drug is None:
            continue
        mcg = b.volume_ml * d.concentration_mcg_per_ml
        out.append(
            finding(
                "DD-01",
                INFO,
                "BOLUS_DOSE",
                f"{b.volume_ml:.4g} mL gives {dose_text(drug, mcg, '')} of {d.name} over "
                f"{b.duration_s / 60:.3g} min",
                "volume_ml",
            )
        )
        if b.kind == "clinician" and above(mcg, drug.max_bolus_mcg):
            out.append(
                finding(
                    "DD-01",
                    drug.severity("max_bolus_mcg"),
                    "BOLUS_ABOVE_MAX",
                    f"the bolus gives {dose_text(drug, mcg, '')} of {d.name}, above the largest "
                    f"single bolus of {dose_text(drug, drug.max_bolus_mcg, '')} "
                    f"({drug.sources.get('max_bolus_mcg', '')})",
                    "volume_ml",
                )
            )
        elif b.kind == "priming" and above(mcg, drug.max_bolus_mcg):
            out.append(
                finding(
                    "DD-08",
                    SOFT,
                    "PRIMING_DRUG_ABOVE_MAX_BOLUS",
                    f"the priming volume holds {dose_text(drug, mcg, '')} of {d.name}; if the "
                    "catheter was not empty this much may reach the patient early",
                    "volume_ml",
                )
            )
    return out
