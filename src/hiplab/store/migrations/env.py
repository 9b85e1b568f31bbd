"""Alembic environment of the hiplab store.

The store runs migrations itself (``upgrade head`` when a store is opened) and hands
its open connection in ``config.attributes["connection"]``. Run from the command line
(``alembic -c <ini> ...``), the URL comes from the ``sqlalchemy.url`` option.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from hiplab.store.tables import Base

target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the store's connection, or on a new one from the URL."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url in the Alembic config to run migrations")
    engine = create_engine(url)
    try:
        with engine.begin() as new_connection:
            _configure_and_run(new_connection)
    finally:
        engine.dispose()


def main() -> None:
    """Run the migrations the way Alembic asked (offline SQL or online)."""
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()


# Alembic sets up ``context`` before loading this file; any other import (doctest
# collection, tooling) finds no context and runs nothing.
if hasattr(context, "config"):
    main()
