"""The kept read models (adapters/db/kept.py): one computation per key, no waiting
across keys, least recently used first out (issue 27)."""

from __future__ import annotations

import threading

from thecal.adapters.db.kept import Kept


def test_a_miss_on_another_key_never_waits_and_the_same_key_is_computed_once():
    kept: Kept[str, str] = Kept(8)
    release = threading.Event()
    calls: list[str] = []

    def slow_a() -> str:
        calls.append("a")
        assert release.wait(10)
        return "A"

    results: dict[str, str] = {}
    first = threading.Thread(
        target=lambda: results.setdefault("1", kept.get_or_compute("a", slow_a))
    )
    first.start()
    while not calls:  # patient A's record is being computed
        threading.Event().wait(0.001)
    other = threading.Thread(
        target=lambda: results.setdefault("b", kept.get_or_compute("b", lambda: "B"))
    )
    other.start()
    other.join(5)
    assert not other.is_alive() and results["b"] == "B"  # B did not wait for A
    same = threading.Thread(
        target=lambda: results.setdefault("2", kept.get_or_compute("a", lambda: "again"))
    )
    same.start()
    same.join(0.2)
    assert same.is_alive()  # the same key waits for the first computation...
    release.set()
    first.join(5)
    same.join(5)
    assert (results["1"], results["2"], calls) == ("A", "A", ["a"])  # ...and takes its value


def test_the_least_recently_used_goes_first():
    kept: Kept[int, int] = Kept(2)
    kept.get_or_compute(1, lambda: 10)
    kept.get_or_compute(2, lambda: 20)
    assert kept.get(1) == 10  # 1 is now the most recent
    kept.get_or_compute(3, lambda: 30)
    assert (kept.get(1), kept.get(2), kept.get(3)) == (10, None, 30)
