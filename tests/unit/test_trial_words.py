"""A running trial on the worklist names its drug once, and since when it runs."""

from __future__ import annotations

from thecal.services.clinic import words

DEC_5_2026 = 1_796_428_800.0  # 2026-12-05 00:00 UTC: 20,792 days after 1970-01-01


def test_a_trial_names_its_drug_once_and_its_start_date():
    assert words.trial_under_way("baclofen_screening", "baclofen", DEC_5_2026) == (
        "baclofen screening (bolus): under way since 2026-12-05"
    )  # it read "baclofen screening (bolus) of baclofen in progress"
    assert words.trial_under_way("opioid_single_shot", "morphine", DEC_5_2026 + 86399) == (
        "opioid trial, single bolus of morphine: under way since 2026-12-05"
    )
