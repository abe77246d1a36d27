"""`thecal session run FILE`: a whole programming or refill session from a file,
against an in-process emulator (with link faults to inject) or an emulator process by
address: the review (settings side by side, 24 h doses, findings), what blocks it, and
the outcome (committed, refused, incomplete or uncertain) with its read-back.

`--check` prints the review and its digest and sends nothing; the file's
`signoff.reviewed_digest`, or `--confirm` for the review shown now, confirms it.
Exit 0: committed (or, with --check, nothing blocks it); 1: anything else; 2: bad input.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from thecal.adapters.inputs.loader import load_document
from thecal.adapters.inputs.programmer_inputs import clinical_patient
from thecal.adapters.pump import EmulatedPump
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.session import SessionDoc
from thecal.adapters.telemetry import TelemetryPump, UdpLink
from thecal.adapters.telemetry.keystore import KeyStore
from thecal.core.errors import InputError, Problem, ThecalError
from thecal.core.pump import firmware
from thecal.core.safety import Catheter, DoseChange
from thecal.core.therapy.catheter import catheter_ul_per_cm, catheter_volume_ml
from thecal.core.units import SECONDS_PER_DAY
from thecal.data import drug_library, policy, pump_catalogue
from thecal.entrypoints.cli.output import print_error
from thecal.services.ports import PumpPort
from thecal.services.programmer import ProgrammingSession
from thecal.services.refill import RefillSession
from thecal.services.standalone import NamedSignoff, SessionOutcome, run_session
from thecal.services.vocabulary import SessionStatus

session_app = typer.Typer(help="A whole programming or refill session.", no_args_is_help=True)


def _port(d: SessionDoc) -> PumpPort:
    library = drug_library()
    if d.remote is not None:
        host, port = d.remote.address.rsplit(":", 1)
        keys = os.environ.get("THECAL_TELEMETRY_KEYS", "").strip()
        if not keys:
            raise InputError(
                "remote pump refused",
                [Problem("THECAL_TELEMETRY_KEYS", "the directory holding the pump's link key")],
            )
        key = KeyStore(Path(keys)).get(d.remote.serial)
        return TelemetryPump(UdpLink(host, int(port)), d.remote.serial, key=key)
    e = d.emulator
    assert e is not None
    model = pump_catalogue().get(e.model)
    assert model is not None  # the document was checked against the catalogue
    ul_per_cm = catheter_ul_per_cm(model, d.catheter.ul_per_cm)
    volume = catheter_volume_ml(d.catheter.length_cm or 0.0, ul_per_cm)
    state, _ = firmware.initial_state(
        model, library, e.program.core(), e.fill_ml, None, volume, start_s=e.since
    )
    return EmulatedPump(state)


def _session(d: SessionDoc, port: PumpPort) -> ProgrammingSession | RefillSession:
    model_id = d.emulator.model if d.emulator is not None else port.interrogate(d.now).model_id
    model = pump_catalogue().get(model_id)
    if model is None:
        raise InputError("unknown pump", [Problem("remote", f"the pump reports {model_id}")])
    ctx: dict[str, Any] = {
        "patient": clinical_patient(d.patient),
        "catheter": Catheter(d.catheter.length_cm, catheter_ul_per_cm(model, d.catheter.ul_per_cm)),
        "history": tuple(DoseChange(h.at, h.drug, h.dose * SECONDS_PER_DAY) for h in d.history),
    }
    library, rules = drug_library(), policy()
    if d.program is not None:
        s = ProgrammingSession.start(
            port, model, library, rules, ctx["patient"], ctx["catheter"], d.user, d.now,
            history=ctx["history"],
        )  # fmt: skip
        s.propose(d.program.core(), d.now, d.bridge_duration)
        return s
    r = d.refill
    assert r is not None
    refill = RefillSession.start(port, model, library, rules, d.user, d.now, **ctx)
    refill.propose(
        r.add_ml, tuple(x.core() for x in r.drugs), d.now, entered_ml=r.entered_ml,
        program_after=r.program.core() if r.program else None, lot=r.lot,
        bridge_duration_s=r.bridge_duration,
    )  # fmt: skip
    return refill


def _tables(out: SessionOutcome) -> list[Table]:
    p = out.proposal

    def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
        t = Table(title=title, title_justify="left")
        for c in columns:
            t.add_column(c, overflow="fold")
        for row in rows:
            t.add_row(*["—" if v is None else str(v) for v in row])
        return t

    def pct(v: float | None) -> str | None:
        return None if v is None else f"{v:+.1f} %"

    tables = [
        table("Settings, side by side", ["setting", "now", "proposed"],
              [[r.setting, r.before, r.after] for r in p.diff]),
        table("24 h dose (every patient bolus taken)", ["drug", "now mcg/day", "proposed mcg/day",
              "change"], [[r.drug, f"{r.before_mcg_per_day or 0:.4g}",
                           f"{r.after_mcg_per_day or 0:.4g}", pct(r.change_pct)] for r in p.doses]),
        table("Findings", ["severity", "rule", "code", "message"],
              [[f.severity, f.rule_id, f.code, f.message] for f in p.findings]),
    ]  # fmt: skip
    if out.blockers:
        tables.append(table("What blocks the commit", ["code", "rule", "message"],
                            [[f.code, f.rule_id, f.message] for f in out.blockers]))  # fmt: skip
    if out.record is not None:
        rec = out.record
        tables.append(
            table(
                f"Outcome: {rec['status']}",
                ["t", "event", "details"],
                [
                    [
                        f"{e['t']:.0f}",
                        e["event"],
                        ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("t", "event")),
                    ]
                    for e in rec["log"]
                ],
            )
        )
    return tables


def run(
    file: Annotated[Path, typer.Argument(help="session document (docs/formats.md)")],
    check: Annotated[bool, typer.Option("--check", help="review only: send nothing")] = False,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="confirm the review shown in this run")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Run one programming or refill session from FILE."""
    try:
        d: SessionDoc = validate(
            SessionDoc, load_document(file), "session", {"catalogue": pump_catalogue()}
        )
        port = _port(d)
        session = _session(d, port)
        if isinstance(port, EmulatedPump):  # the faults strike during the commit
            for f in d.faults:
                port.drop_link(f.operation, f.when)
        s = d.signoff
        signoff = NamedSignoff(dict(s.acknowledgements), s.verifier, s.reviewed_digest, confirm)
        out = run_session(session, signoff, d.now, send=not check)
    except InputError as exc:
        print_error(exc, as_json)
        raise typer.Exit(2) from None
    except ThecalError as exc:  # a pump that could not be reached or refused to start
        print_error(InputError(str(exc), []), as_json)
        raise typer.Exit(2) from None
    if as_json:
        p = out.proposal
        print(json.dumps({
            "review_digest": p.digest,
            "findings": [f.as_dict() for f in p.findings],
            "blockers": [f.as_dict() for f in out.blockers],
            "doses": [r.__dict__ for r in p.doses],
            "record": out.record,
        }, indent=2, default=str))  # fmt: skip
    else:
        console = Console()
        for t in _tables(out):
            console.print(t)
        console.print(f"Review digest: {out.proposal.digest}", soft_wrap=True)
        if not out.blockers:
            console.print("Nothing blocks the commit.")
    committed = out.record is not None and out.record["status"] == SessionStatus.COMMITTED
    done = committed or (check and not out.blockers)
    if not done:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    session_app.command("run")(run)
    app.add_typer(session_app, name="session")
