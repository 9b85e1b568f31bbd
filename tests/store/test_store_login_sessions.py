"""Login sessions (``login_session``): one row per signed-in browser, ended one by one or all."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from hiplab.errors import InputError, NotFoundError
from hiplab.services.passwords import hash_password
from hiplab.store import Store
from hiplab.store.tables import utcnow
from tests.store.old_logins import OLD_EMAIL, login_emails, store_with_old_login

HASH = hash_password("a long enough password")


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _coach(store: Store, email: str = "coach@example.org") -> int:
    return store.accounts.create_user(
        email=email, display_name="Coach", role="coach", password_hash=HASH
    ).id


def _start(store: Store, user_id: int, name: str) -> str:
    digest = _digest(name)
    store.accounts.start_session(
        user_id=user_id, digest=digest, expired_before=utcnow() - timedelta(hours=12)
    )
    return digest


def _live(store: Store, user_id: int, digest: str) -> bool:
    since = utcnow() - timedelta(hours=12)
    return (
        store.accounts.live_session_user(digest=digest, user_id=user_id, started_after=since)
        is not None
    )


def test_ending_one_session_leaves_the_others_running(store: Store) -> None:
    coach = _coach(store)
    phone, laptop = _start(store, coach, "phone"), _start(store, coach, "laptop")
    found = store.accounts.live_session_user(
        digest=phone, user_id=coach, started_after=utcnow() - timedelta(hours=1)
    )
    assert found is not None and found[0].id == coach and found[1].tzinfo is not None
    assert store.accounts.end_session(digest=phone) is True
    assert store.accounts.end_session(digest=phone) is False  # already ended
    assert not _live(store, coach, phone)
    assert _live(store, coach, laptop)


def test_log_out_everywhere_and_a_new_password_end_all_sessions(store: Store) -> None:
    coach, other = _coach(store), _coach(store, "other@example.org")
    first, second, theirs = (
        _start(store, coach, "a"),
        _start(store, coach, "b"),
        _start(store, other, "c"),
    )
    store.accounts.end_sessions(user_id=coach)
    assert not _live(store, coach, first) and not _live(store, coach, second)
    assert _live(store, other, theirs)  # another login keeps its sessions
    again = _start(store, coach, "d")
    store.accounts.set_password_hash(
        user_id=coach, password_hash=HASH, keep_sessions=True
    )  # re-hash
    assert _live(store, coach, again)
    store.accounts.set_password_hash(
        user_id=coach, password_hash=hash_password("another password!")
    )
    assert not _live(store, coach, again)


def test_a_session_counts_only_for_its_login_and_within_its_lifetime(store: Store) -> None:
    coach, other = _coach(store), _coach(store, "other@example.org")
    digest = _start(store, coach, "a")
    assert (
        store.accounts.live_session_user(digest=digest, user_id=other, started_after=utcnow())
        is None
    )
    assert (
        store.accounts.live_session_user(
            digest=digest, user_id=coach, started_after=utcnow() + timedelta(seconds=1)
        )
        is None
    )  # began before the cut-off: expired
    assert (
        store.accounts.live_session_user(
            digest="x' OR 1=1 --", user_id=coach, started_after=utcnow()
        )
        is None
    )
    store.accounts.touch_session(digest="not a digest")  # changes nothing, raises nothing
    assert store.accounts.end_session(digest="not a digest") is False


def test_a_new_session_forgets_the_logins_ended_and_expired_ones(store: Store) -> None:
    coach, other = _coach(store), _coach(store, "other@example.org")
    ended, old, theirs = (
        _start(store, coach, "a"),
        _start(store, coach, "b"),
        _start(store, other, "c"),
    )
    store.accounts.end_session(digest=ended)
    store.accounts.end_session(digest=theirs)
    store.accounts.start_session(
        user_id=coach, digest=_digest("new"), expired_before=utcnow() + timedelta(seconds=1)
    )  # every earlier session of the coach counts as expired now
    with store._db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id FROM login_session")).scalars().all()
    assert set(rows) == {_digest("new"), theirs}  # the other login's rows are not touched
    assert old not in rows


def test_session_ids_and_logins_are_checked(store: Store) -> None:
    coach = _coach(store)
    with pytest.raises(InputError, match="must be a SHA-256 digest: 64 characters 0-9 and a-f"):
        store.accounts.start_session(user_id=coach, digest="ABC", expired_before=utcnow())
    with pytest.raises(NotFoundError, match="no login with id 404"):
        store.accounts.start_session(user_id=404, digest=_digest("a"), expired_before=utcnow())
    for unholdable in (0, -1, 2**63 - 1, 2**70):  # PostgreSQL refused such ids with a 503
        with pytest.raises(NotFoundError, match=f"no login with id {unholdable}"):
            store.accounts.start_session(
                user_id=unholdable, digest=_digest("a"), expired_before=utcnow()
            )
        found = store.accounts.live_session_user(
            digest=_digest("a"), user_id=unholdable, started_after=utcnow()
        )
        assert found is None


def test_migration_0006_adds_only_the_table_and_goes_back(store_url: str) -> None:
    from hiplab.store import open_store
    from hiplab.store.engine import downgrade

    with store_with_old_login(store_url, revision="0005", password_hash=HASH) as engine:
        with open_store(store_url) as store:
            found = store.accounts.login_record(email=OLD_EMAIL)
            assert found is not None
            digest = _start(store, found[0].id, "a")
            assert _live(store, found[0].id, digest)
        downgrade(engine, revision="0005")
        assert "login_session" not in inspect(engine).get_table_names()
        assert login_emails(engine) == [OLD_EMAIL]
