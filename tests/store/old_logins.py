"""A login written as an older migration stored it, for the tests of later migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

OLD_EMAIL = "old@example.org"


@contextmanager
def store_with_old_login(store_url: str, *, revision: str, password_hash: str) -> Iterator[Engine]:
    """Yield an engine on the store migrated to ``revision``, with one login :data:`OLD_EMAIL`.

    The login is inserted with the columns every revision has (a store function
    would write the newer ones too); the engine is disposed of afterwards.
    """
    from hiplab.store.engine import create_store_engine, parse_url, upgrade

    engine = create_store_engine(parse_url(store_url))
    try:
        upgrade(engine, revision=revision)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO app_user (email, display_name, role, password_hash, created_at) "
                f"VALUES ('{OLD_EMAIL}', 'Old', 'coach', '{password_hash}', CURRENT_TIMESTAMP)"
            )
        yield engine
    finally:
        engine.dispose()


def login_emails(engine: Engine) -> list[str]:
    """Return the e-mails of every login in the store."""
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT email FROM app_user").scalars().all())
