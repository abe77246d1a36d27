"""The programmer's sessions and the patient's handset against a real emulator
process, over UDP: the same services, unchanged, through the telemetry PumpPort."""

from __future__ import annotations

import math
import os

import pytest

from tests.programmer.helpers import CATHETER_90CM, MG, NO_FLAGS, model, program
from tests.telemetry.conftest import T0
from tests.telemetry.helpers import DAY, SERIAL
from thecal.adapters.telemetry import TelemetryPump, UdpLink
from thecal.adapters.telemetry.crypto import LinkKey
from thecal.adapters.telemetry.link import Link
from thecal.core.errors import InvalidTransition, LinkError, UncertainOutcome
from thecal.core.pump.program import DrugConcentration, program_digest
from thecal.data import drug_library, policy
from thecal.services import patient
from thecal.services.programmer import ProgrammingSession
from thecal.services.refill import RefillSession

# the words a session stores for its outcome (services/vocabulary.py)
COMMITTED, UNCERTAIN = "committed", "uncertain"

MORPHINE = program([("morphine", 10 * MG)], 3 * MG)  # 0.3 mL/day
UP_20_PCT = program([("morphine", 10 * MG)], 3.6 * MG)  # 0.36 mL/day


class Switchable:
    """A link whose answers can be eaten: the pump hears, the programmer does not."""

    def __init__(self, inner: Link) -> None:
        self.inner, self.eat_answers, self.sent = inner, False, 0

    def send(self, data: bytes) -> None:
        self.sent += 1
        self.inner.send(data)

    def recv(self, timeout_s: float) -> bytes | None:
        data = self.inner.recv(timeout_s)
        return None if self.eat_answers else data

    def close(self) -> None:
        self.inner.close()


def implanted(process, link=None) -> TelemetryPump:
    port = TelemetryPump(link or UdpLink(process.host, process.port), SERIAL, timeout_s=0.2)
    port.pair()  # factory-new: pairing is open until the first pairing
    answer = port.commission("peristaltic-20", MORPHINE, 20.0, 0.234)
    assert answer["result"]["accepted"] is True
    return port


def session(port) -> ProgrammingSession:
    return ProgrammingSession.start(
        port, model(), drug_library(), policy(), NO_FLAGS, CATHETER_90CM, "dr.a", T0
    )


def test_a_programming_session_commits_and_reads_back_over_the_link(emulator_process) -> None:
    port = implanted(emulator_process)
    s = session(port)
    s.propose(UP_20_PCT, T0)
    s.confirm(T0, s.proposal.digest)
    record = s.commit(T0)
    assert record["status"] == COMMITTED
    assert record["log"][-1] == {
        "t": T0, "event": "read back", "digest": program_digest(UP_20_PCT), "verified": True,
    }  # fmt: skip
    assert port.interrogate(T0).program_digest == program_digest(UP_20_PCT)
    assert [r["op"] for r in port.history] == ["open", "commission", "apply_program"]


def test_a_refill_session_over_the_link(emulator_process) -> None:
    port = implanted(emulator_process)
    s = RefillSession.start(port, model(), drug_library(), policy(), "rn.c", T0)
    plan = s.propose(15.0, (DrugConcentration("morphine", 10 * MG),), T0)
    s.verify("ph.d", T0)
    s.confirm(T0, s.proposal.digest)
    record = s.commit(T0)
    assert record["status"] == COMMITTED, record["findings"]
    # 20 mL in, a few seconds of 0.3 mL/day out: all but the 2.4 mL dead volume comes out
    assert s.reconciliation.withdrawn_ml == pytest.approx(20.0 - 2.4, abs=1e-3)
    assert plan.volume_after_ml == pytest.approx(2.4 + 15.0, abs=1e-3)


@pytest.mark.sr("SR-16", "SR-33")
def test_a_patient_press_is_answered_once_however_often_it_is_sent(emulator_process) -> None:
    port = implanted(emulator_process)
    s = session(port)
    s.propose(program([("morphine", 10 * MG)], 3 * MG, demand=_demand()), T0)
    s.confirm(T0, s.proposal.digest)
    assert s.commit(T0)["status"] == COMMITTED
    handset = TelemetryPump(
        UdpLink(emulator_process.host, emulator_process.port), SERIAL, key=port.key
    )
    first = patient.request_bolus(handset, "press-1", T0)
    # no dose given yet: granted (a new program starts no lockout, issue 22 item 9)
    assert (first.result, first.reason) == ("granted", None)
    again = patient.request_bolus(handset, "press-1", T0)
    assert again == first
    assert handset.stats["duplicates_suppressed"] == 1
    handset.interrogate(T0)
    assert [r["command_id"] for r in handset.history].count("demand:press-1") == 1


def _demand():
    from tests.programmer.helpers import demand

    return demand(0.1 * MG, lockout_h=1.0, count=4)


@pytest.mark.sr("SR-34")
def test_a_lost_answer_is_uncertain_until_interrogated_and_never_resent(emulator_process):
    link = Switchable(UdpLink(emulator_process.host, emulator_process.port))
    port = implanted(emulator_process, link)
    s = session(port)
    s.propose(UP_20_PCT, T0)
    s.confirm(T0, s.proposal.digest)
    link.eat_answers = True  # the pump gets the program; the answer never comes back
    record = s.commit(T0)
    assert record["status"] == UNCERTAIN
    assert [(f["rule_id"], f["code"]) for f in record["findings"]][-1] == (
        "SR-34", "DELIVERY_UNCERTAIN",
    )  # fmt: skip
    assert port.pending is not None and port.pending[1] == "apply_program"
    link.eat_answers = False
    sent = link.sent
    with pytest.raises(InvalidTransition, match="interrogate"):
        port.apply_program(UP_20_PCT, T0)
    assert link.sent == sent  # refused before anything went out
    assert port.interrogate(T0).program_digest == program_digest(UP_20_PCT)
    assert [(r.op, r.applied) for r in port.resolutions] == [("apply_program", True)]
    assert port.pending is None
    assert [r["op"] for r in port.history].count("apply_program") == 1


def test_a_write_the_pump_never_heard_resolves_as_not_applied(emulator_process) -> None:
    port = implanted(emulator_process)
    port.interrogate(T0)
    emulator_process.kill()
    with pytest.raises(UncertainOutcome):
        port.apply_program(UP_20_PCT, T0)
    emulator_process.start()
    assert port.interrogate(T0).program_digest == program_digest(MORPHINE)
    assert [(r.op, r.applied) for r in port.resolutions] == [("apply_program", False)]


def test_delivery_continues_exactly_across_kill_9(tmp_path) -> None:
    from thecal.adapters.telemetry import EmulatorProcess

    process = EmulatorProcess(tmp_path / "pump", SERIAL, speed=2000.0, epoch_s=T0)
    process.start()
    try:
        port = implanted(process)
        s = session(port)
        s.propose(UP_20_PCT, T0)
        s.confirm(T0, s.proposal.digest)
        assert s.commit(T0)["status"] == COMMITTED
        pid = process.pid
        process.kill()
        process.start()
        assert process.pid != pid
        port.interrogate(T0)
        answer = port.last
    finally:
        process.stop()
    t = {r["op"]: r["t"] for r in port.history}
    # by hand: 0.3 mL/day from the commission, 0.36 mL/day from the new program
    volume_ml = 0.3 / DAY * (t["apply_program"] - t["commission"]) + 0.36 / DAY * (
        answer["t"] - t["apply_program"]
    )
    assert answer["strokes"] == math.floor(volume_ml / 0.0005 + 1e-6)
    assert answer["strokes"] > 0
    assert os.path.getsize(tmp_path / "pump" / "journal.log") > 0


@pytest.mark.sr("SR-36")
def test_a_temporary_program_reverts_at_expiry_across_kill_9(tmp_path) -> None:
    """The programmer sends a one-hour temporary program and the link is lost for good:
    the emulator is killed (SIGKILL) and restarted after the hour. The pump's clock
    runs 2000 times fast, so the hour is 1.8 s."""
    import time

    from thecal.adapters.telemetry import EmulatorProcess

    process = EmulatorProcess(tmp_path / "pump", SERIAL, speed=2000.0, epoch_s=T0)
    process.start()
    try:
        port = implanted(process)
        port.apply_program(UP_20_PCT, T0, temporary_s=3600.0)
        during = port.interrogate(T0)
        process.kill()
        time.sleep(2.5)  # 5000 pump seconds: past the hour
        process.start()
        after = port.interrogate(T0)
        answer = port.last
    finally:
        process.stop()
    assert during.program_digest == program_digest(UP_20_PCT)
    assert during.base_program == MORPHINE and during.temporary_until_s is not None
    assert after.program_digest == program_digest(MORPHINE)
    assert (after.base_program, after.temporary_until_s) == (None, None)
    # by hand: 0.3 mL/day until the temporary program, 0.36 mL/day for its hour, 0.3 after
    t = {r["op"]: r["t"] for r in port.history}
    end = during.temporary_until_s
    assert end == pytest.approx(t["apply_program"] + 3600.0)
    volume_ml = (
        0.3 / DAY * (t["apply_program"] - t["commission"])
        + 0.36 / DAY * 3600.0
        + 0.3 / DAY * (answer["t"] - end)
    )
    assert answer["strokes"] == math.floor(volume_ml / 0.0005 + 1e-6)


def test_a_pump_that_is_not_there_is_a_link_error(tmp_path) -> None:
    from thecal.adapters.telemetry.process import free_udp_port

    port = TelemetryPump(
        UdpLink("127.0.0.1", free_udp_port()), SERIAL, key=LinkKey(bytes(32)), retries=2,
        timeout_s=0.05,
    )  # fmt: skip
    with pytest.raises(LinkError):
        port.interrogate(T0)


@pytest.mark.sr("SR-41")
def test_a_client_that_skips_the_programmer_meets_the_pumps_own_limits(emulator_process):
    """SR-41: a process that speaks the protocol (holding the key) and sends a program no
    programmer would pass - ziconotide 200 mcg/mL, above the label's 100 mcg/mL, or 20
    mcg/day, above the US label's 19.2 - or a program checked against another library
    version, is refused by the emulated pump itself; it keeps delivering 3 mg/day."""
    port = implanted(emulator_process)
    with pytest.raises(InvalidTransition, match="above the library maximum 100"):
        port.apply_program(program([("ziconotide", 200.0)], 2.4), T0)
    with pytest.raises(InvalidTransition, match=r"above the hard maximum 19\.2"):
        port.apply_program(program([("ziconotide", 100.0)], 20.0), T0)
    with pytest.raises(InvalidTransition, match="checked against drug library 000000000000"):
        port.apply_program(UP_20_PCT, T0, library_digest="0" * 64)
    assert port.interrogate(T0).program_digest == program_digest(MORPHINE)
    port.apply_program(UP_20_PCT, T0, library_digest=drug_library().digest)
    assert port.interrogate(T0).program_digest == program_digest(UP_20_PCT)
