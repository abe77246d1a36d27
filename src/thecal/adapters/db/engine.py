"""Where the clinic's database is, and how its schema is brought up to date.

SQLite (a file) by default: nothing to install. PostgreSQL for a shared clinic:
`THECAL_DATABASE_URL=postgresql+psycopg://user@host/db`. The schema is only ever
changed by Alembic migrations, run here programmatically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from thecal.core.errors import MissingExtra

DEFAULT_URL = "sqlite:///thecal.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("THECAL_DATABASE_URL") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_size=20, max_overflow=10, pool_pre_ping=True)
    except ModuleNotFoundError as missing:  # the driver of an optional extra
        if missing.name is not None and missing.name.startswith("psycopg"):
            raise MissingExtra("a PostgreSQL database", "postgres") from missing
        raise


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
