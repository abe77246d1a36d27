"""The one gate: every change to what a pump holds or delivers - a first fill, a
replacement, an explant, a refill, a program, a programmer bolus - passes the same
transaction, on every route (web, API, CLI, demo seed, import):

    interrogate -> propose -> every rule in its context -> side-by-side review (24 h
    dose per drug, % change) -> acknowledgements of soft findings -> an authenticated
    second person where the rules ask -> confirmation naming the digest of the review
    -> one atomic command -> read back by digest -> record and audit.

A web request cannot hold a session open between clicks, so each request replays the
session from the pump. The confirmation names the digest of the review the clinician
saw (services/proposal.py): if anything - a field, the pump's program - differs, the
proposal's digest differs and the commit is refused with a fresh review. Roles and the
second person are checked here, in the use cases, never only in the web layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from thecal.core.errors import InputError, Problem, Refused
from thecal.core.pump.program import DrugConcentration, program_digest
from thecal.core.safety import Finding
from thecal.services.clinic.permissions import VERIFIERS
from thecal.services.clinic.ports import Principal, UnitOfWork
from thecal.services.proposal import Proposal, blockers

F = TypeVar("F", bound=Callable[..., Any])

# Every use case that changes what a pump holds or delivers, by name: the no-side-door
# tests (tests/services/test_gate.py) read it, find by themselves any other code that
# could reach a pump, and drive every route here with the same proposals.
THERAPY_CHANGES: dict[str, str] = {}


def therapy_change(permission: str) -> Callable[[F], F]:
    """Mark a use case as a route through the gate, with the permission it checks."""

    def mark(fn: F) -> F:
        THERAPY_CHANGES[fn.__name__] = permission
        return fn

    return mark


@dataclass(frozen=True)
class SecondPerson:
    """The second person's own credentials, given here and now (F28, DD-10)."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Signoff:
    """The clinician's decisions on the review: soft findings acknowledged with reasons,
    the second person, and the confirmation - the digest of the review confirmed."""

    acknowledgements: Mapping[str, str] = field(default_factory=dict)  # code -> reason
    verifier: SecondPerson | None = None
    reviewed_digest: str | None = None


class Signable(Protocol):
    """A session with a proposal to sign: programming, refill, or a device review."""

    proposal: Proposal | None

    def acknowledge(self, code: str, user: str, reason: str, now_s: float) -> None: ...
    def verify(self, user: str, now_s: float) -> None: ...
    def confirm(self, now_s: float, digest: str) -> None: ...


@dataclass(frozen=True)
class Review:
    """What a check answers: the proposal (findings, diff, doses, who must sign, the
    digest to confirm), what still blocks it, and the therapy version it was drawn
    from (what the commit's expected_version must name)."""

    proposal: Proposal
    blockers: list[Finding]
    therapy_version: int

    @property
    def digest(self) -> str:
        return self.proposal.digest


def second_person(uow: UnitOfWork, who: Principal, verifier: SecondPerson | None) -> str | None:
    """The verifier, authenticated by their own password and role, never `who`."""
    if verifier is None:
        return None
    user = uow.users.authenticate(verifier.username, verifier.password)
    if user is None or user.role not in VERIFIERS:
        raise InputError(
            "verification refused",
            [Problem("verifier", "unknown user, wrong password, or a role that cannot verify")],
        )
    if user.username == who.username:
        raise InputError(
            "verification refused",
            [Problem("verifier.username", "the second person must be someone else")],
        )
    return user.username


def sign(
    session: Signable, who: Principal, s: Signoff, verifier: str | None, now_s: float
) -> None:
    """Apply the sign-off to the session's proposal: acknowledgements of findings it
    has (others are ignored: a form may carry a reason for a finding that has gone),
    the second person `verifier` (already authenticated by the use case:
    ClinicBase._second_person), and the confirmation by digest (refused if it differs)."""
    proposal = session.proposal
    assert proposal is not None
    for code, reason in sorted(s.acknowledgements.items()):
        if any(f.code == code for f in proposal.findings):
            session.acknowledge(code, who.username, reason, now_s)
    if verifier is not None:
        session.verify(verifier, now_s)
    if s.reviewed_digest is not None:
        session.confirm(now_s, s.reviewed_digest)


@dataclass
class DeviceReview:
    """A proposal with no running pump to send it through yet (a first fill, a new
    pump) or with nothing to send (an explant): signed like any session."""

    user: str
    proposal: Proposal | None
    log: list[dict[str, Any]] = field(default_factory=list)

    def acknowledge(self, code: str, user: str, reason: str, now_s: float) -> None:
        self._proposal().acknowledge(code, user, reason, now_s)
        self.log.append({"t": now_s, "event": "acknowledged", "code": code, "user": user})

    def verify(self, user: str, now_s: float) -> None:
        self._proposal().verify(self.user, user)
        self.log.append({"t": now_s, "event": "verified", "user": user})

    def confirm(self, now_s: float, digest: str) -> None:
        self._proposal().confirm(digest)
        self.log.append({"t": now_s, "event": "confirmed", "review": digest})

    def blockers(self) -> list[Finding]:
        return blockers(self._proposal())

    def answer(self, therapy_version: int) -> Review:
        """What a check answers for this review."""
        return Review(self._proposal(), self.blockers(), therapy_version)

    def require_clear(self, what: str) -> None:
        """Refused, naming every blocker, unless the review may proceed."""
        refused = self.blockers()
        if refused:
            raise Refused(f"{what} refused: " + ", ".join(f.code for f in refused), tuple(refused))

    def _proposal(self) -> Proposal:
        assert self.proposal is not None
        return self.proposal


def fluid_record(fluid: tuple[DrugConcentration, ...]) -> list[dict[str, Any]]:
    """A fluid as the audit row and the refill record store it: each drug's name and
    strength."""
    return [{"name": d.name, "concentration_mcg_per_ml": d.concentration_mcg_per_ml}
            for d in fluid]  # fmt: skip


def change_payload(
    kind: str,
    patient_id: int,
    record: Mapping[str, Any],
    fluid: tuple[DrugConcentration, ...] | None,
    **extra: Any,
) -> dict[str, Any]:
    """The audit row of a therapy change tells the whole change (issue 22 item 7): the
    program digest before and after, the fluid, the findings acknowledged and who
    verified, and the review the confirmation named."""
    return {
        "patient_id": patient_id,
        "kind": kind,
        "status": record.get("status"),
        "review_digest": record.get("review_digest"),
        "before_digest": record.get("before_digest"),
        "after_digest": record.get("after_digest"),
        "fluid": fluid_record(fluid or ()),
        "acknowledgements": [
            {"code": a["code"], "rule_id": a["rule_id"], "user": a["user"], "reason": a["reason"]}
            for a in record.get("acknowledgements", [])
        ],
        "verified_by": record.get("verified_by"),
        "findings": sorted({f["code"] for f in record.get("findings", [])}),
        **extra,
    }


def after_digest(program: Any) -> str | None:
    return program_digest(program) if program is not None else None
