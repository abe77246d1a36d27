"""Refill reconciliation: what should come out, what did, and what that suggests.

The pump's reservoir volume is an estimate, never a measurement (devices.md F5):
the withdrawn volume at a refill is the only check on it. Less fluid than expected
means it left the reservoir faster than programmed (overinfusion) or went
somewhere else (a leak, or an earlier refill into the pocket); more means the pump
delivered less (under-infusion, occlusion, stall).
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump.models import PumpModel
from thecal.core.safety.findings import INFO, SOFT, Finding, finding
from thecal.core.safety.policy import Policy

OK = "ok"
OVERINFUSION = "possible overinfusion"
UNDERINFUSION = "possible underinfusion or occlusion"
POCKET_OR_LEAK = "possible pocket fill or leak"
NOT_MEASURED = "not measured"
FIRST_FILL = "first fill"  # a new pump: nothing to withdraw (services/clinic/first_fill.py)


@dataclass(frozen=True)
class Reconciliation:
    expected_withdrawal_ml: float
    withdrawn_ml: float | None
    discrepancy_ml: float | None  # withdrawn - expected
    threshold_ml: float  # fact 33: 1 mL (20 mL pump) or 2 mL (40 mL pump)
    programmed_since_ml: float | None  # programmed delivery since the last refill
    delivered_since_ml: float | None  # what the withdrawn volume implies was delivered
    ratio: float | None  # delivered / programmed (SR-21 stores it)
    accuracy_pct: float
    classification: str
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, object]:
        out = {
            k: getattr(self, k)
            for k in (
                "expected_withdrawal_ml",
                "withdrawn_ml",
                "discrepancy_ml",
                "threshold_ml",
                "programmed_since_ml",
                "delivered_since_ml",
                "ratio",
                "accuracy_pct",
                "classification",
            )
        }
        out["findings"] = [f.as_dict() for f in self.findings]
        return out


def discrepancy_threshold_ml(model: PumpModel, policy: Policy) -> float:
    refill = policy.refill
    if model.capacity_ml <= refill.small_pump_max_capacity_ml:
        return refill.discrepancy_small_pump_ml
    return refill.discrepancy_large_pump_ml


def reconcile(
    model: PumpModel,
    policy: Policy,
    estimate_ml: float,
    withdrawn_ml: float | None,
    previous_entered_ml: float | None,
) -> Reconciliation:
    """Compare the withdrawn volume with the pump's estimate (fluid above the dead volume)."""
    expected = max(0.0, estimate_ml - model.dead_volume_ml)
    threshold = discrepancy_threshold_ml(model, policy)
    band = model.accuracy_pct
    if withdrawn_ml is None:
        return Reconciliation(
            expected, None, None, threshold, None, None, None, band, NOT_MEASURED, ()
        )
    d = withdrawn_ml - expected
    programmed = delivered = ratio = None
    if previous_entered_ml is not None:
        programmed = previous_entered_ml - estimate_ml
        delivered = programmed - d
        ratio = delivered / programmed if programmed > 0 else None
    off_band = ratio is not None and abs(ratio - 1.0) * 100.0 > band
    if abs(d) <= threshold and not off_band:
        cls = OK
        note = finding(
            "SR-21",
            INFO,
            "REFILL_RECONCILED",
            f"withdrew {withdrawn_ml:.3g} mL, expected {expected:.3g} mL",
        )
    else:
        cls = _classify(d, ratio, policy)
        why = []
        if abs(d) > threshold:
            why.append(
                f"{abs(d):.3g} mL {'more' if d > 0 else 'less'} than the {expected:.3g} mL "
                f"expected, beyond {threshold:g} mL for a {model.capacity_ml:g} mL pump"
            )
        if off_band and ratio is not None:
            why.append(f"delivered/programmed {ratio:.3f}, outside the model's +/-{band:g} %")
        note = finding(
            "SR-21",
            SOFT,
            "REFILL_DISCREPANCY",
            f"{cls}: " + "; ".join(why) + ". Acknowledge, and investigate before "
            "trusting the pump's estimate",
            "withdrawn_ml",
        )
    return Reconciliation(
        expected, withdrawn_ml, d, threshold, programmed, delivered, ratio, band, cls, (note,)
    )


def _classify(discrepancy_ml: float, ratio: float | None, policy: Policy) -> str:
    """More back than expected: the pump delivered less. Less back: it delivered more,
    unless more than the pocket-fill ratio would have had to leave through the pump."""
    if discrepancy_ml > 0:
        return UNDERINFUSION
    if ratio is not None and ratio >= policy.refill.pocket_fill_ratio:
        return POCKET_OR_LEAK
    return OVERINFUSION
