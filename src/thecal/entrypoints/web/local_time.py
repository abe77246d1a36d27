"""Times typed on a screen: a date and a time in the clinic's time zone (two labelled
fields a browser offers pickers for), read into an instant; and an instant written
back as ISO 8601 UTC, the form the stored documents use (issue 25: trials asked for
ISO UTC times typed by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from thecal.core.errors import Problem


def local_instant(
    day: str, clock: str, zone: tzinfo, prefix: str = ""
) -> tuple[float | None, list[Problem]]:
    """The instant of a date (YYYY-MM-DD) and a time (HH:MM) in `zone`, or the problems
    naming the field(s) `{prefix}date` and `{prefix}time`."""
    problems = []
    try:
        d = date.fromisoformat(day.strip())
    except ValueError:
        problems.append(Problem(f"{prefix}date", "a date such as 2026-12-01"))
    try:
        t = time.fromisoformat(clock.strip())
    except ValueError:
        problems.append(Problem(f"{prefix}time", "a time such as 09:30 (24-hour clock)"))
    if problems:
        return None, problems
    return datetime.combine(d, t, tzinfo=zone).timestamp(), []


def iso_utc(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_fields(t_s: float, zone: tzinfo) -> tuple[str, str]:
    """The date and time fields that show `t_s` in `zone` (a form's defaults)."""
    local = datetime.fromtimestamp(t_s, zone)
    return local.date().isoformat(), local.strftime("%H:%M")


def local_words(iso: str, zone: tzinfo) -> str:
    """A stored ISO time as the clinic reads it; unchanged when it is not one."""
    try:
        parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if parsed.tzinfo is None:
        return iso
    return parsed.astimezone(zone).strftime("%Y-%m-%d %H:%M")
