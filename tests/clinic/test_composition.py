"""One composition root (issue 27): the app a `thecal serve --workers N` process
builds from the environment is the app `thecal serve` builds in one process - the
database, the stored clinic clock, the cookies and the clinic's time zone."""

from __future__ import annotations

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db.bootstrap import bootstrap
from thecal.adapters.db.setup import holds_patients, store_clock, stored_clock
from thecal.entrypoints.web.main import app_from_environment


def test_a_worker_app_takes_the_zone_the_clock_and_the_cookies_from_the_environment(
    tmp_path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    cdb = bootstrap(url)
    assert stored_clock(cdb) is None and not holds_patients(cdb)
    # the demo's clock: clinic time 1,000,000 s when real time was 2,000,000 s, x60
    store_clock(cdb, ClinicClock(1_000_000.0, 2_000_000.0, 60.0))
    store_clock(cdb, ClinicClock(1_000_000.0, 2_000_000.0, 60.0))  # stored again: one row
    cdb.dispose()
    monkeypatch.setenv("THECAL_DATABASE_URL", url)
    monkeypatch.setenv("THECAL_TIME_ZONE", "Europe/London")
    monkeypatch.setenv("THECAL_SECURE_COOKIES", "0")
    monkeypatch.delenv("THECAL_PUMP_LINK", raising=False)
    app = app_from_environment()
    try:
        assert app.state.zone.key == "Europe/London"  # was UTC in a worker process
        clock = app.state.clock
        assert (clock.anchor_clinic_s, clock.anchor_real_s, clock.speed) == (
            1_000_000.0, 2_000_000.0, 60.0)  # fmt: skip
    finally:
        app.state.db.dispose()
