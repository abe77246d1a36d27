"""An SCS program, and every reason to refuse it (SCS-01..03).

The charge a phase puts through a contact is the contact's share of the amplitude
times the pulse width (mA x us = nC); its density is that over the contact's area.
Both limits are checked at every contact, the cathodes and the anodes alike (each
carries its share of the same charge). A value at its limit passes; the smallest
step above it is refused (core.tolerance.above), as for the pump's limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from thecal.core.safety.findings import HARD, SOFT, Finding, finding
from thecal.core.scs.catalogue import Lead, ScsCatalogue, Stimulator
from thecal.core.tolerance import above, same

CATHODE, ANODE = "-", "+"


@dataclass(frozen=True)
class Electrode:
    contact: int  # 0-based on the lead
    polarity: str  # "-" cathode | "+" anode
    share: float  # of the amplitude; the shares of each polarity add up to 1


@dataclass(frozen=True)
class ScsProgram:
    mode: str  # tonic | burst | high-frequency (scs.toml [modes])
    amplitude_ma: float
    pulse_width_us: float
    frequency_hz: float
    electrodes: tuple[Electrode, ...]  # no anode: the stimulator's case is the anode
    cycle_on_s: float = 0.0  # 0 and 0: continuous
    cycle_off_s: float = 0.0

    @property
    def duty(self) -> float:
        total = self.cycle_on_s + self.cycle_off_s
        return 1.0 if total <= 0 else self.cycle_on_s / total


def charge_per_phase_uc(p: ScsProgram, e: Electrode) -> float:
    return e.share * p.amplitude_ma * p.pulse_width_us / 1000.0  # nC -> uC


def charge_density(p: ScsProgram, e: Electrode, lead: Lead) -> float:
    """uC/cm2 per phase at the electrode's contact."""
    return charge_per_phase_uc(p, e) / lead.contact_area_cm2


def shannon_k(p: ScsProgram, e: Electrode, lead: Lead) -> float | None:
    """log10(D) + log10(Q); None when no charge flows."""
    q = charge_per_phase_uc(p, e)
    return None if q <= 0 else math.log10(q / lead.contact_area_cm2) + math.log10(q)


def _ranges(p: ScsProgram, stim: Stimulator, lead: Lead, cat: ScsCatalogue) -> list[Finding]:
    out: list[Finding] = []

    def refuse(code: str, message: str, path: str) -> None:
        out.append(finding("SCS-03", HARD, code, message, path))

    mode = cat.modes.get(p.mode)
    if mode is None:
        refuse("SCS_MODE_UNKNOWN", f"'{p.mode}' is not a mode; accepted: "
               f"{', '.join(cat.modes)}", "mode")
        return out
    for field, value, (lo, hi), unit in (
        ("amplitude_ma", p.amplitude_ma, mode.amplitude_ma, "mA"),
        ("pulse_width_us", p.pulse_width_us, mode.pulse_width_us, "us"),
        ("frequency_hz", p.frequency_hz, mode.frequency_hz, "Hz"),
    ):
        if above(lo, value) or above(value, hi):
            refuse("SCS_OUT_OF_MODE_RANGE", f"{value:g} {unit} is outside the {p.mode} range "
                   f"{lo:g}-{hi:g} {unit}", field)
    if above(p.amplitude_ma, stim.max_amplitude_ma):
        refuse("SCS_ABOVE_STIMULATOR_MAX", f"{p.amplitude_ma:g} mA is above the "
               f"{stim.id} maximum of {stim.max_amplitude_ma:g} mA", "amplitude_ma")
    contacts = [e.contact for e in p.electrodes]
    if len(set(contacts)) != len(contacts):
        refuse("SCS_CONTACT_TWICE", "a contact is listed twice", "electrodes")
    for i, e in enumerate(p.electrodes):
        if not 0 <= e.contact < lead.contacts:
            refuse("SCS_NO_SUCH_CONTACT", f"contact {e.contact} is not on the {lead.id} lead "
                   f"(0-{lead.contacts - 1})", f"electrodes[{i}].contact")
        if e.polarity not in (CATHODE, ANODE) or not 0.0 < e.share <= 1.0:
            refuse("SCS_BAD_ELECTRODE", "polarity is '-' or '+', share in (0, 1]",
                   f"electrodes[{i}]")
    for polarity, name in ((CATHODE, "cathode"), (ANODE, "anode")):
        shares = [e.share for e in p.electrodes if e.polarity == polarity]
        if (shares or polarity == CATHODE) and not same(sum(shares), 1.0):
            refuse("SCS_SHARES", f"the {name} shares add up to {sum(shares):g}, not 1",
                   "electrodes")
    if (p.cycle_on_s > 0) != (p.cycle_off_s > 0) or min(p.cycle_on_s, p.cycle_off_s) < 0:
        refuse("SCS_CYCLING", "cycling needs both an on and an off time (or neither)", "cycle")
    return out


def check_scs_program(
    p: ScsProgram, stim: Stimulator, lead: Lead, cat: ScsCatalogue
) -> list[Finding]:
    """Every finding; any hard one refuses the program."""
    out = _ranges(p, stim, lead, cat)
    for i, e in enumerate(p.electrodes):
        if not 0 <= e.contact < lead.contacts or e.share <= 0:
            continue
        d = charge_density(p, e, lead)
        if above(d, cat.charge_density_uc_per_cm2):
            # a warning in its source (a DBS programming manual lets the clinician go on):
            # soft, acknowledged with a reason (limits-audit.md §1 item 8)
            out.append(finding(
                "SCS-02", SOFT, "CHARGE_DENSITY_LIMIT",
                f"contact {e.contact}: {d:.4g} uC/cm2 per phase is above "
                f"{cat.charge_density_uc_per_cm2:g} ({e.share:g} x {p.amplitude_ma:g} mA x "
                f"{p.pulse_width_us:g} us over {lead.contact_area_cm2:g} cm2)",
                f"electrodes[{i}]",
            ))
        k = shannon_k(p, e, lead)
        if k is not None and above(k, cat.shannon_k):
            beyond = "" if p.mode == "tonic" else (
                f"; Shannon's data are cat cortex at 50 pps and 400 us: for {p.mode} "
                "stimulation this is an extrapolation"
            )
            out.append(finding(
                "SCS-01", HARD, "SHANNON_LIMIT",
                f"contact {e.contact}: k = log10(D) + log10(Q) = {k:.4f} is above "
                f"{cat.shannon_k:g} (D {d:.4g} uC/cm2, Q {charge_per_phase_uc(p, e):.4g} uC)"
                + beyond,
                f"electrodes[{i}]",
            ))
    return out
