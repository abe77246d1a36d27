"""Clinic use cases over the programmer services, behind a unit-of-work port: the
worklist ranking, and patients, implants, programming, refills, trials, alarms and
users run the same way from the web, the API, the CLI and the demo seed."""

from thecal.services.clinic.base import Readers, Wiring, can_see
from thecal.services.clinic.clinic import Clinic
from thecal.services.clinic.ports import ImplantInput, Principal, UnitOfWork

__all__ = [
    "Clinic",
    "ImplantInput",
    "Principal",
    "Readers",
    "UnitOfWork",
    "Wiring",
    "can_see",
]
