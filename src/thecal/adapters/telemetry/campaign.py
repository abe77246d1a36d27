"""The fault campaign: many telemetry sessions against a real emulator process over a
seeded lossy link, with kill -9 of the process at random instants, checked by a
shadow pump that the programmer rebuilds from what it sent.

After every interrogation the pump's command history is taken record by record:
each record must be one this programmer sent (no phantom), applied once (no
duplicate), at the sequence number and time its answer said (nothing answered is
lost); the shadow applies it through the same firmware and must then show the same
strokes, charge, reservoir estimate and program digest as the pump reports. After
every program write the pump holds the old or the new program, never anything
else; every uncertain write is resolved by the next interrogation, and one resolved
as "not applied" must never turn up later. At the end the journal on disk is read
directly: no command id appears in it twice.

The link is sealed (the campaign pairs with the factory-new pump first), and a last
phase lets a rogue client loose on the pump with every frame the campaign sent
recorded (rogue.py): the pump's history must gain nothing of the rogue's, and the
program must be the one the campaign left.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thecal.adapters.telemetry.emulator import apply_record
from thecal.adapters.telemetry.journal import Journal
from thecal.adapters.telemetry.link import FaultyLink, LinkFaults, RecordingLink, UdpLink
from thecal.adapters.telemetry.process import EmulatorProcess
from thecal.adapters.telemetry.pump import TelemetryPump
from thecal.adapters.telemetry.rogue import rogue_attack
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InvalidTransition, LinkError, UncertainOutcome
from thecal.core.pump import commands as c
from thecal.core.pump import firmware
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    Program,
    Step,
    program_digest,
)
from thecal.core.pump.state import PumpState
from thecal.core.units import SECONDS_PER_DAY

MORPHINE = (DrugConcentration("morphine", 10000.0),)
SERIAL = "CAMPAIGN-1"


def morphine_program(ml_per_day: float, demand: bool = False) -> Program:
    """Morphine 10 mg/mL at a constant rate, with a 0.02 mL demand bolus if asked."""
    bolus = DemandBolus(Amount(ml=0.02), 300.0, 1800.0, 8) if demand else None
    return Program(
        MORPHINE, (Step(0.0, rate_ml_per_s=ml_per_day / SECONDS_PER_DAY),), demand_bolus=bolus
    )


PROGRAMS = (morphine_program(0.5, True), morphine_program(1.0), morphine_program(2.0, True))


CAMPAIGN_FAULTS = LinkFaults(
    drop=0.04, duplicate=0.03, reorder=0.03, corrupt=0.03, delay=0.03,
    delay_s=(0.002, 0.05), cut=0.03,
)  # fmt: skip


@dataclass(frozen=True)
class CampaignConfig:
    sessions: int = 1000
    seed: int = 1
    kill_probability: float = 0.03  # per session: kill -9 at a random instant in it
    kill_within_s: float = 0.02
    faults: LinkFaults = field(default_factory=lambda: CAMPAIGN_FAULTS)
    speed: float = 20000.0  # pump seconds per real second: a year in about half an hour
    timeout_s: float = 0.03
    retries: int = 4
    model_id: str = "peristaltic-20"


@dataclass
class Shadow:
    """The pump rebuilt from the pump's history and this programmer's own records."""

    model: PumpModel
    library: DrugLibrary
    state: PumpState | None = None
    seq: int = 0
    applied: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    checks: int = 0
    last_strokes: int = 0

    def take(self, pump: TelemetryPump, records: list[dict[str, Any]]) -> None:
        for r in records:
            cid = r["command_id"]
            if r["seq"] != self.seq + 1:
                self.violations.append(f"history: record {r['seq']} follows {self.seq}")
            if cid not in pump.sent:
                self.violations.append(f"phantom: {cid} was never sent")
                continue
            if cid in self.applied:
                self.violations.append(f"applied twice: {cid}")
            answer = pump.answered.get(cid)
            if answer is not None and (answer["seq"], answer["t"]) != (r["seq"], r["t"]):
                self.violations.append(
                    f"answered {cid} as record {answer['seq']}; history moved it"
                )
            op, args = pump.sent[cid]
            record = {"seq": r["seq"], "t": r["t"], "op": op, "command_id": cid, "args": args}
            self.state = apply_record(self.state, record, self.model, self.library).state
            self.applied.add(cid)
            self.seq = r["seq"]

    def check(self, answer: dict[str, Any]) -> None:
        """The pump's report against the shadow at the same pump time."""
        if self.state is None:
            return
        s, _ = firmware.step(self.state, c.Tick(), answer["t"])
        report = answer["report"]
        digest = program_digest(s.program.program) if s.program is not None else None
        self.checks += 1
        if (
            s.strokes != answer["strokes"]
            or abs(s.charge_uah - answer["charge_uah"]) > 1e-6
            or abs(s.estimate_ml - report["reservoir_estimate_ml"]) > 1e-9
            or digest != report["program_digest"]
        ):
            self.violations.append(
                f"at t={answer['t']}: pump reports {answer['strokes']} strokes, "
                f"{report['reservoir_estimate_ml']} mL; the shadow {s.strokes}, {s.estimate_ml} mL"
            )
        if answer["strokes"] < self.last_strokes:
            self.violations.append(
                f"delivery went back: {answer['strokes']} strokes after {self.last_strokes}"
            )
        self.last_strokes = answer["strokes"]


@dataclass
class CampaignReport:
    counts: dict[str, int]
    violations: list[str]


class Campaign:
    def __init__(
        self, config: CampaignConfig, workdir: Path, model: PumpModel, library: DrugLibrary
    ) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        ids = random.Random(config.seed + 1)
        self.process = EmulatorProcess(
            workdir / "pump", SERIAL, config.model_id, speed=config.speed, epoch_s=0.0
        )
        self.recorder = RecordingLink(UdpLink("127.0.0.1", self.process.port))
        self.link = FaultyLink(self.recorder, config.faults, random.Random(config.seed + 2))
        self.pump = TelemetryPump(
            self.link, SERIAL, "campaign", new_id=lambda: f"{ids.getrandbits(64):016x}",
            retries=config.retries, timeout_s=config.timeout_s,
        )  # fmt: skip
        self.shadow = Shadow(model, library)
        self.counts: Counter[str] = Counter()
        self.not_applied: set[str] = set()
        self.requests = 0

    def _interrogate(self) -> Any:
        before = len(self.pump.history)
        report = self.pump.interrogate(0.0)
        self.shadow.take(self.pump, self.pump.history[before:])
        self.shadow.check(self.pump.last)
        return report

    def _write(self) -> None:
        """One random write, then its read-back."""
        kind = self.rng.choices(
            ("program", "demand", "refill", "bolus", "suspend", "resume"), (35, 25, 12, 10, 9, 9)
        )[0]
        self.counts[f"write_{kind}"] += 1
        before = self.pump.last["report"]["program_digest"]
        new = self.rng.choice(PROGRAMS)
        try:
            if kind == "program":
                self.pump.apply_program(new, 0.0)
            elif kind == "demand":
                self.requests += 1
                self.pump.request_demand(f"press-{self.config.seed}-{self.requests}", 0.0)
            elif kind == "refill":
                add = self.rng.uniform(5.0, 15.0)
                self.pump.refill(add, MORPHINE, 2.4 + add, 0.0)
            elif kind == "bolus":
                self.pump.start_bolus("clinician", 0.01, 600.0, 0.0)
            else:
                self.pump.send(c.Suspend() if kind == "suspend" else c.Resume())
        except InvalidTransition:
            self.counts["refused_by_pump"] += 1
        except UncertainOutcome:
            self._blind_resend(new)
        after = self._interrogate()
        if kind == "program" and after.program_digest not in (before, program_digest(new)):
            self.shadow.violations.append(
                f"half-applied program: {after.program_digest} is neither {before} nor the new one"
            )

    def _blind_resend(self, program: Program) -> None:
        """A programmer that tries to send again before interrogating must be stopped."""
        try:
            self.pump.apply_program(program, 0.0)
        except InvalidTransition:
            return
        self.shadow.violations.append("a write went out while an outcome was uncertain")

    def _session(self) -> None:
        self.link.new_session()
        timer = None
        if self.rng.random() < self.config.kill_probability:
            timer = threading.Timer(self.rng.uniform(0, self.config.kill_within_s), self._kill)
            timer.start()
        try:
            self._interrogate()
            self._write()
        except LinkError:  # UncertainOutcome is raised only from writes, handled there
            self.counts["sessions_cut_short"] += 1
        finally:
            self.pump.close()
            if timer is not None:
                timer.cancel()
                timer.join()
            if self.process.process is None or self.process.process.poll() is not None:
                self.process.start()
                self.counts["restarts"] += 1

    def _rogue_phase(self) -> None:
        """A keyless process with every recorded frame: it must change nothing."""
        self.pump.close()
        before_seq = self.pump.last["seq"]
        before_digest = self.pump.last["report"]["program_digest"]
        rogue = UdpLink("127.0.0.1", self.process.port)
        try:
            seen = rogue_attack(rogue, SERIAL, list(self.recorder.sent))
        finally:
            rogue.close()
        self._interrogate()  # the shadow flags any record the campaign did not send
        new = [r for r in self.pump.history if r["seq"] > before_seq]
        foreign = [r for r in new if r["command_id"] not in self.pump.sent]
        self.counts.update({f"rogue_{k}": v for k, v in seen.items()})
        self.counts["rogue_records_added"] = len(foreign)
        if self.pump.last["report"]["program_digest"] != before_digest:
            self.shadow.violations.append("the rogue phase changed the pump's program")
        for k in ("writes_accepted", "reads_answered", "pairings_accepted"):
            self.counts[f"rogue_{k}"] = seen[k]
            if seen[k]:
                self.shadow.violations.append(f"rogue client: {k} = {seen[k]}")

    def _kill(self) -> None:
        self.process.kill()
        self.counts["kills"] += 1

    def run(self) -> CampaignReport:
        cfg = self.config
        self.process.start()
        try:
            self.pump.link = self.link.inner  # pairing and the implant, over a clean link
            self.pump.pair()
            self.pump.commission(cfg.model_id, PROGRAMS[0], 20.0, 0.26)
            self.pump.link = self.link
            for _ in range(cfg.sessions):
                self._session()
                self.counts["sessions"] += 1
            self.pump.link = self.link.inner
            self._interrogate()  # the last word, over a clean link
            self._rogue_phase()
        finally:
            self.process.stop()
            self.pump.close()
            self.recorder.close()  # the UDP socket under the recorder and the fault link
        return self._report()

    def _report(self) -> CampaignReport:
        pump, shadow = self.pump, self.shadow
        for r in pump.resolutions:
            if r.applied != (r.command_id in shadow.applied):
                shadow.violations.append(f"uncertain {r.command_id} resolved wrongly")
        for cid in pump.answered:
            if cid not in shadow.applied:
                shadow.violations.append(f"answered {cid} is not in the pump's history")
        ids = [r["command_id"] for r in Journal(self.process.state_dir).records()]
        if len(ids) != len(set(ids)):
            shadow.violations.append("the journal holds a command id twice")
        if pump.pending is not None:
            shadow.violations.append(f"uncertain {pump.pending[0]} never resolved")
        counts = dict(self.counts)
        counts.update({f"fault_{k}": v for k, v in self.link.injected.items()})
        counts.update(
            commands=pump.stats["commands"],
            records_applied=shadow.seq,
            frames_sent=pump.stats["frames_sent"],
            retransmissions=pump.stats["retransmissions"],
            bad_frames_refused=pump.stats["bad_frames_refused"],
            unauthentic_frames_refused=pump.stats["unauthentic_frames_refused"],
            open_answers_ignored=pump.stats["open_answers_ignored"],
            stale_frames_ignored=pump.stats["stale_frames_ignored"],
            duplicates_suppressed=pump.stats["duplicates_suppressed"],
            uncertain=pump.stats["uncertain"],
            uncertain_resolved=pump.stats["uncertain_resolved"],
            uncertain_applied=sum(r.applied for r in pump.resolutions),
            blind_writes_refused=pump.stats["blind_writes_refused"],
            shadow_checks=shadow.checks,
            violations=len(shadow.violations),
        )
        return CampaignReport(counts, shadow.violations)


def run_campaign(
    config: CampaignConfig, workdir: Path, model: PumpModel, library: DrugLibrary
) -> CampaignReport:
    return Campaign(config, workdir, model, library).run()
