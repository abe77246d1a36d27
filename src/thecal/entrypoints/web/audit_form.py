"""The audit page's filter form, read from its query string: what each field accepts,
and what is wrong with one that does not (shown beside it). The lengths are the
audit table's columns; an id is within the database's integer range (guards)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String

from thecal.adapters.db.audit_search import AuditFilter
from thecal.adapters.db.models import AuditRow
from thecal.entrypoints.web.guards import MAX_ID

AUDIT_FIELDS = ("user", "action", "patient_id", "before_id")
AUDIT_PAGE_ROWS = 200


def _length(column: Any) -> int:
    kind = column.type
    assert isinstance(kind, String) and kind.length, column  # the audit table's text
    return int(kind.length)


AUDIT_LENGTH = {
    "user": _length(AuditRow.__table__.c.username),
    "action": _length(AuditRow.__table__.c.action),
}


def _number(text: str, what: str) -> tuple[int | None, str | None]:
    if not text:
        return None, None
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        return None, f"{what}: a whole number from 1 to {MAX_ID}"
    return int(text), None


def audit_filter(form: dict[str, str]) -> tuple[AuditFilter, dict[str, str]]:
    """The filter the form asks for and the problems of its fields; a field with a
    problem narrows nothing (the page shows the rest and says what was wrong)."""
    errors: dict[str, str] = {}
    text: dict[str, str | None] = {}
    for name, most in AUDIT_LENGTH.items():
        value = form.get(name, "")
        if len(value) > most:
            errors[name] = f"at most {most} characters"
            value = ""
        text[name] = value or None
    patient_id, wrong = _number(form.get("patient_id", ""), "a patient number")
    if wrong:
        errors["patient_id"] = wrong
    before_id, wrong = _number(form.get("before_id", ""), "a row number")
    if wrong:
        errors["before_id"] = wrong
    return AuditFilter(text["user"], text["action"], patient_id, before_id), errors
