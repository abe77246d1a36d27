"""MRI workflow (SR-26): a checklist before the scan, for this kind of pump, and a
mandatory interrogation after it, compared with the one before.

A peristaltic rotor stalls in the field and may restart hours late (devices.md
F15); a valve-gated pump's flow-activated valve trips and stays closed until reset
(F42); a constant-flow pump is unaffected (F54). The pump must never be left
stopped or closed without someone knowing.
"""

from __future__ import annotations

from thecal.core.pump.models import CONSTANT_FLOW, PERISTALTIC, VALVE_GATED, PumpModel
from thecal.core.safety import HARD, INFO, SOFT, Finding, finding
from thecal.services.ports import Interrogation

CHECKLISTS = {
    PERISTALTIC: (
        "Interrogate the pump and print its program before the scan.",
        "Do not program 'stopped' for the scan; the rotor stalls in the field (F15).",
        "After the scan, interrogate: the pump may only resume after interrogation, "
        "and a restart can lag 2-24 h (F15).",
    ),
    VALVE_GATED: (
        "Empty the reservoir before the scan: the valves may open in the field (F40).",
        "Program 0 delivery for the scan (F41).",
        "After the scan, interrogate and reset the flow-activated valve (F42).",
    ),
    CONSTANT_FLOW: ("No pump preparation: 1.5 T scans showed no effect (F54).",),
}


def mri_checklist(model: PumpModel) -> tuple[str, ...]:
    return CHECKLISTS[model.kind]


def post_mri_check(before: Interrogation, after: Interrogation | None) -> list[Finding]:
    if after is None:
        return [
            finding(
                "SR-26",
                HARD,
                "MRI_NOT_INTERROGATED",
                "interrogate the pump after the scan before the patient leaves",
            )
        ]
    out = []
    if after.program_digest != before.program_digest:
        out.append(
            finding(
                "SR-26",
                HARD,
                "MRI_PROGRAM_CHANGED",
                "the program after the scan differs from the one before it",
            )
        )
    if after.state != "delivering" and before.state == "delivering":
        out.append(
            finding(
                "SR-26",
                HARD,
                "MRI_NOT_DELIVERING",
                f"the pump is '{after.state}' after the scan: restore delivery "
                "(valve reset, or wait for the rotor and re-interrogate)",
            )
        )
    new_alarms = sorted(set(after.active_alarms) - set(before.active_alarms))
    if new_alarms:
        out.append(finding("SR-26", SOFT, "MRI_NEW_ALARMS", "new alarms: " + ", ".join(new_alarms)))
    if not out:
        out.append(
            finding(
                "SR-26",
                INFO,
                "MRI_COMPARED_OK",
                "program and state match the interrogation before the scan",
            )
        )
    return out
