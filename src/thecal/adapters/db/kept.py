"""A process's kept read models: least recently used first out, computed once per key.

The key must hold the data version the value was read at (`read_model_version`,
read before the value's own queries), so a value is never served past a write. The
store is cachetools' LRU cache; a lock per key makes the requests that miss the same
key together wait for the first one's value instead of each computing it, while a miss
on another key (patient B's record while patient A's is computed) never waits
(issue 27: one global lock made A wait on B).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._values: LRUCache[K, V] = LRUCache(maxsize=size)
        self._lock = threading.Lock()  # guards the cache and the table of key locks
        self._computing: dict[K, threading.Lock] = {}

    def get(self, key: K) -> V | None:
        """The kept value, if any: no I/O, so the event loop may ask."""
        with self._lock:
            return self._values.get(key)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        try:
            with key_lock:
                hit = self.get(key)
                if hit is not None:
                    return hit
                fresh = compute()
                with self._lock:
                    self._values[key] = fresh
                return fresh
        finally:
            with self._lock:
                if not key_lock.locked():
                    self._computing.pop(key, None)
