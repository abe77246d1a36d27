"""thecal: an open, vendor-neutral intrathecal drug delivery system in Python.

Reference and teaching software, not a medical device. The public names below are
the stable entry points; everything else may move.
"""

from thecal.core.errors import (
    CatalogueError,
    InputError,
    InvalidTransition,
    Problem,
    ThecalError,
    UnitError,
)
from thecal.core.pump import initial_state, step
from thecal.core.scenario import Scenario
from thecal.data import drug_library, pump_catalogue
from thecal.services.simulate import SimulationResult, simulate

__all__ = [
    "CatalogueError",
    "InputError",
    "InvalidTransition",
    "Problem",
    "Scenario",
    "SimulationResult",
    "ThecalError",
    "UnitError",
    "drug_library",
    "initial_state",
    "pump_catalogue",
    "simulate",
    "step",
]
