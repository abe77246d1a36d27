"""One programming or refill session run to its end outside the clinic (the
standalone programmer: `thecal session run`): the same session objects the clinic's
gate drives, the same review, blockers, digest-bound confirmation and read-back.

The standalone programmer keeps no accounts, so the second person is a name given by
the user; in the clinic the use case authenticates them (services/clinic/gate.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from thecal.core.errors import Refused
from thecal.core.safety import Finding
from thecal.services.programmer import ProgrammingSession
from thecal.services.proposal import Proposal
from thecal.services.refill import RefillSession
from thecal.services.vocabulary import RefillRecord, SessionRecord


@dataclass(frozen=True)
class NamedSignoff:
    acknowledgements: Mapping[str, str] = field(default_factory=dict)
    verifier: str | None = None
    reviewed_digest: str | None = None  # what the user confirms: a review seen before
    confirm_shown: bool = False  # or the review shown in this run (--confirm)


@dataclass(frozen=True)
class SessionOutcome:
    proposal: Proposal
    blockers: list[Finding]  # what stood between the proposal and the pump, as signed
    record: SessionRecord | RefillRecord | None  # None for a check that sent nothing


def run_session(
    session: ProgrammingSession | RefillSession, s: NamedSignoff, now_s: float, send: bool
) -> SessionOutcome:
    """Sign the session's proposal and, when `send`, commit it; a refusal closes the
    session incomplete, its record saying why and what the pump still runs."""
    p = session.proposal
    assert p is not None
    for code, reason in sorted(s.acknowledgements.items()):
        if any(f.code == code for f in p.findings):
            session.acknowledge(code, session.user, reason, now_s)
    if s.verifier is not None:
        session.verify(s.verifier, now_s)
    if not send:
        return SessionOutcome(p, session.blockers(), None)
    digest = p.digest if s.confirm_shown else s.reviewed_digest
    try:
        if digest is not None:
            session.confirm(now_s, digest)
        blockers = session.blockers()
        record = session.commit(now_s)
    except Refused as refused:
        record = session.record(now_s)
        record["refused"] = [f.as_dict() for f in refused.findings]  # type: ignore[attr-defined]
        return SessionOutcome(p, list(refused.findings), record)  # type: ignore[arg-type]
    return SessionOutcome(p, blockers, record)
