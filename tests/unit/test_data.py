"""The shipped library and catalogue: complete, every value sourced, loaders strict."""

from __future__ import annotations

import copy

import pytest

from thecal.core.drugs import DRUG_FIELDS, DrugLibrary
from thecal.core.errors import CatalogueError
from thecal.core.pump.models import (
    COMMON_FIELDS,
    CONSTANT_FLOW_FIELDS,
    PROGRAMMABLE_FIELDS,
    PumpCatalogue,
)
from thecal.data import alarm_table, drug_library, pump_catalogue, raw_document

EIGHT = {
    "morphine",
    "hydromorphone",
    "fentanyl",
    "sufentanil",
    "ziconotide",
    "bupivacaine",
    "clonidine",
    "baclofen",
}


def test_the_eight_drugs_are_there_with_every_field_sourced():
    doc = raw_document("drugs.toml")
    assert set(doc["drug"]) == EIGHT
    for name, table in doc["drug"].items():
        assert set(table) == set(DRUG_FIELDS), name
        for field, entry in table.items():
            assert entry["source"].strip(), f"{name}.{field} has no source"


def test_every_pump_field_is_sourced():
    doc = raw_document("pumps.toml")
    ids = {t["id"] for t in doc["pump"]}
    assert ids == {
        "peristaltic-20",
        "peristaltic-40",
        "valve-gated-20",
        "valve-gated-40",
        "constant-flow-20",
        "constant-flow-35",
    }
    for table in doc["pump"]:
        extra = PROGRAMMABLE_FIELDS if table["kind"] != "constant-flow" else CONSTANT_FLOW_FIELDS
        assert set(table) - {"id", "kind"} == set(COMMON_FIELDS + extra), table["id"]
        for field, entry in table.items():
            if field not in ("id", "kind"):
                assert entry["source"].strip(), f"{table['id']}.{field} has no source"


def test_a_value_without_a_source_is_refused():
    doc = copy.deepcopy(raw_document("drugs.toml"))
    doc["drug"]["morphine"]["max_concentration_mcg_per_ml"]["source"] = " "
    with pytest.raises(
        CatalogueError, match=r"morphine\]\.max_concentration_mcg_per_ml: the source is empty"
    ):
        DrugLibrary.from_mapping(doc)
    doc = copy.deepcopy(raw_document("pumps.toml"))
    doc["pump"][0]["stroke_ul"] = 0.5  # a bare number: no source
    with pytest.raises(CatalogueError, match="stroke_ul"):
        PumpCatalogue.from_mapping(doc, alarm_table())


def test_a_missing_drug_field_is_refused():
    doc = copy.deepcopy(raw_document("drugs.toml"))
    del doc["drug"]["baclofen"]["demand_eligible"]
    with pytest.raises(CatalogueError, match="demand_eligible"):
        DrugLibrary.from_mapping(doc)


def test_sourced_facts_as_loaded():
    lib = drug_library()
    assert lib.get("baclofen").demand_eligible is False  # never baclofen (SR-09)
    assert lib.get("baclofen").withdrawal_risk is True  # boxed warning (fact 16)
    # the US label's "should not exceed 19.2 mcg/day" is hard (fact 5, limits-audit §1.7)
    assert lib.get("ziconotide").max_daily_dose_hard_mcg_per_day == 19.2
    assert lib.get("ziconotide").max_daily_dose_soft_mcg_per_day is None
    assert lib.get("ziconotide").withdrawal_risk is False
    assert lib.get("fentanyl").max_daily_dose_soft_mcg_per_day is None  # "no known upper limit"
    assert lib.get("morphine").titration_max_increase_pct_per_24h == {
        "non_cancer": 30.0,
        "cancer": 50.0,
    }
    pumps = pump_catalogue()
    assert pumps.get("peristaltic-20").dead_volume_ml == 2.4  # fact 34
    assert pumps.get("peristaltic-40").pump_tubing_ml == 0.140  # F18
    assert pumps.get("valve-gated-20").stroke_ml == pytest.approx(0.0025)


def test_battery_figures_give_about_84_months_at_half_a_ml_per_day():
    m = pump_catalogue().get("peristaltic-20")
    strokes_per_day = 0.5 / m.stroke_ml
    drain_per_day = m.baseline_ua * 24 + m.uah_per_stroke * strokes_per_day
    months = m.battery_uah / drain_per_day / (365.25 / 12)
    assert months == pytest.approx(84.0, abs=0.1)
