"""The device screen's pump replacement (issue 25): the new pump continues the running
program. The screen handed the program to the API's body in its stored encoding, which
the program reader refused ("program.basal: is required"), so no pump could be
replaced from the screen. Patient B runs baclofen from a 20 mL peristaltic pump."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.clinic.conftest import PASSWORD
from tests.clinic.test_errors_beside_fields import oob
from thecal.adapters.db.models import Implant, ProgramVersion, RefillRow


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html)[1]


def test_a_pump_is_replaced_from_the_screen_and_keeps_its_program(sqlite_world):
    w = sqlite_world
    c = w.client("physician")
    with w.db.reads() as db:
        before = db.scalars(select(ProgramVersion).where(ProgramVersion.patient_id == w.b)
                            .order_by(ProgramVersion.id.desc())).first().program  # fmt: skip
    typed = {"model_id": "peristaltic-20", "serial": "SN-R2", "fill_ml": "20", "lot": "B-2291"}
    r = c.post(f"/patients/{w.b}/device/replace/check", data=typed)
    assert r.status_code == 200, r.text[:600]
    assert 'id="review-card-replace"' in r.text
    assert "program.basal" not in r.text
    assert oob(r.text, "replace-serial") is None
    page = c.get(f"/patients/{w.b}/device").text
    sent = typed | {
        "reason": "battery at the elective replacement indicator",
        "reviewed_digest": _hidden(r.text, "reviewed_digest"), "confirmed": "yes",
        "verifier_username": "pharmacist", "verifier_password": PASSWORD,
        "expected_version": _hidden(page, "expected_version"),
        **{f"ack_{code}": "replacement reviewed"
           for code in re.findall(r'name="ack_([A-Z_]+)"', r.text)},
    }  # fmt: skip
    alone = {k: v for k, v in sent.items() if not k.startswith("verifier_")}
    refused = c.post(f"/patients/{w.b}/device/replace", data=alone)
    assert refused.status_code == 422
    assert "Nothing was sent: a second person has not verified it. Each is listed below." in (
        refused.text
    )
    assert 'data-code="SECOND_PERSON_REQUIRED"' in refused.text
    done = c.post(f"/patients/{w.b}/device/replace", data=sent)
    assert done.status_code == 200, re.sub(r"<[^>]+>", " ", done.text)[-3000:]
    with w.db.reads() as db:
        active = db.scalars(select(Implant).where(Implant.patient_id == w.b,
                                                  Implant.active.is_(True))).all()  # fmt: skip
        after = db.scalars(select(ProgramVersion).where(ProgramVersion.patient_id == w.b)
                           .order_by(ProgramVersion.id.desc())).first().program  # fmt: skip
        fills = db.scalars(select(RefillRow).where(RefillRow.patient_id == w.b)
                           .order_by(RefillRow.id)).all()  # fmt: skip
    assert [i.serial for i in active] == ["SN-R2"]
    assert after == before  # the new pump runs what the old one ran
    # the new pump's fill, with the lot typed, after the first pump's (no lot given)
    # the sessions table says a pump was replaced (it said "no setting changed")
    sessions = c.get(f"/patients/{w.b}").text.split('<table id="sessions">', 1)[1]
    newest = re.sub(r"<[^>]+>", " ", sessions.split("<tr>")[2])
    assert "new pump in place of the old one: same program: baclofen 2000 mcg/mL; 00:00 400" in (
        " ".join(newest.split())
    )
    assert [(f.classification, f.added_ml, f.lot) for f in fills] == [
        ("first fill", 19.0, ""), ("first fill", 20.0, "B-2291")]  # fmt: skip
