"""How many wrong passwords an account, an address or a second person may give before
they must wait (issue 23): a few are free, then each failure locks the key for twice
as long as the last, up to a ceiling - numbers from policy data ([login]). Pure: the
use cases pass the stored attempts and the time, and store what comes back."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.safety import Policy


@dataclass(frozen=True)
class Attempts:
    key: str  # "account:NAME", "address:IP" or "verifier:NAME"
    failures: int
    locked_until_s: float | None


def seconds_locked(a: Attempts | None, now_s: float) -> float:
    """How long `a`'s key must still wait (0: it may try)."""
    if a is None or a.locked_until_s is None:
        return 0.0
    return max(0.0, a.locked_until_s - now_s)


def after_failure(a: Attempts | None, key: str, now_s: float, policy: Policy) -> Attempts:
    """The attempts once one more failure is counted: free ones lock nothing (an address,
    shared by a clinic's staff, has more of them); the n-th failure beyond them locks
    for base x 2^(n-1), never more than the ceiling."""
    failures = (a.failures if a is not None else 0) + 1
    login = policy.login
    free = login.free_failures_address if key.startswith("address:") else login.free_failures
    beyond = failures - free
    if beyond <= 0:
        return Attempts(key, failures, None)
    lock_s = min(
        policy.login.lock_base_s * 2.0 ** (beyond - 1),
        policy.login.lock_max_s,
    )
    return Attempts(key, failures, now_s + lock_s)
