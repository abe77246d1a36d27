"""The clinic web service: FastAPI with the REST API under /api (OpenAPI at /docs)
and the server-rendered UI; CSS and JS are served from the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from jinja2 import pass_context

from thecal.adapters.db.bootstrap import ClinicDb
from thecal.adapters.db.patient_records import PatientRecords
from thecal.adapters.db.worklist_pages import WorklistPages
from thecal.adapters.pump.program_codec import program_from_json
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.entrypoints.web import (
    api,
    api_calendar,
    api_devices,
    api_scs,
    api_therapy,
    errors,
    fhir,
    reports,
    ui,
    ui_calendar,
    ui_devices,
    ui_pathway,
    ui_people,
    ui_scs,
    ui_therapy,
    ui_trials,
)
from thecal.entrypoints.web.guards import RequestGuard
from thecal.entrypoints.web.local_time import local_words
from thecal.entrypoints.web.patient_rows import days_figure
from thecal.entrypoints.web.permissions import Permission, allowed, holders
from thecal.services.clinic import words
from thecal.services.program_diff import program_summary

HERE = Path(__file__).parent


PRIORITY_TAGS = {"high": "critical", "medium": "overdue", "low": "soft", "information": "info"}

@pass_context  # read at each render: Jinja would fold a filter of a literal at compile time
def who_may(_: Any, permission: Permission) -> str:
    return holders(permission)


def create_app(
    cdb: ClinicDb,
    clock: Any,
    speed: float = 1.0,
    secure_cookies: bool = False,
    time_zone: str = "UTC",
) -> FastAPI:
    # /docs and /redoc from the assets fastapi-offline ships: no CDN (issue 23)
    app = FastAPIOffline(
        title="thecal clinic",
        description="Reference and teaching software, not a medical device.",
        version="0.1.0",
        favicon_url="/static/favicon.svg",
    )
    app.add_middleware(RequestGuard)
    app.state.clinic = cdb.clinic  # the use cases: every change goes through them
    app.state.db = cdb  # the read models' sessions, and the FHIR import
    app.state.clock = clock
    # this process's worklist pages, kept with the API's encoding of each
    app.state.worklist = WorklistPages(cdb.policy, api.encode_worklist)
    app.state.records = PatientRecords()  # and the patient records it has shown
    app.state.speed = speed
    app.state.secure_cookies = secure_cookies
    app.state.zone = ZoneInfo(time_zone)  # the clinic's: appointments are typed and read in it
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    # what a page offers reads the one permission table the use cases enforce; a
    # permission misspelt fails the render (KeyError), never shows a button by mistake
    app.state.templates.env.filters["can"] = lambda who, permission: allowed(
        permission, who.role
    )
    # and who may, in words, for what a page says to those who may not
    app.state.templates.env.filters["who_may"] = who_may
    # codes in plain words, from one table (services/clinic/words.py)
    app.state.templates.env.filters["alarm_words"] = words.alarm
    # an alarm's IEC 60601-1-8 priority as its tag's colour class (app.css): red high,
    # orange medium, yellow low, blue information, as the worklist's urgencies
    app.state.templates.env.filters["priority_tag"] = lambda p: PRIORITY_TAGS.get(p, "info")
    app.state.templates.env.filters["refill_check_words"] = words.refill_check
    app.state.templates.env.filters["days_figure"] = days_figure
    app.state.templates.env.filters["session_end_words"] = words.session_end
    app.state.templates.env.filters["session_result_words"] = words.session_result
    app.state.templates.env.filters["session_change_words"] = words.session_changes
    app.state.templates.env.filters["settings_changed"] = words.settings_changed
    app.state.templates.env.filters["refill_change_label"] = words.refill_change_label
    app.state.templates.env.filters["reconciliation_tag"] = words.reconciliation_tag
    app.state.templates.env.filters["reconciliation_words"] = lambda row: words.reconciliation(
        row.classification, row.expected_ml
    )
    app.state.templates.env.filters["indication_words"] = words.indication
    app.state.templates.env.filters["pair"] = lambda value: (value, value)  # an <option>
    # a stored ISO time as the clinic reads it, in its own zone
    app.state.templates.env.filters["local_time"] = lambda iso: local_words(
        str(iso), app.state.zone
    )
    app.state.templates.env.filters["bolus_words"] = words.bolus_reason
    app.state.templates.env.filters["trial_name"] = lambda t: words.trial_name(t.kind, t.drug)
    app.state.templates.env.filters["scs_words"] = words.scs_program
    app.state.templates.env.filters["scale_words"] = words.scale
    # a stored program in the clinician's units (the drug's own mg or mcg per day)
    app.state.templates.env.filters["program_words"] = lambda row: program_summary(
        program_from_json(row.program), cdb.clinic.library
    )
    # a 24 h dose in the drug's own unit (morphine 5.5 mg/day, baclofen 400 mcg/day)
    app.state.templates.env.filters["daily_dose"] = lambda mcg, name: (
        "-" if mcg is None else dose_text(cdb.clinic.library.get(name), mcg)
    )
    app.state.templates.env.filters["concentration"] = lambda mcg_per_ml, name: conc_text(
        cdb.clinic.library.get(name), mcg_per_ml
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(api_therapy.router)
    app.include_router(api_devices.router)
    app.include_router(api_scs.router)
    app.include_router(api_calendar.router)
    app.include_router(reports.router)
    app.include_router(fhir.router)
    app.include_router(ui_people.router)  # /patients/new before /patients/{patient_id}
    app.include_router(ui.router)
    app.include_router(ui_therapy.router)
    app.include_router(ui_devices.router)
    app.include_router(ui_calendar.router)
    app.include_router(ui_trials.router)
    app.include_router(ui_scs.router)
    app.include_router(ui_pathway.router)
    errors.install(app, ui.render_error)
    return app
