"""The clinic's use cases in one place, behind one unit-of-work port: the web UI,
the REST API, the CLI and the demo seed all call these, never the database.

`Clinic(uow_factory, catalogue, library, policy, readers, scs_catalogue)`; the composition root
(`adapters.db.bootstrap`) wires the SQLAlchemy unit of work, the service tests an
in-memory one.
"""

from __future__ import annotations

from thecal.services.clinic.accounts import Accounts
from thecal.services.clinic.booking import Booking
from thecal.services.clinic.care import Care
from thecal.services.clinic.devices import Devices
from thecal.services.clinic.pathway import Pathway
from thecal.services.clinic.scs import Stimulation
from thecal.services.clinic.surgery import Surgery
from thecal.services.clinic.therapy import Therapy
from thecal.services.clinic.trials import Trials
from thecal.services.clinic.users import UserAdmin


class Clinic(Care, Devices, Surgery, Therapy, Trials, Stimulation, Pathway, Accounts,
             UserAdmin, Booking):  # fmt: skip
    """Patients, implants, pumps, programs, refills, trials, the care pathway, spinal
    cord stimulators, alarms and users."""
