"""The screens' words for a field's accepted values are read from the field, so they
cannot state a bound the request body does not hold."""

from typing import Literal

import pytest
from pydantic import BaseModel, Field

from thecal.entrypoints.web.field_words import (
    choice_words,
    length_words,
    number_words,
    range_words,
)
from thecal.entrypoints.web.form_errors import DEVICE_WORDS, REFILL_WORDS


class Sample(BaseModel):
    volume_ml: float = Field(gt=0, le=100)
    nrs: int = Field(ge=0, lt=11)
    duration_s: float = Field(gt=0, le=86_400)
    dose: float = Field(gt=0.5)
    lot: str = Field(min_length=1, max_length=40)
    free: str
    kind: Literal["clinician", "bridge", "priming"]


def test_each_bound_in_words():
    assert range_words(Sample, "volume_ml") == "more than 0 and at most 100"
    assert range_words(Sample, "nrs") == "at least 0 and less than 11"
    assert range_words(Sample, "dose") == "more than 0.5"
    # seconds shown as minutes: 86400 / 60 = 1440
    assert range_words(Sample, "duration_s", per=60) == "more than 0 and at most 1440"
    assert number_words("a volume in mL", Sample, "volume_ml", example="18") == (
        "a volume in mL, more than 0 and at most 100, such as 18"
    )
    assert length_words(Sample, "lot") == "1 to 40 characters"
    assert choice_words(Sample, "kind") == "clinician, bridge or priming"


def test_a_changed_bound_changes_the_words():
    class Wider(Sample):
        volume_ml: float = Field(gt=0, le=40)

    assert range_words(Wider, "volume_ml") == "more than 0 and at most 40"


def test_a_field_without_bounds_is_refused_at_start_up():
    with pytest.raises(ValueError, match=r"Sample\.free states no bound"):
        range_words(Sample, "free")
    with pytest.raises(ValueError, match=r"Sample\.free states no maximum length"):
        length_words(Sample, "free")
    with pytest.raises(KeyError, match="no field 'missing'"):
        range_words(Sample, "missing")


def test_the_screens_words_hold_the_request_bodies_bounds():
    # ImplantIn.fill_ml and RefillIn.add_ml: gt=0, le=100; BolusGiveIn.volume_ml le=5;
    # CatheterIn: length le=200 cm, µL per cm le=20; a bolus over at most a week
    # (604800 s = 10080 min), a bridge over at most a day (86400 s = 1440 min)
    assert DEVICE_WORDS["fill_ml"] == "a volume in mL, more than 0 and at most 100, such as 18"
    assert REFILL_WORDS["add_ml"] == DEVICE_WORDS["fill_ml"]
    assert DEVICE_WORDS["amount"] == (
        "a dose with its unit, such as 0.5 mg, or a volume in mL, more than 0 and at most 5, "
        "such as 0.05 mL"
    )
    assert DEVICE_WORDS["catheter_length_cm"] == (
        "a length in cm, more than 0 and at most 200, such as 90"
    )
    assert DEVICE_WORDS["duration_min"] == "minutes, more than 0 and at most 10080"
    assert REFILL_WORDS["bridge_min"] == "minutes, more than 0 and at most 1440"
    assert DEVICE_WORDS["serial"] == "the serial number on the pump's label, 1 to 40 characters"
    assert DEVICE_WORDS["kind"] == "clinician, bridge or priming"
