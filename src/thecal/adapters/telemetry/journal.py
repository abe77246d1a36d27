"""The emulator's durable memory: a write-ahead journal and snapshots.

Every command the pump accepts is appended to `journal.log` and fsync'd *before* it
is applied or answered, so a kill -9 at any instant loses nothing that was ever
answered: on restart the last snapshot is loaded and the journal after it replayed
through the same pure firmware, which gives back the exact same state (the firmware
is deterministic and the journal records the pump time of each command).

A record is one line, `CRC32-hex SPACE JSON`. A torn last line (the process died
while writing it) fails its CRC and is cut off: it was never fsync'd, so it was
never applied or answered. A bad record anywhere else means the file was damaged
and the emulator refuses to start rather than guess.

Snapshots (`snapshot.bin`) are written to a temporary file, fsync'd and renamed
over the old one, then the directory is fsync'd: a crash leaves either the old or
the new snapshot, never half of one. The journal is kept whole (it is the pump's
command history, as a real pump keeps an event log); a snapshot records the byte
offset where replay resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thecal.core.errors import ThecalError

SNAPSHOT_FORMAT = b"thecal-snapshot-2\n"  # JSON (format 1 was a pickle)


class JournalCorrupt(ThecalError):
    """The journal or snapshot was damaged other than by a torn last write."""


def _line(record: dict[str, Any]) -> bytes:
    body = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Journal:
    directory: Path

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "journal.log"
        self.snapshot_path = self.directory / "snapshot.bin"
        self._file = open(self.path, "ab")  # noqa: SIM115 - held for the process's life

    def close(self) -> None:
        self._file.close()

    @property
    def size(self) -> int:
        return self._file.tell()

    def append(self, record: dict[str, Any]) -> None:
        """Durable before it returns: written, flushed and fsync'd."""
        self._file.write(_line(record))
        self._file.flush()
        os.fsync(self._file.fileno())

    def records(self, offset: int = 0) -> Iterator[dict[str, Any]]:
        """The records from byte `offset` on; a torn last line is cut off the file."""
        with open(self.path, "rb") as f:
            f.seek(offset)
            data = f.read()
        pos = 0
        while pos < len(data):
            end = data.find(b"\n", pos)
            record = _parse(data[pos:end]) if end >= 0 else None
            if record is None:
                if end >= 0 and end + 1 < len(data):
                    raise JournalCorrupt(f"{self.path}: damaged record at byte {offset + pos}")
                self._truncate(offset + pos)  # the torn tail of the last write
                return
            yield record
            pos = end + 1

    def _truncate(self, at: int) -> None:
        self._file.close()
        with open(self.path, "r+b") as f:
            f.truncate(at)
            f.flush()
            os.fsync(f.fileno())
        self._file = open(self.path, "ab")  # noqa: SIM115

    def save_snapshot(self, snapshot: dict[str, Any]) -> None:
        body = json.dumps(snapshot, allow_nan=False, separators=(",", ":")).encode("utf-8")
        blob = SNAPSHOT_FORMAT + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        tmp = self.snapshot_path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.snapshot_path)
        _fsync_dir(self.directory)

    def load_snapshot(self) -> dict[str, Any] | None:
        if not self.snapshot_path.exists():
            return None
        blob = self.snapshot_path.read_bytes()
        head = len(SNAPSHOT_FORMAT)
        digest, body = blob[head : head + 64], blob[head + 65 :]
        intact = hashlib.sha256(body).hexdigest().encode() == digest
        if not blob.startswith(SNAPSHOT_FORMAT) or not intact:
            raise JournalCorrupt(
                f"{self.snapshot_path}: does not match its digest or format (a snapshot "
                "from an older thecal: move it away and the journal is replayed whole)"
            )
        snapshot: dict[str, Any] = json.loads(body)
        return snapshot

    def read_json(self, name: str) -> dict[str, Any] | None:
        path = self.directory / name
        return json.loads(path.read_text()) if path.exists() else None

    def write_json(self, name: str, value: dict[str, Any], private: bool = False) -> None:
        """Atomically replaced and fsync'd; `private` files (keys) are owner-only."""
        path = self.directory / name
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(fd, "w") as f:
            json.dump(value, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(self.directory)


def _parse(line: bytes) -> dict[str, Any] | None:
    crc, _, body = line.partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            return None
        record = json.loads(body)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None
