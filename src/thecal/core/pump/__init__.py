"""The implanted pump: catalogue models, programs, and the pure firmware `step`."""

from thecal.core.pump.commands import (
    ApplyProgram,
    DemandRequest,
    Environment,
    Fault,
    MriExposure,
    Refill,
    Resume,
    StartBolus,
    Suspend,
    Tick,
    ValveReset,
)
from thecal.core.pump.events import Event
from thecal.core.pump.firmware import initial_state, step
from thecal.core.pump.models import PumpCatalogue, PumpModel
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
    compile_program,
    validate_program,
)
from thecal.core.pump.state import PumpState

__all__ = [
    "Amount",
    "ApplyProgram",
    "DemandBolus",
    "DemandRequest",
    "DrugConcentration",
    "Environment",
    "Event",
    "Fault",
    "MriExposure",
    "PeriodicBolus",
    "Program",
    "PumpCatalogue",
    "PumpModel",
    "PumpState",
    "Refill",
    "Resume",
    "StartBolus",
    "Step",
    "Suspend",
    "Tick",
    "ValveReset",
    "compile_program",
    "initial_state",
    "step",
    "validate_program",
]
