"""Old and new settings side by side, with each drug's 24 h dose and % change (SR-08,
devices.md F25): what the clinician confirms before anything is sent."""

from __future__ import annotations

import math
from dataclasses import dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.program import Program, step_rate_ml_per_s
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.therapy.dosing import daily_doses, percent_change
from thecal.core.units import SECONDS_PER_DAY


@dataclass(frozen=True)
class DiffRow:
    setting: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class DoseRow:
    drug: str
    before_mcg_per_day: float | None
    after_mcg_per_day: float | None
    change_pct: float | None


def _clock(s: float) -> str:
    day, rest = divmod(round(s), int(SECONDS_PER_DAY))
    hh, mm = divmod(rest // 60, 60)
    return f"{day}d {hh:02d}:{mm:02d}" if day else f"{hh:02d}:{mm:02d}"


def _settings(p: Program | None, library: DrugLibrary | None = None) -> dict[str, str]:
    """Every setting in the clinician's units: the first drug's dose in its own unit
    (mg/day for morphine, mcg/day for baclofen; mcg/day without a library), the volume
    the pump moves beside it (issue 25: mL/day alone read like a dose)."""
    if p is None:
        return {}
    lib = library.get if library is not None else (lambda name: None)
    first = lib(p.drugs[0].name) if p.drugs else None
    conc = p.primary_mcg_per_ml

    def amount(ml: float, per: str = "") -> str:
        """An admixture gives every drug at once: each in its own unit (a clonidine
        82.5 mcg/day beside morphine 1.65 mg/day was shown nowhere)."""
        if len(p.drugs) < 2:
            return f"{dose_text(first, ml * conc, per)} ({ml:.4g} mL{per})"
        each = (f"{dose_text(lib(d.name), ml * d.concentration_mcg_per_ml, per)} {d.name}"
                for d in p.drugs)  # fmt: skip
        return f"{' + '.join(each)} ({ml:.4g} mL{per})"

    drugs = (f"{d.name} {conc_text(lib(d.name), d.concentration_mcg_per_ml)}" for d in p.drugs)
    every = "every day" if p.cycle_days == 1 else f"every {p.cycle_days} days"
    out = {  # plain words: a clinician reads these on the screens and the PDFs (issue 25)
        "drugs": ", ".join(drugs),
        "schedule": f"repeats {every}",
        # 0: none (a constant-flow pump has no alarm; a program file's is above 0)
        "low-reservoir alarm": f"{p.low_reservoir_alarm_ml:g} mL" if p.low_reservoir_alarm_ml
        else "none",
    }
    for i, s in enumerate(p.steps):
        rate = step_rate_ml_per_s(s, conc) * SECONDS_PER_DAY
        out[f"step {i + 1}"] = f"{_clock(s.start_s)} {amount(rate, '/day')}"
    for i, pb in enumerate(p.periodic_boluses):
        out[f"periodic bolus {i + 1}"] = (
            f"{_clock(pb.at_s)} {amount(pb.amount.volume_ml(conc))} over {pb.duration_s / 60:g} min"
        )
    d = p.demand_bolus
    if d is not None:
        out["demand bolus"] = (
            f"{amount(d.amount.volume_ml(conc))} over {d.duration_s / 60:g} min, "
            f"lockout {d.lockout_s / 3600:g} h, at most {d.max_per_24h} in 24 h"
        )
        if d.max_mcg_per_24h is not None:
            out["demand bolus"] += f" and at most {dose_text(first, d.max_mcg_per_24h, '')}"
    return out


def settings_diff(
    before: Program | None, after: Program, library: DrugLibrary | None = None
) -> list[DiffRow]:
    old, new = _settings(before, library), _settings(after, library)
    keys = list(dict.fromkeys([*old, *new]))
    return [DiffRow(k, old.get(k, "-"), new.get(k, "-")) for k in keys]


def dose_diff(before: Program | None, after: Program) -> list[DoseRow]:
    old = daily_doses(before) if before is not None else {}
    new = daily_doses(after)
    rows = []
    for name in dict.fromkeys([*old, *new]):
        b = old[name].max_mcg if name in old else None
        a = new[name].max_mcg if name in new else None
        rows.append(DoseRow(name, b, a, percent_change(b or 0.0, a or 0.0) if b else None))
    return rows


def program_summary(p: Program, library: DrugLibrary | None = None) -> str:
    """One line of every setting, for lists and the audit trail."""
    return "; ".join(f"{k}: {v}" for k, v in _settings(p, library).items())


def refill_change(before: Program | None, after: Program) -> str:
    """What a refill's new program changes, for the program version's reason: every one
    read "refill with new fluid", a restart at a lower dose with the same fluid too."""
    old = daily_doses(before) if before is not None else {}
    new = daily_doses(after)
    fluid = before is None or before.drugs != after.drugs
    dose = old.keys() != new.keys() or any(
        not math.isclose(old[n].max_mcg, d.max_mcg, rel_tol=1e-9) for n, d in new.items()
    )
    if fluid and dose:
        return "new fluid and daily dose"
    return "new daily dose" if dose else "new fluid, same daily dose"
