"""The SCS catalogue (scs.toml): stimulators, leads, waveform modes, charge limits,
each value with its source; the numbers the rules use come only from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.core.errors import CatalogueError
from thecal.core.sourced import require_fields, unwrap

RECHARGEABLE, PRIMARY = "rechargeable", "primary"


@dataclass(frozen=True)
class Lead:
    id: str
    kind: str
    contacts: int
    contact_area_cm2: float


@dataclass(frozen=True)
class Stimulator:
    id: str
    battery: str  # rechargeable | primary
    channels: int
    max_amplitude_ma: float
    battery_mah: float
    quiescent_ua: float
    efficiency: float
    battery_v: float
    recharge_at_pct: float


@dataclass(frozen=True)
class Mode:
    name: str
    frequency_hz: tuple[float, float]
    pulse_width_us: tuple[float, float]
    amplitude_ma: tuple[float, float]
    pulses_per_burst: int
    intra_burst_hz: float


@dataclass(frozen=True)
class ScsCatalogue:
    shannon_k: float
    charge_density_uc_per_cm2: float
    trial_days: tuple[int, int]
    impedance_ohm: float
    modes: Mapping[str, Mode]
    leads: Mapping[str, Lead]
    stimulators: Mapping[str, Stimulator]
    sources: Mapping[str, str]

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> ScsCatalogue:
        sources: dict[str, str] = {}

        def section(name: str, table: Mapping[str, Any], keys: tuple[str, ...] = ()
                    ) -> dict[str, Any]:
            values, src = unwrap(table, f"scs.toml [{name}]", keys)
            sources.update({f"{name}.{k}": v for k, v in src.items()})
            return values

        limits = section("limits", doc["limits"])
        trial = section("trial", doc["trial"])
        impedance = section("impedance", doc["impedance"])
        modes = {}
        for name, table in doc["modes"].items():
            m = section(f"modes.{name}", table)
            require_fields(m, ("frequency_hz", "pulse_width_us", "amplitude_ma",
                               "pulses_per_burst", "intra_burst_hz"), f"scs.toml [modes.{name}]")
            modes[name] = Mode(name, tuple(m["frequency_hz"]), tuple(m["pulse_width_us"]),
                               tuple(m["amplitude_ma"]), int(m["pulses_per_burst"]),
                               float(m["intra_burst_hz"]))
        leads = {}
        for table in doc["lead"]:
            v = section(f"lead.{table['id']}", table, ("id", "kind"))
            leads[v["id"]] = Lead(v["id"], v["kind"], int(v["contacts"]),
                                  float(v["contact_area_cm2"]))
        stimulators = {}
        for table in doc["stimulator"]:
            v = section(f"stimulator.{table['id']}", table, ("id", "battery"))
            if v["battery"] not in (RECHARGEABLE, PRIMARY):
                raise CatalogueError(f"scs.toml stimulator {v['id']}: battery must be "
                                     f"{RECHARGEABLE} or {PRIMARY}")
            stimulators[v["id"]] = Stimulator(**v)
        return cls(
            shannon_k=float(limits["shannon_k"]),
            charge_density_uc_per_cm2=float(limits["charge_density_uc_per_cm2"]),
            trial_days=(int(trial["days"][0]), int(trial["days"][1])),
            impedance_ohm=float(impedance["typical_ohm"]),
            modes=modes, leads=leads, stimulators=stimulators, sources=sources,
        )
