"""How fast `thecal --help` answers (issue 27: "well under a second"), as a ratio to
starting Python with typer alone, measured in the same run: the best of five of each."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

THECAL = Path(sys.executable).with_name("thecal")


def best_of(cmd: list[str], n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


if __name__ == "__main__":
    baseline = best_of([sys.executable, "-c", "import typer, rich"])
    help_s = best_of([str(THECAL), "--help"])
    print(f"thecal --help: {help_s * 1000:.0f} ms; python + typer + rich: "
          f"{baseline * 1000:.0f} ms; ratio {help_s / baseline:.1f}x")  # fmt: skip
