import pickle

import pytest

from thecal.core.pump import answer_log
from thecal.core.pump.answer_log import AnswerLog


def test_every_older_view_keeps_seeing_only_what_it_had():
    empty: AnswerLog[int] = AnswerLog()
    one = empty.add("a", 1)
    two = one.add("b", 2)
    assert empty.get("a") is None and len(empty) == 0
    assert one.get("a") == 1 and one.get("b") is None and len(one) == 1
    assert two.get("a") == 1 and two.get("b") == 2 and len(two) == 2


def test_a_branch_from_an_older_view_does_not_leak_into_the_newer_one():
    one = AnswerLog[int]().add("a", 1)
    newer = one.add("b", 2)
    branch = one.add("c", 3)  # one is no longer the newest view: it is copied
    assert branch.get("b") is None and branch.get("c") == 3
    assert newer.get("c") is None and newer.get("b") == 2
    again = one.add("b", 20)  # the same key on another branch is its own answer
    assert again.get("b") == 20 and newer.get("b") == 2


def test_a_key_is_remembered_once():
    one = AnswerLog[int]().add("a", 1)
    with pytest.raises(KeyError, match="'a' is already remembered"):
        one.add("a", 2)


def test_pickle_keeps_only_the_view_and_equality_is_by_content():
    one = AnswerLog[int]().add("a", 1)
    one.add("b", 2)
    back = pickle.loads(pickle.dumps(one))
    assert back.items() == [("a", 1)] and back == one
    assert back.add("b", 5).get("b") == 5


def test_a_year_of_ids_is_appended_in_place_and_a_branch_copies_once(monkeypatch):
    """Linear, shown by what it does rather than by a clock: 20,000 adds to the newest
    view make one store and copy nothing (a copy per add would be quadratic); adding
    to an older view copies its entries once, then appends in place again."""
    made: list[int] = []
    real = answer_log._Store.__init__

    def counted(self, entries):
        made.append(len(entries))
        real(self, entries)

    monkeypatch.setattr(answer_log._Store, "__init__", counted)
    log: AnswerLog[int] = AnswerLog()
    for i in range(20_000):
        log = log.add(f"r{i}", i)
    assert made == [0]
    assert len(log) == 20_000 and all(log.get(f"r{i}") == i for i in range(0, 20_000, 7))
    older = AnswerLog(log._store, 10)
    branch = older.add("x", -1)
    for i in range(100):
        branch = branch.add(f"b{i}", i)
    assert made == [0, 10]  # the branch's own copy, of the 10 entries it sees
    assert branch.get("r10") is None and log.get("x") is None


def test_add_all_is_repeated_add_and_keeps_branches_apart():
    one = AnswerLog[int]().add("a", 1)
    newer = one.add_all([("b", 2), ("c", 3)])
    assert newer.items() == [("a", 1), ("b", 2), ("c", 3)]
    branch = one.add_all([("c", 30)])  # one is no longer the newest view: copied
    assert branch.items() == [("a", 1), ("c", 30)] and newer.get("c") == 3
    assert one.add_all([]) is one
    with pytest.raises(KeyError, match="already remembered"):
        newer.add_all([("d", 4), ("a", 5)])
    with pytest.raises(KeyError, match="already remembered"):
        newer.add_all([("d", 4), ("d", 5)])
    assert newer.items() == [("a", 1), ("b", 2), ("c", 3)]  # nothing half added


def test_known_answers_only_what_the_view_remembers():
    one = AnswerLog[int]().add("a", 1)
    two = one.add_all([("b", 2), ("c", 3)])
    assert two.known(["c", "x", "a"]) == {"c": 3, "a": 1}
    assert one.known(["a", "b", "c"]) == {"a": 1}  # b and c came after this view
    assert AnswerLog[int]().known(["a"]) == {}
