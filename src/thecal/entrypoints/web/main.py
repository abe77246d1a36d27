"""The clinic app built from the environment, for `uvicorn --factory` and for
`thecal serve --workers N` (each worker process builds its own):
THECAL_DATABASE_URL, THECAL_PUMP_LINK / THECAL_TELEMETRY_PUMPS, THECAL_SECURE_COOKIES
(on unless "0"), THECAL_TIME_ZONE and the clinic clock stored in the database (the
demo's accelerated clock included). `thecal serve` builds its one-process app from
the same pieces; the web never imports the CLI."""

from __future__ import annotations

import os

from fastapi import FastAPI

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db.bootstrap import bootstrap
from thecal.adapters.db.engine import database_url
from thecal.adapters.db.setup import stored_clock
from thecal.adapters.pump.links import links_from_environment
from thecal.entrypoints.web import create_app


def time_zone_from_environment() -> str:
    """The clinic's time zone (an IANA name; create_app refuses one it does not know)."""
    return os.environ.get("THECAL_TIME_ZONE", "UTC")


def app_from_environment() -> FastAPI:
    clinic = bootstrap(database_url(None), links_from_environment())
    clock = stored_clock(clinic) or ClinicClock.real_time()
    secure = os.environ.get("THECAL_SECURE_COOKIES", "1") != "0"
    return create_app(clinic, clock, speed=clock.speed, secure_cookies=secure,
                      time_zone=time_zone_from_environment())  # fmt: skip
