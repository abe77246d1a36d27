"""The pump remembers every demand-request id for ever, and answers a repeat with
the first answer (at most once, pump-behaviour.md §7).

The firmware state is frozen, so remembering one more id must not copy the ids
already remembered: every state is a *view* of one shared, append-only store, the
first `size` entries of it. Adding to the newest view appends in place (O(1)); a
view that is not the newest (the caller went back to an older state and branched)
gets its own copy first, so no state ever sees an entry added after it. Nothing is
ever removed or overwritten. Pickling keeps only what the view sees.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class _Store(Generic[V]):
    __slots__ = ("entries", "lock")

    def __init__(self, entries: dict[str, tuple[int, V]]) -> None:
        self.entries = entries  # key -> (position, value); positions 0, 1, 2, ...
        self.lock = threading.Lock()


class AnswerLog(Generic[V]):
    __slots__ = ("_store", "size")

    def __init__(self, store: _Store[V] | None = None, size: int = 0) -> None:
        self._store: _Store[V] = store if store is not None else _Store({})
        self.size = size

    def get(self, key: str) -> V | None:
        hit = self._store.entries.get(key)
        return hit[1] if hit is not None and hit[0] < self.size else None

    def known(self, keys: Iterable[str]) -> dict[str, V]:
        """The values of those of `keys` this view remembers: one call for a run of
        keys instead of one `get` each."""
        entries, size = self._store.entries, self.size
        return {k: hit[1] for k in keys if (hit := entries.get(k)) is not None and hit[0] < size}

    def add(self, key: str, value: V) -> AnswerLog[V]:
        """This log with `key` remembered; `key` must not be in it yet."""
        if self.get(key) is not None:
            raise KeyError(f"{key!r} is already remembered")
        store = self._store
        with store.lock:
            if len(store.entries) == self.size:
                store.entries[key] = (self.size, value)
                return AnswerLog(store, self.size + 1)
        own = _Store(dict(self.items_with_positions()))
        own.entries[key] = (self.size, value)
        return AnswerLog(own, self.size + 1)

    def add_all(self, pairs: Iterable[tuple[str, V]]) -> AnswerLog[V]:
        """This log with every new (key, value) remembered, in order, as repeated `add`
        would give, but with one new view instead of one per key."""
        pairs = list(pairs)
        if not pairs:
            return self
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys) or self.known(keys):
            raise KeyError("a key is already remembered")
        store = self._store
        with store.lock:
            if len(store.entries) == self.size:
                for i, (key, value) in enumerate(pairs):
                    store.entries[key] = (self.size + i, value)
                return AnswerLog(store, self.size + len(pairs))
        own = _Store(dict(self.items_with_positions()))
        for i, (key, value) in enumerate(pairs):
            own.entries[key] = (self.size + i, value)
        return AnswerLog(own, self.size + len(pairs))

    def items_with_positions(self) -> Iterator[tuple[str, tuple[int, V]]]:
        return ((k, pv) for k, pv in self._store.entries.items() if pv[0] < self.size)

    def items(self) -> list[tuple[str, V]]:
        """What this view remembers, oldest first."""
        ordered = sorted(self.items_with_positions(), key=lambda kv: kv[1][0])
        return [(k, pv[1]) for k, pv in ordered]

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnswerLog) and self.items() == other.items()

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.items(),))

    def __repr__(self) -> str:
        return f"AnswerLog({self.size} answers)"


def _rebuilt(items: list[tuple[str, Any]]) -> AnswerLog[Any]:
    return AnswerLog(_Store({k: (i, v) for i, (k, v) in enumerate(items)}), len(items))
