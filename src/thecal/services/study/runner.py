"""Running a study: many chunk tasks on a backend, then sums.

A task names everything a worker needs (seed, chunk, size, variant), so a chunk is
recomputed identically anywhere; results are small sums, so shipping them is cheap.
Backends: in this process, or a Dask cluster (adapters.dask).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Stats = dict[str, float]


@dataclass(frozen=True)
class Task:
    variant: str
    seed: int
    chunk: int
    patients: int
    horizon_days: int
    settings: Mapping[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    def map(
        self, fn: Callable[[Task], Stats], tasks: list[Task], done: Callable[[], None]
    ) -> list[Stats]: ...


class InProcess:
    """Every chunk here, one after another."""

    def map(
        self, fn: Callable[[Task], Stats], tasks: list[Task], done: Callable[[], None]
    ) -> list[Stats]:
        out = []
        for task in tasks:
            out.append(fn(task))
            done()
        return out


def chunk_tasks(
    variants: Mapping[str, Mapping[str, Any]], patients: int, chunk_size: int,
    seed: int, horizon_days: int = 365,
) -> list[Task]:
    """The same patients (same seed and chunks) under every variant: differences between
    variants are the policy's, not the draw's (common random numbers)."""
    sizes = [chunk_size] * (patients // chunk_size)
    if patients % chunk_size:
        sizes.append(patients % chunk_size)
    return [
        Task(name, seed, chunk, size, horizon_days, settings)
        for name, settings in variants.items()
        for chunk, size in enumerate(sizes)
    ]


def totals(tasks: Iterable[Task], results: Iterable[Stats]) -> dict[str, Stats]:
    """Sum the chunk statistics per variant, in the variants' order."""
    out: dict[str, Stats] = {}
    for task, stats in zip(tasks, results, strict=True):
        acc = out.setdefault(task.variant, {})
        for key, value in stats.items():
            acc[key] = acc.get(key, 0.0) + float(value)
    return out
