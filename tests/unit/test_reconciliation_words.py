"""A refill's reconciliation in words: an empty pump's "ok" says it was empty."""

from __future__ import annotations

from thecal.services.clinic import words


def test_an_empty_pump_reads_as_empty_and_other_rows_as_classified():
    assert words.reconciliation("ok", 0.0) == "ok: the pump had run empty, as its estimate said"
    assert words.reconciliation("ok", 2.2) == "ok"
    assert words.reconciliation("ok", None) == "ok"  # no estimate held
    # an empty estimate with a withdrawal that disagrees stays what it is
    assert words.reconciliation("possible underinfusion or occlusion", 0.0) == (
        "possible underinfusion or occlusion"
    )


def test_each_reconciliation_has_its_colour_and_a_first_fill_its_words():
    assert words.reconciliation_tag("ok", "critical") == "ok"
    assert words.reconciliation_tag("first fill", "critical") == "info"
    assert words.reconciliation_tag("possible overinfusion", "overdue") == "overdue"
    assert words.reconciliation("first fill", None) == (
        "first fill of a new pump: nothing to withdraw"
    )
    assert words.reconciliation("not measured", 3.0) == (
        "not measured: the volume withdrawn was not recorded"
    )
