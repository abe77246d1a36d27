"""A small persistent map: the pump remembers every demand-request id for ever.

The firmware state is frozen, so remembering one more id must not copy them all.
Keys hash into a fixed number of buckets; adding a key copies one bucket and the
bucket index, so a year of requests costs linear time, not quadratic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")
_BUCKETS = 64


@dataclass(frozen=True, slots=True)
class PMap(Generic[V]):
    buckets: tuple[tuple[tuple[str, V], ...], ...] = ((),) * _BUCKETS
    size: int = 0

    def get(self, key: str) -> V | None:
        for k, v in self.buckets[hash(key) % _BUCKETS]:
            if k == key:
                return v
        return None

    def set(self, key: str, value: V) -> PMap[V]:
        index = hash(key) % _BUCKETS
        bucket = tuple(kv for kv in self.buckets[index] if kv[0] != key)
        grown = len(bucket) == len(self.buckets[index])
        new = self.buckets[:index] + (bucket + ((key, value),),) + self.buckets[index + 1 :]
        return PMap(new, self.size + (1 if grown else 0))

    def __len__(self) -> int:
        return self.size
