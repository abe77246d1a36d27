"""A process's kept read models: least recently used first out, computed once.

The key must hold the data version the value was read at (`read_model_version`,
read before the value's own queries), so a value is never served past a write.
One computation at a time: the requests that miss together right after a write wait
for the first one's value instead of each computing it (the computations are CPU
work under one GIL, so running them side by side would only waste it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._computing = threading.Lock()

    def get(self, key: K) -> V | None:
        """The kept value, if any: no I/O, so the event loop may ask."""
        with self._lock:
            hit = self._values.get(key)
            if hit is not None:
                self._values.move_to_end(key)
            return hit

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._computing:
            hit = self.get(key)
            if hit is not None:
                return hit
            fresh = compute()
            with self._lock:
                self._values[key] = fresh
                while len(self._values) > self._size:
                    self._values.popitem(last=False)
            return fresh
