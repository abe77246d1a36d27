"""What a demand request is answered (pump-behaviour.md §7): the checks in order,
the event that says so, and a run of requests after end of service.

After end of service the pump is dead for good: nothing is delivered, no check can
pass, and a pump already past its ERI with no bolus running and no MRI stall has
nothing left to log. Stepping each request there still built a state per request
(years of them in a 10- or 100-year simulation: most of its cost); here the run is
one advance and one state, every new request refused for the one reason a dead
pump has, a repeated id answered as the first time.
"""

from __future__ import annotations

from collections.abc import Sequence

from thecal.core.pump.advance import advance
from thecal.core.pump.demand_rule import demand_denial
from thecal.core.pump.events import Event
from thecal.core.pump.state import DemandVerdict, PumpState

# (t, request id) in time order
Requests = Sequence[tuple[float, str]]


def demand_event(t: float, request_id: str, answer: DemandVerdict) -> Event:
    if answer.reason is None:
        return Event(t, "demand", (("id", request_id), ("result", answer.result)))
    return Event(
        t, "demand", (("id", request_id), ("result", answer.result), ("reason", answer.reason))
    )


def refused_after_end_of_service(
    s: PumpState, requests: Requests
) -> tuple[PumpState, list[Event]] | None:
    """The state and events after `requests` for a pump past end of service, or None
    where something could still happen (no ERI yet: a midnight check would log it; a
    bolus still to end; an MRI stall to clear) and stepping must tell."""
    if not (s.eos and s.eri) or s.boluses or s.stall_causes:
        return None
    reason = demand_denial(s)
    after, logged = advance(s, requests[-1][0])
    if reason is None or logged:
        return None
    refused = DemandVerdict("denied", reason)
    fields = (("result", "denied"), ("reason", reason))
    known_get = s.answers.known([request_id for _, request_id in requests]).get
    new: dict[str, DemandVerdict] = {}
    out: list[Event] = []
    make = tuple.__new__  # Event(...) without NamedTuple's Python-level __new__
    for t, request_id in requests:
        answer = new.get(request_id) or known_get(request_id)
        if answer is not None:
            out.append(demand_event(t, request_id, answer))
            continue
        new[request_id] = refused
        out.append(make(Event, (t, "demand", (("id", request_id), *fields))))
    return after.changed(answers=s.answers.add_all(new.items())), out
