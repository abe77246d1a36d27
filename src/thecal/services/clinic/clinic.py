"""The clinic's use cases, wired in one place: one object per area of the clinic's
work, each with the same unit-of-work port, data and policy, so the web UI, the REST
API, the CLI and the demo seed all call `clinic.therapy.commit_program(...)` and the
like, never the database (issue 27: this was one object of ten mixins, 53 methods).

`Clinic(Wiring(uow_factory, catalogue, library, policy, readers, scs_catalogue))`;
the composition root (`adapters.db.bootstrap`) wires the SQLAlchemy unit of work,
the service tests an in-memory one. The wiring is said once (base.py `Wiring`).
"""

from __future__ import annotations

from thecal.services.clinic.accounts import Accounts
from thecal.services.clinic.base import Wiring
from thecal.services.clinic.booking import Booking
from thecal.services.clinic.care import Care
from thecal.services.clinic.devices import Devices
from thecal.services.clinic.pathway import Pathway
from thecal.services.clinic.scs import Stimulation
from thecal.services.clinic.surgery import Surgery
from thecal.services.clinic.therapy import Therapy
from thecal.services.clinic.trials import Trials
from thecal.services.clinic.users import UserAdmin


class Clinic:
    """Patients and their records (`care`), pump readings, faults and alarms
    (`devices`), implants and replacements (`surgery`), programs, boluses and refills
    (`therapy`), trials (`trials`), the care pathway (`pathways`), spinal cord
    stimulators (`stimulation`), logins (`accounts`), user administration
    (`user_admin`) and refill appointments (`booking`)."""

    def __init__(self, wiring: Wiring) -> None:
        self.care = Care(wiring)
        self.devices = Devices(wiring)
        self.surgery = Surgery(wiring)
        self.therapy = Therapy(wiring)
        self.trials = Trials(wiring)
        self.pathways = Pathway(wiring)
        self.stimulation = Stimulation(wiring)
        self.accounts = Accounts(wiring)
        self.user_admin = UserAdmin(wiring)
        self.booking = Booking(wiring)
        # what the screens read beside the use cases: the data the rules run on
        self.catalogue, self.library, self.policy = wiring.catalogue, wiring.library, wiring.policy
