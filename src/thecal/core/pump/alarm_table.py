"""The pump's alarm table and the hazard table beside it (`data/alarms.toml`, SR-27).

IEC 60601-1-8 names alarm priorities but assigns none: an assignment is defensible only
through the hazard it mitigates, and an alarm table that drifts from the risk file is a
real audit finding. So both live in one file and `disagreements` lists every place they
differ; a test fails on any. The firmware reads its timings here (silence bound,
suspension escalation, self-test interval, longest temporary program), so no timing is
a literal in its code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.core.errors import CatalogueError
from thecal.core.sourced import unwrap

PRIORITIES = ("high", "medium", "low", "information")
TONES = ("two-tone", "single-tone", "none")
SEVERITIES = ("critical", "non-critical", "info")
# what is in the reservoir, for the escalations that depend on it
WITHDRAWAL_CRITICAL = "withdrawal_critical"
WITHDRAWAL_RISK = "withdrawal_risk"
NO_WITHDRAWAL = "other"
_MINUTE, _HOUR = 60.0, 3600.0


@dataclass(frozen=True)
class AlarmSpec:
    code: str
    priority: str
    withdrawal_critical_priority: str
    severity: str
    tone: str
    stops_delivery: bool
    hazard: str
    source: str


@dataclass(frozen=True)
class Hazard:
    id: str
    hazard: str
    cause: str
    mitigation: str
    requirements: tuple[str, ...]
    alarms: tuple[str, ...]
    unsensed: str | None


@dataclass(frozen=True)
class AlarmTable:
    alarms: Mapping[str, AlarmSpec]
    hazards: Mapping[str, Hazard]
    withdrawal_critical_drugs: frozenset[str]
    suspension_alarm_s: Mapping[str, float]  # by what the reservoir holds
    silence_max_s: Mapping[str, float]  # by priority
    self_test_interval_s: float
    temporary_max_s: float
    sources: Mapping[str, str]

    def priority(self, code: str, fluid: str) -> str:
        """The alarm's priority with this fluid in the reservoir (WITHDRAWAL_CRITICAL...)."""
        spec = self.alarms[code]
        return spec.withdrawal_critical_priority if fluid == WITHDRAWAL_CRITICAL else spec.priority

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> AlarmTable:
        sources: dict[str, str] = {}
        esc = _values(doc, "escalation", sources)
        silence = _values(doc, "silence", sources)
        test = _values(doc, "self_test", sources)
        temporary = _values(doc, "temporary", sources)
        alarms = {code: _alarm(code, t) for code, t in _tables(doc, "alarm").items()}
        hazards = {hid: _hazard(hid, t) for hid, t in _tables(doc, "hazard").items()}
        return cls(
            alarms=alarms,
            hazards=hazards,
            withdrawal_critical_drugs=frozenset(esc["withdrawal_critical_drugs"]),
            suspension_alarm_s={
                fluid: float(esc[f"suspension_alarm_h_{fluid}"]) * _HOUR
                for fluid in (WITHDRAWAL_CRITICAL, WITHDRAWAL_RISK, NO_WITHDRAWAL)
            },
            silence_max_s={
                p: float(silence[f"{p}_max_min"]) * _MINUTE for p in ("high", "medium", "low")
            },
            self_test_interval_s=float(test["interval_min"]) * _MINUTE,
            temporary_max_s=float(temporary["max_duration_h"]) * _HOUR,
            sources=sources,
        )

    def disagreements(
        self, firmware_codes: tuple[str, ...], severity: Mapping[str, str]
    ) -> list[str]:
        """Every place where the alarm table, the hazard table and the firmware's own
        alarm codes differ (SR-27): empty when they agree."""
        out = [
            f"{c}: raised by the firmware, not in the alarm table"
            for c in firmware_codes
            if c not in self.alarms
        ]
        out += [
            f"{c}: in the alarm table, never raised by the firmware"
            for c in self.alarms
            if c not in firmware_codes
        ]
        for code, spec in self.alarms.items():
            hazard = self.hazards.get(spec.hazard)
            if hazard is None:
                out.append(f"{code}: hazard {spec.hazard} is not in the hazard table")
            elif code not in hazard.alarms:
                out.append(f"{code}: names {spec.hazard}, whose alarms do not list it")
            if severity.get(code, spec.severity) != spec.severity:
                out.append(f"{code}: severity {spec.severity}, the firmware says {severity[code]}")
            if (spec.tone == "none") != (spec.priority == "information"):
                out.append(f"{code}: an information signal has no tone, an alarm has one")
        for hid, hazard in self.hazards.items():
            for code in hazard.alarms:
                if code not in self.alarms:
                    out.append(f"{hid}: lists {code}, which is not in the alarm table")
                elif self.alarms[code].hazard != hid:
                    out.append(f"{hid}: lists {code}, which names {self.alarms[code].hazard}")
            if not hazard.alarms and not hazard.unsensed:
                out.append(f"{hid}: no alarm mitigates it and 'unsensed' does not say why")
            if not hazard.requirements:
                out.append(f"{hid}: traces to no safety requirement")
        return out


def _tables(doc: Mapping[str, Any], name: str) -> Mapping[str, Mapping[str, Any]]:
    tables = doc.get(name)
    if not isinstance(tables, Mapping) or not tables:
        raise CatalogueError(f"alarms.toml: expected [{name}.ID] tables")
    return tables


def _values(doc: Mapping[str, Any], name: str, sources: dict[str, str]) -> dict[str, Any]:
    values, found = unwrap(doc.get(name, {}), f"alarms.toml [{name}]")
    sources.update({f"{name}.{k}": v for k, v in found.items()})
    return values


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise CatalogueError(
            f"alarms.toml {where}: '{value}', expected one of {', '.join(allowed)}"
        )
    return str(value)


def _alarm(code: str, t: Mapping[str, Any]) -> AlarmSpec:
    where = f"[alarm.{code}]"
    priority = _choice(t.get("priority"), PRIORITIES, f"{where}.priority")
    raised = t.get("withdrawal_critical_priority", priority)
    escalated = _choice(raised, PRIORITIES, f"{where}.withdrawal_critical_priority")
    if PRIORITIES.index(escalated) > PRIORITIES.index(priority):
        raise CatalogueError(f"alarms.toml {where}: a withdrawal-critical drug never lowers it")
    if not isinstance(t.get("stops_delivery"), bool) or not str(t.get("source", "")).strip():
        raise CatalogueError(f"alarms.toml {where}: stops_delivery (true/false) and a source")
    return AlarmSpec(
        code=code,
        priority=priority,
        withdrawal_critical_priority=escalated,
        severity=_choice(t.get("severity"), SEVERITIES, f"{where}.severity"),
        tone=_choice(t.get("tone"), TONES, f"{where}.tone"),
        stops_delivery=t["stops_delivery"],
        hazard=str(t.get("hazard", "")),
        source=str(t["source"]),
    )


def _hazard(hid: str, t: Mapping[str, Any]) -> Hazard:
    texts = {k: t.get(k) for k in ("hazard", "cause", "mitigation")}
    if not all(isinstance(v, str) and v.strip() for v in texts.values()):
        raise CatalogueError(f"alarms.toml [hazard.{hid}]: hazard, cause and mitigation")
    return Hazard(
        id=hid,
        hazard=str(texts["hazard"]),
        cause=str(texts["cause"]),
        mitigation=str(texts["mitigation"]),
        requirements=tuple(t.get("requirements", ())),
        alarms=tuple(t.get("alarms", ())),
        unsensed=t.get("unsensed"),
    )
