"""The guided interview in a real terminal: tmux runs it, send-keys answers, capture-pane reads."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hiplab.records.intake import Screening
from tests.terminal import WAIT_S, Terminal

from .conftest import Run

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def asked(key: str, answer: str = "n") -> tuple[str, str]:
    """Wait for the schema's own wording of a screening question, then answer it."""
    text = str(Screening.model_fields[key].description)
    return text[:40], answer


RED_FLAG_KEYS = (
    "night_pain",
    "unexplained_weight_loss",
    "fever",
    "saddle_numbness",
    "bladder_bowel_change",
    "progressive_weakness",
    "recent_trauma",
    "cancer_history",
    "long_term_steroids",
    "iv_drug_use",
    "limp",
)
"""The red-flag questions everyone is asked, in the order the interview asks them."""
PRECAUTION_KEYS = ("hypermobility", "hip_impingement", "falls_or_poor_balance")

ADULT_SCREENING = [
    asked(key) for key in (*RED_FLAG_KEYS, *PRECAUTION_KEYS, "pregnant", "hip_replacement")
]

# (text to wait for, answer to type): wrong answers are re-asked, blank skips.
SCRIPT = [
    ("Your name", "Tia Terminal"),
    ("Age in years", "abc"),
    ("'abc' is not a whole number", "400"),
    ("outside the allowed range", "29"),
    ("Sex", "female"),
    ("Activities", "running, desk work"),
    ("main goal", ""),
    *ADULT_SCREENING,
    # Regions are offered in plain words, numbered; a wrong number is re-asked.
    ("leg (running down it)", None),
    ("Where (number", "99"),
    ("not one of the numbers", "2"),  # 2 = front of the hip
    ("Side", "right"),
    ("Pain now", "3"),
    ("with activity or movement", None),
    ("When (numbers", "3"),  # with activity: not a red flag
    ("Did this pain start recently", "n"),
    ("What brings it on", "sitting"),
    ("Where (number", ""),
    # Thomas thigh angle: picture reference shown; left skipped, right 12° above horizontal.
    ("hiplab tests thomas_thigh_angle --picture", None),
    ("left", ""),
    ("right", "12"),
]

PROMPT_ENDS = ("skip]", ")", "done)")


def skip_until(term: Terminal, text: str | None) -> str:
    """Answer blank to every prompt until ``text`` shows (or, for None, the command exits).

    After each blank answer it waits for the screen to change, so no answer is typed ahead
    into a question it was not meant for.
    """
    deadline = time.monotonic() + WAIT_S
    done = "EXIT=" if text is None else text
    while time.monotonic() < deadline:
        screen = term.screen()
        if done in screen:
            return screen
        if screen.rstrip().endswith(PROMPT_ENDS):
            term.answer("")
            term.wait_until(
                lambda now, before=screen: now != before, "the next prompt", history=True
            )
        time.sleep(0.05)
    raise AssertionError(f"never saw {done!r}; screen:\n{term.screen()}")


def run_script(term: Terminal, script: list[tuple[str, str | None]], seen: int = 0) -> int:
    for expect, answer in script:
        seen = term.wait_after(expect, seen)
        if answer is not None:
            term.answer(answer)
    return seen


def interview(tmp_path: Path, store_url: str) -> tuple[Terminal, Path]:
    env = {
        "HIPLAB_DATA_DIR": str(tmp_path / "data"),
        "HIPLAB_DATABASE_URL": store_url,
        "NO_COLOR": "1",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    out = tmp_path / "interview.json"
    command = (
        f"env {exports} {shlex.quote(sys.executable)} -m hiplab assess --format json "
        f"-o {shlex.quote(str(out))}; echo EXIT=$?; sleep 30"
    )
    return Terminal(command, tmp_path), out


def stored_input(hiplab: Run, name: str) -> dict[str, Any]:
    document = json.loads(hiplab("export", name, "--format", "json").stdout)
    raw = document["assessments"][-1]["input"]
    return json.loads(raw) if isinstance(raw, str) else raw


def test_interview_validates_answers_skips_tests_and_saves(
    tmp_path: Path, store_url: str, hiplab: Run
) -> None:
    term, out = interview(tmp_path, store_url)
    try:
        seen = run_script(term, SCRIPT)
        skip_until(term, "FABER (figure-4) test")
        run_script(
            term,
            [
                ("left: positive?", "y"),
                ("left: did it bring on pain?", "y"),
                ("right: positive?", "n"),
            ],
            seen,
        )
        screen = skip_until(term, None)
        assert "EXIT=0" in screen, screen
        assert "desk_work" not in screen  # activities are offered in plain words
    finally:
        term.close()
    report = json.loads(out.read_text())
    assert report["refer"] is False
    assert ("hip_flexors_tight", "right") in [(f["id"], f["side"]) for f in report["findings"]]
    history = json.loads(hiplab("history", "Tia Terminal", "--format", "json").stdout)
    assert len(history) == 1
    assert os.path.exists(out)
    data = stored_input(hiplab, "Tia Terminal")
    assert data["person"]["activities"] == ["running", "desk_work"]
    assert data["symptoms"] == [
        {
            "region": "front_of_hip",
            "side": "right",
            "pain": 3,
            "timing": ["with_activity"],
            "trigger": "sitting",
            "new": False,
        }
    ]
    assert data["tests"]["faber"] == {
        "left": {"positive": True, "painful": True},
        "right": {"positive": False, "painful": False},
    }
    screening = data["screening"]
    for key in ("long_term_steroids", "iv_drug_use", "hip_impingement", "falls_or_poor_balance"):
        assert screening[key] is False  # asked and answered
    assert screening["obligatory_external_rotation"] is False  # not asked of an adult


CHILD_SCREENING = [
    *(asked(key) for key in RED_FLAG_KEYS),
    asked("obligatory_external_rotation", "y"),  # asked only of children
    *(asked(key) for key in PRECAUTION_KEYS),
    asked("hip_replacement"),  # no pregnancy question for a boy
]


def test_a_child_is_asked_the_scfe_sign_and_referred(
    tmp_path: Path, store_url: str, hiplab: Run
) -> None:
    term, out = interview(tmp_path, store_url)
    try:
        run_script(
            term,
            [
                ("Your name", "Kit Child"),
                ("Age in years", "12"),
                ("Sex", "male"),
                ("Activities", ""),
                ("main goal", ""),
                *CHILD_SCREENING,
                ("Where (number", "knee"),  # the words work as well as the number
                ("Side", "left"),
                ("Pain now", "8"),
                ("When (numbers", "2, 4"),  # at night, since a fall or an injury
                ("Did this pain start recently", "y"),
                ("What brings it on", ""),
                ("Where (number", ""),
            ],
        )
        screen = skip_until(term, None)
        assert "EXIT=0" in screen, screen
        assert "Are you pregnant" not in screen
    finally:
        term.close()
    report = json.loads(out.read_text())
    assert report["refer"] is True
    flags = {f["id"]: f for f in report["red_flags"]}
    assert set(flags) == {"possible_scfe", "rest_or_night_pain", "pain_after_injury",
                          "new_pain_age"}  # fmt: skip
    scfe = flags["possible_scfe"]
    assert (scfe["urgency"], scfe["when"]) == ("urgent", "the same day")
    assert "turns outward by itself" in scfe["reason"]
    assert flags["pain_after_injury"]["when"] == "the same day"  # 8/10 after a fall
    assert report["recommendations"] == []
    data = stored_input(hiplab, "Kit Child")
    assert data["symptoms"][0]["timing"] == ["at_night", "after_injury"]
    assert data["screening"]["obligatory_external_rotation"] is True


def test_after_a_posterior_replacement_unsafe_tests_and_sides_are_not_asked(
    tmp_path: Path, store_url: str
) -> None:
    """Left posterior hip replacement: the deep squat is not asked at all; the Thomas test
    only on the left (hugging the left knee would bend the operated hip past 90°)."""
    skipped = {asked("pregnant"), asked("hip_replacement")}
    screening = [step for step in ADULT_SCREENING if step not in skipped]
    term, out = interview(tmp_path, store_url)
    try:
        run_script(
            term,
            [
                ("Your name", "Hal Hip"),
                ("Age in years", "70"),
                ("Sex", "male"),
                ("Activities", ""),
                ("main goal", ""),
                *screening,
                asked("hip_replacement", "y"),
                ("Which side", "left"),
                ("Surgical approach", "posterior"),
                ("How many months ago", "3"),
                ("Where (number", ""),
                ("hiplab tests thomas_thigh_angle --picture", None),
                ("Do it on the left side only", None),
                ("left", "5"),
            ],
        )
        screen = skip_until(term, None)
        assert "EXIT=0" in screen, screen
        history = term.screen(history=True)
    finally:
        term.close()
    assert "FMS deep squat — not asked: it needs hip flexion of" in " ".join(history.split())
    thomas = history.split("Modified Thomas test — thigh angle")[1].split("Modified Thomas")[0]
    assert "right:" not in thomas
    report = json.loads(out.read_text())
    assert {v["test"]: v["side"] for v in report["values"]} == {"thomas_thigh_angle": "left"}
