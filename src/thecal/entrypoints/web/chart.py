"""The patient's therapy timeline as inline SVG: drawn on the server, so the page
needs no chart library and works offline. Four lanes share one time axis: daily
dose, estimated reservoir (with refills), demand boluses granted and denied, and
pain scores from the diary. The time the pump delivered nothing (an alarm that stops
delivery was on) is shaded across every lane: the dose lane is the program, which
ran on, on paper, through 67 days of an empty pump. Each lane's scale ends at a
round value ("6 mg/day"): its top read "6.05 mg/day", as if that were a dose."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from itertools import pairwise

from thecal.adapters.db.queries import PatientRecord
from thecal.adapters.reports.timeline_window import WINDOWS, Window, history_span, start_of
from thecal.core.pump.no_delivery import no_delivery_spans
from thecal.core.safety.fmt import figure
from thecal.data import alarm_table
from thecal.services.clinic import words

W, LANE, LEFT, RIGHT = 900, 90, 70, 20
PLOT_H = LANE - 32  # a lane's values: from its base line (LANE - 10) up to 22 below its top
COLOURS = {
    "dose": "#1f5fa8",
    "reservoir": "#2a8a4a",
    "granted": "#2a8a4a",
    "denied": "#c0392b",
    "pain": "#8e44ad",
    "spasms": "#d35400",
    "refill": "#999",
    "stopped": "#c0392b",
}
SHORT_SPAN_S = 4 * 86400.0  # a history shorter than this has its axis dates with times
_ROUND = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def round_top(value: float) -> float:
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten)
    at or above `value`: the top of a lane's scale."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(r * power for r in _ROUND if r * power >= value * (1 - 1e-9))


def _date(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%d %b %Y")  # with the year (issue 25)


def timeline_svg(rec: PatientRecord, dose_in: str | None = None,
                 drawn: Window = WINDOWS[-1]) -> str:  # fmt: skip
    """`dose_in`: the first drug's display unit ("mg" for morphine, "mcg" for baclofen,
    drugs.toml), whose dose the lane draws: 0.5 mg/day of morphine read "500 mcg/day".
    Without it, mg from 1000 mcg/day up. `drawn`: how much history (timeline_window);
    the dose in effect when the window opens is drawn from its left edge."""
    both = history_span(rec)
    if both is None:
        return '<p class="muted">No history yet.</p>'
    first, t1 = both
    t0 = start_of(drawn, first, t1)
    span = max(t1 - t0, 1.0)
    before = [r.daily_dose_mcg for r in rec.readings if r.at_s < t0 and r.daily_dose_mcg]
    rec = replace(
        rec,
        readings=[r for r in rec.readings if r.at_s >= t0],
        boluses=[b for b in rec.boluses if b.at_s >= t0],
        diary=[d for d in rec.diary if d.at_s >= t0],
        refills=[r for r in rec.refills if r.at_s >= t0],
    )
    carried = [(t0, before[-1])] if before else []

    def x(t: float) -> float:
        return LEFT + (t - t0) / span * (W - LEFT - RIGHT)

    doses = [r.daily_dose_mcg for r in rec.readings if r.daily_dose_mcg]
    in_mg = dose_in == "mg" if dose_in else max(doses, default=0.0) >= 1000.0
    dose_unit = "mg/day" if in_mg else "mcg/day"
    has_spasms = any(d.spasm is not None for d in rec.diary)
    diary = "pain (solid) and spasms (dashed), 0-10" if has_spasms else "pain (NRS 0-10)"
    lanes = [f"daily dose ({dose_unit})", "reservoir (mL)", "demand boluses", diary]
    units = [dose_unit, "mL", "", ""]
    h = LANE * len(lanes) + 30
    out = [
        f'<svg class="timeline" viewBox="0 0 {W} {h}" role="img" '
        f'aria-label="therapy timeline" xmlns="http://www.w3.org/2000/svg">'
    ]
    for gap in no_delivery_spans(rec.alarms, alarm_table(), t1):
        if gap.end_s < t0:
            continue  # before the window
        # "pump empty, motor stalled": each alarm's words say "nothing is delivered" too
        what = ", ".join(words.alarm(c).removesuffix(": nothing is delivered") for c in gap.codes)
        when = (f"since {_date(gap.start_s)}" if gap.ongoing
                else f"from {_date(gap.start_s)} to {_date(gap.end_s)}")  # fmt: skip
        left, right = x(max(gap.start_s, t0)), x(gap.end_s)
        out.append(
            f'<rect x="{left:.1f}" y="0" width="{max(right - left, 1.0):.1f}" '
            f'height="{LANE * len(lanes)}" fill="{COLOURS["stopped"]}" fill-opacity="0.1" '
            f'class="no-delivery"><title>nothing delivered {when}: {escape(what)}</title></rect>'
        )
        if right - left >= 90:  # said in words where there is room, not by colour alone
            out.append(f'<text x="{left + 4:.1f}" y="{LANE - 14}" class="axis" '
                       f'fill="{COLOURS["stopped"]}">nothing delivered</text>')  # fmt: skip
    for i, name in enumerate(lanes):
        y = i * LANE
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y + LANE - 10}" '
            f'y2="{y + LANE - 10}" stroke="#ddd"/>'
        )
        # the title above the lane's highest value (PLOT_H): a dose at the top of its
        # scale was drawn through the title's words
        out.append(f'<text x="4" y="{y + 12}" class="lane">{escape(name)}</text>')

    def series(values: list[tuple[float, float]], lane: int, colour: str, top: float,
               dashed: bool = False, marks: str = "", steps: bool = False) -> None:  # fmt: skip
        """`marks`: each value is also a dot titled "`marks` N, date" (a diary score
        between two others, or a lone one, was a line too short to see). `steps`: each
        value holds until the next (a dose is programmed, not drifted into: drawn
        point to point, a change read as a ramp over the days between two readings)."""
        if not values:
            return
        base = lane * LANE + LANE - 10
        if steps:
            values = [p for (t, v), (t_next, _) in pairwise(values)
                      for p in ((t, v), (t_next, v))] + values[-1:]  # fmt: skip
        pts = " ".join(f"{x(t):.1f},{base - (v / top) * PLOT_H:.1f}" for t, v in values)
        dash = ' stroke-dasharray="6,3"' if dashed else ""
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                   f'points="{pts}"/>')  # fmt: skip
        fill = "#fff" if dashed else colour  # spasms hollow, pain filled
        for t, v in values if marks else ():
            out.append(f'<circle cx="{x(t):.1f}" cy="{base - (v / top) * PLOT_H:.1f}" '
                       f'r="3" fill="{fill}" stroke="{colour}" class="mark">'
                       f"<title>{marks} {v:g}, {_date(t)}</title></circle>")  # fmt: skip
        if not dashed:  # the lane's top value with its unit, below the lane's title
            out.append(
                f'<text x="{LEFT - 4}" y="{lane * LANE + 26}" text-anchor="end" '
                f'class="axis">{figure(top)} {units[lane]}</text>'  # 1500, not 1.5e+03
            )

    scale = 1000.0 if in_mg else 1.0
    dose = [(t, d / scale) for t, d in carried]
    dose += [(r.at_s, r.daily_dose_mcg / scale) for r in rec.readings if r.daily_dose_mcg]
    series(dose, 0, COLOURS["dose"], round_top(max([v for _, v in dose], default=1.0)),
           steps=True)
    res = [
        (r.at_s, r.reservoir_estimate_ml)
        for r in rec.readings
        if r.reservoir_estimate_ml is not None
    ]
    series(res, 1, COLOURS["reservoir"], round_top(max([v for _, v in res], default=1.0)))
    for r in rec.refills:
        out.append(
            f'<line x1="{x(r.at_s):.1f}" x2="{x(r.at_s):.1f}" y1="{LANE}" '
            f'y2="{2 * LANE - 10}" stroke="{COLOURS["refill"]}" stroke-dasharray="3,3">'
            f"<title>refill {_date(r.at_s)}: {escape(r.classification)}</title></line>"
        )
    for b in rec.boluses:
        colour = COLOURS["granted"] if b.result == "granted" else COLOURS["denied"]
        y = 2 * LANE + (20 if b.result == "granted" else 50)
        out.append(
            f'<line x1="{x(b.at_s):.1f}" x2="{x(b.at_s):.1f}" y1="{y}" y2="{y + 15}" '
            f'stroke="{colour}"><title>{escape(b.result)} '
            f"{escape(words.bolus_reason(b.reason))}</title></line>"
        )
    pain = [(d.at_s, float(d.pain_nrs)) for d in rec.diary if d.pain_nrs is not None]
    pain.sort()
    series(pain, 3, COLOURS["pain"], 10.0, marks="pain")
    spasms = sorted((d.at_s, float(d.spasm)) for d in rec.diary if d.spasm is not None)
    series(spasms, 3, COLOURS["spasms"], 10.0, dashed=True, marks="spasms")
    shown: set[str] = set()
    for i in range(5):
        t = t0 + span * i / 4
        # within a few days the dates repeat ("07 Dec 2026" five times): with the time
        label = _date(t) + (datetime.fromtimestamp(t, UTC).strftime(" %H:%M")
                            if span < SHORT_SPAN_S else "")  # fmt: skip
        if label in shown:
            continue
        shown.add(label)
        # the end dates are drawn inward: centred, the last one was cut at the right edge
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        out.append(
            f'<text x="{x(t):.1f}" y="{h - 5}" text-anchor="{anchor}" class="axis">'
            f"{label}</text>"
        )
    out.append("</svg>")
    return "".join(out)
