"""Opioid conversion between routes and drugs, from ratio data with sources.

A conversion follows the fewest sourced steps from (drug, route) to (drug, route);
each step's ratio may be a range, so the answer is a range too. The conservative
figure (the smaller new dose) is the one to start from: an underestimate can be
titrated up, an overestimate can stop someone breathing. A change of drug, or a move
off the intrathecal route, also takes a cross-tolerance reduction (a range: the
conservative figure the larger cut), so neither direction over-doses.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.core.errors import CatalogueError, InputError, Problem
from thecal.core.sourced import unwrap

ROUTES = ("oral", "iv", "epidural", "intrathecal")
Node = tuple[str, str]  # (drug, route)


@dataclass(frozen=True)
class Edge:
    start: Node
    end: Node
    low: float  # `low` to `high` units of start = 1 unit of end
    high: float
    source: str


@dataclass(frozen=True)
class Conversion:
    amount: float
    start: Node
    end: Node
    conservative: float  # the smaller result
    aggressive: float
    steps: tuple[Edge, ...]
    reduction_pct: tuple[float, float] | None = None  # cross-tolerance, when it applied
    reduction_source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": {"drug": self.start[0], "route": self.start[1], "amount": self.amount},
            "to": {"drug": self.end[0], "route": self.end[1]},
            "conservative": self.conservative,
            "aggressive": self.aggressive,
            "cross_tolerance_reduction_pct": (
                list(self.reduction_pct) if self.reduction_pct is not None else None
            ),
            "cross_tolerance_source": self.reduction_source or None,
            "steps": [
                {
                    "from": list(e.start),
                    "to": list(e.end),
                    "ratio": [e.low, e.high],
                    "source": e.source,
                }
                for e in self.steps
            ],
        }


@dataclass(frozen=True)
class ConversionTable:
    edges: tuple[Edge, ...]
    reduction_pct: tuple[float, float] = (0.0, 0.0)
    reduction_source: str = ""

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> ConversionTable:
        out = []
        for i, raw in enumerate(doc.get("edge", [])):
            where = f"conversions.toml edge[{i}]"
            values, sources = unwrap(raw, where, keys=("drug", "from", "to", "route"))
            low, high = (float(x) for x in values["ratio"])
            if not 0 < low <= high:
                raise CatalogueError(f"{where}.ratio: expected [low, high] with 0 < low <= high")
            if isinstance(values["drug"], list):
                a, b = values["drug"]
                start, end = (a, values["route"]), (b, values["route"])
            else:
                start, end = (values["drug"], values["from"]), (values["drug"], values["to"])
            out.append(Edge(start, end, low, high, sources["ratio"]))
        cut, source = (0.0, 0.0), ""
        if "cross_tolerance" in doc:
            values, sources = unwrap(doc["cross_tolerance"], "conversions.toml [cross_tolerance]")
            lo, hi = (float(x) for x in values["reduction_pct"])
            if not 0 <= lo <= hi < 100:
                raise CatalogueError(
                    "conversions.toml [cross_tolerance].reduction_pct: expected [low, high] "
                    "with 0 <= low <= high < 100"
                )
            cut, source = (lo, hi), sources["reduction_pct"]
        return cls(tuple(out), cut, source)

    def nodes(self) -> set[Node]:
        return {e.start for e in self.edges} | {e.end for e in self.edges}

    def _neighbours(self, node: Node) -> list[tuple[Node, Edge, bool]]:
        out = [(e.end, e, True) for e in self.edges if e.start == node]
        return out + [(e.start, e, False) for e in self.edges if e.end == node]

    def convert(self, amount: float, start: Node, end: Node) -> Conversion:
        if amount < 0:
            raise InputError("invalid conversion", [Problem("from.amount", "must not be negative")])
        known = self.nodes()
        problems = [
            Problem(
                path,
                f"{n[0]} by the {n[1]} route has no sourced ratio; known: "
                + ", ".join(f"{d} {r}" for d, r in sorted(known)),
            )
            for path, n in (("from", start), ("to", end))
            if n not in known and start != end
        ]
        if problems:
            raise InputError("cannot convert", problems)
        # breadth-first: the fewest steps, so a direct sourced ratio beats a chain
        seen: dict[Node, tuple[float, float, tuple[Edge, ...]]] = {start: (amount, amount, ())}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            lo, hi, path = seen[node]
            for nxt, edge, forward in self._neighbours(node):
                if nxt in seen:
                    continue
                if forward:  # `ratio` of start = 1 of end
                    seen[nxt] = (lo / edge.high, hi / edge.low, path + (edge,))
                else:
                    seen[nxt] = (lo * edge.low, hi * edge.high, path + (edge,))
                queue.append(nxt)
        if end not in seen:
            raise InputError(
                "cannot convert",
                [
                    Problem(
                        "to",
                        f"no chain of sourced ratios leads from {start[0]} {start[1]} to "
                        f"{end[0]} {end[1]}",
                    )
                ],
            )
        lo, hi, path = seen[end]
        switching = start[0] != end[0] or (start[1] == "intrathecal" and end[1] != "intrathecal")
        if switching and self.reduction_pct != (0.0, 0.0):
            small, large = self.reduction_pct
            return Conversion(
                amount, start, end, lo * (1 - large / 100), hi * (1 - small / 100), path,
                self.reduction_pct, self.reduction_source,
            )  # fmt: skip
        return Conversion(amount, start, end, lo, hi, path)
