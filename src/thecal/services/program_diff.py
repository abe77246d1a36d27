"""Old and new settings side by side, with each drug's 24 h dose and % change (SR-08,
devices.md F25): what the clinician confirms before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump.program import Program, step_rate_ml_per_s
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


def _settings(p: Program | None) -> dict[str, str]:
    if p is None:
        return {}
    out = {
        "drugs": ", ".join(f"{d.name} {d.concentration_mcg_per_ml:g} mcg/mL" for d in p.drugs),
        "cycle_days": str(p.cycle_days),
        "low_reservoir_alarm": f"{p.low_reservoir_alarm_ml:g} mL",
    }
    for i, s in enumerate(p.steps):
        rate = step_rate_ml_per_s(s, p.primary_mcg_per_ml) * SECONDS_PER_DAY
        out[f"step {i + 1}"] = f"{_clock(s.start_s)} {rate:.6g} mL/day"
    for i, pb in enumerate(p.periodic_boluses):
        out[f"periodic bolus {i + 1}"] = (
            f"{_clock(pb.at_s)} {pb.amount.volume_ml(p.primary_mcg_per_ml):.4g} mL "
            f"over {pb.duration_s / 60:g} min"
        )
    d = p.demand_bolus
    if d is not None:
        out["demand bolus"] = (
            f"{d.amount.volume_ml(p.primary_mcg_per_ml):.4g} mL over {d.duration_s / 60:g} min, "
            f"lockout {d.lockout_s / 3600:g} h, at most {d.max_per_24h} in 24 h"
        )
    return out


def settings_diff(before: Program | None, after: Program) -> list[DiffRow]:
    old, new = _settings(before), _settings(after)
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


def program_summary(p: Program) -> str:
    """One line of every setting, for lists and the audit trail."""
    return "; ".join(f"{k}: {v}" for k, v in _settings(p).items())
