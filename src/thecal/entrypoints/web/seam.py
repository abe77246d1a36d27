"""The one typed way from a request to the use cases: `clinic_of(request)` is the
`Clinic` the composition root handed the app, so mypy checks every call the web makes
into the services (the app's state itself is untyped)."""

from __future__ import annotations

from fastapi import Request

from thecal.services.clinic import Clinic


def clinic_of(request: Request) -> Clinic:
    clinic = request.app.state.clinic
    if not isinstance(clinic, Clinic):  # the composition root wires it; never anything else
        raise TypeError("app.state.clinic is not the clinic's use cases")
    return clinic
