from thecal.core.pump.pmap import PMap


def test_persistent_map_keeps_old_versions_and_counts_keys():
    empty: PMap[int] = PMap()
    one = empty.set("a", 1)
    two = one.set("b", 2).set("a", 3)
    assert empty.get("a") is None and one.get("a") == 1
    assert two.get("a") == 3 and two.get("b") == 2 and len(two) == 2
    many = empty
    for i in range(3000):
        many = many.set(f"r{i}", i)
    assert len(many) == 3000 and all(many.get(f"r{i}") == i for i in range(0, 3000, 7))
