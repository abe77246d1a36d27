"""Wrong passwords counted without losing one when many arrive at once (issue 23).

A failure is written in a unit of work of its own, after the password was checked, so
no transaction stays open over a slow hash. Two failures for one account at the same
moment both read its count and both write it: the database refuses one (a unique key,
or a writer's lock), which the unit of work reports as a Conflict. That failure is read
and written again, a few times, instead of being lost - or answered as a 409, which is
no answer to a login.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from thecal.core.errors import Conflict
from thecal.core.safety import Policy
from thecal.services.clinic.ports import UnitOfWork
from thecal.services.clinic.throttle import after_failure

TRIES = 8  # each try re-reads the count: a few collisions at most per burst


def with_retries(uow: Callable[[], UnitOfWork], work: Callable[[UnitOfWork], None]) -> None:
    """`work` in a fresh unit of work, committed; again on a Conflict, up to TRIES."""
    for attempt in range(TRIES):
        try:
            with uow() as u:
                work(u)
                u.commit()
            return
        except Conflict:
            if attempt == TRIES - 1:
                raise


def count_failure(
    uow: Callable[[], UnitOfWork],
    keys: Sequence[str],
    wall_s: float,
    policy: Policy,
    audit: tuple[Any, ...],
) -> None:
    """One more failure on each key (account, address, second person), and its audit
    row (`audit` is Audit.append's arguments)."""

    def work(u: UnitOfWork) -> None:
        for k in keys:
            u.throttle.put(after_failure(u.throttle.get(k), k, wall_s, policy))
        u.audit.append(*audit)

    with_retries(uow, work)


def audited(uow: Callable[[], UnitOfWork], audit: tuple[Any, ...]) -> None:
    """An audit row on its own (a refusal while locked), written however busy."""
    with_retries(uow, lambda u: u.audit.append(*audit))
