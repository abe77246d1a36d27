"""Alembic environment: the URL comes from the Config built in `engine.py`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from thecal.adapters.db.engine import make_engine
from thecal.adapters.db.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
connectable = make_engine(url) if url.startswith("sqlite") else None
if connectable is None:
    from sqlalchemy import create_engine

    connectable = create_engine(url, poolclass=pool.NullPool)

with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
