"""Programme and session in a real browser: the coach generates a programme from the latest
assessment, checks the preview and assigns it; the client runs today's session on a
sped-up clock (``?speed=N``, the page's test hook), rates it, and finds it in the log;
then again on a phone in a browser without speech synthesis."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from tests.e2e.conftest import (
    COACH_EMAIL,
    DESKTOP,
    PHONE,
    Server,
    Tab,
    assign_plan,
    charts_drawn,
    horizontal_overflow,
    log_in,
    seed_client,
    unique,
    unlabelled_controls,
)

SPEED = 50
"""Session clock speed-up: a 5-minute session runs in seconds."""

RECORDER_JS = """
() => {
  // Every value each hook took, in order: one clock tick may pass several short steps,
  // so the records' own values are kept, not the value when the observer runs.
  const root = document.getElementById('session-player');
  const seen = window.__seen = {kinds: [], steps: [], timer: []};
  const lists = {'session-step': seen.steps, 'session-timer': seen.timer};
  const push = (list, value) => { if (value && list.at(-1) !== value) list.push(value); };
  new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'attributes') {
        push(seen.kinds, r.oldValue);
      } else if (r.target.id in lists) {
        for (const node of r.addedNodes) push(lists[r.target.id], node.textContent);
      }
    }
    push(seen.kinds, root.getAttribute('data-kind'));
  }).observe(root, {attributes: true, attributeFilter: ['data-kind'], attributeOldValue: true,
                    childList: true, subtree: true});
}
"""


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def test_coach_assigns_a_plan_and_the_client_runs_todays_session(
    tabs: Callable[..., Tab], server: Server
) -> None:
    person = seed_client(server, name=unique("Quinn"))
    coach = tabs()
    log_in(coach, COACH_EMAIL)
    plan_id = assign_plan(coach, person)
    coach.shot("plan.png")

    # The coach adds a set to the first exercise of week 1 (checked against precautions).
    first = coach.page.get_by_test_id("plan-item-1-1")
    first.get_by_role("link", name=re.compile("^Change")).click()
    dose = coach.page.get_by_test_id("dose-form")
    sets = int(dose.get_by_label("Sets").input_value())
    assert sets < 10
    dose.get_by_label("Sets").fill(str(sets + 1))
    with coach.page.expect_navigation():
        dose.get_by_role("button", name="Save dose").click()
    assert coach.page.url.endswith(f"/plans/{plan_id}?changed=1-1#week-1")
    changed = coach.page.get_by_test_id("plan-changed").inner_text()
    assert changed == "Saved the change to week 1, item 1."
    assert first.locator(".dose").inner_text().startswith(f"{sets + 1} ×")

    client = tabs()
    page = client.page
    log_in(client, person.email)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Today's session").click()
    assert page.url.endswith("/me/session")
    client.goto(f"/me/session?speed={SPEED}")
    player = page.get_by_test_id("session-player")
    assert player.is_visible()
    assert player.get_attribute("data-state") == "ready"
    assert page.get_by_test_id("session-checklist").is_hidden()  # JS runs the player
    assert unlabelled_controls(client) == []
    script: dict[str, Any] = json.loads(page.locator("#session-data").text_content() or "")
    assert script["plan_id"] == plan_id
    first_item = page.locator("#session-items li").first.inner_text()
    assert f" · {sets + 1} × " in first_item, first_item  # the coach's change reached the client
    kinds = {step["kind"] for step in script["steps"]}
    assert {"get_ready", "work", "switch"} <= kinds, kinds  # the seeded findings give both
    page.evaluate(RECORDER_JS)

    # Keyboard only: Enter on Start; the focus moves to Pause, which Space toggles.
    page.get_by_test_id("session-start").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "session-pause"
    page.keyboard.press("Space")
    assert player.get_attribute("data-state") == "paused"
    assert page.get_by_test_id("session-pause").get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("session-step").inner_text().startswith("Paused: ")
    client.shot("session_running.png")
    held = page.get_by_test_id("session-timer").inner_text()
    page.wait_for_timeout(400)  # 20 s of session time at this speed, were the clock running
    assert page.get_by_test_id("session-timer").inner_text() == held
    page.keyboard.press("Space")
    assert player.get_attribute("data-state") == "running"

    page.wait_for_function(
        "() => document.getElementById('session-player').dataset.state === 'finished'",
        timeout=120_000,
    )
    seen: dict[str, list[str]] = page.evaluate("() => window.__seen")
    assert "work" in seen["kinds"], seen["kinds"]
    # An exercise done on both sides has a side switch, and the page showed it.
    assert "switch" in seen["kinds"], seen["kinds"]
    switches = {step["label"] for step in script["steps"] if step["kind"] == "switch"}
    assert switches & set(seen["steps"]), (switches, seen["steps"])
    timer = [_seconds(t) for t in seen["timer"]]
    assert any(later < earlier for earlier, later in pairwise(timer)), seen["timer"]
    assert seen["timer"][-1] == "0:00"
    assert page.get_by_test_id("session-step").inner_text() == "Session finished. Well done!"
    states = page.locator("#session-items li .state").all_inner_texts()
    assert states and all(state == "done" for state in states), states

    player.get_by_label("Discomfort during the session").fill("3")
    player.get_by_label("Effort (RPE)").fill("6")
    page.get_by_test_id("session-save").click()
    page.wait_for_function(
        "() => document.getElementById('session-player').dataset.state === 'saved'"
    )
    assert page.get_by_test_id("session-result").inner_text().startswith("Saved: 100%")
    page.get_by_role("link", name="See your session log").click()
    row = page.get_by_test_id("session-log").locator("tbody tr").first
    cells = dict(
        zip(
            ["day", "plan", "done", "skipped", "completion", "discomfort", "effort"],
            row.locator("td").all_inner_texts(),
            strict=True,
        )
    )
    assert cells["completion"] == "100%" and cells["discomfort"] == "3" and cells["effort"] == "6"
    assert f"plan {plan_id}" in cells["plan"]

    # Some browsers have no speech synthesis at all: the session must run silently, and
    # fit a phone; ratings may be left blank.
    page.context.add_init_script(
        "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"
    )
    page.set_viewport_size(PHONE)
    client.goto("/me/session?speed=1000")
    mute = page.get_by_test_id("session-mute")
    assert mute.is_disabled() and mute.inner_text() == "No voice in this browser"
    width = horizontal_overflow(client)
    assert width["scroll"] <= width["client"], width
    page.get_by_test_id("session-start").click()
    page.wait_for_function(
        "() => document.getElementById('session-player').dataset.state === 'finished'",
        timeout=60_000,
    )
    page.get_by_test_id("session-save").click()
    page.wait_for_function(
        "() => document.getElementById('session-player').dataset.state === 'saved'"
    )
    client.shot("session_phone.png")

    client.expect_status(422)
    response = client.goto("/me/session?speed=fast")
    assert response.status == 422
    assert "speed 'fast' is not allowed" in page.get_by_role("alert").inner_text()

    # The client's progress page now counts both sessions and charts the discomfort.
    page.set_viewport_size(DESKTOP)
    nav.get_by_role("link", name="My progress").click()
    drawn = {chart["id"] for chart in charts_drawn(client)}
    assert {"chart-adherence", "chart-discomfort"} <= drawn, drawn
    week = page.locator("section[aria-labelledby='h-adherence'] tbody tr").first
    assert week.locator("td[data-label='Done']").inner_text() == "2"
    discomfort = page.locator("section[aria-labelledby='h-chart-discomfort'] tbody tr")
    assert discomfort.count() == 1  # the second session left it blank
    assert discomfort.locator("td[data-label='Pain']").inner_text() == "3"
    client.shot("progress_sessions.png")

    coach.goto(f"/people/{person.person_id}/plans")  # the coach sees both sessions
    log = coach.page.get_by_test_id("session-log").locator("tbody tr")
    assert log.count() == 2
    efforts = log.locator("td[data-label='Effort']").all_inner_texts()
    assert sorted(efforts) == ["6", "—"], efforts
