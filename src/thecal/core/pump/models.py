"""Pump models are catalogue data, not a class per vendor (pump-behaviour.md §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from thecal.core.errors import CatalogueError
from thecal.core.pump.alarm_table import AlarmTable
from thecal.core.sourced import require_fields, unwrap

PERISTALTIC = "programmable-peristaltic"
VALVE_GATED = "programmable-valve-gated"
CONSTANT_FLOW = "constant-flow"
KINDS = (PERISTALTIC, VALVE_GATED, CONSTANT_FLOW)

COMMON_FIELDS = ("capacity_ml", "dead_volume_ml", "accuracy_pct", "pump_tubing_ml",
                 "catheter_ul_per_cm")  # fmt: skip
PROGRAMMABLE_FIELDS = (
    "stroke_ul",
    "min_rate_ml_day",
    "max_rate_ml_day",
    "battery_uah",
    "baseline_ua",
    "uah_per_stroke",
    "uah_per_telemetry_session",
    "eri_days",
    "eri_window_days",
    "mri_valve_leak_ul",
    "refill_at_ml",
)
CONSTANT_FLOW_FIELDS = (
    "nominal_rate_ml_day",
    "propellant_kpa_37c",
    "propellant_kpa_per_c",
    "reference_ambient_kpa",
    "reference_body_temp_c",
    "viscosity_frac_per_c",
)
NUMERIC_FIELDS = COMMON_FIELDS + PROGRAMMABLE_FIELDS + CONSTANT_FLOW_FIELDS


@dataclass(frozen=True)
class PumpModel:
    id: str
    kind: str
    capacity_ml: float
    dead_volume_ml: float
    accuracy_pct: float
    pump_tubing_ml: float
    stroke_ul: float = 0.0
    min_rate_ml_day: float = 0.0
    max_rate_ml_day: float = 0.0
    battery_uah: float = 0.0
    baseline_ua: float = 0.0
    uah_per_stroke: float = 0.0
    uah_per_telemetry_session: float = 0.0
    eri_days: float = 0.0
    eri_window_days: float = 0.0
    mri_valve_leak_ul: float = 0.0
    # the manufacturer's own refill volume: its controller dates the next refill when
    # this much is left (Prometra 3.0 mL, devices F46); 0 where the alarm is the date
    refill_at_ml: float = 0.0
    # the catheter sold with this pump, per cm (sources: pumps.toml; a figure marked
    # illustrative makes every implant confirm the volume from the catheter's label)
    catheter_ul_per_cm: float = 0.0
    nominal_rate_ml_day: float = 0.0
    propellant_kpa_37c: float = 0.0
    propellant_kpa_per_c: float = 0.0
    reference_ambient_kpa: float = 0.0
    reference_body_temp_c: float = 0.0
    viscosity_frac_per_c: float = 0.0
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    # the firmware's alarm table (alarms.toml): priorities and timings, the same for
    # every model the catalogue ships
    alarms: AlarmTable | None = field(default=None, compare=False, repr=False)
    stroke_ml: float = field(init=False, compare=False)  # derived, kept for the hot path

    def __post_init__(self) -> None:
        object.__setattr__(self, "stroke_ml", self.stroke_ul / 1000.0)

    @property
    def programmable(self) -> bool:
        return self.kind != CONSTANT_FLOW

    def with_overrides(self, overrides: Mapping[str, float]) -> PumpModel:
        """A copy with some numeric fields replaced (the scenario's `pump.overrides`)."""
        changed = replace(self, **{k: float(v) for k, v in overrides.items()})  # type: ignore[arg-type]
        changed.check()
        return changed

    def check(self) -> None:
        where = f"pump model {self.id}"
        if self.capacity_ml <= 0 or self.dead_volume_ml < 0:
            raise CatalogueError(f"{where}: capacity must be > 0 and dead volume >= 0")
        if self.dead_volume_ml >= self.capacity_ml:
            raise CatalogueError(f"{where}: dead volume must be below capacity")
        if self.catheter_ul_per_cm <= 0:
            raise CatalogueError(f"{where}: catheter_ul_per_cm must be > 0")
        if self.programmable:
            if self.stroke_ul <= 0:
                raise CatalogueError(f"{where}: stroke_ul must be > 0")
            if not 0 <= self.min_rate_ml_day <= self.max_rate_ml_day or self.max_rate_ml_day <= 0:
                raise CatalogueError(f"{where}: need 0 <= min_rate_ml_day <= max_rate_ml_day")
            if not 0 <= self.refill_at_ml < self.capacity_ml:
                raise CatalogueError(f"{where}: need 0 <= refill_at_ml < capacity")
            if self.alarms is None:
                raise CatalogueError(f"{where}: a programmable pump needs its alarm table")
            if self.battery_uah <= 0 or min(
                self.baseline_ua, self.uah_per_stroke, self.uah_per_telemetry_session
            ) < 0:
                raise CatalogueError(f"{where}: battery fields must be positive")
        elif self.nominal_rate_ml_day <= 0:
            raise CatalogueError(f"{where}: nominal_rate_ml_day must be > 0")


def _model(table: Mapping[str, Any], index: int, alarms: AlarmTable) -> PumpModel:
    where = f"pumps.toml [[pump]] #{index + 1}"
    values, sources = unwrap(table, where, keys=("id", "kind"))
    require_fields(values, ("id", "kind"), where)
    kind = values["kind"]
    if kind not in KINDS:
        raise CatalogueError(f"{where}.kind: expected one of {', '.join(KINDS)}")
    required = COMMON_FIELDS + (
        PROGRAMMABLE_FIELDS if kind != CONSTANT_FLOW else CONSTANT_FLOW_FIELDS
    )
    require_fields(values, required, where)
    unknown = set(values) - set(required) - {"id", "kind"}
    if unknown:
        raise CatalogueError(
            f"{where}: field(s) {', '.join(sorted(unknown))} do not apply to {kind}"
        )
    numbers: dict[str, float] = {}
    for name in required:
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CatalogueError(f"{where}.{name}: expected a number")
        numbers[name] = float(value)
    model = PumpModel(
        id=str(values["id"]), kind=kind, sources=sources, alarms=alarms, **numbers
    )
    model.check()
    return model


@dataclass(frozen=True)
class PumpCatalogue:
    models: Mapping[str, PumpModel]

    def get(self, model_id: str) -> PumpModel | None:
        return self.models.get(model_id)

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any], alarms: AlarmTable) -> PumpCatalogue:
        tables = document.get("pump")
        if not isinstance(tables, list) or not tables:
            raise CatalogueError("pumps.toml: expected one or more [[pump]] tables")
        models = [_model(table, i, alarms) for i, table in enumerate(tables)]
        return cls({m.id: m for m in models})
