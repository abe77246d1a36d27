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
