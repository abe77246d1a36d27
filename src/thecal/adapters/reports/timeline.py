"""The timeline plot of a simulation: reservoir (true vs estimated), daily drug at
the tip, and the alarms and refills that explain them."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from thecal.core.units import SECONDS_PER_DAY as DAY
from thecal.services.simulate import SimulationResult


def plot_timeline(result: SimulationResult, path: str | Path) -> Path:
    snaps = result.snapshots
    days = [s.t / DAY for s in snaps]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    top.plot(days, [s.true_ml for s in snaps], label="true reservoir (mL)", color="tab:blue")
    if snaps and snaps[0].estimated_ml is not None:
        top.plot(
            days,
            [s.estimated_ml for s in snaps],
            "--",
            label="firmware estimate (mL)",
            color="tab:orange",
        )
    for e in result.events:
        if e["kind"] == "alarm" and e["phase"] == "onset":
            top.axvline(e["t"] / DAY, color="tab:red", alpha=0.4, lw=1)
            top.annotate(
                e["code"],
                (e["t"] / DAY, top.get_ylim()[1]),
                rotation=90,
                fontsize=7,
                va="top",
                color="tab:red",
            )
        if e["kind"] == "refill":
            top.axvline(e["t"] / DAY, color="tab:green", alpha=0.5, lw=1)
    top.set_ylabel("reservoir (mL)")
    top.legend(loc="upper right", fontsize=8)
    top.set_title(f"{result.scenario.model.id}: reservoir and delivery")
    rows = result.days()
    for name in result.drug_names:
        edges = [s.t / DAY for s in snaps]
        values = [r["tip_drug_mcg"][name] for r in rows]
        bottom.stairs(values, edges, label=f"{name} at the tip (mcg/day)")
    grants = [
        e["t"] / DAY for e in result.events if e["kind"] == "demand" and e["result"] == "granted"
    ]
    denied = [
        e["t"] / DAY for e in result.events if e["kind"] == "demand" and e["result"] == "denied"
    ]
    if grants or denied:
        ymax = max((max(r["tip_drug_mcg"].values(), default=0.0) for r in rows), default=0.0)
        bottom.plot(
            grants, [ymax * 1.05] * len(grants), "v", color="tab:green", label="demand granted"
        )
        bottom.plot(
            denied, [ymax * 1.05] * len(denied), "x", color="tab:red", label="demand denied"
        )
    bottom.set_xlabel("day")
    bottom.set_ylabel("drug reaching the tip (mcg/day)")
    bottom.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
