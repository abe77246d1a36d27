"""What a clinician reads of a program on the screens, the audit trail and the PDFs:
plain words and the drug's own unit, never the field names of the program format
(the device screen read "cycle_days: 1; low_reservoir_alarm: 3 mL")."""

from dataclasses import replace

from tests.programmer.helpers import program
from thecal.data import drug_library
from thecal.services.program_diff import program_summary, settings_diff

MG = 1000.0


def test_the_summary_is_in_plain_words_and_the_drugs_unit():
    # morphine 10 mg/mL at 5.5 mg/day is 5.5 / 10 = 0.55 mL/day
    p = program([("morphine", 10 * MG)], 5.5 * MG, low_ml=3.0)
    assert program_summary(p, drug_library()) == (
        "drugs: morphine 10 mg/mL; schedule: repeats every day; low-reservoir alarm: 3 mL; "
        "step 1: 00:00 5.5 mg/day (0.55 mL/day)"
    )


def test_a_longer_cycle_is_said_in_days():
    one = program([("baclofen", 2000.0)], 400.0, low_ml=4.0)
    two = replace(one, cycle_days=2)
    rows = {r.setting: (r.before, r.after) for r in settings_diff(one, two, drug_library())}
    assert rows["schedule"] == ("repeats every day", "repeats every 2 days")
    assert rows["low-reservoir alarm"] == ("4 mL", "4 mL")


def test_an_admixture_gives_every_drugs_dose_in_its_own_unit():
    """Morphine 10 mg/mL with clonidine 500 mcg/mL at 1.65 mg/day of morphine moves
    1.65 / 10 = 0.165 mL/day, which carries 0.165 x 500 = 82.5 mcg/day of clonidine.
    A demand bolus of 0.1 mg morphine is 0.01 mL: 5 mcg of clonidine with it; its
    24-hour cap of 0.3 mg is a morphine amount, in mg."""
    from dataclasses import replace as with_

    from tests.programmer.helpers import demand

    p = program([("morphine", 10 * MG), ("clonidine", 500.0)], 1.65 * MG, low_ml=3.0)
    p = with_(p, demand_bolus=with_(demand(100.0, count=3), max_mcg_per_24h=300.0))
    said = dict(r.split(": ", 1) for r in program_summary(p, drug_library()).split("; "))
    assert said["drugs"] == "morphine 10 mg/mL, clonidine 500 mcg/mL"
    assert said["step 1"] == "00:00 1.65 mg/day morphine + 82.5 mcg/day clonidine (0.165 mL/day)"
    assert said["demand bolus"] == (
        "0.1 mg morphine + 5 mcg clonidine (0.01 mL) over 10 min, lockout 3 h, "
        "at most 3 in 24 h and at most 0.3 mg"
    )
