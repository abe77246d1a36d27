"""When a pump delivered nothing, read from its alarm history.

The therapy timeline drew the programmed dose on, unbroken, through 67 days of an
empty pump: the dose lane is the program, and nothing on the chart said the patient
got none of it. An alarm whose condition holds delivery at zero (data/alarms.toml
`stops_delivery`: an empty reservoir, end of service, a motor stall, a valve that did
not open, a failed self-test) marks a span from its onset to its clearing, or to
`until_s` while it is still on; spans that touch or overlap are one. A suspension by
the clinician raises no alarm until it is prolonged and is not a span here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from thecal.core.pump.alarm_table import AlarmTable


class AlarmInterval(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def onset_s(self) -> float: ...
    @property
    def cleared_s(self) -> float | None: ...


@dataclass(frozen=True)
class NoDelivery:
    start_s: float
    end_s: float
    codes: tuple[str, ...]  # the alarms that held delivery at zero, in onset order
    ongoing: bool  # an alarm of it is still on at `until_s`


def no_delivery_spans(
    alarms: Iterable[AlarmInterval], table: AlarmTable, until_s: float
) -> tuple[NoDelivery, ...]:
    stopping = sorted(
        (a for a in alarms if a.code in table.alarms and table.alarms[a.code].stops_delivery),
        key=lambda a: a.onset_s,
    )
    out: list[NoDelivery] = []
    for a in stopping:
        if a.onset_s >= until_s:
            continue
        on = a.cleared_s is None or a.cleared_s > until_s
        end = until_s if on else max(a.onset_s, float(a.cleared_s or a.onset_s))
        if out and a.onset_s <= out[-1].end_s:
            last = out[-1]
            codes = last.codes if a.code in last.codes else (*last.codes, a.code)
            out[-1] = NoDelivery(last.start_s, max(last.end_s, end), codes, last.ongoing or on)
        else:
            out.append(NoDelivery(a.onset_s, end, (a.code,), on))
    return tuple(out)
