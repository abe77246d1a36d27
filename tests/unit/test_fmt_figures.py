"""Figures a clinician reads: four significant figures and never scientific notation
(a stored program summary read "morphine 1e+04 mcg/mL")."""

from __future__ import annotations

import pytest

from thecal.core.safety.fmt import conc_text, dose_text, figure
from thecal.data import drug_library


@pytest.mark.parametrize(("value", "text"), [
    (10_000.0, "10000"), (20_000.0, "20000"), (132_000.0, "132000"), (12_345.6, "12350"),
    (3.3, "3.3"), (400.0, "400"), (0.25, "0.25"), (0.00001, "0.00001"), (0.0, "0"),
    (-25_000.0, "-25000"),
])  # fmt: skip
def test_a_figure_is_written_out(value, text):
    assert figure(value) == text


def test_doses_and_strengths_in_the_drugs_unit_without_exponents():
    lib = drug_library()
    assert conc_text(None, 10_000.0) == "10000 mcg/mL"  # no library: mcg, written out
    assert conc_text(lib.get("morphine"), 20_000.0) == "20 mg/mL"
    assert dose_text(lib.get("baclofen"), 1_320_000.0) == "1320000 mcg/day"
    assert dose_text(lib.get("morphine"), 4_400.0, per="") == "4.4 mg"
