"""A refused commit's first line in words, not codes (it read "refill refused:
CONCENTRATION_NOT_STOCK")."""

from thecal.core.errors import Conflict, Refused
from thecal.core.safety import HARD, INFO, SOFT
from thecal.core.safety.findings import finding
from thecal.entrypoints.web.refusal import refusal_words


def test_a_refusal_says_what_is_missing_in_words():
    stock = finding("DD-01", SOFT, "CONCENTRATION_NOT_STOCK", "not a stock strength")
    one_soft = Refused("refill refused: CONCENTRATION_NOT_STOCK", (stock,))
    assert refusal_words(one_soft, "the refill was not recorded") == (
        "The refill was not recorded: a soft finding has no reason to accept it. "
        "Each is listed below."
    )
    many = Refused("commit refused: ...", (
        finding("DD-02", HARD, "DOSE_ABOVE_MAX", "above the label"),
        finding("DD-05", SOFT, "TITRATION_HIGH_DOSE", "a large step"),
        finding("DD-11", SOFT, "WITHDRAWAL_RISK_CUT", "a large cut"),
        finding("DD-10", HARD, "SECOND_PERSON_REQUIRED", "a second person must verify"),
        finding("SR-08", HARD, "NOT_CONFIRMED", "confirm"),
        finding("DD-12", INFO, "MONITOR_AFTER_CHANGE", "monitor"),
    ))  # fmt: skip
    assert refusal_words(many, "the program was not sent") == (
        "The program was not sent: a hard limit is broken; 2 soft findings have no reason "
        "to accept them; a second person has not verified it; the review was not confirmed "
        "(tick the box under it). Each is listed below."
    )


def test_anything_else_keeps_its_own_message():
    assert refusal_words(Conflict("changed by dr.b"), "nothing was sent") == "changed by dr.b"
    assert refusal_words(Refused("no findings"), "nothing was sent") == "no findings"
