"""The patient therapy manager: a bolus request and the diary.

The pump decides a demand bolus (lockout, count, reservoir: pump-behaviour.md §7);
this only carries the request with a unique id, so that a retried request is
answered from the pump's memory and never delivers twice (SR-16), and reports the
time left in the lockout (SR-10).
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.errors import InputError, Problem
from thecal.services.ports import DemandAnswer, PumpPort

NRS_RANGE = (0, 10)  # numeric rating scale, 0 = no pain, 10 = worst imaginable


def request_bolus(port: PumpPort, request_id: str, now_s: float) -> DemandAnswer:
    if not request_id or len(request_id) > 64:
        raise InputError(
            "bolus request refused", [Problem("request_id", "1 to 64 characters, unique")]
        )
    return port.request_demand(request_id, now_s)


@dataclass(frozen=True)
class DiaryNote:
    at_s: float
    pain_nrs: int | None
    spasm: int | None
    note: str


def diary_note(at_s: float, pain_nrs: int | None, spasm: int | None, note: str) -> DiaryNote:
    problems = []
    for name, value in (("pain_nrs", pain_nrs), ("spasm", spasm)):
        if value is not None and not NRS_RANGE[0] <= value <= NRS_RANGE[1]:
            problems.append(Problem(name, f"{value} is outside 0-10 (0 = none, 10 = worst)"))
    if len(note) > 2000:
        problems.append(Problem("note", "at most 2000 characters"))
    if pain_nrs is None and spasm is None and not note.strip():
        problems.append(Problem("note", "write something, or give a pain or spasm score"))
    if problems:
        raise InputError("diary entry refused", problems)
    return DiaryNote(at_s, pain_nrs, spasm, note.strip())
