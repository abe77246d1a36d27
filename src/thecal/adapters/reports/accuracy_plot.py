"""A pump model's accuracy as a picture (PNG, off-screen): per rate, the 2-hour
start-up graph and the trumpet curve, noiseless and at the catalogue's accuracy, with
the labelled band. Deterministic: the same model gives the same bytes' content."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from thecal.core.pump.accuracy import ANALYSIS_FROM_S, SAMPLE_S
from thecal.services.accuracy import AccuracyReport

_NOTE = (
    "Method of IEC 60601-2-24 (which excludes implantable pumps), used as a reference. "
    "Reference software, not a medical device."
)


def accuracy_png(report: AccuracyReport) -> bytes:
    model = report.model
    rates = sorted({r.rate_ml_per_day for r in report.runs})
    fig, axes = plt.subplots(len(rates), 2, figsize=(10, 3.6 * len(rates)), squeeze=False)
    band = model.accuracy_pct
    for row, rate in zip(axes, rates, strict=True):
        startup, trumpet_ax = row
        for run in (r for r in report.runs if r.rate_ml_per_day == rate):
            label = "noiseless" if run.bias == 0 else f"bias {run.bias * 100:+g} % (catalogue)"
            style = "-" if run.bias == 0 else "--"
            minutes = [(k + 1) * SAMPLE_S / 60.0 for k in range(len(run.interval_flow_ml_per_h))]
            startup.plot(minutes, run.interval_flow_ml_per_h, style, lw=0.9, label=label)
            points = run.trumpet()
            windows = [p.window_min for p in points]
            trumpet_ax.plot(windows, [p.max_error_pct for p in points], style + "o", ms=3,
                            label=f"{label}: max")  # fmt: skip
            trumpet_ax.plot(windows, [p.min_error_pct for p in points], style + "s", ms=3,
                            label=f"{label}: min")  # fmt: skip
        startup.axhline(rate / 24.0, color="k", lw=0.6, label="programmed")
        startup.axvline(ANALYSIS_FROM_S / 60.0, color="grey", lw=0.5, ls=":")
        startup.set_title(f"{model.id}: start-up, {rate:g} mL/day", fontsize=9)
        startup.set_xlabel("minutes")
        startup.set_ylabel("flow of each 0.5 min (mL/h)")
        trumpet_ax.axhspan(-band, band, color="grey", alpha=0.12, label=f"label ±{band:g} %")
        trumpet_ax.axhline(0.0, color="k", lw=0.6)
        trumpet_ax.set_title(f"trumpet from the 2nd hour, {rate:g} mL/day", fontsize=9)
        trumpet_ax.set_xlabel("observation window (min)")
        trumpet_ax.set_ylabel("error (%)")
        for ax in row:
            ax.legend(fontsize=6)
    fig.text(0.01, 0.005, _NOTE, fontsize=6)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()
