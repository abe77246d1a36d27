"""Words on the worklist and the screens: a running trial names its drug once; a
stimulation program names its contacts."""

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


def test_a_trial_is_named_with_its_drug_once():
    """The trials screen's heading, the patient page and the printed summary."""
    assert words.trial_name("baclofen_screening", "baclofen") == "baclofen screening (bolus)"
    assert words.trial_name("opioid_escalating", "hydromorphone") == (
        "opioid trial, escalating boluses of hydromorphone")  # it gave no drug


def test_a_stimulation_program_in_words_names_cathodes_and_anodes():
    two = [{"contact": 2, "polarity": "-", "share": 0.5}, {"contact": 3, "polarity": "-",
                                                           "share": 0.5}]  # fmt: skip
    tonic = {"mode": "tonic", "amplitude_ma": 4.0, "pulse_width_us": 300.0,
             "frequency_hz": 50.0, "electrodes": two}  # fmt: skip
    # it read "tonic 4.0 mA, 300.0 µs, 50.0 Hz; 2- 3-"
    assert words.scs_program(tonic) == ("tonic 4 mA, 300 µs, 50 Hz; cathodes 2, 3; anode the case")
    guarded = [{"contact": 4, "polarity": "-", "share": 1.0},
               {"contact": 3, "polarity": "+", "share": 0.5},
               {"contact": 5, "polarity": "+", "share": 0.5}]  # fmt: skip
    assert words.scs_program({**tonic, "amplitude_ma": 2.5, "electrodes": guarded}) == (
        "tonic 2.5 mA, 300 µs, 50 Hz; cathode 4; anodes 3, 5"
    )


def test_every_pathway_code_has_words():
    """The pathway form offers each code of the core's record in words; a code added
    there without its words would be offered as itself."""
    from thecal.adapters.schema.pathway import TRIAL_RESULTS
    from thecal.core.therapy.pathway import OUTCOMES, PATTERNS, TREATMENTS

    assert set(words.PATHWAY_TREATMENTS) == set(TREATMENTS)
    assert set(words.PATHWAY_OUTCOMES) == set(OUTCOMES)
    assert set(words.PAIN_PATTERNS) == set(PATTERNS)
    assert set(words.TRIAL_RESULTS) == set(TRIAL_RESULTS)
