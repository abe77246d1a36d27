"""One error tree for thecal, so callers catch by meaning, not by module.

    ThecalError
    ├── InputError            bad input: carries every problem with its field path
    │   └── UnitError         a quantity with a missing or wrong dimension
    ├── CatalogueError        the shipped drug library or pump catalogue is invalid
    ├── InvalidTransition     a command the pump cannot take in its present state
    ├── Refused               a safety check refused a proposal; carries the findings
    ├── LinkError             the telemetry link dropped; the command's fate is unknown
    │   ├── UncertainOutcome  a write's answer was lost: interrogate before anything else
    │   └── NotPaired         no link key for this pump: pair it first
    ├── BadFrame              a telemetry frame that fails its checks (never acted on)
    │   └── Unauthentic       a sealed frame that does not open with the link key
    ├── NotFound              no such record visible to the asker (HTTP 404)
    ├── Forbidden             the role does not allow it (HTTP 403)
    ├── Conflict              someone else changed the record since it was read (409)
    ├── TooManyAttempts       wrong passwords: wait retry_after_s (429)
    ├── MissingExtra          an optional part (PostgreSQL, Dask) is not installed
    ├── JournalCorrupt        adapters/telemetry/journal.py: the emulator's journal is damaged
    ├── CorruptPumpState      adapters/pump/state_blob.py: a stored pump state fails its digest
    ├── StateDocumentError    adapters/pump/state_codec.py: a stored state does not fit its type
    ├── NotAuthenticated      entrypoints/web/security.py: no valid session (HTTP 401)
    └── CsrfError             entrypoints/web/security.py: a state change without its token

The last five live outside this module: each belongs to one adapter or entry point
and is raised only there. tests/unit/test_error_tree.py fails
when a ThecalError subclass anywhere in thecal is missing from this tree, or when
thecal defines an exception outside it.

Every message says what was wrong, where (the field path) and what is accepted.
Nothing that raises has applied anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (dotted path, [i] for items) and why."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ThecalError(Exception):
    """Root of every error thecal raises on purpose."""


class InputError(ThecalError):
    """An input was refused whole; `problems` lists every reason, each with its path."""

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        detail = "; ".join(f"{p.path}: {p.message}" for p in self.problems)
        super().__init__(f"{message}: {detail}" if detail else message)
        self.message = message


class UnitError(InputError):
    """A quantity whose unit is missing or of the wrong dimension."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__("invalid quantity", [Problem(path, message)])


class CatalogueError(ThecalError):
    """The drug library or pump catalogue data is incomplete or inconsistent."""


class InvalidTransition(ThecalError):
    """A command that the pump's present state does not allow."""


class Refused(ThecalError):
    """A proposal was refused by hard or unacknowledged findings; nothing was sent."""

    def __init__(self, message: str, findings: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


class LinkError(ThecalError):
    """The link to the pump dropped: what was sent may or may not have been applied,
    and only an interrogation can tell (SR-34)."""


class UncertainOutcome(LinkError):
    """A write's answer never came back after every retry with the same command id:
    it may have been applied. The adapter refuses every further write until an
    interrogation has told which (SR-34); nothing is re-sent blind."""

    def __init__(self, message: str, command_id: str) -> None:
        super().__init__(message)
        self.command_id = command_id


class BadFrame(ThecalError):
    """A telemetry frame that fails its checks (magic, version, length, CRC, JSON):
    the receiver drops it and acts on nothing in it."""


class Unauthentic(BadFrame):
    """A sealed frame that does not open with the receiver's link key: forged, sent
    with another key, or damaged. Acted on no more than a damaged frame."""


class NotPaired(LinkError):
    """This programmer holds no link key for the pump: pair it (at implant, or again
    with the physical step in docs/telemetry.md) before anything but a ping."""


class NotFound(ThecalError):
    """The record asked for does not exist (or is not visible to the asker)."""


class Forbidden(ThecalError):
    """The user's role does not allow this."""


class Conflict(ThecalError):
    """Someone else changed the record since it was read: nothing was written; reload."""


class TooManyAttempts(ThecalError):
    """Too many wrong passwords for this account, address or second person: wait
    `retry_after_s` seconds, or ask an admin to lift the lock (issue 23)."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class MissingExtra(ThecalError):
    """What was asked needs an optional part of thecal that is not installed; the
    message names the extra and the command that installs it."""

    def __init__(self, needed_for: str, extra: str) -> None:
        super().__init__(
            f"{needed_for} needs the optional '{extra}' part of thecal, which is not "
            f"installed: pip install 'thecal[{extra}]' (make setup installs every part)"
        )
        self.extra = extra
