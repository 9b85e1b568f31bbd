"""A client in a real browser: logs in with the keyboard alone, sees their own findings
and nothing of anyone else's, on a desktop and on a phone."""

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
    unlabelled_controls,
)

FOCUS_JS = """
() => { const el = document.activeElement; const style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName, outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth)}; }
"""


def _tab_to(tab: Tab, element_id: str, limit: int = 10) -> dict[str, object]:
    """Press Tab until ``element_id`` has the focus; return what the focus looked like."""
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        focused: dict[str, object] = tab.page.evaluate(FOCUS_JS)
        if focused["id"] == element_id:
            return focused
    raise AssertionError(f"#{element_id} never got the focus with Tab")


def test_keyboard_only_login_and_own_data_only(tab: Tab, server: Server) -> None:
    me = seed_client(server, name=unique("Kim"))
    other = seed_client(server, name=unique("Lee"))
    page = tab.page
    tab.goto("/me")  # logged out: sent to the login form, and back after it
    assert "/login?next=" in page.url
    assert unlabelled_controls(tab) == []

    page.keyboard.press("Tab")
    skip = page.evaluate("() => document.activeElement.textContent.trim()")
    assert skip == "Skip to content"  # the first stop skips the navigation
    focused = _tab_to(tab, "email")
    assert focused["outline"] != "none" and float(str(focused["width"])) >= 2  # visible focus
    page.keyboard.type(me.email)
    assert _tab_to(tab, "password", limit=1)["tag"] == "INPUT"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/me"), page.url

    main = page.locator("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Your hips"
    assert "Latest assessment, 2026-01-10" in main
    assert page.locator("table.cards tbody tr").count() >= 1  # the seeded findings
    assert other.name not in page.content()
    assert "login:" not in main  # the coach's view shows login e-mails; a client's does not
    nav = page.get_by_role("navigation", name="Main").inner_text()
    assert "Clients" not in nav and "New client" not in nav
    assert unlabelled_controls(tab) == []
    tab.shot("client_page.png")

    with page.expect_navigation() as report:
        page.get_by_role("link", name="Full report (HTML)").click()
    assert report.value.status == 200
    assert me.name in page.content()

    # Someone else's person does not exist for a client (404); coach pages are refused (403).
    tab.expect_status(403)
    tab.expect_status(404)
    for path, status, heading in (
        (f"/people/{other.person_id}", 404, "Not found"),
        (f"/people/{other.person_id}/assessments/new", 404, "Not found"),
        ("/coach", 403, "Not allowed"),
        ("/coach/clients/new", 403, "Not allowed"),
        (f"/api/v1/people/{other.person_id}/assessments", 404, None),
    ):
        response = tab.goto(path)
        assert response.status == status, path
        if heading:
            assert page.get_by_role("heading", level=1).inner_text() == heading
        assert other.name not in page.content()

    # Someone else's programme and progress pages do not exist for the client either.
    tab.expect_status(404)
    for path in (f"/people/{other.person_id}/plans", f"/people/{other.person_id}/progress"):
        assert tab.goto(path).status == 404, path

    tab.goto("/me")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/login")
    tab.goto("/me")  # the old session is gone
    assert "/login?next=" in page.url


@SQLITE_ONLY
def test_wrong_password_is_announced_and_form_keeps_the_email(tab: Tab, server: Server) -> None:
    me = seed_client(server, name=unique("Noa"))
    tab.goto("/login")
    tab.page.get_by_label("E-mail").fill(me.email)
    tab.page.get_by_label("Password").fill("not the password")
    tab.expect_status(401)
    with tab.page.expect_navigation() as sent:
        tab.page.get_by_role("button", name="Log in").click()
    assert sent.value.status == 401
    assert tab.page.get_by_role("alert").inner_text() == "email or password is wrong"
    assert tab.page.get_by_label("E-mail").input_value() == me.email
    assert tab.page.get_by_label("E-mail").get_attribute("aria-describedby") == "login-error"


@SQLITE_ONLY
def test_client_pages_fit_a_phone(tabs: Callable[..., Tab], server: Server) -> None:
    me = seed_client(server, name=unique("Ari"))
    tab = tabs(PHONE)
    tab.goto("/login")
    width = horizontal_overflow(tab)
    assert width["scroll"] <= width["client"], width
    tab.shot("login_phone.png")
    log_in(tab, me.email)
    for path in (
        "/me",
        f"/people/{me.person_id}/assessments/new",
        "/me/session",  # no plan yet: says so
        f"/people/{me.person_id}/plans",
        "/me/progress",
        "/me/export",
        f"/people/{me.person_id}/videos",
    ):
        response = tab.goto(path)
        assert response.status == 200, path
        width = horizontal_overflow(tab)
        assert width["scroll"] <= width["client"], (path, width)
        assert page_basics(tab) == [], path
    assert tab.page.get_by_role("button", name="Upload and analyse").count() == 0  # coach only
    tab.goto("/me")
    tab.shot("client_page_phone.png")
