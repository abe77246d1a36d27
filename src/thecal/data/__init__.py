"""The shipped drug library and pump catalogue, read from the package's TOML files."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpCatalogue


def _read(name: str) -> dict[str, object]:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@cache
def drug_library() -> DrugLibrary:
    return DrugLibrary.from_mapping(_read("drugs.toml"))


@cache
def pump_catalogue() -> PumpCatalogue:
    return PumpCatalogue.from_mapping(_read("pumps.toml"))


def raw_document(name: str) -> dict[str, object]:
    """The parsed TOML as written, for tests that check every value has a source."""
    return _read(name)
