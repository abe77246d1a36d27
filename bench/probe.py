"""The issue-23 probe, re-run: what an attacker with a clinical login and a process on
the pump's host get now. Prints requests sent, server errors, answers that break the
OpenAPI document, the longest answer (and its ratio to the median answer of the same
run), the worst inputs of the original probe one by one, and what a rogue telemetry
client achieved against a sealed emulator process.

    python bench/probe.py [--examples 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.clinic.conftest import World
from tests.clinic.test_hardening import program

from thecal.adapters.telemetry import EmulatorProcess, TelemetryPump, UdpLink
from thecal.adapters.telemetry.campaign import PROGRAMS
from thecal.adapters.telemetry.link import RecordingLink
from thecal.adapters.telemetry.rogue import rogue_attack

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(world: World, examples: int) -> dict[str, float]:
    client = world.client("physician")
    times: list[float] = []
    server_errors = violations = 0
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/logout":
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case) -> None:
            nonlocal server_errors
            kwargs = case.as_transport_kwargs()
            kwargs.pop("base_url", None)
            kwargs.pop("cookies", None)
            started = time.perf_counter()
            response = client.request(**kwargs)
            times.append(time.perf_counter() - started)
            server_errors += response.status_code >= 500
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            violations += 1
            print(f"  violation: {operation.method.upper()} {operation.path}: {exc}"[:400])
    return {
        "requests": len(times),
        "server_errors": server_errors,
        "operations_with_violations": violations,
        "longest_ms": max(times) * 1e3,
        "median_ms": statistics.median(times) * 1e3,
    }


WORST = (
    ("dose 9**9**8 mg/day", "post", "/api/patients/{pid}/programs/check",
     {"json": {"program": program("9**9**8 mg/day")}}),
    ("cycle_days 10^9", "post", "/api/patients/{pid}/programs/check",
     {"json": {"program": program(cycle_days=10**9)}}),
    ("patient id 2^63", "get", f"/api/patients/{2**63}", {}),
    ("worklist offset 2^63-1", "get", "/api/worklist", {"params": {"offset": 2**63 - 1}}),
    ("NUL in a search", "get", "/api/patients", {"params": {"q": "a\x00"}}),
    ("100,000-deep JSON", "post", "/fhir/Bundle?reason=probe",
     {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}}),
    ("10 MB body", "post", "/api/login",
     {"content": b"x" * 10_000_000, "headers": {"content-type": "application/json"}}),
)  # fmt: skip


def worst_inputs(world: World) -> None:
    client = world.client("physician")
    for label, method, path, kwargs in WORST:
        started = time.perf_counter()
        r = getattr(client, method)(path.format(pid=world.a), **kwargs)
        took = (time.perf_counter() - started) * 1e3
        print(f"  {label:<26} {r.status_code}  {took:8.1f} ms")


def rogue(workdir: Path) -> dict[str, int]:
    with EmulatorProcess(workdir, "PROBE-1", epoch_s=0.0) as process:
        recorder = RecordingLink(UdpLink(process.host, process.port))
        programmer = TelemetryPump(recorder, "PROBE-1")
        programmer.pair()
        programmer.commission("peristaltic-20", PROGRAMS[0], 20.0, 0.26)
        programmer.apply_program(PROGRAMS[1], 0.0)
        programmer.close()
        before = programmer.interrogate(0.0)
        programmer.close()
        seq = programmer.last["seq"]
        link = UdpLink(process.host, process.port)
        seen = rogue_attack(link, "PROBE-1", list(recorder.sent))
        link.close()
        after = programmer.interrogate(0.0)
        mine = programmer.sent
        added = [r for r in programmer.history if r["seq"] > seq and r["command_id"] not in mine]
        return {
            "frames sent (own)": seen["frames_sent"],
            "recorded frames replayed": seen["replays_sent"],
            "writes accepted": seen["writes_accepted"] + len(added),
            "reads answered": seen["reads_answered"],
            "pairings accepted": seen["pairings_accepted"],
            "program changed": int(after.program_digest != before.program_digest),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        world = World(f"sqlite:///{tmp}/probe.db")
        print(f"schemathesis, every API operation, {args.examples} examples each (SQLite):")
        figures = fuzz(world, args.examples)
        print(f"  requests sent              {figures['requests']}")
        print(f"  server errors (5xx)        {figures['server_errors']}")
        print(f"  operations breaking schema {figures['operations_with_violations']}")
        print(
            f"  longest answer             {figures['longest_ms']:.1f} ms "
            f"({figures['longest_ms'] / figures['median_ms']:.1f}x the median "
            f"{figures['median_ms']:.1f} ms)"
        )
        print("the original probe's worst inputs (status, time):")
        worst_inputs(world)
        world.engine.dispose()
        print("rogue telemetry client (no key; own key; pairing; replays) on a sealed pump:")
        for key, value in rogue(Path(tmp) / "pump").items():
            print(f"  {key:<26} {value}")


if __name__ == "__main__":
    main()
