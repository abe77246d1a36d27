"""The clinic's link keys: one owner-only file per pump serial in a directory outside
the database (`THECAL_TELEMETRY_KEYS`), so that read access to the database is not
control of the pumps. Written atomically and fsync'd before the key is used: a key
the pump holds is never one the clinic has lost in a crash (docs/telemetry.md).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from thecal.adapters.telemetry.crypto import LinkKey
from thecal.core.errors import InputError, Problem

SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class KeyStore:
    directory: Path

    def _path(self, serial: str) -> Path:
        if not SERIAL.fullmatch(serial):
            raise InputError(
                "pump serial refused",
                [Problem("serial", "letters, digits, '.', '_' or '-', 1 to 64 characters")],
            )
        return self.directory / f"{serial}.key"

    def get(self, serial: str) -> LinkKey | None:
        path = self._path(serial)
        if not path.exists():
            return None
        return LinkKey(bytes.fromhex(json.loads(path.read_text())["key"]))

    def put(self, serial: str, key: LinkKey) -> None:
        path = self._path(serial)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"serial": serial, "key": key.secret.hex(), "key_id": key.key_id}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def key_id(self, serial: str) -> str | None:
        key = self.get(serial)
        return key.key_id if key is not None else None
