"""Issue 23, found by bench/logins.py: 128 concurrent bad logins were answered 26 times
with 409 (two failures for one account wrote its count at once, and the database
refused one), and those failures were never counted. Now each is counted in a unit of
work of its own, retried on a collision: on a real database (SQLite and PostgreSQL),
every wrong password answered "wrong" is one more on the account's count."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from thecal.core.errors import TooManyAttempts


def test_every_concurrent_failure_is_counted_and_none_is_a_conflict(world):
    clinic = world.clinic

    def bad(i: int) -> str:
        try:
            result = clinic.accounts.login("nurse", f"wrong-{i}", time.time())
        except TooManyAttempts:
            return "locked"
        return "wrong" if result is None else "in"

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(bad, range(32)))
    assert set(answers) <= {"wrong", "locked"}  # no Conflict escaped, nobody got in
    with world.db.reads() as db:
        from thecal.adapters.db.models import LoginThrottleRow

        row = db.get(LoginThrottleRow, "account:nurse")
    assert row.failures == answers.count("wrong") >= 5
