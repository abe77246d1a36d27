"""`python -m thecal.entrypoints.emulator serve ...`: the emulator without the rest of
the CLI, so that a restart after a kill is quick."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from thecal.core.errors import ThecalError
from thecal.entrypoints.emulator import build, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m thecal.entrypoints.emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run one emulated pump behind a UDP telemetry port")
    s.add_argument("--pump-id", required=True, help="the pump's serial number")
    s.add_argument("--model", default="peristaltic-20", help="pump catalogue id")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--state-dir", type=Path, required=True)
    s.add_argument("--speed", type=float, default=1.0, help="pump seconds per real second")
    s.add_argument("--epoch-s", type=float, default=None, help="pump time at start (Unix s)")
    args = parser.parse_args(argv)
    try:
        emulator = build(args.state_dir, args.pump_id, args.model, args.speed, args.epoch_s)
    except ThecalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    serve(emulator, args.host, args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
