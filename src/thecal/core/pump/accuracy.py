"""Delivery accuracy as a measured curve (SR-17): the start-up graph and the trumpet
curve by the method of IEC 60601-2-24, and the accuracy of single boluses.

IEC 60601-2-24 excludes implantable pumps (ISO 14708-4 governs them); its method is
used here as a reference because it is the one way of describing short-term flow
accuracy that clinicians and engineers share. Delivery is sampled every 0.5 min for
2 h; from the second hour on, for each observation window of 2, 5, 11, 19 and 31 min,
every window position gives the percentage error of the volume delivered against the
volume programmed, and the curve is the largest and smallest of them. A stroke pump
at a low rate shows its strokes in short windows (a window holds one stroke or two);
the long windows converge on the pump's bias. Pure: the pump's own `step` is passed
in, so the firmware and the constant-flow physics are measured the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from thecal.core.pump import commands as c
from thecal.core.pump.program import Amount
from thecal.core.sourced import require_fields, unwrap

SAMPLE_S = 30.0  # IEC 60601-2-24: delta t = 0.5 min
RUN_S = 7200.0  # the 2 h start-up graph
ANALYSIS_FROM_S = 3600.0  # trumpet values from the second hour
WINDOWS_MIN = (2.0, 5.0, 11.0, 19.0, 31.0)
# what data/accuracy.toml must say: the rates and bolus sizes the method runs at
SETTINGS = (
    "low_rate_ml_day",
    "intermediate_rate_ml_day",
    "smallest_bolus_ml",
    "largest_bolus_ml",
    "bolus_duration_min",
)


def method_settings(doc: Mapping[str, Any]) -> dict[str, float]:
    """accuracy.toml's `{value, source}` entries, every one required, as numbers."""
    values, _ = unwrap(doc, "accuracy.toml")
    require_fields(values, SETTINGS, "accuracy.toml")
    return {k: float(values[k]) for k in SETTINGS}

Step = Callable[[Any, c.Command, float], tuple[Any, list[Any]]]


@dataclass(frozen=True)
class TrumpetPoint:
    window_min: float
    max_error_pct: float
    min_error_pct: float


@dataclass(frozen=True)
class FlowRun:
    """One rate on one pump: the delivered volume at every sample, and what follows."""

    rate_ml_per_day: float
    bias: float
    delivered_ml: tuple[float, ...]  # cumulative, at 0, 0.5, 1, ... 120 min

    @property
    def interval_flow_ml_per_h(self) -> tuple[float, ...]:
        """The start-up graph: the flow of each 0.5-min interval, in mL/h."""
        d = self.delivered_ml
        return tuple((b - a) * 3600.0 / SAMPLE_S for a, b in itertools.pairwise(d))

    @property
    def second_hour_error_pct(self) -> float:
        """The error over the whole second hour (IEC's overall accuracy, A)."""
        start = int(ANALYSIS_FROM_S / SAMPLE_S)
        delivered = self.delivered_ml[-1] - self.delivered_ml[start]
        return _error_pct(delivered, self.rate_ml_per_day * (RUN_S - ANALYSIS_FROM_S) / 86_400.0)

    def trumpet(self) -> tuple[TrumpetPoint, ...]:
        return trumpet(self.delivered_ml, self.rate_ml_per_day / 86_400.0)


def _error_pct(delivered_ml: float, expected_ml: float) -> float:
    return 100.0 * (delivered_ml - expected_ml) / expected_ml


def trumpet(
    delivered_ml: Sequence[float], rate_ml_per_s: float, windows_min: Sequence[float] = WINDOWS_MIN
) -> tuple[TrumpetPoint, ...]:
    """Max and min % error of every window position from the second hour on."""
    first = int(ANALYSIS_FROM_S / SAMPLE_S)
    last = len(delivered_ml) - 1
    out = []
    for window in windows_min:
        m = round(window * 60.0 / SAMPLE_S)
        expected = rate_ml_per_s * m * SAMPLE_S
        errors = [
            _error_pct(delivered_ml[j + m] - delivered_ml[j], expected)
            for j in range(first, last - m + 1)
        ]
        out.append(TrumpetPoint(window, max(errors), min(errors)))
    return tuple(out)


def sample_delivery(state: Any, step: Step, bias: float, run_s: float = RUN_S) -> tuple[float, ...]:
    """The pump's outlet volume every SAMPLE_S from `state.t` (which is 0) to run_s,
    with the given bias from the start."""
    state, _ = step(state, c.Fault("bias", bias), state.t)
    start_ml = state.outlet_ml
    out = [0.0]
    for k in range(1, int(run_s / SAMPLE_S) + 1):
        state, _ = step(state, c.Tick(), k * SAMPLE_S)
        out.append(state.outlet_ml - start_ml)
    return tuple(out)


@dataclass(frozen=True)
class BolusAccuracy:
    programmed_ml: float
    delivered_ml: float
    bias: float

    @property
    def error_pct(self) -> float:
        return _error_pct(self.delivered_ml, self.programmed_ml)


def bolus_accuracy(
    state: Any, step: Step, volume_ml: float, duration_s: float, bias: float
) -> BolusAccuracy:
    """One clinician bolus on a stopped basal: what left the pump once it ended."""
    state, _ = step(state, c.Fault("bias", bias), state.t)
    start_ml, t0 = state.outlet_ml, state.t
    state, _ = step(state, c.StartBolus("clinician", Amount(ml=volume_ml), duration_s), t0)
    state, _ = step(state, c.Tick(), t0 + duration_s + SAMPLE_S)
    return BolusAccuracy(volume_ml, state.outlet_ml - start_ml, bias)
