"""A client changes their password in a real browser; the phone they were logged in on is
told that its session has ended, and the new password works there."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.conftest import (
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    Server,
    Tab,
    horizontal_overflow,
    log_in,
    page_basics,
    seed_client,
    unique,
)

NEW = "my new hip passphrase"


@SQLITE_ONLY
def test_a_password_change_in_the_browser(tabs: Callable[..., Tab], server: Server) -> None:
    me = seed_client(server, name=unique("Noor"))
    laptop, phone = tabs(), tabs(PHONE)
    log_in(laptop, me.email)
    log_in(phone, me.email)

    laptop.page.get_by_role("link", name="Account").click()
    laptop.page.wait_for_url("**/account")
    assert page_basics(laptop) == []
    laptop.expect_status(422)  # the wrong current password, on purpose
    laptop.page.get_by_label("Current password").fill("not it at all")
    laptop.page.get_by_label("New password (10 to 1024 characters)").fill(NEW)
    laptop.page.get_by_label("New password again").fill(NEW)
    with laptop.page.expect_navigation():
        laptop.page.get_by_role("button", name="Change password").click()
    assert laptop.page.get_by_role("alert").inner_text() == "the current password is wrong"
    laptop.shot("account_password_error.png")

    laptop.page.get_by_label("Current password").fill(PASSWORD)
    laptop.page.get_by_label("New password (10 to 1024 characters)").fill(NEW)
    laptop.page.get_by_label("New password again").fill(NEW)
    with laptop.page.expect_navigation():
        laptop.page.get_by_role("button", name="Change password").click()
    assert "Password changed" in laptop.page.get_by_role("status").inner_text()
    laptop.shot("account.png")

    phone.goto("/me")  # still the old session's cookie: ended, and told so
    assert "/login?next=%2Fme&ended=1" in phone.page.url
    assert "Your session has ended" in phone.page.get_by_role("status").inner_text()
    assert horizontal_overflow(phone)["scroll"] <= horizontal_overflow(phone)["client"]
    phone.shot("session_ended_phone.png")
    log_in(phone, me.email, NEW)
    assert phone.page.url.endswith("/me")
