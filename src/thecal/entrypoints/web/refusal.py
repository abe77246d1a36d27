"""What a refused commit says at the top of its screen, in words: it said "refill
refused: CONCENTRATION_NOT_STOCK", a code where the clinician needed to read that a
soft finding had no reason to accept it. The findings table under it keeps each
rule, code and message."""

from __future__ import annotations

from thecal.core.errors import Refused
from thecal.core.safety import HARD, SOFT

# the gate's own blockers: what is missing to send, not a limit the therapy broke
GATE_WORDS = {
    "SECOND_PERSON_REQUIRED": "a second person has not verified it",
    "NOT_CONFIRMED": "the review was not confirmed (tick the box under it)",
    "REVIEW_CHANGED": "the proposal differs from the one reviewed: check it again and confirm",
}


def _count(n: int, one: str, many: str) -> str:
    return one if n == 1 else many.format(n=n)


def refusal_words(exc: Exception, what: str) -> str:
    """`what`: "the refill was not recorded", "the program was not sent"..."""
    findings = getattr(exc, "findings", ()) if isinstance(exc, Refused) else ()
    if not findings:
        return str(exc)
    codes = [getattr(f, "code", "") for f in findings]
    hard = sum(1 for f in findings if f.severity == HARD and f.code not in GATE_WORDS)
    soft = sum(1 for f in findings if f.severity == SOFT)
    why = []
    if hard:
        why.append(_count(hard, "a hard limit is broken", "{n} hard limits are broken"))
    if soft:
        why.append(_count(soft, "a soft finding has no reason to accept it",
                          "{n} soft findings have no reason to accept them"))  # fmt: skip
    why += [words for code, words in GATE_WORDS.items() if code in codes]
    return f"{what[:1].upper()}{what[1:]}: {'; '.join(why)}. Each is listed below."
