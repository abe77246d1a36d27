"""The clinic app built from the environment, for `uvicorn --factory` and for
`thecal serve --workers N` (each worker process builds its own):
THECAL_DATABASE_URL, THECAL_PUMP_LINK / THECAL_TELEMETRY_PUMPS, THECAL_SECURE_COOKIES
(on unless "0") and the clinic clock stored in the database (the demo's accelerated
clock included)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db.engine import database_url
from thecal.adapters.pump.links import links_from_environment
from thecal.entrypoints.cli.clinic_impl import open_clinic, stored_clock
from thecal.entrypoints.web import create_app


def app_from_environment() -> FastAPI:
    clinic = open_clinic(database_url(None), links_from_environment())
    clock = stored_clock(clinic) or ClinicClock.real_time()
    secure = os.environ.get("THECAL_SECURE_COOKIES", "1") != "0"
    return create_app(clinic, clock, speed=clock.speed, secure_cookies=secure)
