"""The write-ahead journal: a torn last write is cut off, damage elsewhere is refused,
snapshots are whole or refused."""

from __future__ import annotations

import pytest

from thecal.adapters.telemetry.journal import Journal, JournalCorrupt


def _records(n: int) -> list[dict]:
    return [
        {"seq": i, "t": i * 1.5, "op": "suspend", "command_id": f"c{i}"} for i in range(1, n + 1)
    ]


def test_records_come_back_in_order(tmp_path) -> None:
    j = Journal(tmp_path)
    for r in _records(3):
        j.append(r)
    assert list(Journal(tmp_path).records()) == _records(3)


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_a_torn_last_write_is_cut_off_and_the_file_stays_appendable(tmp_path, cut) -> None:
    j = Journal(tmp_path)
    for r in _records(3):
        j.append(r)
    j.close()
    data = j.path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    j.path.write_bytes(data[: last_start + cut])  # the process died while writing record 3
    again = Journal(tmp_path)
    assert list(again.records()) == _records(2)
    assert j.path.read_bytes() == data[:last_start]
    again.append(_records(3)[2])
    assert list(Journal(tmp_path).records()) == _records(3)


def test_damage_before_the_last_record_is_refused(tmp_path) -> None:
    j = Journal(tmp_path)
    for r in _records(3):
        j.append(r)
    j.close()
    data = bytearray(j.path.read_bytes())
    data[12] ^= 0x01  # inside record 1
    j.path.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupt, match="damaged record at byte 0"):
        list(Journal(tmp_path).records())


def test_snapshot_round_trip_and_tampering(tmp_path) -> None:
    j = Journal(tmp_path)
    assert j.load_snapshot() is None
    j.save_snapshot({"seq": 7, "offset": 123})
    assert j.load_snapshot() == {"seq": 7, "offset": 123}
    assert not (tmp_path / "snapshot.tmp").exists()
    blob = bytearray(j.snapshot_path.read_bytes())
    blob[-3] ^= 0x10
    j.snapshot_path.write_bytes(bytes(blob))
    with pytest.raises(JournalCorrupt, match="digest"):
        j.load_snapshot()
