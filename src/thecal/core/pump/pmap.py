"""A small persistent map: the pump remembers every demand-request id for ever.

The firmware state is frozen, so remembering one more id must not copy them all.
Keys hash into 32 x 32 buckets; adding a key copies one bucket and two 32-slot
indexes, so a year of requests costs linear time, not quadratic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")
_FAN = 32
Bucket = tuple[tuple[str, V], ...]
_EMPTY: tuple[tuple[tuple[tuple[str, object], ...], ...], ...] = (((),) * _FAN,) * _FAN


@dataclass(frozen=True, slots=True)
class PMap(Generic[V]):
    slots: tuple[tuple[Bucket[V], ...], ...] = _EMPTY  # type: ignore[assignment]
    size: int = 0

    def get(self, key: str) -> V | None:
        h = hash(key)
        for k, v in self.slots[h % _FAN][(h // _FAN) % _FAN]:
            if k == key:
                return v
        return None

    def set(self, key: str, value: V) -> PMap[V]:
        h = hash(key)
        i, j = h % _FAN, (h // _FAN) % _FAN
        old = self.slots[i][j]
        bucket = tuple(kv for kv in old if kv[0] != key) + ((key, value),)
        row = self.slots[i][:j] + (bucket,) + self.slots[i][j + 1 :]
        grown = len(bucket) > len(old)
        return PMap(self.slots[:i] + (row,) + self.slots[i + 1 :], self.size + (1 if grown else 0))

    def __len__(self) -> int:
        return self.size
