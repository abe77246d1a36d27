"""The shipped drug library and pump catalogue, read from the package's TOML files."""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from importlib import resources

from thecal.core.drugs import DrugLibrary
from thecal.core.pk import EffectLibrary, KineticsLibrary
from thecal.core.population.generator import PopulationSpec
from thecal.core.pump.accuracy import method_settings
from thecal.core.pump.alarm_table import AlarmTable
from thecal.core.pump.models import PumpCatalogue
from thecal.core.safety.policy import Policy
from thecal.core.scs.catalogue import ScsCatalogue


def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text("utf-8")


def _read(name: str) -> dict[str, object]:
    return tomllib.loads(_text(name))


def library_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def drug_library() -> DrugLibrary:
    """The shipped library, with its digest and the digest its manifest approves (SR-01).
    Editing drugs.toml without re-approving it (`drugs.toml.sha256`) makes every
    program check refuse with LIBRARY_UNVERIFIED."""
    text = _text("drugs.toml")
    approved = _text("drugs.toml.sha256").split()[0]
    return DrugLibrary.from_mapping(tomllib.loads(text)).with_integrity(
        library_digest(text), approved
    )


@cache
def policy() -> Policy:
    """Programmer policy limits (`policy.toml`), each `{value, source}`."""
    return Policy.from_mapping(_read("policy.toml"))


@cache
def conversions() -> dict[str, object]:
    """Opioid conversion ratios (`conversions.toml`), each with its source."""
    return _read("conversions.toml")


@cache
def kinetics() -> KineticsLibrary:
    """CSF and plasma kinetics per drug (`pk.toml`), each value with its source."""
    return KineticsLibrary.from_mapping(_read("pk.toml"))


@cache
def effects() -> EffectLibrary:
    """Concentration-effect curves per drug (`pd.toml`), mostly illustrative."""
    return EffectLibrary.from_mapping(_read("pd.toml"))


@cache
def population() -> PopulationSpec:
    """Who the virtual patients are (`population.toml`), mostly illustrative."""
    return PopulationSpec.from_mapping(_read("population.toml"))


@cache
def scs_catalogue() -> ScsCatalogue:
    """Spinal cord stimulators, leads, waveform modes and charge limits (`scs.toml`)."""
    return ScsCatalogue.from_mapping(_read("scs.toml"))


@cache
def pump_catalogue() -> PumpCatalogue:
    return PumpCatalogue.from_mapping(_read("pumps.toml"), alarm_table())


@cache
def alarm_table() -> AlarmTable:
    """The firmware's alarm table and the hazard table beside it (`alarms.toml`)."""
    return AlarmTable.from_mapping(_read("alarms.toml"))


def raw_document(name: str) -> dict[str, object]:
    """The parsed TOML as written, for tests that check every value has a source."""
    return _read(name)


@cache
def accuracy_settings() -> dict[str, float]:
    """The rates and bolus sizes of the accuracy method (`accuracy.toml`, SR-17)."""
    return method_settings(_read("accuracy.toml"))
