"""The worklist page as a read model kept per version of the clinic's data.

Every request used to read the worklist afresh: five indexed queries, a count and
100 items built, ~10 ms that 16 clients queue behind. Between two writes the page
can only change with time, and the worklist's time is days (due soon, overdue,
"in 12 d"), so a page is computed at most once per `worklist.recompute_s` of clinic
time and per version of the data (`read_model_version`, which every committed unit
of work advances in its own transaction). A request then costs one primary-key read
of the version, in the same statement as its login session (auth.request_snapshot),
and the page's JSON is encoded once. The page served is exactly `worklist_page` at
the start of the current interval of clinic time: what a clinician sees can be that
many seconds old in its day counts, never older than the last write.

The version is read before the page's own queries, so a write that lands between
them is in the page and the page is stored under the older version, which no later
request asks for: nothing written can be hidden by the cache. One cache per
process; workers share nothing but the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.kept import Kept
from thecal.adapters.db.models import ReadModelVersion
from thecal.adapters.db.queries import Page, worklist_page
from thecal.core.safety import Policy

Key = tuple[int, float, int, int]  # version, interval start, offset, limit


def read_model_version(db: Session) -> int:
    return int(db.scalar(select(ReadModelVersion.n).where(ReadModelVersion.id == 1)) or 0)


@dataclass(frozen=True)
class KeptPage:
    page: Page
    body: bytes  # the page as the API sends it, encoded once


class WorklistPages:
    KEPT = 64  # pages: a few per version, a few versions

    def __init__(self, policy: Policy, encode: Callable[[Page], bytes]) -> None:
        self._policy = policy
        self._encode = encode
        self._interval_s = policy.worklist.recompute_s
        self._pages: Kept[Key, KeptPage] = Kept(self.KEPT)

    def at(self, now_s: float) -> float:
        """The start of the interval of clinic time that holds `now_s`."""
        return math.floor(now_s / self._interval_s) * self._interval_s

    def kept(self, version: int, now_s: float, offset: int, limit: int) -> KeptPage | None:
        """The page if this process holds it: no database, so the event loop may ask."""
        return self._pages.get((version, self.at(now_s), offset, limit))

    def page(self, db: Session, version: int, now_s: float, offset: int, limit: int) -> KeptPage:
        """The kept page, or computed now (once, however many requests miss together).
        `version` must have been read before this call (with the request's principal,
        auth.request_snapshot)."""
        at = self.at(now_s)

        def compute() -> KeptPage:
            fresh = worklist_page(db, at, self._policy, offset, limit)
            return KeptPage(fresh, self._encode(fresh))

        return self._pages.get_or_compute((version, at, offset, limit), compute)
