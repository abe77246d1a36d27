"""The patient's therapy timeline as a PNG for the printed summary: daily dose per
drug (from the program history), the reservoir the pump reported (with refills),
alarms, and the pain scores of the diary, on one time axis, the time the pump delivered
nothing shaded across all three (as on the patient page, entrypoints/web/chart.py).
Drawn off-screen."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from thecal.adapters.db.queries import PatientRecord
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.reports.timeline_window import DEFAULT, cut_at, window
from thecal.core.drugs import DrugLibrary
from thecal.core.pump.no_delivery import no_delivery_spans
from thecal.core.therapy.dosing import daily_doses
from thecal.data import alarm_table


def dose_steps(rec: PatientRecord, until_s: float) -> dict[str, list[tuple[float, float]]]:
    """Each drug's programmed 24 h dose (mcg/day) as (time, dose) corners of a step line
    from the first program to `until_s`; a drug a later program drops falls to 0."""
    lines: dict[str, list[tuple[float, float]]] = {}
    for row in rec.programs:
        doses = daily_doses(program_from_json(row.program))
        for name in set(lines) | set(doses):
            dose = doses[name].programmed_mcg if name in doses else 0.0
            lines.setdefault(name, []).append((row.created_s, dose))
    for points in lines.values():
        points.append((until_s, points[-1][1]))
    return lines


def _when(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def therapy_chart_png(
    rec: PatientRecord, until_s: float, library: DrugLibrary | None = None
) -> bytes:
    fig = therapy_figure(rec, until_s, library)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()


def dose_axis(names: list[str], top_mcg: float, library: DrugLibrary | None) -> tuple[float, str]:
    """The dose axis's scale and unit: the drugs' own display unit when they share one
    (0.5 mg/day of morphine read "500 mcg/day"); for an admixture read in two units
    (morphine in mg, clonidine in mcg) on one axis, mg from 1000 mcg/day up."""
    units = {d.display_unit for n in names if library and (d := library.get(n)) is not None}
    if len(units) == 1 and len(names) > 0 and library is not None:
        unit = units.pop()
    else:
        unit = "mg" if top_mcg >= 1000.0 else "mcg"
    return (1000.0, "mg/day") if unit == "mg" else (1.0, "mcg/day")


def therapy_figure(
    rec: PatientRecord, until_s: float, library: DrugLibrary | None = None
) -> Figure:
    fig, (dose, reservoir, pain) = plt.subplots(
        3, 1, figsize=(9, 6.2), sharex=True, gridspec_kw={"height_ratios": [3, 3, 2]}
    )
    steps = dose_steps(rec, until_s)
    top = max((d for points in steps.values() for _, d in points), default=1.0)
    scale, unit = dose_axis(sorted(steps), top, library)
    for name, points in sorted(steps.items()):
        dose.step([_when(t) for t, _ in points], [d / scale for _, d in points], where="post",
                  label=name)  # fmt: skip
    dose.set_ylabel(f"dose ({unit})")
    dose.set_ylim(0, top / scale * 1.25 or 1.0)  # from 0, with room for the legend
    for i, gap in enumerate(no_delivery_spans(rec.alarms, alarm_table(), until_s)):
        for ax in (dose, reservoir, pain):
            ax.axvspan(_when(gap.start_s), _when(gap.end_s), color="tab:red", alpha=0.12, lw=0,
                       label="nothing delivered" if i == 0 and ax is dose else None)  # fmt: skip
    if rec.programs:
        dose.legend(loc="upper left", fontsize=8)
    readings = [r for r in rec.readings if r.reservoir_estimate_ml is not None]
    reservoir.plot(
        [_when(r.at_s) for r in readings],
        [r.reservoir_estimate_ml for r in readings],
        color="tab:green",
        label="reservoir (pump estimate)",
    )
    for i, r in enumerate(rec.refills):
        reservoir.axvline(_when(r.at_s), color="0.6", ls="--", lw=0.8,
                          label="refill" if i == 0 else None)
    for i, a in enumerate(rec.alarms):
        reservoir.plot([_when(a.onset_s)], [0.0], "v", color="tab:red",
                       label="alarm" if i == 0 else None)
    reservoir.set_ylabel("reservoir (mL)")
    reservoir.legend(loc="upper right", fontsize=8)
    scores = sorted((d for d in rec.diary if d.pain_nrs is not None), key=lambda d: d.at_s)
    pain.plot([_when(d.at_s) for d in scores], [d.pain_nrs for d in scores], "o-",
              color="tab:purple", ms=3, label="pain")
    # a baclofen patient scores spasms in the portal: drawn beside the pain, dashed
    spasms = sorted((d for d in rec.diary if d.spasm is not None), key=lambda d: d.at_s)
    if spasms:
        pain.plot([_when(d.at_s) for d in spasms], [d.spasm for d in spasms], "s--",
                  color="tab:orange", ms=3, label="spasms")
        pain.legend(loc="upper right", fontsize=8)
    pain.set_ylim(0, 10)
    start = cut_at(rec, window(DEFAULT))
    if start is not None:  # the page's default window (its tables list everything)
        pain.set_xlim(_when(start), _when(until_s))  # the axis is shared: every lane
    pain.set_ylabel("pain and spasms (0-10)" if spasms else "pain (NRS 0-10)")
    years = mdates.DateFormatter("%Y-%m-%d")  # type: ignore[no-untyped-call]
    pain.xaxis.set_major_formatter(years)  # dates with the year (issue 25)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
