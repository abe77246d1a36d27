"""The emulated pump's state as bytes, and back: a clinic database row.

Plain data (format 2): the state tree as JSON by its own type annotations
(state_codec.py), the pump model and the drug library taken out (shared, restored
from the catalogue and the verified library), under a SHA-256 checked before anything
is read. A stored document can build only the types a pump state is made of: write
access to the database is no longer code execution (issue 23). Format 1 (a pickle)
is never loaded here: migration 0011 converts old rows once (`legacy_to_document`).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import replace

from thecal.adapters.pump.flow import FlowRecord
from thecal.adapters.pump.state_codec import decode, encode
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import ThecalError
from thecal.core.pump.models import PumpModel
from thecal.core.pump.state import PumpState

SCHEMA = 2
FORMAT = b"thecal-pump-state-2\n"
FLOW_FORMAT = b"thecal-flow-state-2\n"
LEGACY = {b"thecal-pump-state-1\n": FORMAT, b"thecal-flow-state-1\n": FLOW_FORMAT}


class CorruptPumpState(ThecalError):
    """A stored pump state does not match its digest or its schema."""


def _dump(header: bytes, value: object) -> tuple[bytes, str]:
    body = json.dumps({"schema": SCHEMA, "state": encode(value)}, allow_nan=False,
                      separators=(",", ":"))  # fmt: skip
    blob = header + body.encode("utf-8")
    return blob, hashlib.sha256(blob).hexdigest()


def _load(blob: bytes, sha256: str, header: bytes, tp: type) -> object:
    if hashlib.sha256(blob).hexdigest() != sha256 or not blob.startswith(header):
        raise CorruptPumpState(
            "the stored pump state does not match its digest or format: refused (a state "
            "stored by an older thecal needs `thecal db upgrade`)"
        )
    try:
        doc = json.loads(blob[len(header) :])
        if doc.get("schema") != SCHEMA:
            raise CorruptPumpState(f"pump state schema {doc.get('schema')!r}, not {SCHEMA}")
        return decode(tp, doc["state"])
    except (ValueError, KeyError, AttributeError, ThecalError) as exc:
        raise CorruptPumpState(f"the stored pump state cannot be read: {exc}") from None


def dump_state(state: PumpState) -> tuple[bytes, str]:
    return _dump(FORMAT, state)


def load_state(blob: bytes, sha256: str, model: PumpModel, library: DrugLibrary) -> PumpState:
    state = _load(blob, sha256, FORMAT, PumpState)
    assert isinstance(state, PumpState)
    # The cached derivations are recomputed from the stored facts.
    return state.changed(model=model, library=library)  # re-derives the cached levels


def dump_flow(record: FlowRecord) -> tuple[bytes, str]:
    """A constant-flow pump's emulated state and the clinic's ledger, model taken out."""
    return _dump(FLOW_FORMAT, record)


def load_flow(blob: bytes, sha256: str, model: PumpModel) -> FlowRecord:
    record = _load(blob, sha256, FLOW_FORMAT, FlowRecord)
    assert isinstance(record, FlowRecord)
    return replace(record, state=replace(record.state, model=model))


def legacy_to_document(blob: bytes) -> tuple[bytes, str] | None:
    """A format-1 (pickled) blob as format 2, for migration 0011 only: it reads rows the
    clinic itself wrote before the upgrade. None for a blob that is not format 1."""
    for old, new in LEGACY.items():
        if blob.startswith(old):
            value = pickle.loads(blob[len(old) :])
            return _dump(new, value)
    return None
