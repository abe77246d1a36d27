"""The emulated pump's state as bytes, and back: a clinic database row, or the
emulator process's snapshot file.

The firmware state is a tree of frozen dataclasses and tuples; it is stored as a
pickle with the pump model and the drug library taken out (they are shared and
restored from the catalogue and the verified library), under a SHA-256 that is
checked before anything is unpickled. Both stores are thecal's own trusted files;
a blob whose digest does not match is refused, never loaded.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import replace

from thecal.adapters.pump.flow import FlowRecord
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import ThecalError
from thecal.core.pump.models import PumpModel
from thecal.core.pump.state import PumpState

FORMAT = b"thecal-pump-state-1\n"


class CorruptPumpState(ThecalError):
    """A stored pump state does not match its digest."""


def dump_state(state: PumpState) -> tuple[bytes, str]:
    bare = state._replace(model=None, library=None)  # type: ignore[arg-type]
    blob = FORMAT + pickle.dumps(bare, protocol=5)
    return blob, hashlib.sha256(blob).hexdigest()


def load_state(blob: bytes, sha256: str, model: PumpModel, library: DrugLibrary) -> PumpState:
    if hashlib.sha256(blob).hexdigest() != sha256 or not blob.startswith(FORMAT):
        raise CorruptPumpState("the stored pump state does not match its digest: refused")
    state: PumpState = pickle.loads(blob[len(FORMAT) :])
    # The cached derivations are recomputed from the stored facts, so a blob written
    # before a cache was added (its field then takes the default) loads exactly.
    return state._replace(model=model, library=library).with_levels()


FLOW_FORMAT = b"thecal-flow-state-1\n"


def dump_flow(record: FlowRecord) -> tuple[bytes, str]:
    """A constant-flow pump's emulated state and the clinic's ledger, model taken out."""
    bare = replace(record, state=replace(record.state, model=None))  # type: ignore[arg-type]
    blob = FLOW_FORMAT + pickle.dumps(bare, protocol=5)
    return blob, hashlib.sha256(blob).hexdigest()


def load_flow(blob: bytes, sha256: str, model: PumpModel) -> FlowRecord:
    if hashlib.sha256(blob).hexdigest() != sha256 or not blob.startswith(FLOW_FORMAT):
        raise CorruptPumpState("the stored pump state does not match its digest: refused")
    record: FlowRecord = pickle.loads(blob[len(FLOW_FORMAT) :])
    return replace(record, state=replace(record.state, model=model))
