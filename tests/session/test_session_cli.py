"""``hiplab session`` errors, through the real command (standard input is a pipe)."""

from __future__ import annotations

import pytest

from hiplab.store import PersonRef, open_store

from .conftest import PERSON, Run, programme, seed


def test_without_a_terminal_it_fails_with_a_clear_message_instead_of_hanging(
    store_url: str, hiplab: Run
) -> None:
    seed(store_url)
    result = hiplab("session", PERSON, "--no-voice")
    assert result.returncode == 2
    assert "needs an interactive terminal" in result.stderr
    assert "not a TTY" in result.stderr
    with open_store(store_url) as store:
        assert store.logs.of_person(person=PersonRef.named(PERSON)) == []


def test_an_unknown_person_is_bad_input(store_url: str, hiplab: Run) -> None:
    seed(store_url)
    result = hiplab("session", "Sam Sesion")
    assert result.returncode == 2
    assert "no person named 'Sam Sesion'" in result.stderr
    assert "Sam Session" in result.stderr  # suggested


def test_an_unknown_plan_is_bad_input(store_url: str, hiplab: Run) -> None:
    plan_id = seed(store_url)
    result = hiplab("session", "--plan", str(plan_id + 100))
    assert result.returncode == 2
    assert f"no plan with id {plan_id + 100}" in result.stderr


def test_a_week_out_of_range_names_the_allowed_range(store_url: str, hiplab: Run) -> None:
    seed(store_url)
    for week in ("3", "0"):
        result = hiplab("session", PERSON, "--week", week)
        assert result.returncode == 2
        assert f"--week {week} is out of range; allowed: 1–2" in result.stderr


def test_a_referral_plan_is_refused_with_its_reason(store_url: str, hiplab: Run) -> None:
    seed(store_url, refer=True)
    result = hiplab("session", PERSON)
    assert result.returncode == 2
    assert "referral" in result.stderr
    assert "night pain: see a doctor before exercising" in result.stderr


def test_neither_person_nor_plan_is_bad_input(store_url: str, hiplab: Run) -> None:
    result = hiplab("session")
    assert result.returncode == 2
    assert "give a PERSON" in result.stderr


def test_a_plan_of_someone_else_is_refused(store_url: str, hiplab: Run) -> None:
    plan_id = seed(store_url)
    with open_store(store_url) as store:
        latest = store.plans.latest(person=PersonRef.named(PERSON))
    assert latest.programme == programme()
    result = hiplab("session", "Somebody Else", "--plan", str(plan_id))
    assert result.returncode == 2
    assert f"plan {plan_id} belongs to '{PERSON}'" in result.stderr


@pytest.mark.parametrize("scale", ["0", "-1", "5000"])
def test_a_time_scale_out_of_range_is_bad_input(store_url: str, hiplab: Run, scale: str) -> None:
    result = hiplab("session", PERSON, "--time-scale", scale)
    assert result.returncode == 2
    assert "--time-scale" in result.stderr


def test_the_command_is_in_the_help(hiplab: Run) -> None:
    result = hiplab("session", "--help")
    assert result.returncode == 0
    for flag in ("--plan", "--week", "--voice", "--no-voice", "--time-scale"):
        assert flag in result.stdout
